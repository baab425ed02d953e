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
import { utf8Decode } from './utf8.js'

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

/** Binary timestamp (int64 microseconds since 2000-01-01) to a PgTimestamp or ±Infinity. */
function decodeTimestampBinary(b: Uint8Array, typeName: string): PgTimestamp | number {
  if (b.length !== 8) cannotDecode(typeName, `expected 8 bytes, got ${b.length}`)
  const hi = readInt32(b, 0)
  const lo = readUint32(b, 4)
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
    parseText,
    decodeBinary: asString
      ? (b) => decodeTimestampBinaryText(b, withZone)
      : (b) => decodeTimestampBinary(b, typeName),
    encodeText: (v) => encodeTimestampText(v, typeName),
    encodeBinary: (v) => encodeTimestampBinary(v, typeName),
    sendBinary: true,
    owns: (v) => v instanceof Date,
    binaryFaster: !asString,
  })
}
