/**
 * The bytea codec: Uint8Array copies the caller owns, from hex (`\x…`) or legacy escape text
 * and from binary. Pure: no I/O, no Buffer.
 */
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'

const HEX_PAIRS: string[] = []
for (let i = 0; i < 256; i++) HEX_PAIRS.push(i.toString(16).padStart(2, '0'))

/** Nibble value of an ASCII hex digit, or -1. */
const NIBBLES = new Int8Array(256).fill(-1)
for (let i = 0; i < 10; i++) NIBBLES[0x30 + i] = i
for (let i = 0; i < 6; i++) {
  NIBBLES[0x41 + i] = 10 + i
  NIBBLES[0x61 + i] = 10 + i
}

/** Lowercase hex digits of `bytes`, two per byte. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX_PAIRS[bytes[i]!]
  return s
}

/** The bytea text form `\x0102…` of `bytes`. */
export function byteaHexText(bytes: Uint8Array): string {
  return `\\x${bytesToHex(bytes)}`
}

/** Hex digit pairs of `b` from offset `from` into new bytes (whitespace between pairs allowed). */
function decodeHex(b: Uint8Array, from: number): Uint8Array {
  const length = b.length
  const out = new Uint8Array((length - from) >> 1)
  let o = 0
  let i = from
  while (i < length) {
    const c = b[i]!
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++
      continue
    }
    const hi = NIBBLES[c]!
    const lo = i + 1 < length ? NIBBLES[b[i + 1]!]! : -1
    if (hi < 0 || lo < 0) cannotDecode('bytea', 'invalid hexadecimal digit')
    out[o++] = (hi << 4) | lo
    i += 2
  }
  return o === out.length ? out : out.slice(0, o)
}

/** Decodes the escape format (`\\`, `\ooo`, other bytes as they are) into new bytes. */
function decodeEscape(b: Uint8Array): Uint8Array {
  const length = b.length
  const out = new Uint8Array(length)
  let o = 0
  for (let i = 0; i < length; ) {
    const c = b[i]!
    if (c !== 0x5c) {
      out[o++] = c
      i++
      continue
    }
    if (i + 1 < length && b[i + 1] === 0x5c) {
      out[o++] = 0x5c
      i += 2
      continue
    }
    if (i + 3 >= length) cannotDecode('bytea', 'invalid escape sequence')
    const d1 = b[i + 1]! - 0x30
    const d2 = b[i + 2]! - 0x30
    const d3 = b[i + 3]! - 0x30
    if (d1 < 0 || d1 > 3 || d2 < 0 || d2 > 7 || d3 < 0 || d3 > 7) {
      cannotDecode('bytea', 'invalid escape sequence')
    }
    out[o++] = (d1 << 6) | (d2 << 3) | d3
    i += 4
  }
  return o === length ? out : out.slice(0, o)
}

/** bytea text (hex or escape format) from the column bytes, into a new Uint8Array. */
export function decodeByteaText(b: Uint8Array): Uint8Array {
  if (b.length >= 2 && b[0] === 0x5c && b[1] === 0x78) return decodeHex(b, 2)
  return decodeEscape(b)
}

/** bytea text (hex or escape format) from a string (an array element), into a new Uint8Array. */
export function parseByteaText(s: string): Uint8Array {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 255) cannotDecode('bytea', 'text form holds a non-byte character')
    b[i] = c
  }
  return decodeByteaText(b)
}

/** The bytes of a bytea parameter: a Uint8Array (Buffer included) or an ArrayBuffer. */
function byteaParameter(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  return cannotEncode(`expected a Uint8Array, got ${describeValue(value)}`)
}

/**
 * bytea: Uint8Array copies; parameters in binary (a Uint8Array goes as it is, not copied: it
 * must not change until the query is sent); a string parameter goes as bytea text (`\x…`).
 */
export const byteaCodec: Codec = defineCodec({
  name: 'bytea',
  decodeText: decodeByteaText,
  parseText: parseByteaText,
  // A copy in a plain Uint8Array: `b` may be a view of a Node Buffer, whose slice() is a view too
  // (the value would be a Buffer keeping the whole socket chunk alive).
  decodeBinary: (b) => new Uint8Array(b),
  encodeText: (v) => byteaHexText(byteaParameter(v)),
  encodeBinary: byteaParameter,
  sendBinary: true,
  bytesAreValues: true,
  binaryFaster: true,
})
