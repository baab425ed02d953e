/**
 * json, jsonb and jsonpath codecs: JSON.parse-d values (jsonb binary is version 1 then the
 * text); string parameters are JSON text. Pure: no I/O.
 */
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode } from './codec-errors.js'
import { jsonText } from './literal.js'
import { utf8Decode, utf8DecodeRange, utf8Encode } from './utf8.js'

/** The jsonb/jsonpath binary format version this codec reads and writes. */
const JSONB_VERSION = 1

function parseJson(text: string, typeName: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    return cannotDecode(typeName, `invalid JSON (${err instanceof Error ? err.name : 'error'})`)
  }
}

/**
 * The text of a json parameter: a string is taken as JSON text as it is (to store a JSON string
 * value, pass `JSON.stringify(s)`); any other value is `JSON.stringify`-ed.
 */
function jsonParameterText(value: unknown): string {
  return typeof value === 'string' ? value : jsonText(value)
}

/** json: parsed value; binary is the same text; parameters as text. */
export const jsonCodec: Codec = defineCodec({
  name: 'json',
  decodeTextAt: (b, start, end) => parseJson(utf8DecodeRange(b, start, end), 'json'),
  parseText: (s) => parseJson(s, 'json'),
  decodeBinaryAt: (b, start, end) => parseJson(utf8DecodeRange(b, start, end), 'json'),
  encodeText: jsonParameterText,
  encodeBinary: (v) => utf8Encode(jsonParameterText(v)),
})

/** Strips and checks the version byte of a jsonb/jsonpath binary value. */
function versioned(b: Uint8Array, typeName: string): Uint8Array {
  if (b.length === 0 || b[0] !== JSONB_VERSION) {
    cannotDecode(typeName, `unsupported binary format version ${b.length === 0 ? 'none' : b[0]}`)
  }
  return b.subarray(1)
}

/** Checks the version byte of the jsonb/jsonpath binary value `b[start, end)`; where its text starts. */
function versionedStart(b: Uint8Array, start: number, end: number, typeName: string): number {
  if (end === start || b[start] !== JSONB_VERSION) {
    cannotDecode(typeName, `unsupported binary format version ${end === start ? 'none' : b[start]}`)
  }
  return start + 1
}

/** Prefixes text with the version byte. */
function withVersion(text: string): Uint8Array {
  const body = utf8Encode(text)
  const out = new Uint8Array(body.length + 1)
  out[0] = JSONB_VERSION
  out.set(body, 1)
  return out
}

/** jsonb: parsed value; binary is version 1 then the text; parameters as text. */
export const jsonbCodec: Codec = defineCodec({
  name: 'jsonb',
  decodeTextAt: (b, start, end) => parseJson(utf8DecodeRange(b, start, end), 'jsonb'),
  parseText: (s) => parseJson(s, 'jsonb'),
  decodeBinaryAt: (b, start, end) =>
    parseJson(utf8DecodeRange(b, versionedStart(b, start, end, 'jsonb'), end), 'jsonb'),
  encodeText: jsonParameterText,
  encodeBinary: (v) => withVersion(jsonParameterText(v)),
})

/** jsonpath: the path text as a string; binary is version 1 then the text. */
export const jsonpathCodec: Codec = defineCodec({
  name: 'jsonpath',
  decodeText: utf8Decode,
  parseText: (s) => s,
  decodeBinary: (b) => utf8Decode(versioned(b, 'jsonpath')),
  encodeText: (v) => (typeof v === 'string' ? v : jsonText(v)),
  encodeBinary: (v) => withVersion(typeof v === 'string' ? v : jsonText(v)),
})
