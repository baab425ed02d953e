/**
 * The uuid codec: lowercase `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` strings; binary is 16
 * bytes. Pure: no I/O.
 */
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { utf8Decode } from './utf8.js'

/** ASCII codes of the two lowercase hex digits of each byte value. */
const HEX_CODES = new Uint8Array(512)
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, '0')
  HEX_CODES[2 * i] = h.charCodeAt(0)
  HEX_CODES[2 * i + 1] = h.charCodeAt(1)
}
/** Scratch space for one formatted uuid (decoded to a new string before the next call). */
const scratch = new Uint8Array(36)

/** The canonical text of 16 uuid bytes at `b[0..16)`. */
export function formatUuid(b: Uint8Array): string {
  let o = 0
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) scratch[o++] = 0x2d
    const x = b[i]! * 2
    scratch[o++] = HEX_CODES[x]!
    scratch[o++] = HEX_CODES[x + 1]!
  }
  return utf8Decode(scratch)
}

/**
 * The 16 bytes of a uuid string in any form uuid_in reads (upper or lower case, hyphens between
 * groups of four digits, optional braces); throws EncodeFailure otherwise.
 */
export function parseUuid(text: string): Uint8Array {
  let s = text.trim()
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1)
  const out = new Uint8Array(16)
  let n = 0
  let nibble = -1
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x2d) {
      if (n === 0 || n % 2 !== 0 || nibble >= 0 || i === s.length - 1) break
      continue
    }
    const v =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66
          ? (c | 0x20) - 0x57
          : -1
    if (v < 0 || n >= 16) return cannotEncode('not a uuid')
    if (nibble < 0) {
      nibble = v
    } else {
      out[n++] = (nibble << 4) | v
      nibble = -1
    }
  }
  if (n !== 16 || nibble >= 0) return cannotEncode('not a uuid')
  return out
}

function uuidParameter(value: unknown): Uint8Array {
  if (typeof value === 'string') return parseUuid(value)
  return cannotEncode(`expected a uuid string, got ${describeValue(value)}`)
}

/** uuid: lowercase string; parameters in binary (strings checked here); results as text (faster). */
export const uuidCodec: Codec = defineCodec({
  name: 'uuid',
  decodeText: utf8Decode,
  parseText: (s) => s,
  decodeBinary: (b) => {
    if (b.length !== 16) cannotDecode('uuid', `expected 16 bytes, got ${b.length}`)
    return formatUuid(b)
  },
  encodeText: (v) => formatUuid(uuidParameter(v)),
  encodeBinary: uuidParameter,
  sendBinary: true,
  strings: 'binary',
  binaryFaster: false,
})
