/**
 * Interval (months, days, microseconds, as PostgreSQL stores them) with the text forms it
 * prints and reads, and the interval codec; ±infinity as ±Infinity. Pure: no I/O.
 */
import { InterfaceError } from '../errors/index.js'
import { BinaryWriter, readInt32, readUint32, TWO_POW_32 } from './binary-io.js'
import { pad2, padDigits } from './calendar.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { utf8Decode } from './utf8.js'

const USECS_PER_HOUR = 3600000000n
const USECS_PER_MINUTE = 60000000n
const USECS_PER_SECOND = 1000000n
const INT32_MAX = 2147483647
const INT32_MIN = -2147483648

/** `0.ffffff` digits of |fraction| microseconds with trailing zeros dropped, after a dot; or ''. */
function fractionText(fraction: bigint): string {
  if (fraction === 0n) return ''
  const abs = fraction < 0n ? -fraction : fraction
  let s = padDigits(Number(abs), 6)
  let end = 6
  while (s.charCodeAt(end - 1) === 0x30) end--
  s = s.slice(0, end)
  return `.${s}`
}

/** Brand shared by every copy of the package (ESM and CJS), for a cross-copy `instanceof`. */
const BRAND = Symbol.for('tusk.types.Interval')

/**
 * An interval: `months`, `days` and `microseconds`, kept apart as PostgreSQL keeps them (a month
 * is not a fixed number of days, nor a day of microseconds across DST changes).
 */
export class Interval {
  /** Months (years are 12 months). */
  readonly months: number
  /** Days. */
  readonly days: number
  /** Microseconds (hours, minutes, seconds and fractions). */
  readonly microseconds: bigint

  /** An interval of `months`, `days` and `microseconds`, each an integer of either sign. */
  constructor(months = 0, days = 0, microseconds: bigint | number = 0n) {
    if (!Number.isInteger(months) || months > INT32_MAX || months < INT32_MIN) {
      throw new InterfaceError('Interval months must be a 32-bit integer')
    }
    if (!Number.isInteger(days) || days > INT32_MAX || days < INT32_MIN) {
      throw new InterfaceError('Interval days must be a 32-bit integer')
    }
    if (typeof microseconds === 'number' && !Number.isSafeInteger(microseconds)) {
      throw new InterfaceError('Interval microseconds must be a safe integer or a bigint')
    }
    this.months = months
    this.days = days
    this.microseconds = BigInt(microseconds)
  }

  /** `instanceof` that holds across two loaded copies of the package (ESM and CJS). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    )
  }

  /** Reads interval text in the `postgres`, `postgres_verbose` or `iso_8601` IntervalStyle. */
  static parse(text: string): Interval {
    const v = parseIntervalText(text)
    if (!(v instanceof Interval))
      throw new InterfaceError('Interval.parse: an infinite interval has no Interval')
    return v
  }

  /** ISO 8601 with designators (`P1Y2M3DT4H5M6.789S`), read the same under every IntervalStyle. */
  toPostgres(): string {
    const years = Math.trunc(this.months / 12)
    const months = this.months % 12
    const t = this.microseconds
    if (this.months === 0 && this.days === 0 && t === 0n) return 'PT0S'
    let s = 'P'
    if (years !== 0) s += `${years}Y`
    if (months !== 0) s += `${months}M`
    if (this.days !== 0) s += `${this.days}D`
    if (t !== 0n) {
      const hours = t / USECS_PER_HOUR
      const minutes = (t % USECS_PER_HOUR) / USECS_PER_MINUTE
      const rest = t % USECS_PER_MINUTE
      const seconds = rest / USECS_PER_SECOND
      const fraction = rest % USECS_PER_SECOND
      s += 'T'
      if (hours !== 0n) s += `${hours}H`
      if (minutes !== 0n) s += `${minutes}M`
      if (rest !== 0n)
        s += `${rest < 0n ? '-' : ''}${seconds < 0n ? -seconds : seconds}${fractionText(fraction)}S`
    }
    return s
  }

  /** The `postgres` IntervalStyle text, as PostgreSQL prints it (`1 year 2 mons -3 days +04:05:06`). */
  toString(): string {
    const years = Math.trunc(this.months / 12)
    const months = this.months % 12
    let s = ''
    let isZero = true
    let isBefore = false
    const part = (value: number, unit: string): void => {
      if (value === 0) return
      s += `${isZero ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`
      isBefore = value < 0
      isZero = false
    }
    part(years, 'year')
    part(months, 'mon')
    part(this.days, 'day')
    const t = this.microseconds
    if (isZero || t !== 0n) {
      const minus = t < 0n
      const abs = minus ? -t : t
      const hours = abs / USECS_PER_HOUR
      const minutes = Number((abs % USECS_PER_HOUR) / USECS_PER_MINUTE)
      const rest = abs % USECS_PER_MINUTE
      const seconds = Number(rest / USECS_PER_SECOND)
      const hh = hours < 10n ? `0${hours}` : String(hours)
      s += `${isZero ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${hh}:${pad2(minutes)}:${pad2(seconds)}${fractionText(rest % USECS_PER_SECOND)}`
    }
    return s
  }

  /** The same as `toPostgres()`: ISO 8601 (what JSON.stringify writes). */
  toJSON(): string {
    return this.toPostgres()
  }
}

Object.defineProperty(Interval.prototype, BRAND, { value: true })

/** `s` has between `min` and `max` characters, all decimal digits. */
function isDigits(s: string, min: number, max: number): boolean {
  if (s.length < min || s.length > max) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

/** `s` is an optionally signed decimal integer. */
function isInteger(s: string): boolean {
  const c = s.charCodeAt(0)
  return isDigits(c === 0x2b || c === 0x2d ? s.slice(1) : s, 1, 20)
}

/** Microseconds of `[+-]H+:MM:SS[.ffffff]`, or undefined when `tok` is not a time. */
function timeToken(tok: string): bigint | undefined {
  let i = 0
  let negative = false
  if (tok[0] === '-' || tok[0] === '+') {
    negative = tok[0] === '-'
    i = 1
  }
  const c1 = tok.indexOf(':', i)
  const c2 = tok.indexOf(':', c1 + 1)
  if (c1 < 0) return undefined
  const hours = tok.slice(i, c1)
  const minutes = c2 < 0 ? tok.slice(c1 + 1) : tok.slice(c1 + 1, c2)
  const seconds = c2 < 0 ? '0' : tok.slice(c2 + 1)
  if (!isDigits(hours, 1, 20) || !isDigits(minutes, 1, 2)) return undefined
  const secs = secondsToMicros(seconds)
  if (secs === undefined) return undefined
  const total = BigInt(hours) * USECS_PER_HOUR + BigInt(minutes) * USECS_PER_MINUTE + secs
  return negative ? -total : total
}

/** Microseconds of a decimal seconds value (`6`, `-6.789`), or undefined. */
function secondsToMicros(text: string): bigint | undefined {
  const negative = text[0] === '-'
  const t = negative || text[0] === '+' ? text.slice(1) : text
  const dot = t.indexOf('.')
  const whole = dot < 0 ? t : t.slice(0, dot)
  const frac = dot < 0 ? '' : t.slice(dot + 1)
  if (!isDigits(whole, 1, 20) || !isDigits(frac, 0, 6)) return undefined
  const v = BigInt(whole) * USECS_PER_SECOND + BigInt(frac.padEnd(6, '0') || '0')
  return negative ? -v : v
}

const UNIT_MONTHS: Record<string, number> = {
  year: 12,
  years: 12,
  mon: 1,
  mons: 1,
  month: 1,
  months: 1,
}
const UNIT_DAYS: Record<string, number> = { day: 1, days: 1, week: 7, weeks: 7 }
const UNIT_MICROS: Record<string, bigint> = {
  hour: USECS_PER_HOUR,
  hours: USECS_PER_HOUR,
  min: USECS_PER_MINUTE,
  mins: USECS_PER_MINUTE,
  minute: USECS_PER_MINUTE,
  minutes: USECS_PER_MINUTE,
}

/** ISO 8601 interval text (`P1Y2M3DT4H5M6.789S`, signs per field) to an Interval. */
function parseIso(s: string): Interval {
  let months = 0
  let days = 0
  let micros = 0n
  let inTime = false
  let i = 1
  while (i < s.length) {
    if (s[i] === 'T') {
      inTime = true
      i++
      continue
    }
    let j = i
    if (s[j] === '-' || s[j] === '+') j++
    while (j < s.length && ((s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x39) || s[j] === '.'))
      j++
    const num = s.slice(i, j)
    const unit = s[j]
    if (num === '' || unit === undefined) cannotDecode('interval', 'malformed ISO 8601 interval')
    if (unit === 'S' && inTime) {
      const us = secondsToMicros(num)
      if (us === undefined) cannotDecode('interval', 'malformed seconds')
      micros += us
    } else {
      if (!isInteger(num)) cannotDecode('interval', 'fractional field in ISO 8601 interval')
      const n = Number(num)
      if (!inTime && unit === 'Y') months += 12 * n
      else if (!inTime && unit === 'M') months += n
      else if (!inTime && unit === 'W') days += 7 * n
      else if (!inTime && unit === 'D') days += n
      else if (inTime && unit === 'H') micros += BigInt(num) * USECS_PER_HOUR
      else if (inTime && unit === 'M') micros += BigInt(num) * USECS_PER_MINUTE
      else cannotDecode('interval', 'malformed ISO 8601 interval')
    }
    i = j + 1
  }
  return new Interval(months, days, micros)
}

/**
 * Interval text in the `postgres` (default), `postgres_verbose` or `iso_8601` IntervalStyle to an
 * Interval; `infinity`/`-infinity` to ±Infinity. The `sql_standard` style is not read.
 */
export function parseIntervalText(s: string): Interval | number {
  if (s === 'infinity') return Number.POSITIVE_INFINITY
  if (s === '-infinity') return Number.NEGATIVE_INFINITY
  if (s.charCodeAt(0) === 0x50) return parseIso(s)
  const tokens = s.split(' ')
  let months = 0
  let days = 0
  let micros = 0n
  let i = 0
  let ago = false
  if (tokens[0] === '@') i = 1
  if (tokens[tokens.length - 1] === 'ago') {
    ago = true
    tokens.pop()
  }
  for (; i < tokens.length; i++) {
    const tok = tokens[i]!
    if (tok === '') continue
    if (tok.includes(':')) {
      const t = timeToken(tok)
      if (t === undefined) cannotDecode('interval', 'malformed time part')
      micros += t
      continue
    }
    const unit = tokens[++i]
    // postgres_verbose prints a zero interval as `@ 0`.
    if (unit === undefined && tok === '0') continue
    if (unit === undefined) cannotDecode('interval', 'number without a unit')
    if (unit === 'sec' || unit === 'secs' || unit === 'second' || unit === 'seconds') {
      const us = secondsToMicros(tok)
      if (us === undefined) cannotDecode('interval', 'malformed seconds')
      micros += us
      continue
    }
    if (!isInteger(tok)) {
      cannotDecode('interval', 'not an interval in the postgres or iso_8601 IntervalStyle')
    }
    const m = UNIT_MONTHS[unit]
    const d = UNIT_DAYS[unit]
    const us = UNIT_MICROS[unit]
    if (m !== undefined) months += m * Number(tok)
    else if (d !== undefined) days += d * Number(tok)
    else if (us !== undefined) micros += us * BigInt(tok)
    else cannotDecode('interval', 'not an interval in the postgres or iso_8601 IntervalStyle')
  }
  return ago ? new Interval(-months, -days, -micros) : new Interval(months, days, micros)
}

function decodeIntervalBinary(b: Uint8Array): Interval | number {
  if (b.length !== 16) cannotDecode('interval', `expected 16 bytes, got ${b.length}`)
  const hi = readInt32(b, 0)
  const lo = readUint32(b, 4)
  const days = readInt32(b, 8)
  const months = readInt32(b, 12)
  // PostgreSQL 17+ infinities: every field at its maximum or minimum (src/include/datatype/timestamp.h).
  if (months === INT32_MAX && days === INT32_MAX && hi === 0x7fffffff && lo === 0xffffffff) {
    return Number.POSITIVE_INFINITY
  }
  if (months === INT32_MIN && days === INT32_MIN && hi === -0x80000000 && lo === 0) {
    return Number.NEGATIVE_INFINITY
  }
  const micros =
    hi >= -2097152 && hi < 2097152 ? BigInt(hi * TWO_POW_32 + lo) : (BigInt(hi) << 32n) | BigInt(lo)
  return new Interval(months, days, micros)
}

function intervalParameter(value: unknown): Interval {
  if (value instanceof Interval) return value
  return cannotEncode(`expected an Interval or interval text, got ${describeValue(value)}`)
}

/**
 * interval: Interval (±Infinity for PostgreSQL 17's infinities); parameters as text (an Interval
 * as ISO 8601, exact under every IntervalStyle; strings as they are).
 */
export const intervalCodec: Codec = defineCodec({
  name: 'interval',
  decodeText: (b) => parseIntervalText(utf8Decode(b)),
  parseText: parseIntervalText,
  decodeBinary: decodeIntervalBinary,
  encodeText: (v) => {
    if (v === Number.POSITIVE_INFINITY) return 'infinity'
    if (v === Number.NEGATIVE_INFINITY) return '-infinity'
    return intervalParameter(v).toPostgres()
  },
  encodeBinary: (v) => {
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      const max = v > 0
      return new BinaryWriter(16)
        .int32(max ? 0x7fffffff : 0x80000000)
        .int32(max ? 0xffffffff : 0)
        .int32(max ? INT32_MAX : INT32_MIN)
        .int32(max ? INT32_MAX : INT32_MIN)
        .finish()
    }
    const i = intervalParameter(v)
    return new BinaryWriter(16).int64(i.microseconds).int32(i.days).int32(i.months).finish()
  },
  sendBinary: false,
  owns: (v) => v instanceof Interval,
  binaryFaster: true,
})
