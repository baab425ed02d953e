// Interpreting single parameter values: integers, enums, 0/1 flags, replication, IP addresses.
// Each parser names the parameter (and where its value came from) when it rejects a value.
import { ConfigError } from '../errors/client.js'
import { invalidEnumValue } from './config-errors.js'
import type { Keyword } from './parameters.js'

/** Describes where a keyword's value came from, for messages: `''` or ` (from PGSSLMODE)`. */
export type OriginNote = (keyword: Keyword) => string

const INT = /^[ \t\n\r\v\f]*[+-]?\d+[ \t\n\r\v\f]*$/

/**
 * An integer parameter as libpq's `parse_int_param` reads it (surrounding whitespace allowed,
 * 32-bit range). Throws `invalid integer value "x" for connection option "k"`.
 */
export function parseIntParam(keyword: Keyword, raw: string, note: OriginNote): number {
  const value = INT.test(raw) ? Number.parseInt(raw.trim(), 10) : Number.NaN
  if (!Number.isSafeInteger(value) || value > 2 ** 31 - 1 || value < -(2 ** 31)) {
    throw new ConfigError(
      `invalid integer value "${raw}" for connection option "${keyword}"${note(keyword)}`,
      { parameter: keyword },
    )
  }
  return value
}

/** A port number, 1 to 65535. Throws `invalid port number: "x"`. */
export function parsePort(raw: string, note: OriginNote): number {
  const value = INT.test(raw) ? Number.parseInt(raw.trim(), 10) : Number.NaN
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ConfigError(
      `invalid port number: "${raw}"${note('port')}; a port is an integer from 1 to 65535`,
      { parameter: 'port' },
    )
  }
  return value
}

/** One of `allowed`, compared exactly (as libpq's strcmp). Throws, listing the allowed values. */
export function parseEnum<T extends string>(
  keyword: Keyword,
  raw: string,
  allowed: readonly T[],
  note: OriginNote,
): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T
  throw invalidEnumValue(keyword, raw, allowed, note(keyword))
}

/** One of `allowed`, compared case-insensitively, returned in its canonical spelling. */
export function parseEnumIgnoreCase<T extends string>(
  keyword: Keyword,
  raw: string,
  allowed: readonly T[],
  note: OriginNote,
): T {
  const found = allowed.find((a) => a.toLowerCase() === raw.toLowerCase())
  if (found !== undefined) return found
  throw invalidEnumValue(keyword, raw, allowed, note(keyword))
}

/** A `0`/`1` flag. */
export function parseFlag(keyword: Keyword, raw: string, note: OriginNote): boolean {
  return parseEnum(keyword, raw, ['0', '1'], note) === '1'
}

const TRUE = ['true', 'on', 'yes', '1']
const FALSE = ['false', 'off', 'no', '0']

/** `replication`: a boolean as the server reads one, or `database`. */
export function parseReplication(raw: string, note: OriginNote): boolean | 'database' {
  const lower = raw.toLowerCase()
  if (lower === 'database') return 'database'
  if (TRUE.includes(lower)) return true
  if (FALSE.includes(lower)) return false
  throw invalidEnumValue('replication', raw, ['database', ...TRUE, ...FALSE], note('replication'))
}

function isIpv4(s: string): boolean {
  const parts = s.split('.')
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
}

function isIpv6(s: string): boolean {
  const zone = s.indexOf('%')
  const address = zone === -1 ? s : s.slice(0, zone)
  if (zone !== -1 && zone === s.length - 1) return false
  const halves = address.split('::')
  if (halves.length > 2) return false
  const groups = (half: string): string[] | undefined => {
    if (half === '') return []
    const parts = half.split(':')
    return parts.every((p) => p !== '') ? parts : undefined
  }
  const head = groups(halves[0] as string)
  const tail = halves.length === 2 ? groups(halves[1] as string) : []
  if (head === undefined || tail === undefined) return false
  const all = [...head, ...tail]
  let count = 0
  for (let i = 0; i < all.length; i++) {
    const g = all[i] as string
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIpv4(g)) return false
      count += 2
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
      count += 1
    } else {
      return false
    }
  }
  return halves.length === 2 ? count < 8 : count === 8
}

/** True for a numeric IPv4 or IPv6 address (IPv6 may carry a `%zone`). */
export function isIpAddress(s: string): boolean {
  return isIpv4(s) || (s.includes(':') && isIpv6(s))
}
