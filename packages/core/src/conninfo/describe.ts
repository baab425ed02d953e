// Log-safe views of a resolved config: a keyword/value summary and a plain redacted object.
// Secrets appear only as `********`, and only to say that one is set.
import type { ConnectionConfig, HostTarget } from './config.js'
import { quoteKeywordValue } from './keyword-value.js'
import { KEYWORDS, type Keyword, SECRET_KEYWORDS } from './parameters.js'

/** The mask shown in place of a secret. */
export const REDACTED = '********'

/** A host target with its password replaced by the mask. */
export type RedactedHostTarget = Omit<HostTarget, 'password'> & {
  readonly password?: typeof REDACTED
}

/** A config safe to serialize and log: every secret replaced by the mask, enumerable. */
export type RedactedConnectionConfig = Omit<
  ConnectionConfig,
  'hosts' | 'password' | 'sslpassword'
> & {
  readonly hosts: readonly RedactedHostTarget[]
  readonly password?: typeof REDACTED
  readonly sslpassword?: typeof REDACTED
}

/** A plain, JSON-safe copy of the config with every secret shown as `********`. */
export function redactConfig(config: ConnectionConfig): RedactedConnectionConfig {
  const hosts = config.hosts.map((h): RedactedHostTarget => {
    const { password, ...rest } = h
    return password === undefined ? rest : { ...rest, password: REDACTED }
  })
  const parameters: Partial<Record<Keyword, string>> = { ...config.parameters }
  for (const keyword of SECRET_KEYWORDS) {
    if (config.parameters[keyword] !== undefined) parameters[keyword] = REDACTED
  }
  const { password, sslpassword, hosts: _hosts, ...rest } = config
  return {
    ...rest,
    hosts,
    parameters,
    ...(password === undefined ? {} : { password: REDACTED }),
    ...(sslpassword === undefined ? {} : { sslpassword: REDACTED }),
  }
}

const SHOWN_FIRST: readonly Keyword[] = ['host', 'hostaddr', 'port', 'dbname', 'user', 'password']

/**
 * A one-line keyword/value summary for logs: the targets, dbname, user, whether a password is
 * set (as `password=********`), then every other parameter not left at its default.
 */
export function describeConfig(config: ConnectionConfig): string {
  const parts: string[] = []
  const add = (keyword: string, value: string): void => {
    parts.push(`${keyword}=${quoteKeywordValue(value)}`)
  }
  add('host', config.hosts.map((h) => h.host).join(','))
  if (config.hosts.some((h) => h.hostaddr !== undefined)) {
    add('hostaddr', config.hosts.map((h) => h.hostaddr ?? '').join(','))
  }
  add('port', config.hosts.map((h) => String(h.port)).join(','))
  add('dbname', config.dbname)
  add('user', config.user)
  if (config.password !== undefined || config.hosts.some((h) => h.password !== undefined)) {
    parts.push(`password=${REDACTED}`)
  }
  for (const keyword of KEYWORDS) {
    if (SHOWN_FIRST.includes(keyword) || config.origins[keyword] === 'default') continue
    const value = config.parameters[keyword]
    if (value === undefined) continue
    if (SECRET_KEYWORDS.has(keyword)) parts.push(`${keyword}=${REDACTED}`)
    else add(keyword, value)
  }
  return parts.join(' ')
}
