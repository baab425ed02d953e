/**
 * Encodes row arrays for COPY FROM STDIN in the text, csv or binary format, with the type codecs
 * for the values. Pure: no I/O.
 */
import { InterfaceError } from '../errors/base.js'
import type { TypeRegistry } from '../types/index.js'

/** The COPY formats rows can be encoded in. */
export type CopyFormat = 'text' | 'csv' | 'binary'

const utf8 = new TextEncoder()
const HEX = '0123456789abcdef'

/** The 19-byte header of the binary COPY format (signature, flags, extension length). */
export const BINARY_HEADER = Uint8Array.of(
  0x50,
  0x47,
  0x43,
  0x4f,
  0x50,
  0x59,
  0x0a,
  0xff,
  0x0d,
  0x0a,
  0x00,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
)
/** The binary format's trailer: a field count of -1. */
export const BINARY_TRAILER = Uint8Array.of(0xff, 0xff)

function hex(bytes: Uint8Array): string {
  let s = '\\x'
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!
  return s
}

/** COPY text format escaping: backslash, tab, newline and carriage return. */
function escapeText(s: string): string {
  if (!/[\\\t\n\r]/.test(s)) return s
  return s.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  )
}

/** CSV quoting: fields with a delimiter, quote, newline, CR or nothing at all are quoted. */
function quoteCsv(s: string): string {
  if (s === '' || /[",\n\r]/.test(s) || s.trim() !== s) return `"${s.replace(/"/g, '""')}"`
  return s
}

/** Encodes rows (arrays of JS values) into COPY data of one format. */
export class RowEncoder {
  readonly #format: CopyFormat
  readonly #types: TypeRegistry
  readonly #columnTypes: readonly number[] | undefined
  #row = 0

  /** `columnTypes` (OIDs) is required for `binary`; text and csv let the server parse values. */
  constructor(format: CopyFormat, types: TypeRegistry, columnTypes: readonly number[] | undefined) {
    this.#format = format
    this.#types = types
    this.#columnTypes = columnTypes
    if (format === 'binary' && !columnTypes) {
      throw new InterfaceError(
        'copyFrom with format "binary" needs columnTypes (type names or OIDs, one per column)',
      )
    }
  }

  /** Bytes that start the stream (the binary header), or none. */
  header(): Uint8Array | undefined {
    return this.#format === 'binary' ? BINARY_HEADER : undefined
  }

  /** Bytes that end the stream (the binary trailer), or none. */
  trailer(): Uint8Array | undefined {
    return this.#format === 'binary' ? BINARY_TRAILER : undefined
  }

  /** One row. Throws InterfaceError naming the row and column for a value it cannot encode. */
  encode(values: readonly unknown[]): Uint8Array {
    this.#row++
    if (this.#format === 'binary') return this.#binary(values)
    const csv = this.#format === 'csv'
    const parts = new Array<string>(values.length)
    for (let i = 0; i < values.length; i++) {
      // Text and csv: the server parses every value, so encode as for an unknown type (bytes → hex).
      const p = this.#param(values[i], i)
      if (p === null) parts[i] = csv ? '' : '\\N'
      else {
        const text = typeof p === 'string' ? p : hex(p)
        parts[i] = csv ? quoteCsv(text) : escapeText(text)
      }
    }
    return utf8.encode(`${parts.join(csv ? ',' : '\t')}\n`)
  }

  #param(v: unknown, i: number): string | Uint8Array | null {
    try {
      return this.#types.encodeParameter(v, 0, i).value
    } catch (err) {
      throw new InterfaceError(
        `COPY row ${this.#row}, column ${i + 1}: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
  }

  #binary(values: readonly unknown[]): Uint8Array {
    const types = this.#columnTypes!
    if (values.length !== types.length) {
      throw new InterfaceError(
        `COPY row ${this.#row} has ${values.length} values for ${types.length} columns`,
      )
    }
    const fields: (Uint8Array | null)[] = []
    let size = 2
    for (let i = 0; i < values.length; i++) {
      const oid = types[i]!
      let p: { format: 0 | 1; value: string | Uint8Array | null }
      try {
        p = this.#types.encodeParameter(values[i], oid, i)
      } catch (err) {
        throw new InterfaceError(
          `COPY row ${this.#row}, column ${i + 1}: ${(err as Error).message}`,
          {
            cause: err,
          },
        )
      }
      if (p.value === null) fields.push(null)
      else if (p.format === 1 && typeof p.value !== 'string') fields.push(p.value)
      else if (this.#types.codec(oid).encodeBinary) {
        // The parameter path chose text for this value; COPY binary needs the binary form.
        fields.push(this.#types.codec(oid).encodeBinary!(values[i]))
      } else {
        throw new InterfaceError(
          `COPY row ${this.#row}, column ${i + 1}: type ${this.#types.typeName(oid)} has no binary encoding here; use format "text" or "csv"`,
        )
      }
      size += 4 + (fields[i]?.length ?? 0)
    }
    const out = new Uint8Array(size)
    const view = new DataView(out.buffer)
    view.setInt16(0, fields.length)
    let pos = 2
    for (const f of fields) {
      if (f === null) {
        view.setInt32(pos, -1)
        pos += 4
      } else {
        view.setInt32(pos, f.length)
        out.set(f, pos + 4)
        pos += 4 + f.length
      }
    }
    return out
  }
}

/** Splits one COPY text-format line into values (`\N` is null), undoing the escapes. */
export function decodeTextRow(line: string): (string | null)[] {
  const end = line.endsWith('\n') ? line.length - 1 : line.length
  const out: (string | null)[] = []
  let cur = ''
  let raw = ''
  for (let i = 0; i < end; i++) {
    const c = line[i]!
    if (c === '\t') {
      out.push(raw === '\\N' ? null : cur)
      cur = ''
      raw = ''
    } else if (c === '\\' && i + 1 < end) {
      const n = line[++i]!
      raw += `\\${n}`
      cur +=
        n === 't'
          ? '\t'
          : n === 'n'
            ? '\n'
            : n === 'r'
              ? '\r'
              : n === 'b'
                ? '\b'
                : n === 'f'
                  ? '\f'
                  : n === 'v'
                    ? '\v'
                    : n
    } else {
      cur += c
      raw += c
    }
  }
  out.push(raw === '\\N' ? null : cur)
  return out
}
