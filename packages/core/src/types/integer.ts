/**
 * Integer codecs: int2, int4, int8 (bigint, number or string per the `int8` option) and the
 * unsigned 32-bit oid, xid, cid. Pure: no I/O.
 */
import { BinaryWriter, readInt16, readInt32, readUint32, TWO_POW_32 } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { utf8DecodeRange } from './utf8.js'

/** How int8 values come back to JS. */
export type Int8Mode = 'bigint' | 'number' | 'string'

const INT2_MIN = -32768
const INT2_MAX = 32767
const INT4_MIN = -2147483648
const INT4_MAX = 2147483647
const UINT4_MAX = 4294967295
const INT8_MIN = -(2n ** 63n)
const INT8_MAX = 2n ** 63n - 1n

/**
 * The decimal integer in `b` (an optional `-` then digits) as a number; exact up to 2^53.
 * Throws a DataError naming `typeName` on anything else.
 */
export function decimalBytesToNumber(b: Uint8Array, typeName: string): number {
  return decimalRangeToNumber(b, 0, b.length, typeName)
}

/** Like `decimalBytesToNumber`, for `b[start, end)`. */
export function decimalRangeToNumber(
  b: Uint8Array,
  start: number,
  end: number,
  typeName: string,
): number {
  let i = start
  let negative = false
  if (end > start && b[start] === 0x2d) {
    negative = true
    i++
  }
  if (i === end || end - i > 20) cannotDecode(typeName, 'not a decimal integer')
  let v = 0
  for (; i < end; i++) {
    const d = b[i]! - 0x30
    if (d < 0 || d > 9) cannotDecode(typeName, 'not a decimal integer')
    v = v * 10 + d
  }
  return negative ? 0 - v : v
}

/** Like `decimalBytesToNumber`, from a string (array elements, range bounds). */
export function decimalTextToNumber(s: string, typeName: string): number {
  const n = s.length
  let i = 0
  let negative = false
  if (n > 0 && s.charCodeAt(0) === 0x2d) {
    negative = true
    i = 1
  }
  if (i === n || n - i > 20) cannotDecode(typeName, 'not a decimal integer')
  let v = 0
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) cannotDecode(typeName, 'not a decimal integer')
    v = v * 10 + d
  }
  return negative ? 0 - v : v
}

/**
 * An integer parameter as a bigint: a number (must be an integer), a bigint, or a decimal string
 * (optional surrounding whitespace and sign, as PostgreSQL's integer input reads it).
 */
export function toIntegerParameter(value: unknown): bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      return cannotEncode(Number.isFinite(value) ? 'not an integer' : `${value} is not an integer`)
    }
    if (!Number.isSafeInteger(value)) {
      return cannotEncode('not a safe integer (pass a bigint or a decimal string)')
    }
    return BigInt(value)
  }
  if (typeof value === 'bigint') return value
  if (typeof value === 'string') {
    const t = value.trim()
    let i = t.charCodeAt(0) === 0x2d || t.charCodeAt(0) === 0x2b ? 1 : 0
    if (i === t.length) return cannotEncode('not a decimal integer')
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i)
      if (c < 0x30 || c > 0x39) return cannotEncode('not a decimal integer')
    }
    return BigInt(t)
  }
  if (typeof value === 'boolean') return cannotEncode('a boolean is not an integer')
  return cannotEncode(
    `expected an integer (number, bigint or decimal string), got ${describeValue(value)}`,
  )
}

/** An integer parameter checked against [min, max]; returns a number. */
function boundedInteger(value: unknown, min: number, max: number, typeName: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value < min || value > max) cannotEncode(`out of range for ${typeName}`)
    return value
  }
  const v = toIntegerParameter(value)
  if (v < BigInt(min) || v > BigInt(max)) cannotEncode(`out of range for ${typeName}`)
  return Number(v)
}

function decodeInt2Binary(b: Uint8Array, start: number, end: number): number {
  if (end - start !== 2) cannotDecode('int2', `expected 2 bytes, got ${end - start}`)
  return readInt16(b, start)
}

function decodeInt4Binary(b: Uint8Array, start: number, end: number): number {
  if (end - start !== 4) cannotDecode('int4', `expected 4 bytes, got ${end - start}`)
  return readInt32(b, start)
}

/** int2: number, both formats; parameters in binary. */
export const int2Codec: Codec = defineCodec({
  name: 'int2',
  decodeTextAt: (b, start, end) => decimalRangeToNumber(b, start, end, 'int2'),
  parseText: (s) => decimalTextToNumber(s, 'int2'),
  decodeBinaryAt: decodeInt2Binary,
  encodeText: (v) => String(boundedInteger(v, INT2_MIN, INT2_MAX, 'int2')),
  encodeBinary: (v) => {
    const n = boundedInteger(v, INT2_MIN, INT2_MAX, 'int2')
    return new Uint8Array([n >> 8, n])
  },
  sendBinary: true,
  strings: 'binary',
  binaryFaster: true,
})

/** int4: number, both formats; parameters in binary. */
export const int4Codec: Codec = defineCodec({
  name: 'int4',
  decodeTextAt: (b, start, end) => decimalRangeToNumber(b, start, end, 'int4'),
  parseText: (s) => decimalTextToNumber(s, 'int4'),
  decodeBinaryAt: decodeInt4Binary,
  encodeText: (v) => String(boundedInteger(v, INT4_MIN, INT4_MAX, 'int4')),
  encodeBinary: (v) =>
    new BinaryWriter(4).int32(boundedInteger(v, INT4_MIN, INT4_MAX, 'int4')).finish(),
  sendBinary: true,
  strings: 'binary',
  binaryFaster: true,
})

/** An unsigned 32-bit integer type (oid, xid, cid): number, both formats; parameters in binary. */
export function uint4Codec(name: string): Codec {
  return defineCodec({
    name,
    decodeTextAt: (b, start, end) => decimalRangeToNumber(b, start, end, name),
    parseText: (s) => decimalTextToNumber(s, name),
    decodeBinaryAt: (b, start, end) => {
      if (end - start !== 4) cannotDecode(name, `expected 4 bytes, got ${end - start}`)
      return readUint32(b, start)
    },
    encodeText: (v) => String(boundedInteger(v, 0, UINT4_MAX, name)),
    encodeBinary: (v) => new BinaryWriter(4).int32(boundedInteger(v, 0, UINT4_MAX, name)).finish(),
    sendBinary: true,
    strings: 'binary',
    binaryFaster: true,
  })
}

/** The int8 parameter as a bigint in range. */
function int8Parameter(value: unknown): bigint {
  const v = toIntegerParameter(value)
  if (v < INT8_MIN || v > INT8_MAX) cannotEncode('out of range for int8')
  return v
}

/** 8 bytes holding the int8 parameter. */
function encodeInt8Binary(value: unknown): Uint8Array {
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return new BinaryWriter(8).int64Number(value).finish()
  }
  if (typeof value === 'string') {
    const n = shortDecimal(value)
    if (n !== undefined) return new BinaryWriter(8).int64Number(n).finish()
  }
  return new BinaryWriter(8).int64(int8Parameter(value)).finish()
}

/**
 * A decimal string of at most 15 digits (an optional sign, no spaces) as an exact number, or
 * undefined for anything else (which goes through the bigint path and its checks).
 */
function shortDecimal(s: string): number | undefined {
  const n = s.length
  const first = s.charCodeAt(0)
  const signed = first === 0x2d || first === 0x2b
  const from = signed ? 1 : 0
  if (n === from || n - from > SAFE_DIGITS) return undefined
  let v = 0
  for (let i = from; i < n; i++) {
    const d = s.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) return undefined
    v = v * 10 + d
  }
  return first === 0x2d ? -v : v
}

function encodeInt8Text(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return String(int8Parameter(value))
}

/** Digits after which an int8 decimal string may exceed Number.MAX_SAFE_INTEGER. */
const SAFE_DIGITS = 15

function int8TextToBigint(b: Uint8Array, start: number, end: number): bigint {
  const digits = end - start - (end > start && b[start] === 0x2d ? 1 : 0)
  if (digits <= SAFE_DIGITS) return BigInt(decimalRangeToNumber(b, start, end, 'int8'))
  decimalRangeToNumber(b, start, end, 'int8')
  return BigInt(utf8DecodeRange(b, start, end))
}

function int8StringToBigint(s: string): bigint {
  const digits = s.length - (s.charCodeAt(0) === 0x2d ? 1 : 0)
  if (digits <= SAFE_DIGITS) return BigInt(decimalTextToNumber(s, 'int8'))
  decimalTextToNumber(s, 'int8')
  return BigInt(s)
}

/** The decimal value as a number, or a DataError when it is not a safe integer. */
function safeNumber(v: number): number {
  if (v > Number.MAX_SAFE_INTEGER || v < -Number.MAX_SAFE_INTEGER) {
    cannotDecode('int8', "value exceeds Number.MAX_SAFE_INTEGER (use int8: 'bigint' or 'string')")
  }
  return v
}

function int8BinaryParts(start: number, end: number): void {
  if (end - start !== 8) cannotDecode('int8', `expected 8 bytes, got ${end - start}`)
}

function decodeInt8BinaryBigint(b: Uint8Array, start: number, end: number): bigint {
  int8BinaryParts(start, end)
  const hi = readInt32(b, start)
  const lo = readUint32(b, start + 4)
  if (hi >= -2097152 && hi < 2097152) return BigInt(hi * TWO_POW_32 + lo)
  return (BigInt(hi) << 32n) | BigInt(lo)
}

function decodeInt8BinaryNumber(b: Uint8Array, start: number, end: number): number {
  int8BinaryParts(start, end)
  const hi = readInt32(b, start)
  if (hi >= -2097152 && hi < 2097152) return safeNumber(hi * TWO_POW_32 + readUint32(b, start + 4))
  return safeNumber(Number.POSITIVE_INFINITY)
}

function decodeInt8BinaryString(b: Uint8Array, start: number, end: number): string {
  int8BinaryParts(start, end)
  const hi = readInt32(b, start)
  const lo = readUint32(b, start + 4)
  if (hi >= -2097152 && hi < 2097152) return String(hi * TWO_POW_32 + lo)
  return String((BigInt(hi) << 32n) | BigInt(lo))
}

const int8Common = {
  name: 'int8',
  encodeText: encodeInt8Text,
  encodeBinary: encodeInt8Binary,
  sendBinary: true,
  strings: 'binary',
  binaryFaster: true,
} as const

/** int8 as bigint (the default: no precision lost). */
export const int8BigintCodec: Codec = defineCodec({
  ...int8Common,
  decodeTextAt: int8TextToBigint,
  parseText: int8StringToBigint,
  decodeBinaryAt: decodeInt8BinaryBigint,
})

/** int8 as number; a value beyond ±Number.MAX_SAFE_INTEGER is a DataError, never rounded. */
export const int8NumberCodec: Codec = defineCodec({
  ...int8Common,
  decodeTextAt: (b, start, end) => safeNumber(decimalRangeToNumber(b, start, end, 'int8')),
  parseText: (s) => safeNumber(decimalTextToNumber(s, 'int8')),
  decodeBinaryAt: decodeInt8BinaryNumber,
})

/** int8 as a decimal string. */
export const int8StringCodec: Codec = defineCodec({
  ...int8Common,
  decodeTextAt: (b, start, end) => {
    decimalRangeToNumber(b, start, end, 'int8')
    return utf8DecodeRange(b, start, end)
  },
  parseText: (s) => {
    decimalTextToNumber(s, 'int8')
    return s
  },
  decodeBinaryAt: decodeInt8BinaryString,
})

/** The int8 codec for a mode. */
export function int8Codec(mode: Int8Mode): Codec {
  return mode === 'number' ? int8NumberCodec : mode === 'string' ? int8StringCodec : int8BigintCodec
}
