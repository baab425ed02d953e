/**
 * bit and varbit codecs: strings of `0` and `1`; binary is a 32-bit bit count then the bits,
 * most significant first. Pure: no I/O.
 */
import { BinaryWriter, readInt32 } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { utf8Decode } from './utf8.js'

function decodeBitsBinary(b: Uint8Array, typeName: string): string {
  if (b.length < 4) cannotDecode(typeName, `expected at least 4 bytes, got ${b.length}`)
  const bits = readInt32(b, 0)
  if (bits < 0 || b.length !== 4 + Math.ceil(bits / 8)) {
    cannotDecode(typeName, `bad bit length ${bits} for ${b.length} bytes`)
  }
  let s = ''
  for (let i = 0; i < bits; i++) s += (b[4 + (i >> 3)]! >> (7 - (i & 7))) & 1 ? '1' : '0'
  return s
}

function bitsParameter(value: unknown, typeName: string): string {
  if (typeof value !== 'string') {
    return cannotEncode(`expected a string of 0 and 1, got ${describeValue(value)}`)
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c !== 0x30 && c !== 0x31) cannotEncode(`not a ${typeName} string of 0 and 1`)
  }
  return value
}

function encodeBitsBinary(value: unknown, typeName: string): Uint8Array {
  const s = bitsParameter(value, typeName)
  const bytes = new Uint8Array(Math.ceil(s.length / 8))
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 0x31) bytes[i >> 3]! |= 0x80 >> (i & 7)
  }
  return new BinaryWriter(4 + bytes.length).int32(s.length).bytes(bytes).finish()
}

/** A bit-string type (bit or varbit): string of 0/1; parameters as text. */
export function bitStringCodec(typeName: 'bit' | 'varbit'): Codec {
  return defineCodec({
    name: typeName,
    decodeText: utf8Decode,
    parseText: (s) => s,
    decodeBinary: (b) => decodeBitsBinary(b, typeName),
    encodeText: (v) => bitsParameter(v, typeName),
    encodeBinary: (v) => encodeBitsBinary(v, typeName),
  })
}
