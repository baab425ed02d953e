// resolveConfig: explicit string/options > service file > PG* environment > compiled defaults,
// then libpq's derived settings (hosts, user, dbname, passfile) and validation, into a typed config.
import { ConfigError } from '../errors/client.js'
import type { ConnectionConfig, DefaultSslFiles, HostTarget, ParameterOrigin } from './config.js'
import { parseConnectionString } from './connection-string.js'
import { type Environment, environmentOf, joinPath, type ResolveContext } from './context.js'
import { environmentValue, sessionSettingsFromEnvironment } from './environment.js'
import { buildTargets, type Target } from './hosts.js'
import { type ConnectionOptions, optionsToParameters } from './options.js'
import {
  CHANNEL_BINDINGS,
  GSS_ENC_MODES,
  KEYWORDS,
  type Keyword,
  LOAD_BALANCE_HOSTS,
  PARAMETERS,
  type ParameterValues,
  PROTOCOL_VERSIONS,
  type ProtocolVersion,
  SECRET_KEYWORDS,
  SSL_CERT_MODES,
  SSL_MODES,
  SSL_NEGOTIATIONS,
  TARGET_SESSION_ATTRS,
  TLS_VERSIONS,
} from './parameters.js'
import { findPgpassPassword, passfileProblem, pgpassLookupHost } from './pgpass.js'
import { parseRequireAuth } from './require-auth.js'
import { findServiceSection } from './service-file.js'
import {
  type OriginNote,
  parseEnum,
  parseEnumIgnoreCase,
  parseFlag,
  parseIntParam,
  parseReplication,
} from './values.js'

/** What `resolveConfig` accepts: a URI, a keyword/value string, or an options object. */
export type ConnectionInput = string | ConnectionOptions

/** A value's origin, with the variable name or file path behind it. */
interface Source {
  readonly origin: ParameterOrigin
  readonly detail?: string
}

/** The keyword values gathered so far and where each came from. */
class Layers {
  readonly values: ParameterValues = {}
  readonly sources: Partial<Record<Keyword, Source>> = {}

  /** Sets every value of `from`, overriding earlier ones (explicit layers). */
  override(from: ParameterValues, source: Source): void {
    for (const keyword of Object.keys(from) as Keyword[]) {
      const value = from[keyword]
      if (value === undefined) continue
      this.values[keyword] = value
      this.sources[keyword] = source
    }
  }

  /** Sets `keyword` unless it already has a value (fallback layers). */
  fallback(keyword: Keyword, value: string, source: Source): void {
    if (this.values[keyword] !== undefined) return
    this.values[keyword] = value
    this.sources[keyword] = source
  }

  /** ` (from PGSSLMODE)`, ` (from service file "…")` or `''`, for messages. */
  readonly note: OriginNote = (keyword) => {
    const source = this.sources[keyword]
    if (source?.origin === 'environment') return ` (from ${source.detail})`
    if (source?.origin === 'service-file') return ` (from service file "${source.detail}")`
    return ''
  }
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s
}

/** Reads the explicit layer: a string, or options with an optional `connectionString`. */
function explicitLayer(input: ConnectionInput | undefined, layers: Layers): void {
  if (input === undefined || input === null) return
  if (typeof input === 'string') {
    layers.override(parseConnectionString(input), { origin: 'connection-string' })
    return
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(
      'connection input must be a connection string (URI or keyword/value) or an options object',
    )
  }
  const { connectionString } = input
  if (connectionString !== undefined && connectionString !== null) {
    if (typeof connectionString !== 'string') {
      throw new ConfigError('connection option "connectionString" must be a string', {
        parameter: 'connectionString',
      })
    }
    layers.override(parseConnectionString(connectionString), { origin: 'connection-string' })
  }
  layers.override(optionsToParameters(input), { origin: 'options' })
}

/**
 * Fills unset keywords from the service named by `service` (or `PGSERVICE`), looked up as libpq
 * does: `servicefile` / `PGSERVICEFILE` (must exist), else `~/.pg_service.conf`; then
 * `PGSYSCONFDIR/pg_service.conf` (or the compiled-in directory) when not found there.
 */
function serviceLayer(layers: Layers, environment: Environment): void {
  const { env } = environment
  const service = layers.values.service ?? env.PGSERVICE
  if (service === undefined) return
  const searched: string[] = []
  const apply = (path: string, text: string): boolean => {
    searched.push(path)
    const section = findServiceSection(text, service, path)
    if (section === undefined) return false
    for (const setting of section) {
      layers.fallback(setting.keyword, setting.value, { origin: 'service-file', detail: path })
    }
    return true
  }
  const explicitFile = layers.values.servicefile ?? env.PGSERVICEFILE
  if (explicitFile !== undefined) {
    const file = environment.read(explicitFile)
    if (file === undefined) {
      throw new ConfigError(`service file "${explicitFile}" not found`, {
        parameter: 'servicefile',
      })
    }
    if (apply(explicitFile, file.text)) return
  } else if (environment.libpqHome !== undefined) {
    const path = joinPath(environment, environment.libpqHome, '.pg_service.conf')
    const file = environment.read(path)
    if (file !== undefined && apply(path, file.text)) return
  }
  const sysconfDir = env.PGSYSCONFDIR ?? environment.sysconfDir
  if (sysconfDir !== undefined) {
    const path = joinPath(environment, sysconfDir, 'pg_service.conf')
    const file = environment.read(path)
    if (file !== undefined && apply(path, file.text)) return
  }
  const where = searched.length === 0 ? 'no service file found' : `searched ${searched.join(', ')}`
  throw new ConfigError(`definition of service "${service}" not found (${where})`, {
    parameter: 'service',
  })
}

/** Fills still-unset keywords from the environment, then from libpq's compiled defaults. */
function fallbackLayers(layers: Layers, environment: Environment): void {
  for (const keyword of KEYWORDS) {
    const fromEnv = environmentValue(environment.env, keyword)
    if (fromEnv !== undefined) {
      layers.fallback(keyword, fromEnv.value, { origin: 'environment', detail: fromEnv.variable })
      continue
    }
    const compiled = PARAMETERS[keyword].fallback
    if (compiled !== undefined) layers.fallback(keyword, compiled, { origin: 'default' })
  }
  // libpq 16+: sslrootcert=system makes the default sslmode verify-full.
  if (layers.sources.sslmode?.origin === 'default' && layers.values.sslrootcert === 'system') {
    layers.values.sslmode = 'verify-full'
  }
}

/** Defines a non-enumerable own property (for secrets). */
function hide<T extends object>(target: T, key: string, value: string | undefined): void {
  if (value === undefined) return
  Object.defineProperty(target, key, { value, enumerable: false, writable: false })
}

/** Removes the keys whose value is undefined, so optional fields are absent rather than unset. */
function compact<T extends object>(object: T): T {
  for (const key of Object.keys(object) as (keyof T)[]) {
    if (object[key] === undefined) delete object[key]
  }
  return object
}

/** An integer parameter, or undefined when unset or empty. */
function intParam(values: ParameterValues, keyword: Keyword, note: OriginNote): number | undefined {
  const raw = values[keyword]
  return raw === undefined || raw.trim() === '' ? undefined : parseIntParam(keyword, raw, note)
}

/** A parameter in seconds, as ms; negative values count as 0 (libpq clamps them). */
function secondsAsMs(values: ParameterValues, keyword: Keyword, note: OriginNote) {
  const seconds = intParam(values, keyword, note)
  return seconds === undefined ? undefined : Math.max(0, seconds) * 1000
}

/**
 * The password of each target: the explicit one for all, else each target's passfile match
 * (libpq reads the passfile only when no password was given). Also returns the passfile path.
 */
function lookupPasswords(
  targets: readonly Target[],
  values: ParameterValues,
  user: string,
  dbname: string,
  environment: Environment,
  warnings: string[],
): { passwords: (string | undefined)[]; passfile: string | undefined } {
  const password = nonEmpty(values.password)
  let passfile = nonEmpty(values.passfile)
  if (password !== undefined) return { passwords: targets.map(() => password), passfile }
  if (passfile === undefined && environment.libpqHome !== undefined) {
    const name = environment.win32 ? 'pgpass.conf' : '.pgpass'
    passfile = joinPath(environment, environment.libpqHome, name)
  }
  const file = passfile === undefined ? undefined : environment.read(passfile)
  if (file === undefined || passfile === undefined) {
    return { passwords: targets.map(() => undefined), passfile }
  }
  const problem = environment.win32 ? undefined : passfileProblem(passfile, file)
  if (problem !== undefined) {
    warnings.push(problem)
    return { passwords: targets.map(() => undefined), passfile }
  }
  const passwords = targets.map((target) =>
    findPgpassPassword(file.text, {
      host: pgpassLookupHost(target, environment.defaultSocketDir),
      port: target.portText,
      dbname,
      user,
    }),
  )
  return { passwords, passfile }
}

/** The TLS settings, validated together as libpq does (direct negotiation, system roots, range). */
function tlsSettings(values: ParameterValues, note: OriginNote, environment: Environment) {
  const sslmode = parseEnum('sslmode', values.sslmode ?? 'prefer', SSL_MODES, note)
  const sslnegotiation = parseEnum(
    'sslnegotiation',
    values.sslnegotiation ?? 'postgres',
    SSL_NEGOTIATIONS,
    note,
  )
  if (sslnegotiation === 'direct' && !['require', 'verify-ca', 'verify-full'].includes(sslmode)) {
    throw new ConfigError(
      `weak sslmode "${sslmode}"${note('sslmode')} may not be used with sslnegotiation=direct ` +
        '(use "require", "verify-ca", or "verify-full")',
      { parameter: 'sslmode' },
    )
  }
  if (values.sslrootcert === 'system' && sslmode !== 'verify-full') {
    throw new ConfigError(
      `weak sslmode "${sslmode}"${note('sslmode')} may not be used with sslrootcert=system ` +
        '(use "verify-full")',
      { parameter: 'sslmode' },
    )
  }
  const tlsVersion = (keyword: 'ssl_min_protocol_version' | 'ssl_max_protocol_version') => {
    const raw = nonEmpty(values[keyword])
    return raw === undefined ? undefined : parseEnumIgnoreCase(keyword, raw, TLS_VERSIONS, note)
  }
  const sslMinProtocolVersion = tlsVersion('ssl_min_protocol_version')
  const sslMaxProtocolVersion = tlsVersion('ssl_max_protocol_version')
  if (
    sslMinProtocolVersion !== undefined &&
    sslMaxProtocolVersion !== undefined &&
    TLS_VERSIONS.indexOf(sslMinProtocolVersion) > TLS_VERSIONS.indexOf(sslMaxProtocolVersion)
  ) {
    throw new ConfigError(
      `invalid SSL protocol version range: ssl_min_protocol_version ${sslMinProtocolVersion} ` +
        `is above ssl_max_protocol_version ${sslMaxProtocolVersion}`,
      { parameter: 'ssl_min_protocol_version' },
    )
  }
  const home = environment.libpqHome
  const dir = home === undefined ? undefined : environment.win32 ? home : `${home}/.postgresql`
  const sslDefaultFiles: DefaultSslFiles | undefined =
    dir === undefined
      ? undefined
      : Object.freeze({
          rootcert: joinPath(environment, dir, 'root.crt'),
          crl: joinPath(environment, dir, 'root.crl'),
          cert: joinPath(environment, dir, 'postgresql.crt'),
          key: joinPath(environment, dir, 'postgresql.key'),
        })
  return {
    sslmode,
    sslnegotiation,
    sslrootcert: nonEmpty(values.sslrootcert),
    sslcert: nonEmpty(values.sslcert),
    sslkey: nonEmpty(values.sslkey),
    sslcrl: nonEmpty(values.sslcrl),
    sslcrldir: nonEmpty(values.sslcrldir),
    sslcertmode: parseEnum('sslcertmode', values.sslcertmode ?? 'allow', SSL_CERT_MODES, note),
    sslsni: parseFlag('sslsni', values.sslsni ?? '1', note),
    sslMinProtocolVersion,
    sslMaxProtocolVersion,
    sslkeylogfile: nonEmpty(values.sslkeylogfile),
    sslDefaultFiles,
  }
}

/** `min_protocol_version` / `max_protocol_version` (PG 18+); `latest` is 3.2, the default 3.0. */
function protocolVersions(values: ParameterValues, note: OriginNote) {
  const read = (keyword: 'min_protocol_version' | 'max_protocol_version') => {
    const raw = nonEmpty(values[keyword])
    if (raw === undefined) return undefined
    const value = parseEnum(keyword, raw, [...PROTOCOL_VERSIONS, 'latest'], note)
    return value === 'latest' ? '3.2' : value
  }
  const minProtocolVersion: ProtocolVersion = read('min_protocol_version') ?? '3.0'
  const maxProtocolVersion: ProtocolVersion = read('max_protocol_version') ?? minProtocolVersion
  if (minProtocolVersion === '3.2' && maxProtocolVersion === '3.0') {
    throw new ConfigError('min_protocol_version "3.2" is greater than max_protocol_version "3.0"', {
      parameter: 'min_protocol_version',
    })
  }
  return { minProtocolVersion, maxProtocolVersion }
}

/**
 * Resolves connection parameters the way libpq does: explicit values (the string, then options
 * over it) > service file > `PG*` environment > compiled defaults; then hosts and ports are
 * paired, `user` defaults to the OS user, `dbname` to the user, and when no password was given
 * the passfile is searched per host. Validates every value. Pure: files, environment, home and
 * user name come only from `context`. Throws `ConfigError` (naming the parameter, never a secret).
 */
export function resolveConfig(
  input?: ConnectionInput,
  context: ResolveContext = {},
): ConnectionConfig {
  const environment = environmentOf(context)
  const layers = new Layers()
  explicitLayer(input, layers)
  serviceLayer(layers, environment)
  fallbackLayers(layers, environment)
  const { values, note } = layers
  const warnings: string[] = []

  // The order of libpq's connectOptions2: hosts and ports, user, dbname, passfile, the rest.
  const targets = buildTargets(
    { host: values.host, hostaddr: values.hostaddr, port: values.port },
    environment.defaultSocketDir,
    environment.win32,
    note,
  )
  const user = nonEmpty(values.user) ?? environment.userName
  if (user === undefined) {
    throw new ConfigError(
      'no user name: set the user parameter or PGUSER (the operating-system user name is unknown)',
      { parameter: 'user' },
    )
  }
  if (nonEmpty(values.user) === undefined) layers.override({ user }, { origin: 'default' })
  const dbname = nonEmpty(values.dbname) ?? user
  if (nonEmpty(values.dbname) === undefined) layers.override({ dbname }, { origin: 'default' })
  const password = nonEmpty(values.password)
  const { passwords, passfile } = lookupPasswords(
    targets,
    values,
    user,
    dbname,
    environment,
    warnings,
  )

  const requireAuthText = nonEmpty(values.require_auth)
  const requireAuth =
    requireAuthText === undefined
      ? undefined
      : Object.freeze(parseRequireAuth(requireAuthText, note))
  const channelBinding = parseEnum(
    'channel_binding',
    values.channel_binding ?? 'prefer',
    CHANNEL_BINDINGS,
    note,
  )
  const tls = tlsSettings(values, note, environment)
  const gssencmode = parseEnum('gssencmode', values.gssencmode ?? 'disable', GSS_ENC_MODES, note)
  if (gssencmode === 'require') {
    throw new ConfigError(
      `gssencmode value "require"${note('gssencmode')} is not supported: Tusk has no GSSAPI ` +
        'support (use "disable" or "prefer")',
      { parameter: 'gssencmode' },
    )
  }
  const targetSessionAttrs = parseEnum(
    'target_session_attrs',
    values.target_session_attrs ?? 'any',
    TARGET_SESSION_ATTRS,
    note,
  )
  const loadBalanceHosts = parseEnum(
    'load_balance_hosts',
    values.load_balance_hosts ?? 'disable',
    LOAD_BALANCE_HOSTS,
    note,
  )
  const protocol = protocolVersions(values, note)

  // libpq: connect_timeout <= 0 waits forever; 1 becomes 2 so rounding cannot cut it short.
  const connectTimeout = intParam(values, 'connect_timeout', note)
  const connectTimeoutMs =
    connectTimeout === undefined || connectTimeout <= 0
      ? undefined
      : Math.max(2, connectTimeout) * 1000
  const keepalivesCount = intParam(values, 'keepalives_count', note)
  const tcpUserTimeout = intParam(values, 'tcp_user_timeout', note)
  const replicationText = nonEmpty(values.replication)
  const clientEncoding = nonEmpty(values.client_encoding)

  const hosts: HostTarget[] = targets.map((target, i) => {
    const { portText: _portText, ...rest } = target
    const targetPassword = passwords[i]
    const out: HostTarget =
      targetPassword === undefined
        ? rest
        : { ...rest, passwordSource: password === undefined ? 'passfile' : 'parameter' }
    hide(out, 'password', targetPassword)
    return Object.freeze(out)
  })

  const parameters: Partial<Record<Keyword, string>> = {}
  const origins: Partial<Record<Keyword, ParameterOrigin>> = {}
  for (const keyword of KEYWORDS) {
    const value = values[keyword]
    if (value === undefined) continue
    if (SECRET_KEYWORDS.has(keyword)) hide(parameters, keyword, value)
    else parameters[keyword] = value
    const source = layers.sources[keyword]
    if (source !== undefined) origins[keyword] = source.origin
  }

  const config: ConnectionConfig = compact({
    hosts: Object.freeze(hosts),
    user,
    dbname,
    passfile,
    options: values.options ?? '',
    applicationName: nonEmpty(values.application_name),
    fallbackApplicationName: nonEmpty(values.fallback_application_name),
    clientEncoding: clientEncoding === 'auto' ? 'UTF8' : clientEncoding,
    connectTimeoutMs,
    keepalives: (intParam(values, 'keepalives', note) ?? 1) !== 0,
    keepalivesIdleMs: secondsAsMs(values, 'keepalives_idle', note),
    keepalivesIntervalMs: secondsAsMs(values, 'keepalives_interval', note),
    keepalivesCount: keepalivesCount === undefined ? undefined : Math.max(0, keepalivesCount),
    tcpUserTimeoutMs: tcpUserTimeout === undefined ? undefined : Math.max(0, tcpUserTimeout),
    ...tls,
    channelBinding,
    requireAuth,
    requirepeer: nonEmpty(values.requirepeer),
    gssencmode,
    targetSessionAttrs,
    loadBalanceHosts,
    replication: replicationText === undefined ? false : parseReplication(replicationText, note),
    ...protocol,
    service: nonEmpty(values.service),
    sessionSettings: Object.freeze(sessionSettingsFromEnvironment(environment.env)),
    parameters: Object.freeze(parameters),
    origins: Object.freeze(origins),
    warnings: Object.freeze(warnings),
  })
  hide(config, 'password', password)
  hide(config, 'sslpassword', nonEmpty(values.sslpassword))
  return Object.freeze(config)
}
