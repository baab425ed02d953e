/**
 * Range<T> and the range and multirange codecs over any subtype codec, text (`[1,5)`,
 * `empty`, `{[1,3),[5,7)}`) and binary. Pure: no I/O.
 */
import { BinaryWriter, readInt32 } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { inferredTextOrNull } from './literal.js'
import { utf8Decode } from './utf8.js'

// Flag bits of the binary range format (src/include/utils/rangetypes.h).
const RANGE_EMPTY = 0x01
const RANGE_LB_INC = 0x02
const RANGE_UB_INC = 0x04
const RANGE_LB_INF = 0x08
const RANGE_UB_INF = 0x10

/** Which bounds are inclusive: `[` and `]` include, `(` and `)` exclude. */
export type RangeBounds = '[)' | '[]' | '(]' | '()'

/** Brand shared by every copy of the package (ESM and CJS), for a cross-copy `instanceof`. */
const BRAND = Symbol.for('tusk.types.Range')

/**
 * A range of values: `lower`/`upper` null when unbounded on that side (an unbounded side is never
 * inclusive), or `empty`. Values are as the subtype decodes them (e.g. PgTimestamp, ±Infinity).
 */
export class Range<T> {
  /** The lower bound, or null when unbounded below (or empty). */
  readonly lower: T | null
  /** The upper bound, or null when unbounded above (or empty). */
  readonly upper: T | null
  /** The lower bound is part of the range. */
  readonly lowerInclusive: boolean
  /** The upper bound is part of the range. */
  readonly upperInclusive: boolean
  /** The range holds no values. */
  readonly empty: boolean

  /** The range from `lower` to `upper` (null: unbounded) with `bounds` (default `[)`). */
  constructor(lower: T | null, upper: T | null, bounds: RangeBounds = '[)', empty = false) {
    this.empty = empty
    this.lower = empty ? null : lower
    this.upper = empty ? null : upper
    this.lowerInclusive = !empty && lower !== null && bounds.charCodeAt(0) === 0x5b
    this.upperInclusive = !empty && upper !== null && bounds.charCodeAt(1) === 0x5d
  }

  /** `instanceof` that holds across two loaded copies of the package (ESM and CJS). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    )
  }

  /** The empty range. */
  static empty<T>(): Range<T> {
    return new Range<T>(null, null, '()', true)
  }

  /** The bounds as `[)`-style text. */
  get bounds(): RangeBounds {
    return `${this.lowerInclusive ? '[' : '('}${this.upperInclusive ? ']' : ')'}` as RangeBounds
  }

  /** The range literal PostgreSQL reads (`[1,5)`, `empty`), bounds as their inferred text. */
  toPostgres(): string {
    return rangeLiteral(this, inferredTextOrNull)
  }

  /** The same as `toPostgres()`. */
  toString(): string {
    return this.toPostgres()
  }
}

Object.defineProperty(Range.prototype, BRAND, { value: true })

/** A range bound quoted as range_out quotes it (`"` and `\` doubled) when needed. */
function quoteBound(text: string): string {
  let needs = text.length === 0
  for (let i = 0; i < text.length && !needs; i++) {
    const c = text.charCodeAt(i)
    needs =
      c === 0x22 ||
      c === 0x5c ||
      c === 0x28 ||
      c === 0x29 ||
      c === 0x5b ||
      c === 0x5d ||
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

/** The range literal of `r` with bounds written by `bound` (null means unbounded). */
export function rangeLiteral(r: Range<unknown>, bound: (value: unknown) => string | null): string {
  if (r.empty) return 'empty'
  const lower = r.lower === null ? null : bound(r.lower)
  const upper = r.upper === null ? null : bound(r.upper)
  return `${r.lowerInclusive && lower !== null ? '[' : '('}${lower === null ? '' : quoteBound(lower)},${
    upper === null ? '' : quoteBound(upper)
  }${r.upperInclusive && upper !== null ? ']' : ')'}`
}

/** A parse position shared with the caller (multiranges parse several ranges in one string). */
interface Cursor {
  i: number
}

/** Reads one bound at `cur.i` up to (not past) a `,`, `)` or `]`; null when empty (unbounded). */
function readBound(s: string, cur: Cursor, typeName: string): string | null {
  let i = cur.i
  const n = s.length
  let text = ''
  let any = false
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c === 0x2c || c === 0x29 || c === 0x5d) break
    any = true
    if (c === 0x22) {
      i++
      for (;;) {
        if (i >= n) cannotDecode(typeName, 'unterminated quoted range bound')
        const ch = s.charCodeAt(i)
        if (ch === 0x22) {
          if (s.charCodeAt(i + 1) === 0x22) {
            text += '"'
            i += 2
            continue
          }
          i++
          break
        }
        if (ch === 0x5c) i++
        text += s[i] ?? ''
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
  cur.i = i
  return any ? text : null
}

/** Parses one range literal at `cur.i` (leading whitespace allowed); advances `cur.i` past it. */
function parseRangeAt(
  s: string,
  cur: Cursor,
  parse: (t: string) => unknown,
  typeName: string,
): Range<unknown> {
  let i = cur.i
  while (i < s.length && s.charCodeAt(i) === 0x20) i++
  if (s.slice(i, i + 5).toLowerCase() === 'empty') {
    cur.i = i + 5
    return Range.empty()
  }
  const open = s.charCodeAt(i)
  if (open !== 0x5b && open !== 0x28) cannotDecode(typeName, 'range must start with [ or (')
  cur.i = i + 1
  const lowerText = readBound(s, cur, typeName)
  if (s.charCodeAt(cur.i) !== 0x2c) cannotDecode(typeName, 'expected , between range bounds')
  cur.i++
  const upperText = readBound(s, cur, typeName)
  const close = s.charCodeAt(cur.i)
  if (close !== 0x5d && close !== 0x29) cannotDecode(typeName, 'range must end with ] or )')
  cur.i++
  const bounds = `${open === 0x5b ? '[' : '('}${close === 0x5d ? ']' : ')'}` as RangeBounds
  return new Range(
    lowerText === null ? null : parse(lowerText),
    upperText === null ? null : parse(upperText),
    bounds,
  )
}

/** Parses range text (`[1,5)`, `(,"a b"]`, `empty`) with bounds through `parse`. */
export function parseRangeText(
  s: string,
  parse: (t: string) => unknown,
  typeName: string,
): Range<unknown> {
  const cur: Cursor = { i: 0 }
  const r = parseRangeAt(s, cur, parse, typeName)
  if (s.slice(cur.i).trim() !== '') cannotDecode(typeName, 'text after the range')
  return r
}

/** Parses multirange text (`{}`, `{[1,3),[5,7)}`). */
export function parseMultirangeText(
  s: string,
  parse: (t: string) => unknown,
  typeName: string,
): Range<unknown>[] {
  const out: Range<unknown>[] = []
  const t = s.trim()
  if (t.charCodeAt(0) !== 0x7b || t.charCodeAt(t.length - 1) !== 0x7d) {
    cannotDecode(typeName, 'multirange must be enclosed in { }')
  }
  const cur: Cursor = { i: 1 }
  while (cur.i < t.length - 1) {
    while (t.charCodeAt(cur.i) === 0x20) cur.i++
    if (cur.i >= t.length - 1) break
    out.push(parseRangeAt(t, cur, parse, typeName))
    while (t.charCodeAt(cur.i) === 0x20) cur.i++
    if (t.charCodeAt(cur.i) === 0x2c) cur.i++
    else if (cur.i !== t.length - 1) cannotDecode(typeName, 'expected , between ranges')
  }
  return out
}

/** Decodes the binary range format with bounds through `decode`. */
export function decodeRangeBinary(
  b: Uint8Array,
  decode: (bytes: Uint8Array) => unknown,
  typeName: string,
): Range<unknown> {
  if (b.length < 1) cannotDecode(typeName, 'empty value')
  const flags = b[0]!
  if (flags & RANGE_EMPTY) {
    if (b.length !== 1) cannotDecode(typeName, 'trailing bytes after an empty range')
    return Range.empty()
  }
  let at = 1
  let lower: unknown = null
  let upper: unknown = null
  if (!(flags & RANGE_LB_INF)) {
    const len = at + 4 <= b.length ? readInt32(b, at) : -1
    if (len < 0 || at + 4 + len > b.length) cannotDecode(typeName, 'bad range bound length')
    lower = decode(b.subarray(at + 4, at + 4 + len))
    at += 4 + len
  }
  if (!(flags & RANGE_UB_INF)) {
    const len = at + 4 <= b.length ? readInt32(b, at) : -1
    if (len < 0 || at + 4 + len > b.length) cannotDecode(typeName, 'bad range bound length')
    upper = decode(b.subarray(at + 4, at + 4 + len))
    at += 4 + len
  }
  if (at !== b.length) cannotDecode(typeName, 'trailing bytes after the range')
  const bounds =
    `${flags & RANGE_LB_INC ? '[' : '('}${flags & RANGE_UB_INC ? ']' : ')'}` as RangeBounds
  return new Range(lower, upper, bounds)
}

/** The binary range format of `r`, bounds through `bound` (throws EncodeFailure when one cannot). */
export function encodeRangeBinary(
  r: Range<unknown>,
  bound: (value: unknown) => Uint8Array | null,
): Uint8Array {
  if (r.empty) return new Uint8Array([RANGE_EMPTY])
  const lower = r.lower === null ? null : bound(r.lower)
  const upper = r.upper === null ? null : bound(r.upper)
  let flags = 0
  if (lower === null) flags |= RANGE_LB_INF
  else if (r.lowerInclusive) flags |= RANGE_LB_INC
  if (upper === null) flags |= RANGE_UB_INF
  else if (r.upperInclusive) flags |= RANGE_UB_INC
  const w = new BinaryWriter(1 + (lower ? 4 + lower.length : 0) + (upper ? 4 + upper.length : 0))
  w.uint8(flags)
  if (lower) w.int32(lower.length).bytes(lower)
  if (upper) w.int32(upper.length).bytes(upper)
  return w.finish()
}

function asRange(value: unknown): Range<unknown> {
  if (value instanceof Range) return value
  return cannotEncode(`expected a Range, got ${describeValue(value)}`)
}

function asRanges(value: unknown): Range<unknown>[] {
  if (!Array.isArray(value))
    return cannotEncode(`expected an array of Range, got ${describeValue(value)}`)
  return value.map(asRange)
}

/** A range codec over `subtype`; Range parameters in binary when the subtype allows, else text. */
export function rangeCodec(name: string, subtype: Codec): Codec {
  const parse = subtype.parseText
  const decodeBound = subtype.decodeBinary
  return defineCodec({
    name,
    parseText: (s) => parseRangeText(s, parse, name),
    decodeBinary:
      decodeBound === undefined ? undefined : (b) => decodeRangeBinary(b, decodeBound, name),
    encodeText: (v) => rangeLiteral(asRange(v), subtype.elementText),
    encodeBinary: (v) => encodeRangeBinary(asRange(v), subtype.elementBinary),
    sendBinary: subtype.sendBinary,
    binaryFallback: true,
    owns: (v) => v instanceof Range,
    binaryFaster: subtype.binaryFaster,
  })
}

/** A multirange codec over the range's subtype: Range[] both ways. */
export function multirangeCodec(name: string, subtype: Codec): Codec {
  const parse = subtype.parseText
  const decodeBound = subtype.decodeBinary
  return defineCodec({
    name,
    decodeText: (b) => parseMultirangeText(utf8Decode(b), parse, name),
    parseText: (s) => parseMultirangeText(s, parse, name),
    decodeBinary:
      decodeBound === undefined
        ? undefined
        : (b) => {
            if (b.length < 4) cannotDecode(name, `expected at least 4 bytes, got ${b.length}`)
            const count = readInt32(b, 0)
            if (count < 0 || count * 5 > b.length) cannotDecode(name, 'bad range count')
            const out: Range<unknown>[] = []
            let at = 4
            for (let k = 0; k < count; k++) {
              if (at + 4 > b.length) cannotDecode(name, 'truncated multirange')
              const len = readInt32(b, at)
              at += 4
              if (len < 0 || at + len > b.length) cannotDecode(name, 'bad range length')
              out.push(decodeRangeBinary(b.subarray(at, at + len), decodeBound, name))
              at += len
            }
            if (at !== b.length) cannotDecode(name, 'trailing bytes after the multirange')
            return out
          },
    encodeText: (v) =>
      `{${asRanges(v)
        .map((r) => rangeLiteral(r, subtype.elementText))
        .join(',')}}`,
    encodeBinary: (v) => {
      const ranges = asRanges(v)
      const w = new BinaryWriter(64).int32(ranges.length)
      for (const r of ranges) {
        const bytes = encodeRangeBinary(r, subtype.elementBinary)
        w.int32(bytes.length).bytes(bytes)
      }
      return w.finish()
    },
    sendBinary: subtype.sendBinary,
    binaryFallback: true,
    arrayValued: true,
    binaryFaster: subtype.binaryFaster,
  })
}
