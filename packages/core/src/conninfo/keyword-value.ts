// Keyword/value connection strings: `host=db port=5432 password='it''s'` with libpq's quoting.
// Parsed as libpq parses them (single quotes, backslash escapes); no defaults applied.
import { ConfigError } from '../errors/client.js'
import { unknownKeyword } from './config-errors.js'
import { isKeyword, type ParameterValues, SECRET_KEYWORDS } from './parameters.js'

const MASK = '********'

/** C `isspace` in the C locale: the separators libpq accepts between parameters. */
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f'
}

/** One `name=value` pair as found in the string, with the offsets of its value. */
interface Pair {
  readonly name: string
  readonly nameStart: number
  readonly value: string
  readonly valueStart: number
  readonly valueEnd: number
  readonly quoted: boolean
}

/** Why tokenizing stopped early. */
type Failure =
  | { readonly kind: 'missing-equals'; readonly name: string }
  | { readonly kind: 'unterminated'; readonly valueStart: number }

/** Splits the string into pairs, libpq-style; stops at the first syntax error. */
function tokenize(s: string): { pairs: Pair[]; failure?: Failure } {
  const pairs: Pair[] = []
  let i = 0
  while (i < s.length) {
    if (isSpace(s[i])) {
      i++
      continue
    }
    const nameStart = i
    while (i < s.length && s[i] !== '=' && !isSpace(s[i])) i++
    const name = s.slice(nameStart, i)
    while (isSpace(s[i])) i++
    if (s[i] !== '=') return { pairs, failure: { kind: 'missing-equals', name } }
    i++
    while (isSpace(s[i])) i++
    const valueStart = i
    let value = ''
    if (s[i] === "'") {
      i++
      for (;;) {
        if (i >= s.length) return { pairs, failure: { kind: 'unterminated', valueStart } }
        const c = s[i] as string
        if (c === '\\') {
          i++
          if (i < s.length) value += s[i++]
          continue
        }
        if (c === "'") {
          i++
          break
        }
        value += c
        i++
      }
      pairs.push({ name, nameStart, value, valueStart, valueEnd: i, quoted: true })
    } else {
      while (i < s.length && !isSpace(s[i])) {
        if (s[i] === '\\') {
          i++
          if (i < s.length) value += s[i++]
        } else {
          value += s[i++]
        }
      }
      pairs.push({ name, nameStart, value, valueStart, valueEnd: i, quoted: false })
    }
  }
  return { pairs }
}

function isSecretName(name: string): boolean {
  return isKeyword(name) && SECRET_KEYWORDS.has(name)
}

/**
 * Parses a keyword/value string into the keyword values it sets, as `PQconninfoParse` does: no
 * defaults, no validation of values; a repeated keyword keeps its last value; `requiressl` maps
 * to `sslmode`. Throws `ConfigError` naming the parameter; messages never quote a password, nor a
 * word that may be the tail of an unquoted password containing spaces.
 */
export function parseKeywordValue(conninfo: string): ParameterValues {
  const { pairs, failure } = tokenize(conninfo)
  const out: ParameterValues = {}
  let previous: Pair | undefined
  const afterSecret = (): string | undefined =>
    previous !== undefined && !previous.quoted && isSecretName(previous.name)
      ? previous.name
      : undefined
  for (const pair of pairs) {
    let { name, value } = pair
    if (name === 'requiressl') {
      name = 'sslmode'
      value = value.startsWith('1') ? 'require' : 'prefer'
    }
    if (!isKeyword(name)) {
      const secret = afterSecret()
      if (secret !== undefined) {
        throw new ConfigError(
          `unknown connection parameter after the value of "${secret}"; ` +
            `quote values that contain spaces: ${secret}='...'`,
        )
      }
      throw unknownKeyword(name)
    }
    out[name] = value
    previous = pair
  }
  if (failure?.kind === 'missing-equals') {
    const secret = afterSecret()
    if (secret !== undefined) {
      throw new ConfigError(
        `missing "=" after a word following the value of "${secret}"; ` +
          `quote values that contain spaces: ${secret}='...'`,
      )
    }
    throw new ConfigError(`missing "=" after "${failure.name}" in connection info string`, {
      parameter: failure.name,
    })
  }
  if (failure?.kind === 'unterminated') {
    throw new ConfigError('unterminated quoted string in connection info string')
  }
  return out
}

/** Quotes a value for a keyword/value string when it needs it (empty, spaces, quotes, `\`). */
export function quoteKeywordValue(value: string): string {
  if (value !== '' && !/[\s'\\]/.test(value)) return value
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`
}

/**
 * The string with the values of secret keywords (password, sslpassword, oauth_client_secret)
 * replaced by `********`. Tolerates broken strings and masks too much rather than too little:
 * words after an unquoted secret that are not `keyword=` pairs are masked as well.
 */
export function redactKeywordValue(conninfo: string): string {
  const { pairs, failure } = tokenize(conninfo)
  let out = ''
  let copied = 0
  let maskNext = false
  for (const pair of pairs) {
    if (maskNext && !isKeyword(pair.name)) {
      out += conninfo.slice(copied, pair.nameStart) + MASK
      copied = pair.valueEnd
      continue
    }
    maskNext = false
    if (!isSecretName(pair.name)) continue
    out += conninfo.slice(copied, pair.valueStart) + MASK
    copied = pair.valueEnd
    maskNext = !pair.quoted
  }
  if (failure === undefined) return out + conninfo.slice(copied)
  if (maskNext) return `${out}${conninfo.slice(copied).replace(/\S[\s\S]*$/, MASK)}`
  const rest = conninfo.slice(copied)
  return (
    out + rest.replace(/((?:password|sslpassword|oauth_client_secret)\s*=\s*)[\s\S]*$/, `$1${MASK}`)
  )
}
