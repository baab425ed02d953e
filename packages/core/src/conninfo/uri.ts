// Connection URIs: postgresql://[user[:password]@][host][:port][,...][/dbname][?keyword=value&...]
// Parsed as libpq parses them (percent-decoding, IPv6 brackets, host lists); no defaults applied.
import { ConfigError } from '../errors/client.js'
import { unknownKeyword } from './config-errors.js'
import { isKeyword, type ParameterValues, SECRET_KEYWORDS } from './parameters.js'

const PREFIXES = ['postgresql://', 'postgres://'] as const
const MASK = '********'

/** The length of the `postgresql://` or `postgres://` prefix of `s`, or 0 when it has none. */
export function uriPrefixLength(s: string): number {
  for (const prefix of PREFIXES) if (s.startsWith(prefix)) return prefix.length
  return 0
}

/** True when `s` is a connection URI (starts with `postgresql://` or `postgres://`). */
export function isConnectionUri(s: string): boolean {
  return uriPrefixLength(s) !== 0
}

/** Where libpq ends the `user[:password]` part: the first `@` before any `/`; -1 when none. */
function userInfoEnd(body: string): number {
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c === '@') return i
    if (c === '/') return -1
  }
  return -1
}

/**
 * The URI with its password (and secret query values) replaced by `********`. Tolerates broken
 * URIs and errs towards masking too much: everything from the first `:` of the user part to the
 * last `@` is masked when the `@` placement is ambiguous.
 */
export function redactUri(uri: string): string {
  const prefixLength = uriPrefixLength(uri)
  if (prefixLength === 0) return uri
  const prefix = uri.slice(0, prefixLength)
  let body = uri.slice(prefixLength)
  const first = userInfoEnd(body)
  let end = -1
  if (first !== -1) {
    const queryAt = body.indexOf('?', first + 1)
    const rest = body.slice(first + 1, queryAt === -1 ? undefined : queryAt)
    end = rest.includes('@') ? body.lastIndexOf('@') : first
  } else if (body.includes('@')) {
    end = body.lastIndexOf('@')
  }
  let searchFrom = 0
  if (end !== -1) {
    const colon = body.slice(0, end).indexOf(':')
    if (colon !== -1) body = body.slice(0, colon + 1) + MASK + body.slice(end)
    searchFrom = body.indexOf('@') + 1
  }
  const q = body.indexOf('?', searchFrom)
  if (q === -1) return prefix + body
  const params = body
    .slice(q + 1)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=')
      if (eq === -1) return param
      const key = safeDecode(param.slice(0, eq))
      return isKeyword(key) && SECRET_KEYWORDS.has(key) ? `${param.slice(0, eq)}=${MASK}` : param
    })
  return `${prefix}${body.slice(0, q)}?${params.join('&')}`
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s).trim()
  } catch {
    return s
  }
}

/** What a decoded part is, for messages; `quote: false` keeps its text out of them. */
interface PartLabel {
  readonly name: string
  readonly quote: boolean
}

const HEX = /^[0-9A-Fa-f]{2}$/
const utf8 = new TextDecoder('utf-8', { fatal: true })
const utf8Encoder = new TextEncoder()

/**
 * Percent-decodes one URI part as libpq does: surrounding spaces are dropped, inner spaces are an
 * error, `%00` is forbidden. Bytes must form UTF-8 (libpq passes raw bytes; JS strings cannot).
 */
export function percentDecode(raw: string, label: PartLabel): string {
  const shown = label.quote ? ` "${raw}"` : ''
  const trimmed = raw.replace(/^ +/, '').replace(/ +$/, '')
  if (trimmed.includes(' ')) {
    throw new ConfigError(
      `unexpected spaces found in ${label.name}${shown}, use percent-encoded spaces (%20) instead`,
    )
  }
  if (!trimmed.includes('%')) return trimmed
  const bytes: number[] = []
  for (let i = 0; i < trimmed.length; ) {
    const c = trimmed[i] as string
    if (c !== '%') {
      const cp = trimmed.codePointAt(i) as number
      const ch = String.fromCodePoint(cp)
      for (const b of utf8Encoder.encode(ch)) bytes.push(b)
      i += ch.length
      continue
    }
    const hex = trimmed.slice(i + 1, i + 3)
    if (!HEX.test(hex))
      throw new ConfigError(`invalid percent-encoded token in ${label.name}${shown}`)
    const value = Number.parseInt(hex, 16)
    if (value === 0) {
      throw new ConfigError(`forbidden value %00 in percent-encoded ${label.name}${shown}`)
    }
    bytes.push(value)
    i += 3
  }
  try {
    return utf8.decode(new Uint8Array(bytes))
  } catch {
    throw new ConfigError(`percent-encoded bytes in ${label.name}${shown} are not valid UTF-8`)
  }
}

/**
 * Parses a connection URI into the keyword values it sets, as `PQconninfoParse` does: no
 * defaults, no validation of values. Host and port lists stay comma-joined strings (`host`,
 * `port`), IPv6 brackets removed. `ssl=true` in the query is libpq's JDBC alias for
 * `sslmode=require`; `requiressl` maps to `sslmode`. Throws `ConfigError`; messages never quote
 * the password.
 */
export function parseUri(uri: string): ParameterValues {
  const prefixLength = uriPrefixLength(uri)
  if (prefixLength === 0) {
    throw new ConfigError('a connection URI must start with "postgresql://" or "postgres://"')
  }
  const body = uri.slice(prefixLength)
  const out: ParameterValues = {}
  const at = userInfoEnd(body)
  const shown = (): string => `"${redactUri(uri)}"`
  const ambiguous = (): ConfigError =>
    new ConfigError(
      `cannot tell the user name and password from the host in URI ${shown()}; ` +
        'percent-encode "@", "/", "?" and ":" in the user name, password and database name ' +
        '(e.g. "@" as %40, "/" as %2F)',
    )

  let pos = 0
  if (at !== -1) {
    const userInfo = body.slice(0, at)
    const colon = userInfo.indexOf(':')
    const user = colon === -1 ? userInfo : userInfo.slice(0, colon)
    if (user.includes('?')) throw ambiguous()
    if (user !== '') out.user = percentDecode(user, { name: 'the user name', quote: true })
    if (colon !== -1) {
      const password = userInfo.slice(colon + 1)
      if (password !== '') {
        out.password = percentDecode(password, { name: 'the password', quote: false })
      }
    }
    pos = at + 1
  }

  // After the user part, the first "?" starts the query; a raw "@" before it means the user
  // part was cut short (a "/" or "@" in the password), so any piece might hold the secret.
  const queryAt = body.indexOf('?', pos)
  const authorityAndPath = body.slice(pos, queryAt === -1 ? undefined : queryAt)
  if (authorityAndPath.includes('@')) throw ambiguous()
  const quoteFragments = !(at === -1 && body.includes('@'))

  const hosts: string[] = []
  const ports: string[] = []
  let terminator = ''
  for (;;) {
    let host: string
    if (body[pos] === '[') {
      const close = body.indexOf(']', pos + 1)
      if (close === -1) {
        throw new ConfigError(
          `end of string reached when looking for matching "]" in IPv6 host address in URI ${shown()}`,
          { parameter: 'host' },
        )
      }
      if (close === pos + 1) {
        throw new ConfigError(`IPv6 host address may not be empty in URI ${shown()}`, {
          parameter: 'host',
        })
      }
      host = body.slice(pos + 1, close)
      pos = close + 1
      const next = body[pos]
      if (next !== undefined && !':/?,'.includes(next)) {
        throw new ConfigError(
          `unexpected character "${next}" at position ${prefixLength + pos + 1} in URI ` +
            `(expected ":" or "/"): ${shown()}`,
          { parameter: 'host' },
        )
      }
    } else {
      let end = pos
      while (end < body.length && !':/?,'.includes(body[end] as string)) end++
      host = body.slice(pos, end)
      pos = end
    }
    hosts.push(host)
    terminator = body[pos] ?? ''
    let port = ''
    if (terminator === ':') {
      pos++
      let end = pos
      while (end < body.length && !'/?,'.includes(body[end] as string)) end++
      port = body.slice(pos, end)
      pos = end
      terminator = body[pos] ?? ''
    }
    ports.push(port)
    if (terminator !== ',') break
    pos++
  }
  const hostList = hosts.join(',')
  const portList = ports.join(',')
  if (hostList !== '') out.host = percentDecode(hostList, { name: 'the host list', quote: true })
  if (portList !== '') out.port = percentDecode(portList, { name: 'the port list', quote: true })

  if (terminator === '/') {
    pos++
    const end = queryAt === -1 ? body.length : queryAt
    const dbname = body.slice(pos, end)
    pos = end
    if (dbname !== '') {
      out.dbname = percentDecode(dbname, { name: 'the database name', quote: true })
    }
    terminator = body[pos] ?? ''
  }
  const unquotedHint = quoteFragments
    ? ''
    : ` in URI ${shown()}; if the password contains "/", "?" or "@", percent-encode them`
  if (terminator === '?') parseQuery(body.slice(pos + 1), out, unquotedHint)
  return out
}

/**
 * Reads `keyword=value&...` into `out`; later keywords override earlier ones, as in libpq.
 * `unsafeHint` is non-empty when any fragment might be part of a password: fragments are then
 * never quoted and the hint is appended instead.
 */
function parseQuery(query: string, out: ParameterValues, unsafeHint: string): void {
  const quoteFragments = unsafeHint === ''
  let previousSecret = false
  let previousKeyword = ''
  for (let start = 0; start < query.length; ) {
    let amp = query.indexOf('&', start)
    if (amp === -1) amp = query.length
    const param = query.slice(start, amp)
    start = amp + 1
    const quotable = quoteFragments && !previousSecret
    const fragment = quotable
      ? `: "${param}"`
      : previousSecret
        ? ` after the value of "${previousKeyword}"; percent-encode "&" in values as %26`
        : unsafeHint
    const eq = param.indexOf('=')
    if (eq === -1) {
      throw new ConfigError(`missing key/value separator "=" in URI query parameter${fragment}`)
    }
    if (param.indexOf('=', eq + 1) !== -1) {
      const key = param.slice(0, eq)
      const secretKey = isKeyword(key) && SECRET_KEYWORDS.has(key)
      throw new ConfigError(
        `extra key/value separator "=" in URI query parameter${secretKey ? ` "${key}"` : fragment}` +
          (secretKey ? '; percent-encode "=" in the value as %3D' : ''),
        { parameter: secretKey ? key : undefined },
      )
    }
    let keyword = percentDecode(param.slice(0, eq), {
      name: 'a URI query parameter name',
      quote: quotable,
    })
    const secret = isKeyword(keyword) && SECRET_KEYWORDS.has(keyword)
    let value = percentDecode(param.slice(eq + 1), {
      name: `the value of URI query parameter "${quotable ? keyword : '…'}"`,
      quote: quotable && !secret,
    })
    if (keyword === 'ssl') {
      if (value !== 'true') {
        throw new ConfigError(
          `invalid URI query parameter "ssl=${value}": libpq accepts only ssl=true ` +
            '(as sslmode=require); did you mean "sslmode"?',
          { parameter: 'ssl' },
        )
      }
      keyword = 'sslmode'
      value = 'require'
    } else if (keyword === 'requiressl') {
      keyword = 'sslmode'
      value = value.startsWith('1') ? 'require' : 'prefer'
    }
    if (!isKeyword(keyword)) {
      if (!quotable) {
        throw new ConfigError(`unknown connection parameter in the URI query${fragment}`)
      }
      throw unknownKeyword(keyword)
    }
    out[keyword] = value
    previousSecret = secret
    previousKeyword = keyword
  }
}
