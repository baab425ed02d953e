// Checks an options object against its schema: unknown names (with where they belong), wrong
// types, NaN, negatives and out-of-range values, each a ConfigError naming the option.
import { ConfigError } from '../errors/client.js'
import { unknownOptionMessage } from './misplaced.js'
import { isPlainObject } from './rules.js'
import type { OptionSchema } from './schema.js'

/**
 * Nested option objects found valid that cannot change (frozen): an adapter passing the same
 * frozen `types` with every query has them checked once, not per query.
 */
const frozenAndChecked = new WeakSet<object>()

/** How a bad value is shown in a message: short, never a secret, never a long string. */
export function describeValue(value: unknown, secret = false): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      if (secret) return 'a string'
      return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value)
    case 'number':
    case 'boolean':
      return secret ? `a ${typeof value}` : String(value)
    case 'bigint':
      return secret ? 'a bigint' : `${value}n`
    case 'function':
      return 'a function'
    case 'object': {
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
        ?.constructor?.name
      return name && name !== 'Object'
        ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`
        : 'an object'
    }
    default:
      return typeof value
  }
}

/** The first problem of `options` under `schema`, as a ConfigError, or undefined. */
export function optionsProblem(
  schema: OptionSchema,
  options: unknown,
  path = '',
): ConfigError | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return new ConfigError(
      `${schema.what}s must be an object (${schema.call}), got ${describeValue(options)}`,
      path ? { parameter: path } : {},
    )
  }
  // for…in: no array of keys is allocated (this runs on every query given options).
  for (const key in options) {
    const value = (options as Record<string, unknown>)[key]
    // A key set to undefined has no effect whatever its name (spread configs carry such keys).
    if (value === undefined) continue
    const rule = schema.rules.get(key)
    if (rule === undefined) {
      return new ConfigError(unknownOptionMessage(schema, key, path), { parameter: path + key })
    }
    if (rule.test(value)) {
      if (rule.nested === undefined) continue
    } else {
      const name = path + key
      return new ConfigError(
        `invalid ${schema.what} "${name}": expected ${rule.accepts}, got ${describeValue(value, rule.secret)}`,
        { parameter: name },
      )
    }
    if (isPlainObject(value) && !frozenAndChecked.has(value)) {
      const inner = optionsProblem(rule.nested, value, `${path}${key}.`)
      if (inner !== undefined) return inner
      if (Object.isFrozen(value)) frozenAndChecked.add(value)
    }
  }
  return undefined
}

/** Throws the first problem of `options` under `schema` (a ConfigError). */
export function checkOptions(schema: OptionSchema, options: unknown): void {
  const problem = optionsProblem(schema, options)
  if (problem !== undefined) throw problem
}
