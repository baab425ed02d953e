/**
 * String codecs (text, varchar, bpchar, name, xml, enums, types read as text), the one-byte
 * "char" type and void. Pure: no I/O.
 */
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { inferredText } from './literal.js'
import { utf8Decode, utf8DecodeRange, utf8Encode } from './utf8.js'

/** The identity parser. */
const same = (s: string): string => s

/**
 * A string type whose binary form is its UTF-8 text (text, varchar, bpchar, name, xml, enums,
 * refcursor, ...). Parameters: strings as they are; other values as their inferred text.
 */
export function stringCodec(name: string): Codec {
  return defineCodec({
    name,
    decodeText: utf8Decode,
    decodeTextAt: utf8DecodeRange,
    parseText: same,
    decodeBinary: utf8Decode,
    decodeBinaryAt: utf8DecodeRange,
    encodeText: inferredText,
    encodeBinary: (v) => utf8Encode(inferredText(v)),
    sendBinary: false,
    binaryFaster: false,
  })
}

/**
 * A type read as its text form only (tsvector, aclitem, extension types, ...): binary results
 * are not decoded (request text), parameters go as text.
 */
export function textOnlyCodec(name: string): Codec {
  return defineCodec({
    name,
    decodeText: utf8Decode,
    decodeTextAt: utf8DecodeRange,
    parseText: same,
    encodeText: inferredText,
    sendBinary: false,
  })
}

/** The text PostgreSQL prints for one "char" byte (charout: octal escape above 127, empty for 0). */
function charByteText(byte: number): string {
  if (byte === 0) return ''
  if (byte < 0x80) return String.fromCharCode(byte)
  return `\\${(byte >> 6) & 7}${(byte >> 3) & 7}${byte & 7}`
}

/** "char" (the single-byte internal type, OID 18): string, both formats. */
export const charCodec: Codec = defineCodec({
  name: 'char',
  decodeText: utf8Decode,
  parseText: same,
  decodeBinary: (b) => {
    if (b.length > 1) cannotDecode('char', `expected 1 byte, got ${b.length}`)
    return charByteText(b.length === 0 ? 0 : b[0]!)
  },
  encodeText: inferredText,
  encodeBinary: (v) => {
    const s = inferredText(v)
    if (s.length === 0) return new Uint8Array(0)
    if (s.length === 1 && s.charCodeAt(0) < 0x80) return new Uint8Array([s.charCodeAt(0)])
    if (s.length === 4 && s.charCodeAt(0) === 0x5c) {
      const code = Number.parseInt(s.slice(1), 8)
      if (code >= 0x80 && code <= 0xff) return new Uint8Array([code])
    }
    return cannotEncode('"char" holds one ASCII character or a \\ooo escape')
  },
  sendBinary: false,
})

/** void: every value is null (the text form is empty). */
export const voidCodec: Codec = defineCodec({
  name: 'void',
  decodeText: () => null,
  parseText: () => null,
  decodeBinary: () => null,
  encodeText: () => '',
})
