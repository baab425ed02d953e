/**
 * float4 and float8 codecs: JS numbers with NaN, ±Infinity and -0 kept in both formats.
 * Pure: no I/O.
 */
import { BinaryWriter, readFloat32, readFloat64 } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { utf8Decode, utf8DecodeRange } from './utf8.js'

/**
 * The text PostgreSQL's float and numeric input read for a JS number: `NaN`, `Infinity`,
 * `-Infinity`, `-0` spelled out, otherwise the shortest round-trip decimal (`1e+21` style).
 */
export function formatNumber(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0'
  return String(n)
}

/**
 * The float4 `v` as the JS number of its shortest decimal form (what float4out prints since
 * PostgreSQL 12), so binary and text give the same number: 0.1, not 0.10000000149011612.
 */
export function shortestFloat4(v: number): number {
  if (!Number.isFinite(v) || (Number.isInteger(v) && Math.abs(v) <= 16777216)) return v
  // Round-tripping is monotonic in the precision: find the least that round-trips (9 always does).
  let lo = 1
  let hi = 9
  let best = Number(v.toPrecision(9))
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const candidate = Number(v.toPrecision(mid))
    if (Math.fround(candidate) === v) {
      best = candidate
      hi = mid
    } else {
      lo = mid + 1
    }
  }
  return best
}

/** A float parameter as a JS number (numbers and bigints). */
function floatParameter(value: unknown, typeName: string): number {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  return cannotEncode(`expected a number for ${typeName}, got ${describeValue(value)}`)
}

/** Parses the float text the server sends (`1.5`, `-0`, `1e+300`, `NaN`, `Infinity`). */
function parseFloatText(s: string, typeName: string): number {
  const v = Number(s)
  if (Number.isNaN(v) && s !== 'NaN') cannotDecode(typeName, 'not a floating-point number')
  if (v === 0 && s.length === 0) cannotDecode(typeName, 'empty value')
  return v
}

/** Exact powers of ten as doubles: 10^0 … 10^22 (10^23 is the first one a double cannot hold). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`))

/** Digits whose integer value a double holds exactly, whatever they are (10^15 < 2^53). */
const EXACT_DIGITS = 15

/**
 * The float text in `b[start, end)` as a number. Plain decimals of at most 15 digits (`-12.5`,
 * `0.25`) are computed here: the digits as an exact integer divided by an exact power of ten is
 * the correctly rounded value, as `Number(text)` gives. Anything else goes through the string.
 */
function decodeFloatTextRange(b: Uint8Array, start: number, end: number, typeName: string): number {
  let i = start
  const negative = start < end && b[start] === 0x2d
  if (negative) i++
  let m = 0
  let digits = 0
  let scale = -1
  for (; i < end; i++) {
    const c = b[i]!
    if (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30)
      digits++
    } else if (c === 0x2e && scale < 0) {
      scale = 0
      continue
    } else break
    if (scale >= 0) scale++
  }
  if (i === end && digits > 0 && digits <= EXACT_DIGITS && b[end - 1] !== 0x2e) {
    const v = scale > 0 ? m / POW10[scale]! : m
    return negative ? -v : v
  }
  return parseFloatText(utf8DecodeRange(b, start, end), typeName)
}

/** float4: number (its shortest decimal form, both formats); parameters in binary. */
export const float4Codec: Codec = defineCodec({
  name: 'float4',
  decodeText: (b) => shortestFloat4(Math.fround(parseFloatText(utf8Decode(b), 'float4'))),
  parseText: (s) => shortestFloat4(Math.fround(parseFloatText(s, 'float4'))),
  decodeBinary: (b) => {
    if (b.length !== 4) cannotDecode('float4', `expected 4 bytes, got ${b.length}`)
    return shortestFloat4(readFloat32(b, 0))
  },
  encodeText: (v) => formatNumber(floatParameter(v, 'float4')),
  encodeBinary: (v) => new BinaryWriter(4).float32(floatParameter(v, 'float4')).finish(),
  sendBinary: true,
  binaryFaster: true,
})

/** float8: number; text and binary; parameters in binary. */
export const float8Codec: Codec = defineCodec({
  name: 'float8',
  decodeTextAt: (b, start, end) => decodeFloatTextRange(b, start, end, 'float8'),
  parseText: (s) => parseFloatText(s, 'float8'),
  decodeBinaryAt: (b, start, end) => {
    if (end - start !== 8) cannotDecode('float8', `expected 8 bytes, got ${end - start}`)
    return readFloat64(b, start)
  },
  encodeText: (v) => formatNumber(floatParameter(v, 'float8')),
  encodeBinary: (v) => new BinaryWriter(8).float64(floatParameter(v, 'float8')).finish(),
  sendBinary: true,
  binaryFaster: true,
})
