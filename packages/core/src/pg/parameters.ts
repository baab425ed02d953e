/**
 * Parameters as `pg` sends them, where that changes what PostgreSQL stores or returns: a `Date`
 * becomes local time with its offset (so a `timestamp` or `date` column gets the local wall-clock
 * value, as with `pg`), also inside arrays; a boolean parameter becomes `true`/`false` (what
 * `select $1` echoes); -0 becomes 0. Everything else — strings, numbers, bigints, Buffers and
 * other byte arrays, arrays, objects with `toPostgres()`, plain objects as JSON — @tusk/core
 * already sends as `pg` does, so it passes unchanged. Pure: imports only ./dates.
 */
import { formatPgDate } from './dates.js'

function validDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime())
}

/** A Date, or -0 (which `pg` sends as `0`), also in (nested) arrays. */
function hasNested(value: unknown): boolean {
  return validDate(value) || Object.is(value, -0) || (Array.isArray(value) && value.some(hasNested))
}

function needsChange(value: unknown): boolean {
  return typeof value === 'boolean' || hasNested(value)
}

/** Dates and -0, also in (nested) arrays; an invalid Date is left to @tusk/core, which refuses it. */
function convertNested(value: unknown): unknown {
  if (validDate(value)) return formatPgDate(value)
  if (Object.is(value, -0)) return 0
  if (Array.isArray(value)) return value.map(convertNested)
  return value
}

/**
 * One parameter value as `pg` would have it sent: a Date (also in nested arrays) as local time
 * with its offset, a boolean as `'true'`/`'false'`, -0 as 0; any other value is returned as is
 * (the same object). Does not mutate `value`.
 */
export function preparePgValue(value: unknown): unknown {
  // Only a top-level boolean: in an array it may be JSON, where `true` must stay a boolean.
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return hasNested(value) ? convertNested(value) : value
}

/**
 * `params` with {@link preparePgValue} applied to each; the same array (no copy) when no value
 * needs it, so the common case costs one scan. Does not mutate `params`.
 */
export function preparePgParameters(params: readonly unknown[]): readonly unknown[] {
  for (let i = 0; i < params.length; i++) {
    if (needsChange(params[i])) return params.map(preparePgValue)
  }
  return params
}
