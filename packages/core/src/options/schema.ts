// What an options object may hold: its option names and each one's rule, and how to name it
// in messages. Pure data.
import type { Rule } from './rules.js'

/** The options one call accepts, for validation and messages. */
export interface OptionSchema {
  /** How messages name one option: `pool option`. */
  readonly what: string
  /** Where such options go, shown when one is given in the wrong place: `createPool(conninfo, { … })`. */
  readonly call: string
  /** Each accepted option's rule (a Map: a precomputed lookup, no allocation per check). */
  readonly rules: ReadonlyMap<string, Rule>
  /** The option names, for suggestions. */
  readonly names: readonly string[]
}

/** An OptionSchema from a record of rules. */
export function defineSchema(
  what: string,
  call: string,
  rules: Readonly<Record<string, Rule>>,
): OptionSchema {
  // One object shape for every rule keeps the per-key property reads monomorphic.
  const shaped = Object.entries(rules).map(([name, r]): [string, Rule] => [
    name,
    { accepts: r.accepts, test: r.test, nested: r.nested, secret: r.secret === true },
  ])
  return { what, call, rules: new Map(shaped), names: Object.keys(rules) }
}

/** A schema that also accepts everything `base` does. */
export function extendSchema(
  base: OptionSchema,
  what: string,
  call: string,
  rules: Readonly<Record<string, Rule>>,
): OptionSchema {
  return defineSchema(what, call, { ...Object.fromEntries(base.rules), ...rules })
}
