/**
 * The array codec over any element codec: text literals (quoting, NULLs, `[2:3]=` bounds, which
 * are dropped) and the binary format. Pure: no I/O, no node: imports.
 */
import { BinaryWriter, readInt32 } from './binary-io.js'
import { type Codec, defineCodec, type TextParser } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { arrayDimensions, arrayLiteral, MAX_ARRAY_DIMENSIONS } from './literal.js'
import { utf8Decode } from './utf8.js'

/** A position in the text being parsed, shared by the recursive levels of one parse. */
interface Cursor {
  i: number
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d)
}

/**
 * Parses an array literal into nested JS arrays; each element's text goes through `parse`
 * (unquoted NULL is null). `delimiter` is the element type's typdelim (`,`, or `;` for box).
 */
export function parseArrayText(
  s: string,
  parse: TextParser,
  delimiter: number,
  typeName: string,
): unknown[] {
  let i = 0
  if (s.charCodeAt(0) === 0x5b) {
    i = s.indexOf('=') + 1
    if (i <= 0) cannotDecode(typeName, 'malformed array bounds')
  }
  if (s.charCodeAt(i) !== 0x7b) cannotDecode(typeName, 'array literal must start with {')
  const cur: Cursor = { i }
  const out = parseLevel(s, cur, parse, delimiter, typeName, 1)
  let end = cur.i
  while (end < s.length && isSpace(s.charCodeAt(end))) end++
  if (end !== s.length) cannotDecode(typeName, 'text after the array literal')
  return out
}

function parseLevel(
  s: string,
  cur: Cursor,
  parse: TextParser,
  delimiter: number,
  typeName: string,
  depth: number,
): unknown[] {
  if (depth > MAX_ARRAY_DIMENSIONS) cannotDecode(typeName, 'too many array dimensions')
  const n = s.length
  const out: unknown[] = []
  let i = cur.i + 1
  while (i < n && isSpace(s.charCodeAt(i))) i++
  if (s.charCodeAt(i) === 0x7d) {
    cur.i = i + 1
    return out
  }
  for (;;) {
    while (i < n && isSpace(s.charCodeAt(i))) i++
    if (i >= n) cannotDecode(typeName, 'unterminated array literal')
    const c = s.charCodeAt(i)
    if (c === 0x7b) {
      cur.i = i
      out.push(parseLevel(s, cur, parse, delimiter, typeName, depth + 1))
      i = cur.i
    } else if (c === 0x22) {
      i++
      let start = i
      let text = ''
      for (;;) {
        if (i >= n) cannotDecode(typeName, 'unterminated quoted array element')
        const ch = s.charCodeAt(i)
        if (ch === 0x5c) {
          text += s.slice(start, i)
          start = i + 1
          i += 2
        } else if (ch === 0x22) {
          text += s.slice(start, i)
          i++
          break
        } else {
          i++
        }
      }
      out.push(parse(text))
    } else {
      const start = i
      let escaped = false
      while (i < n) {
        const ch = s.charCodeAt(i)
        if (ch === delimiter || ch === 0x7d) break
        if (ch === 0x5c) {
          escaped = true
          i++
        }
        i++
      }
      if (i >= n) cannotDecode(typeName, 'unterminated array literal')
      let end = i
      while (end > start && isSpace(s.charCodeAt(end - 1))) end--
      let raw = s.slice(start, end)
      if (!escaped && raw.length === 4 && (raw === 'NULL' || raw.toUpperCase() === 'NULL')) {
        out.push(null)
      } else {
        if (escaped) raw = removeEscapes(raw)
        out.push(parse(raw))
      }
    }
    while (i < n && isSpace(s.charCodeAt(i))) i++
    const d = s.charCodeAt(i)
    if (d === delimiter) {
      i++
      continue
    }
    if (d === 0x7d) {
      cur.i = i + 1
      return out
    }
    cannotDecode(typeName, 'expected a delimiter or } in array literal')
  }
}

/** Removes backslash escapes from an unquoted element. */
function removeEscapes(raw: string): string {
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) === 0x5c) i++
    if (i < raw.length) out += raw[i]
  }
  return out
}

/** Rebuilds nested arrays of `dims` from a flat list of elements. */
function nest(flat: unknown[], dims: number[], depth: number, start: number): unknown[] {
  const len = dims[depth]!
  if (depth === dims.length - 1) return flat.slice(start, start + len)
  let stride = 1
  for (let d = depth + 1; d < dims.length; d++) stride *= dims[d]!
  const out: unknown[] = new Array(len)
  for (let k = 0; k < len; k++) out[k] = nest(flat, dims, depth + 1, start + k * stride)
  return out
}

/** Finds the codec of an element OID read from a binary array header. */
export type CodecLookup = (oid: number) => Codec | undefined

/**
 * Decodes the binary array format. Elements are decoded by the codec of the element OID in the
 * header (`lookup`), falling back to `element` (e.g. for a domain's base type).
 */
export function decodeArrayBinary(
  b: Uint8Array,
  element: Codec,
  elementOid: number,
  lookup: CodecLookup,
  typeName: string,
): unknown[] {
  if (b.length < 12) cannotDecode(typeName, `expected at least 12 bytes, got ${b.length}`)
  const ndim = readInt32(b, 0)
  const headerOid = readInt32(b, 8) >>> 0
  if (ndim === 0) return []
  if (ndim < 0 || ndim > MAX_ARRAY_DIMENSIONS) cannotDecode(typeName, `bad dimension count ${ndim}`)
  if (b.length < 12 + 8 * ndim) cannotDecode(typeName, 'truncated array header')
  const codec = headerOid === elementOid ? element : (lookup(headerOid) ?? element)
  const decode = codec.decodeBinary ?? element.decodeBinary
  if (decode === undefined) {
    cannotDecode(typeName, `no binary decoder for element type ${codec.name} (request text format)`)
  }
  const dims: number[] = []
  let total = 1
  for (let d = 0; d < ndim; d++) {
    const len = readInt32(b, 12 + 8 * d)
    if (len < 0) cannotDecode(typeName, 'negative dimension')
    dims.push(len)
    total *= len
  }
  // Every element takes at least its 4-byte length: bounds the allocation by the input size.
  if (total * 4 > b.length) cannotDecode(typeName, 'more elements than bytes')
  const flat: unknown[] = new Array(total)
  let at = 12 + 8 * ndim
  for (let k = 0; k < total; k++) {
    if (at + 4 > b.length) cannotDecode(typeName, 'truncated array element')
    const len = readInt32(b, at)
    at += 4
    if (len === -1) {
      flat[k] = null
      continue
    }
    if (len < 0 || at + len > b.length) cannotDecode(typeName, 'bad array element length')
    flat[k] = decode(b.subarray(at, at + len))
    at += len
  }
  if (at !== b.length) cannotDecode(typeName, 'trailing bytes after the array')
  return ndim === 1 ? flat : nest(flat, dims, 0, 0)
}

/** The binary array format of a nested JS array, elements through `element.elementBinary`. */
export function encodeArrayBinary(value: unknown, element: Codec, elementOid: number): Uint8Array {
  if (!Array.isArray(value)) return cannotEncode(`expected an array, got ${describeValue(value)}`)
  const dims = arrayDimensions(value, element.arrayValued)
  const w = new BinaryWriter(64)
  w.int32(dims.length)
  const flags = w.reserveInt32()
  w.int32(elementOid)
  for (const d of dims) w.int32(d).int32(1)
  let hasNull = false
  const writeLevel = (items: readonly unknown[], depth: number): void => {
    for (const item of items) {
      if (depth < dims.length - 1) {
        writeLevel(item as unknown[], depth + 1)
        continue
      }
      const bytes = element.elementBinary(item)
      if (bytes === null) {
        hasNull = true
        w.int32(-1)
      } else {
        w.int32(bytes.length).bytes(bytes)
      }
    }
  }
  if (dims.length > 0) writeLevel(value, 0)
  w.patchInt32(flags, hasNull ? 1 : 0)
  return w.finish()
}

/** The options of an array codec. */
export interface ArrayCodecOptions {
  /** The array type's name for messages, e.g. `int4[]`. */
  readonly name: string
  readonly element: Codec
  readonly elementOid: number
  /** The element type's typdelim. */
  readonly delimiter: string
  readonly lookup: CodecLookup
}

/**
 * An array codec. Parameters: a JS array (nested arrays are dimensions, null/undefined are NULL)
 * in binary when every element has a binary form, else as a text literal; a string as it is.
 */
export function arrayCodec(options: ArrayCodecOptions): Codec {
  const { name, element, elementOid, lookup } = options
  const delimiter = options.delimiter
  const delim = delimiter.charCodeAt(0)
  const parseText = (s: string): unknown[] => parseArrayText(s, element.parseText, delim, name)
  return defineCodec({
    name,
    decodeText: (b) => parseText(utf8Decode(b)),
    parseText,
    decodeBinary: (b) => decodeArrayBinary(b, element, elementOid, lookup, name),
    encodeText: (v) => {
      if (!Array.isArray(v)) return cannotEncode(`expected an array, got ${describeValue(v)}`)
      return arrayLiteral(v, element.elementText, delimiter, element.arrayValued)
    },
    encodeBinary: (v) => encodeArrayBinary(v, element, elementOid),
    sendBinary: element.sendBinary,
    binaryFallback: true,
    binaryFaster: element.binaryFaster,
  })
}
