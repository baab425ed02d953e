/**
 * timestamp and timestamptz codecs: PgTimestamp (timestamp read as UTC wall-clock time) or
 * the server's text on request; ±infinity as ±Infinity; Dates written in UTC. Pure.
 */
import { BinaryWriter, readInt32, readUint32, TWO_POW_32 } from './binary-io.js'
import {
  daysFromCivil,
  formatCivilDate,
  formatInstant,
  formatOffset,
  formatTimeOfDay,
  MAX_DATE_MS,
  MS_PER_DAY,
  PG_EPOCH_DAYS,
  PG_EPOCH_MS,
} from './calendar.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import {
  endsWithBc,
  infinitySign,
  type ScanState,
  scanDate,
  scanOffset,
  scanTime,
} from './datetime-text.js'
import { describeValue } from './describe-value.js'
import { PgTimestamp } from './pg-timestamp.js'
import { utf8Decode, utf8DecodeRange } from './utf8.js'

/** How timestamp values come back to JS. */
export type TimestampMode = 'date' | 'string'

/** The earliest instant PostgreSQL timestamps hold: 4714-11-24 00:00:00 UTC BC (Julian day 0). */
export const MIN_TIMESTAMP_MS = -210866803200000

const state: ScanState = { at: 0, value: 0 }
const ymd = [0, 0, 0]

/** A ±Infinity number, or undefined, for the server's `infinity`/`-infinity`. */
function infinite(s: string): number | undefined {
  const sign = infinitySign(s)
  return sign === 0 ? undefined : sign * Number.POSITIVE_INFINITY
}

/** Milliseconds and microseconds to a PgTimestamp, or a DataError beyond a Date's range. */
function toPgTimestamp(ms: number, micro: number, typeName: string): PgTimestamp {
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) {
    cannotDecode(typeName, "outside the range of a JavaScript Date (use timestamps: 'string')")
  }
  return new PgTimestamp(ms, micro)
}

/** Parses ISO timestamp text (`2024-01-02 03:04:05.123456+05:30`, ` BC`, `infinity`). */
export function parseTimestampText(s: string, withZone: boolean): PgTimestamp | number {
  const typeName = withZone ? 'timestamptz' : 'timestamp'
  const inf = infinite(s)
  if (inf !== undefined) return inf
  const bc = endsWithBc(s)
  const end = bc ? s.length - 3 : s.length
  let i = scanDate(s, 0, ymd, typeName)
  if (s.charCodeAt(i) !== 0x20 && s.charCodeAt(i) !== 0x54)
    cannotDecode(typeName, 'expected a time')
  if (!scanTime(s, i + 1, state)) cannotDecode(typeName, 'expected HH:MM:SS')
  const microsOfDay = state.value
  i = state.at
  let offset = 0
  if (i < end) {
    if (!scanOffset(s, i, state)) cannotDecode(typeName, 'unexpected text after the time')
    offset = state.value
    i = state.at
  }
  if (i !== end) cannotDecode(typeName, 'unexpected text after the time')
  const year = bc ? 1 - ymd[0]! : ymd[0]!
  const days = daysFromCivil(year, ymd[1]!, ymd[2]!)
  const msOfDay = Math.floor(microsOfDay / 1000)
  return toPgTimestamp(
    days * MS_PER_DAY + msOfDay - offset * 1000,
    microsOfDay - msOfDay * 1000,
    typeName,
  )
}

/** Two ASCII digits at `b[i]` as a number, or -1. */
function twoDigits(b: Uint8Array, i: number): number {
  const x = b[i]! - 0x30
  const y = b[i + 1]! - 0x30
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1
}

/**
 * The common timestamp text straight from bytes, with no string made: `YYYY-MM-DD HH:MM:SS`, an
 * optional fraction of 1–6 digits and an optional offset `±HH[:MM[:SS]]`. Undefined for any other
 * text (5-digit years, BC, infinity, malformed input): `parseTimestampText` decides those.
 */
function parseTimestampRange(
  b: Uint8Array,
  start: number,
  end: number,
  typeName: string,
): PgTimestamp | undefined {
  if (end - start < 19 || b[start + 4] !== 0x2d || b[start + 7] !== 0x2d) return undefined
  const century = twoDigits(b, start)
  const yy = twoDigits(b, start + 2)
  const month = twoDigits(b, start + 5)
  const day = twoDigits(b, start + 8)
  const sep = b[start + 10]
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || day > 31) return undefined
  if ((sep !== 0x20 && sep !== 0x54) || b[start + 13] !== 0x3a || b[start + 16] !== 0x3a) {
    return undefined
  }
  const h = twoDigits(b, start + 11)
  const m = twoDigits(b, start + 14)
  const sec = twoDigits(b, start + 17)
  if (h < 0 || m < 0 || sec < 0) return undefined
  let i = start + 19
  let micros = 0
  if (i < end && b[i] === 0x2e) {
    i++
    let scale = 100000
    const from = i
    for (; i < end; i++) {
      const d = b[i]! - 0x30
      if (d < 0 || d > 9) break
      micros += d * scale
      scale /= 10
    }
    if (i === from || i - from > 6) return undefined
  }
  let offset = 0
  if (i < end) {
    const sign = b[i]
    if ((sign !== 0x2b && sign !== 0x2d) || end - i < 3) return undefined
    const oh = twoDigits(b, i + 1)
    if (oh < 0) return undefined
    offset = oh * 3600
    i += 3
    if (i < end && b[i] === 0x3a) {
      const om = end - i >= 3 ? twoDigits(b, i + 1) : -1
      if (om < 0) return undefined
      offset += om * 60
      i += 3
      if (i < end && b[i] === 0x3a) {
        const os = end - i >= 3 ? twoDigits(b, i + 1) : -1
        if (os < 0) return undefined
        offset += os
        i += 3
      }
    }
    if (sign === 0x2d) offset = -offset
    if (i !== end) return undefined
  }
  const microsOfDay = ((h * 60 + m) * 60 + sec) * 1000000 + micros
  const days = daysFromCivil(century * 100 + yy, month, day)
  const msOfDay = Math.floor(microsOfDay / 1000)
  return toPgTimestamp(
    days * MS_PER_DAY + msOfDay - offset * 1000,
    microsOfDay - msOfDay * 1000,
    typeName,
  )
}

/** Timestamp text in `b[start, end)` to a PgTimestamp or ±Infinity (see parseTimestampText). */
function decodeTimestampTextRange(
  b: Uint8Array,
  start: number,
  end: number,
  withZone: boolean,
): PgTimestamp | number {
  return (
    parseTimestampRange(b, start, end, withZone ? 'timestamptz' : 'timestamp') ??
    parseTimestampText(utf8DecodeRange(b, start, end), withZone)
  )
}

/** Binary timestamp (int64 microseconds since 2000-01-01) to a PgTimestamp or ±Infinity. */
function decodeTimestampBinary(
  b: Uint8Array,
  start: number,
  end: number,
  typeName: string,
): PgTimestamp | number {
  if (end - start !== 8) cannotDecode(typeName, `expected 8 bytes, got ${end - start}`)
  const hi = readInt32(b, start)
  const lo = readUint32(b, start + 4)
  if (hi === 0x7fffffff && lo === 0xffffffff) return Number.POSITIVE_INFINITY
  if (hi === -0x80000000 && lo === 0) return Number.NEGATIVE_INFINITY
  // us = hi * 2^32 + lo = hi * 4294967 * 1000 + (hi * 296 + lo): split so no step loses precision.
  const rest = hi * 296 + lo
  const restMs = Math.floor(rest / 1000)
  return toPgTimestamp(hi * 4294967 + restMs + PG_EPOCH_MS, rest - restMs * 1000, typeName)
}

/** Binary timestamp to the text PostgreSQL prints (UTC, `+00` for timestamptz). */
function decodeTimestampBinaryText(b: Uint8Array, withZone: boolean): string | number {
  const typeName = withZone ? 'timestamptz' : 'timestamp'
  if (b.length !== 8) cannotDecode(typeName, `expected 8 bytes, got ${b.length}`)
  const hi = readInt32(b, 0)
  const lo = readUint32(b, 4)
  if (hi === 0x7fffffff && lo === 0xffffffff) return Number.POSITIVE_INFINITY
  if (hi === -0x80000000 && lo === 0) return Number.NEGATIVE_INFINITY
  let days: number
  let microsOfDay: number
  if (hi >= -1048576 && hi < 1048576) {
    const us = hi * TWO_POW_32 + lo
    days = Math.floor(us / 86400000000)
    microsOfDay = us - days * 86400000000
  } else {
    const us = (BigInt(hi) << 32n) | BigInt(lo)
    let d = us / 86400000000n
    if (d * 86400000000n > us) d -= 1n
    days = Number(d)
    microsOfDay = Number(us - d * 86400000000n)
  }
  const { text, bc } = formatCivilDate(days + PG_EPOCH_DAYS)
  return `${text} ${formatTimeOfDay(microsOfDay)}${withZone ? formatOffset(0) : ''}${bc ? ' BC' : ''}`
}

/** A timestamp parameter checked: a valid Date in PostgreSQL's range, or ±Infinity. */
function instantParameter(value: unknown, typeName: string): Date | number {
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) cannotEncode('invalid Date')
    if (ms < MIN_TIMESTAMP_MS) cannotEncode(`out of range for ${typeName}`)
    return value
  }
  if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) return value
  return cannotEncode(`expected a Date, got ${describeValue(value)}`)
}

/** The microseconds beyond the millisecond a Date carries (PgTimestamp keeps them). */
function subMillisecond(d: Date): number {
  return d instanceof PgTimestamp ? d.microseconds : 0
}

/** Binary form of a Date (microseconds since 2000-01-01) or ±Infinity. */
export function encodeTimestampBinary(value: unknown, typeName: string): Uint8Array {
  const v = instantParameter(value, typeName)
  const w = new BinaryWriter(8)
  if (typeof v === 'number') {
    return v > 0
      ? w.int32(0x7fffffff).int32(0xffffffff).finish()
      : w.int32(0x80000000).int32(0).finish()
  }
  const sinceEpoch = v.getTime() - PG_EPOCH_MS
  const micro = subMillisecond(v)
  // |us| stays below 2^53 within about 285 years of 2000; beyond that, go through bigint.
  if (Math.abs(sinceEpoch) < 9e12) return w.int64Number(sinceEpoch * 1000 + micro).finish()
  return w.int64(BigInt(sinceEpoch) * 1000n + BigInt(micro)).finish()
}

/** Text form of a Date (ISO 8601 in UTC, to the microsecond for PgTimestamp) or ±Infinity. */
export function encodeTimestampText(value: unknown, typeName: string): string {
  const v = instantParameter(value, typeName)
  if (typeof v === 'number') return v > 0 ? 'infinity' : '-infinity'
  return formatInstant(v.getTime(), subMillisecond(v), v instanceof PgTimestamp)
}

/** timestamp (`withZone` false) or timestamptz codec for a mode; Date parameters in binary. */
export function timestampCodec(withZone: boolean, mode: TimestampMode): Codec {
  const typeName = withZone ? 'timestamptz' : 'timestamp'
  const asString = mode === 'string'
  const parseText = asString
    ? (s: string) => infinite(s) ?? s
    : (s: string) => parseTimestampText(s, withZone)
  return defineCodec({
    name: typeName,
    decodeText: (b) => parseText(utf8Decode(b)),
    decodeTextAt: asString
      ? (b, start, end) => parseText(utf8DecodeRange(b, start, end))
      : (b, start, end) => decodeTimestampTextRange(b, start, end, withZone),
    parseText,
    decodeBinary: asString
      ? (b) => decodeTimestampBinaryText(b, withZone)
      : (b) => decodeTimestampBinary(b, 0, b.length, typeName),
    ...(asString
      ? {}
      : {
          decodeBinaryAt: (b: Uint8Array, start: number, end: number) =>
            decodeTimestampBinary(b, start, end, typeName),
        }),
    encodeText: (v) => encodeTimestampText(v, typeName),
    encodeBinary: (v) => encodeTimestampBinary(v, typeName),
    sendBinary: true,
    owns: (v) => v instanceof Date,
    binaryFaster: !asString,
  })
}
