/**
 * Parameters as `pg` sends them, where that changes what PostgreSQL stores or returns: a `Date`
 * becomes local time with its offset (so a `timestamp` or `date` column gets the local wall-clock
 * value, as with `pg`), also inside arrays; a boolean parameter becomes `true`/`false` (what
 * `select $1` echoes); -0 becomes 0. Every other value goes to @tusk/core unchanged. Pure.
 */
import { localDateParameter } from './pg-dates.js'

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
  if (validDate(value)) return localDateParameter(value)
  if (Object.is(value, -0)) return 0
  if (Array.isArray(value)) return value.map(convertNested)
  return value
}

function convert(value: unknown): unknown {
  // Only a top-level boolean: in an array it may be JSON, where `true` must stay a boolean.
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return convertNested(value)
}

/** `params` converted where `pg` would send other text; the same array when none needs it. */
export function pgParameters(params: readonly unknown[]): readonly unknown[] {
  for (let i = 0; i < params.length; i++) {
    if (needsChange(params[i])) return params.map(convert)
  }
  return params
}
