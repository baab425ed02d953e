/**
 * The bool codec: JS booleans; text `t`/`f`, binary one byte.
 * Pure: no I/O.
 */
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'

const TRUE_BYTES = new Uint8Array([1])
const FALSE_BYTES = new Uint8Array([0])

/** A bool parameter: a boolean, or the numbers 1 and 0. */
function boolParameter(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (value === 1 || value === 0) return value === 1
  return cannotEncode(`expected a boolean, got ${describeValue(value)}`)
}

/** bool: boolean; parameters in binary. */
export const boolCodec: Codec = defineCodec({
  name: 'bool',
  decodeTextAt: (b, start, end) => {
    if (end - start === 1) {
      if (b[start] === 0x74) return true
      if (b[start] === 0x66) return false
    }
    return cannotDecode('bool', 'expected t or f')
  },
  parseText: (s) => {
    if (s === 't') return true
    if (s === 'f') return false
    return cannotDecode('bool', 'expected t or f')
  },
  decodeBinaryAt: (b, start, end) => {
    if (end - start !== 1) cannotDecode('bool', `expected 1 byte, got ${end - start}`)
    return b[start] !== 0
  },
  encodeText: (v) => (boolParameter(v) ? 't' : 'f'),
  // A fresh copy each time: the caller owns what an encoder returns.
  encodeBinary: (v) => (boolParameter(v) ? TRUE_BYTES : FALSE_BYTES).slice(),
  sendBinary: true,
  binaryFaster: true,
})
