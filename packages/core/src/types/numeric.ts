/**
 * The numeric codec: exact decimal strings by default (numbers on request), from text and
 * from numeric_send's base-10000 binary form. Pure: no I/O.
 */
import { BinaryWriter, readInt16, readUint16 } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { formatNumber } from './float.js'
import { utf8Decode, utf8DecodeRange } from './utf8.js'

/** How numeric values come back to JS. */
export type NumericMode = 'string' | 'number'

// Sign words of the binary format (src/backend/utils/adt/numeric.c: NUMERIC_POS & co.).
const NUMERIC_POS = 0x0000
const NUMERIC_NEG = 0x4000
const NUMERIC_NAN = 0xc000
const NUMERIC_PINF = 0xd000
const NUMERIC_NINF = 0xf000

/** A base-10000 digit as four decimal characters. */
function pad4(d: number): string {
  if (d >= 1000) return String(d)
  if (d >= 100) return `0${d}`
  if (d >= 10) return `00${d}`
  return `000${d}`
}

/** The decimal text of a binary numeric, exactly as numeric_out prints it. */
export function decodeNumericBinary(b: Uint8Array): string {
  if (b.length < 8) cannotDecode('numeric', `expected at least 8 bytes, got ${b.length}`)
  const ndigits = readInt16(b, 0)
  const weight = readInt16(b, 2)
  const sign = readUint16(b, 4)
  const dscale = readUint16(b, 6)
  if (ndigits < 0 || b.length !== 8 + 2 * ndigits) {
    cannotDecode('numeric', `bad digit count ${ndigits} for ${b.length} bytes`)
  }
  if (sign === NUMERIC_NAN) return 'NaN'
  if (sign === NUMERIC_PINF) return 'Infinity'
  if (sign === NUMERIC_NINF) return '-Infinity'
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) cannotDecode('numeric', 'bad sign word')
  let s = sign === NUMERIC_NEG ? '-' : ''
  if (weight < 0) {
    s += '0'
  } else {
    for (let i = 0; i <= weight; i++) {
      const d = i < ndigits ? readInt16(b, 8 + 2 * i) : 0
      if (d < 0 || d > 9999) cannotDecode('numeric', 'digit out of range')
      s += i === 0 ? String(d) : pad4(d)
    }
  }
  if (dscale > 0) {
    let frac = ''
    for (let i = weight + 1; frac.length < dscale; i++) {
      const d = i >= 0 && i < ndigits ? readInt16(b, 8 + 2 * i) : 0
      if (d < 0 || d > 9999) cannotDecode('numeric', 'digit out of range')
      frac += pad4(d)
    }
    s += `.${frac.length === dscale ? frac : frac.slice(0, dscale)}`
  }
  return s
}

/** `text` is a decimal number PostgreSQL's numeric input reads (sign, digits, point, exponent). */
function isDecimal(text: string): boolean {
  let i = 0
  const n = text.length
  if (i < n && (text[i] === '-' || text[i] === '+')) i++
  let digits = 0
  while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) {
    i++
    digits++
  }
  if (i < n && text[i] === '.') {
    i++
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) {
      i++
      digits++
    }
  }
  if (digits === 0) return false
  if (i < n && (text[i] === 'e' || text[i] === 'E')) {
    i++
    if (i < n && (text[i] === '-' || text[i] === '+')) i++
    const start = i
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++
    if (i === start) return false
  }
  return i === n
}

/** The numeric binary form of a decimal string (`-1.50`, `1e+21`, `NaN`, `Infinity`). */
export function encodeNumericBinaryText(input: string): Uint8Array {
  const text = input.trim()
  const lower = text.toLowerCase()
  const special =
    lower === 'nan'
      ? NUMERIC_NAN
      : lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf'
        ? NUMERIC_PINF
        : lower === '-infinity' || lower === '-inf'
          ? NUMERIC_NINF
          : -1
  if (special >= 0) {
    // numeric_send (PostgreSQL 14+) writes 32 in the dscale field of ±Infinity, 0 for NaN.
    const dscale = special === NUMERIC_NAN ? 0 : 0x20
    return new BinaryWriter(8).int16(0).int16(0).int16(special).int16(dscale).finish()
  }
  if (!isDecimal(text)) cannotEncode('not a decimal number')
  let i = 0
  let negative = false
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-'
    i = 1
  }
  const ePos = Math.max(text.indexOf('e'), text.indexOf('E'))
  const mantissa = text.slice(i, ePos < 0 ? text.length : ePos)
  const exponent = ePos < 0 ? 0 : Number(text.slice(ePos + 1))
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000000) {
    cannotEncode('exponent out of range for numeric')
  }
  const dot = mantissa.indexOf('.')
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot)
  const fracPart = dot < 0 ? '' : mantissa.slice(dot + 1)
  let digits = intPart + fracPart
  let point = intPart.length + exponent
  const dscale = Math.max(0, fracPart.length - exponent)
  let lead = 0
  while (lead < digits.length && digits.charCodeAt(lead) === 0x30) lead++
  digits = digits.slice(lead)
  point -= lead
  let end = digits.length
  while (end > 0 && digits.charCodeAt(end - 1) === 0x30) end--
  digits = digits.slice(0, end)
  if (dscale > 0x3fff) cannotEncode('scale out of range for numeric')
  if (digits.length === 0) {
    return new BinaryWriter(8).int16(0).int16(0).int16(NUMERIC_POS).int16(dscale).finish()
  }
  const weight = Math.floor((point - 1) / 4)
  const padLeft = weight * 4 + 3 - (point - 1)
  let padded = '0'.repeat(padLeft) + digits
  if (padded.length % 4 !== 0) padded += '0'.repeat(4 - (padded.length % 4))
  const ndigits = padded.length / 4
  if (weight > 0x7fff || weight < -0x8000 || ndigits > 0x7fff) {
    cannotEncode('value out of range for numeric')
  }
  const w = new BinaryWriter(8 + 2 * ndigits)
  w.int16(ndigits)
    .int16(weight)
    .int16(negative ? NUMERIC_NEG : NUMERIC_POS)
    .int16(dscale)
  for (let k = 0; k < padded.length; k += 4) w.int16(Number(padded.slice(k, k + 4)))
  return w.finish()
}

/** The text of a numeric parameter: a decimal string, a number or a bigint. */
function numericText(value: unknown): string {
  if (typeof value === 'string') {
    const t = value.trim()
    if (!isDecimal(t) && !/^[+-]?(nan|inf|infinity)$/i.test(t)) cannotEncode('not a decimal number')
    return t
  }
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'bigint') return String(value)
  return cannotEncode(`expected a number, bigint or decimal string, got ${describeValue(value)}`)
}

/** The numeric codec for a mode; parameters go as text (exact, and no cheaper in binary). */
export function numericCodec(mode: NumericMode): Codec {
  const asNumber = mode === 'number'
  return defineCodec({
    name: 'numeric',
    decodeText: asNumber ? (b) => Number(utf8Decode(b)) : utf8Decode,
    decodeTextAt: asNumber
      ? (b, start, end) => Number(utf8DecodeRange(b, start, end))
      : utf8DecodeRange,
    parseText: asNumber ? (s) => Number(s) : (s) => s,
    decodeBinary: asNumber ? (b) => Number(decodeNumericBinary(b)) : decodeNumericBinary,
    encodeText: numericText,
    encodeBinary: (v) => encodeNumericBinaryText(numericText(v)),
    sendBinary: false,
    binaryFaster: false,
  })
}
