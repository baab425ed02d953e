/**
 * The text PostgreSQL reads for a JS value of server-inferred type: numbers, dates, bytes,
 * array literals (quoting, NULLs, dimensions), JSON, toPostgres(). Pure.
 */
import { byteaHexText } from './bytea.js'
import { formatInstant } from './calendar.js'
import { hasToPostgres, unwrapToPostgres } from './codec.js'
import { cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { formatNumber } from './float.js'
import { PgTimestamp } from './pg-timestamp.js'

/** PostgreSQL's limit on array dimensions (src/include/utils/array.h: MAXDIM). */
export const MAX_ARRAY_DIMENSIONS = 6

/** The element text of an array literal for one JS value, or null for SQL NULL. */
export type ElementText = (value: unknown) => string | null

/** JSON text of a value; EncodeFailure for cycles, bigints and values JSON cannot hold. */
export function jsonText(value: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (err) {
    const message = err instanceof Error ? err.message : ''
    if (/circular/i.test(message))
      return cannotEncode('circular structure cannot be encoded as JSON')
    if (/bigint/i.test(message))
      return cannotEncode('a bigint inside an object cannot be encoded as JSON')
    return cannotEncode(`cannot be encoded as JSON (${err instanceof Error ? err.name : 'error'})`)
  }
  if (text === undefined) return cannotEncode(`${describeValue(value)} cannot be encoded as JSON`)
  return text
}

/** An object JSON would silently turn into `{}` although it holds data (Map, Set, RegExp, ...). */
function losesDataAsJson(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) return false
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false
  for (const _ in value) return false
  return true
}

/** The ISO 8601 text of a valid Date (UTC, microseconds for PgTimestamp, ` BC` when due). */
export function dateText(value: Date): string {
  const ms = value.getTime()
  if (Number.isNaN(ms)) return cannotEncode('invalid Date')
  return value instanceof PgTimestamp
    ? formatInstant(ms, value.microseconds, true)
    : formatInstant(ms, 0, false)
}

/**
 * The text for a JS value with no declared type, or null (SQL NULL) for null, undefined or a
 * `toPostgres()` that returns them. Throws EncodeFailure for functions, symbols, cycles, Promises
 * and objects JSON would empty.
 */
export function inferredTextOrNull(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
      return formatNumber(value)
    case 'bigint':
      return value.toString()
    case 'boolean':
      return value ? 'true' : 'false' // valid input for bool and for json alike
    case 'undefined':
      return null
    case 'function':
      return cannotEncode('functions have no PostgreSQL representation')
    case 'symbol':
      return cannotEncode('symbols have no PostgreSQL representation')
  }
  if (value === null) return null
  const obj = value as object
  if (obj instanceof Date) return dateText(obj)
  if (obj instanceof Uint8Array) return byteaHexText(obj)
  if (obj instanceof ArrayBuffer) return byteaHexText(new Uint8Array(obj))
  if (Array.isArray(obj)) return arrayLiteral(obj, inferredTextOrNull, ',')
  if (hasToPostgres(obj)) return inferredTextOrNull(unwrapToPostgres(obj))
  if (typeof (obj as { then?: unknown }).then === 'function') {
    return cannotEncode('a Promise has no PostgreSQL representation (missing await?)')
  }
  if (ArrayBuffer.isView(obj)) {
    return cannotEncode(`${describeValue(obj)} is ambiguous: pass a Uint8Array (bytea) or an array`)
  }
  if (losesDataAsJson(obj)) {
    return cannotEncode(`${describeValue(obj)} has no PostgreSQL or JSON representation`)
  }
  return jsonText(obj)
}

/** Like `inferredTextOrNull`, for a value that must not be NULL. */
export function inferredText(value: unknown): string {
  const text = inferredTextOrNull(value)
  return text ?? cannotEncode('toPostgres() returned null where a value is required')
}

/** Whether an array element's text must be double-quoted (array_out's rules). */
function needsQuotes(text: string, delimiter: number): boolean {
  const n = text.length
  if (n === 0) return true
  if (n === 4) {
    const t = text.toUpperCase()
    if (t === 'NULL') return true
  }
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (
      c === 0x22 ||
      c === 0x5c ||
      c === 0x7b ||
      c === 0x7d ||
      c === delimiter ||
      c === 0x20 ||
      (c >= 0x09 && c <= 0x0d)
    ) {
      return true
    }
  }
  return false
}

/** `text` as an array element: quoted and backslash-escaped when needed. */
export function quoteArrayElement(text: string, delimiter: number): string {
  if (!needsQuotes(text, delimiter)) return text
  let out = '"'
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 || c === 0x5c) {
      out += `${text.slice(from, i)}\\`
      from = i
    }
  }
  return `${out}${text.slice(from)}"`
}

/**
 * Whether `item` is a sub-array (a dimension) rather than an element. When element values are
 * JS arrays themselves (`leafIsArray`: box, polygon, multiranges), a dimension is a non-empty
 * array of arrays and NULLs; an element array holds something else (points, numbers, Ranges).
 */
function isDimension(item: unknown, leafIsArray: boolean): item is unknown[] {
  if (!Array.isArray(item)) return false
  if (!leafIsArray) return true
  if (item.length === 0) return false
  for (const x of item) if (x !== null && x !== undefined && !Array.isArray(x)) return false
  return true
}

/** The lengths of each dimension of a nested JS array (following first elements). */
function dimensionsOf(value: readonly unknown[], leafIsArray: boolean): number[] {
  const dims = [value.length]
  let cur: unknown = value
  while (Array.isArray(cur) && cur.length > 0 && isDimension(cur[0], leafIsArray)) {
    cur = cur[0]
    dims.push((cur as unknown[]).length)
    if (dims.length > MAX_ARRAY_DIMENSIONS) {
      return cannotEncode(
        `arrays have at most ${MAX_ARRAY_DIMENSIONS} dimensions (or the array is circular)`,
      )
    }
  }
  return dims
}

/**
 * Checks that a nested JS array is rectangular (every sub-array of a level has the same length
 * and depth) and returns its dimensions; an empty dimension makes the whole array empty ([]).
 * With `leafIsArray` (element values are JS arrays, e.g. box), innermost arrays are elements.
 */
export function arrayDimensions(value: readonly unknown[], leafIsArray = false): number[] {
  const dims = dimensionsOf(value, leafIsArray)
  if (dims.includes(0)) {
    if (dims.length > 1) checkShape(value, dims, 0, leafIsArray)
    return []
  }
  checkShape(value, dims, 0, leafIsArray)
  return dims
}

function checkShape(
  value: readonly unknown[],
  dims: number[],
  depth: number,
  leafIsArray: boolean,
): void {
  if (value.length !== dims[depth]) {
    cannotEncode('multidimensional arrays must have sub-arrays of matching lengths')
  }
  const last = depth === dims.length - 1
  for (const item of value) {
    const isDim = isDimension(item, leafIsArray)
    if (last ? isDim : !isDim) {
      cannotEncode('multidimensional arrays must have sub-arrays of matching dimensions')
    }
    if (!last) checkShape(item as unknown[], dims, depth + 1, leafIsArray)
  }
}

/**
 * The array literal (`{1,NULL,"a b"}`, nested braces for each dimension) of a JS array whose
 * leaves `element` turns into text (null for NULL). `delimiter` is the element type's typdelim;
 * `leafIsArray` as for `arrayDimensions`.
 */
export function arrayLiteral(
  value: readonly unknown[],
  element: ElementText,
  delimiter: string,
  leafIsArray = false,
): string {
  const dims = arrayDimensions(value, leafIsArray)
  if (dims.length === 0) return '{}'
  return writeLevel(value, 0, dims.length - 1, element, delimiter)
}

function writeLevel(
  items: readonly unknown[],
  depth: number,
  last: number,
  element: ElementText,
  delimiter: string,
): string {
  let out = '{'
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += delimiter
    const item = items[i]
    if (depth < last) {
      out += writeLevel(item as unknown[], depth + 1, last, element, delimiter)
      continue
    }
    const text = item === null || item === undefined ? null : element(item)
    out += text === null ? 'NULL' : quoteArrayElement(text, delimiter.charCodeAt(0))
  }
  return `${out}}`
}
