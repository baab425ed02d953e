/**
 * Composite codecs: named composites as plain objects by attribute, anonymous `record` as an
 * array of fields; text `(1,"a b",,)` and binary. Pure: no I/O.
 */

import type { CodecLookup } from './array.js'
import { BinaryWriter, readInt32 } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { inferredTextOrNull } from './literal.js'

/** One attribute of a composite type. */
export interface CompositeAttribute {
  /** pg_attribute.attname. */
  readonly name: string
  /** The attribute's type OID. */
  readonly oid: number
}

/**
 * Splits record text into field texts (null for an empty, unquoted field: SQL NULL). `()` is one
 * NULL field, as record_out prints a one-column row holding NULL.
 */
export function splitRecordText(s: string, typeName: string): (string | null)[] {
  const n = s.length
  if (n < 2 || s.charCodeAt(0) !== 0x28 || s.charCodeAt(n - 1) !== 0x29) {
    cannotDecode(typeName, 'record must be enclosed in ( )')
  }
  const out: (string | null)[] = []
  let i = 1
  for (;;) {
    let text = ''
    let any = false
    while (i < n - 1) {
      const c = s.charCodeAt(i)
      if (c === 0x2c) break
      any = true
      if (c === 0x22) {
        i++
        let start = i
        for (;;) {
          if (i >= n - 1) cannotDecode(typeName, 'unterminated quoted field')
          const ch = s.charCodeAt(i)
          if (ch === 0x22) {
            text += s.slice(start, i)
            if (s.charCodeAt(i + 1) === 0x22) {
              text += '"'
              i += 2
              start = i
              continue
            }
            i++
            break
          }
          if (ch === 0x5c) {
            text += s.slice(start, i)
            start = i + 1
            i += 2
            continue
          }
          i++
        }
      } else if (c === 0x5c) {
        text += s[i + 1] ?? ''
        i += 2
      } else {
        text += s[i]
        i++
      }
    }
    out.push(any ? text : null)
    if (i >= n - 1) break
    i++
  }
  return out
}

/** A record field quoted as record_out quotes it (`"` and `\` doubled) when needed. */
function quoteField(text: string): string {
  let needs = text.length === 0
  for (let i = 0; i < text.length && !needs; i++) {
    const c = text.charCodeAt(i)
    needs =
      c === 0x22 ||
      c === 0x5c ||
      c === 0x28 ||
      c === 0x29 ||
      c === 0x2c ||
      c === 0x20 ||
      (c >= 0x09 && c <= 0x0d)
  }
  if (!needs) return text
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    out += ch === '"' || ch === '\\' ? ch + ch : ch
  }
  return `${out}"`
}

/** Record text of field texts (null: NULL). */
export function recordLiteral(fields: readonly (string | null)[]): string {
  let out = '('
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += ','
    const f = fields[i]
    if (f !== null && f !== undefined) out += quoteField(f)
  }
  return `${out})`
}

/** The field count of a binary record, checked against the bytes. */
function recordFieldCount(b: Uint8Array, typeName: string): number {
  if (b.length < 4) cannotDecode(typeName, `expected at least 4 bytes, got ${b.length}`)
  const count = readInt32(b, 0)
  if (count < 0 || count * 8 > b.length - 4) cannotDecode(typeName, 'bad field count')
  return count
}

/** The length of the field whose header starts at `at` (-1: NULL), checked against the bytes. */
function fieldLength(b: Uint8Array, at: number, typeName: string): number {
  if (at + 8 > b.length) cannotDecode(typeName, 'truncated record')
  const len = readInt32(b, at + 4)
  if (len < -1 || at + 8 + len > b.length) cannotDecode(typeName, 'bad field length')
  return len
}

/** The options of a named composite codec. */
export interface CompositeCodecOptions {
  readonly name: string
  readonly attributes: readonly CompositeAttribute[]
  /** Codecs of the attributes, in order. */
  readonly codecs: readonly Codec[]
  readonly lookup: CodecLookup
}

/**
 * A named composite type: a plain object keyed by attribute name, both formats. Parameters: an
 * object (missing attributes are NULL) or an array of the attribute values in order, as text.
 */
export function compositeCodec(options: CompositeCodecOptions): Codec {
  const { name, attributes, codecs, lookup } = options
  const n = attributes.length
  const fieldValues = (value: unknown): unknown[] => {
    if (Array.isArray(value)) {
      if (value.length !== n)
        cannotEncode(`${name} has ${n} attributes, got ${value.length} values`)
      return value
    }
    if (typeof value !== 'object' || value === null) {
      return cannotEncode(`expected an object or array, got ${describeValue(value)}`)
    }
    const obj = value as Record<string, unknown>
    return attributes.map((a) => obj[a.name])
  }
  return defineCodec({
    name,
    parseText: (s) => {
      const fields = splitRecordText(s, name)
      if (fields.length !== n && !(n === 0 && fields.length === 1 && fields[0] === null)) {
        cannotDecode(name, `expected ${n} fields, got ${fields.length}`)
      }
      const out: Record<string, unknown> = {}
      for (let k = 0; k < n; k++) {
        const f = fields[k]
        out[attributes[k]!.name] = f === null || f === undefined ? null : codecs[k]!.parseText(f)
      }
      return out
    },
    decodeBinary: (b) => {
      const count = recordFieldCount(b, name)
      if (count !== n) cannotDecode(name, `expected ${n} fields, got ${count}`)
      const out: Record<string, unknown> = {}
      let at = 4
      for (let k = 0; k < n; k++) {
        const attr = attributes[k]!
        const len = fieldLength(b, at, name)
        const oid = readInt32(b, at) >>> 0
        at += 8
        if (len === -1) {
          out[attr.name] = null
          continue
        }
        const codec = oid === attr.oid ? codecs[k]! : (lookup(oid) ?? codecs[k]!)
        const decode = codec.decodeBinary
        if (decode === undefined) cannotDecode(name, `no binary decoder for attribute ${attr.name}`)
        out[attr.name] = decode(b.subarray(at, at + len))
        at += len
      }
      if (at !== b.length) cannotDecode(name, 'trailing bytes after the record')
      return out
    },
    encodeText: (v) => recordLiteral(fieldValues(v).map((x, k) => codecs[k]!.elementText(x))),
    encodeBinary: (v) => {
      const values = fieldValues(v)
      const w = new BinaryWriter(64).int32(n)
      for (let k = 0; k < n; k++) {
        const bytes = codecs[k]!.elementBinary(values[k])
        w.int32(attributes[k]!.oid)
        if (bytes === null) w.int32(-1)
        else w.int32(bytes.length).bytes(bytes)
      }
      return w.finish()
    },
    sendBinary: codecs.every((c) => c.sendBinary),
    binaryFallback: true,
    binaryFaster: codecs.every((c) => c.binaryFaster),
  })
}

/**
 * The anonymous `record` type: an array of field values; text fields stay strings (their types
 * are unknown), binary fields are decoded by the OIDs they carry. `()` reads as one NULL field.
 */
export function recordCodec(lookup: CodecLookup): Codec {
  return defineCodec({
    name: 'record',
    parseText: (s) => splitRecordText(s, 'record'),
    decodeBinary: (b) => {
      const count = recordFieldCount(b, 'record')
      const out: unknown[] = new Array(count)
      let at = 4
      for (let k = 0; k < count; k++) {
        const len = fieldLength(b, at, 'record')
        const oid = readInt32(b, at) >>> 0
        at += 8
        if (len === -1) {
          out[k] = null
          continue
        }
        const decode = lookup(oid)?.decodeBinary
        if (decode === undefined)
          cannotDecode('record', `no binary decoder for field type OID ${oid}`)
        out[k] = decode(b.subarray(at, at + len))
        at += len
      }
      if (at !== b.length) cannotDecode('record', 'trailing bytes after the record')
      return out
    },
    encodeText: (v) => {
      if (!Array.isArray(v))
        return cannotEncode(`expected an array of field values, got ${describeValue(v)}`)
      return recordLiteral(v.map(inferredTextOrNull))
    },
  })
}
