// The value rules an option can have: each says what it accepts, in words, and tests a value.
// Pure data and functions: imports only the type registry (for `instanceof`).
import { TypeRegistry } from '../types/index.js'
import type { OptionSchema } from './schema.js'

/** The longest delay `setTimeout` and PostgreSQL's millisecond settings take (2^31 − 1 ms). */
export const MAX_MS = 2_147_483_647

/**
 * One option's rule: `accepts` is the phrase for messages (`an integer ≥ 1`); `test` says
 * whether a value (never `undefined`) is accepted. `nested`: a plain object value is checked
 * against that schema too. `secret`: never print the value.
 */
export interface Rule {
  readonly accepts: string
  readonly test: (value: unknown) => boolean
  readonly nested?: OptionSchema | undefined
  readonly secret?: boolean
}

/** A finite number (or integer) within `[min, max]`. */
export function numberIn(min: number, max: number, integer = false): Rule {
  const kind = integer ? 'an integer' : 'a number'
  const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `from ${min} to ${max}`
  return {
    accepts: `${kind} ${range}`,
    test: (v) =>
      typeof v === 'number' &&
      (integer ? Number.isInteger(v) : Number.isFinite(v)) &&
      v >= min &&
      v <= max,
  }
}

/** Milliseconds: a finite number from `min` (default 0) to 2^31 − 1. */
export function milliseconds(min = 0): Rule {
  const rule = numberIn(min, MAX_MS)
  return { accepts: `${rule.accepts} (milliseconds)`, test: rule.test }
}

/** An integer ≥ `min`, up to 2^31 − 1 (a protocol Int32 or a count nobody exceeds). */
export function count(min: number): Rule {
  return numberIn(min, MAX_MS, true)
}

/** `true` or `false`. */
export const BOOLEAN: Rule = { accepts: 'true or false', test: (v) => typeof v === 'boolean' }

/** A function. */
export const FUNCTION: Rule = { accepts: 'a function', test: (v) => typeof v === 'function' }

/** A string. */
export const STRING: Rule = { accepts: 'a string', test: (v) => typeof v === 'string' }

/** A non-empty string. */
export const NON_EMPTY_STRING: Rule = {
  accepts: 'a non-empty string',
  test: (v) => typeof v === 'string' && v.length > 0,
}

/** An AbortSignal (checked by shape, so a signal from another realm or polyfill works). */
export const SIGNAL: Rule = {
  accepts: 'an AbortSignal',
  test: (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AbortSignal).aborted === 'boolean' &&
    typeof (v as AbortSignal).addEventListener === 'function',
}

/** A plain object (not null, not an array). */
export const OBJECT: Rule = {
  accepts: 'an object',
  test: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
}

/** One of `values`. */
export function oneOf(values: readonly (string | number | boolean)[]): Rule {
  const set = new Set<unknown>(values)
  return {
    accepts: `one of ${values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}`,
    test: (v) => set.has(v),
  }
}

/** A value any of `rules` accepts (the first nested schema among them applies to objects). */
export function either(...rules: Rule[]): Rule {
  const nested = rules.find((r) => r.nested !== undefined)?.nested
  return {
    accepts: rules.map((r) => r.accepts).join(', or '),
    test: (v) => rules.some((r) => r.test(v)),
    ...(nested ? { nested } : {}),
  }
}

/** A plain object checked against `schema` (`retryBackoff`, `types`). */
export function nested(schema: OptionSchema, accepts: string): Rule {
  return { accepts, test: isPlainObject, nested: schema }
}

/** An object literal (or `Object.create(null)`), not an array, class instance or null. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** An array whose every item `item` accepts. */
export function arrayOf(item: Rule, plural: string): Rule {
  return {
    accepts: `an array of ${plural}`,
    test: (v) => Array.isArray(v) && v.every((x) => item.test(x)),
  }
}

/** A TypeRegistry instance (connection and pool options take one as `types`). */
export const TYPE_REGISTRY: Rule = {
  accepts: 'a TypeRegistry',
  test: (v) => v instanceof TypeRegistry,
}
