/**
 * The result mapping Drizzle's PostgreSQL columns expect: `pg`'s values (through @tusk/core's
 * `pgTypes`), except for the types whose text Drizzle parses itself, which stay the server's
 * text — the same set drizzle-orm/node-postgres hands back as text.
 */
import type { TypeOptions } from '@tusk/core'
import { pgTypeOptions } from '@tusk/core/pg'

/** Returns the server's text as it is. */
const asText = (text: string): string => text

/**
 * The types Drizzle's columns decode from text: `timestamp`/`timestamptz` (mode `date` builds a
 * Date, mode `string` keeps the text), `date`, `interval`, and the arrays of those and of
 * `numeric` (Drizzle parses the array literal itself).
 */
const TEXT_TYPES = [
  'timestamptz',
  'timestamp',
  'date',
  'interval',
  '_numeric',
  '_timestamp',
  '_timestamptz',
  '_interval',
  '_date',
] as const

/**
 * `TypeOptions` for a @tusk/core pool or session used by Drizzle: int8 and numeric as exact
 * strings (Drizzle's `bigint`/`numeric` column modes convert them), json parsed, bytea as a
 * Buffer, and timestamps, dates, intervals and the arrays Drizzle parses as the server's text.
 * The driver applies it to pools it creates; pass it as `types` to a pool of your own to save
 * the per-query mapping (see the README). Frozen.
 */
export const drizzleTypes: TypeOptions = pgTypeOptions({
  parsers: Object.fromEntries(TEXT_TYPES.map((name) => [name, asText])),
})

/**
 * {@link drizzleTypes} with `overrides` layered on top (theirs win, type by type): for a pool of
 * your own, e.g. `createPool(url, { types: drizzleTypesWith({ int8: 'bigint' }) })` makes raw
 * `db.execute()` results carry int8 as bigint while Drizzle's columns keep working (their
 * `bigint` and `numeric` modes convert what they get). Frozen; does not mutate its input.
 */
export function drizzleTypesWith(overrides: TypeOptions): TypeOptions {
  return pgTypeOptions({
    ...overrides,
    parsers: {
      ...Object.fromEntries(TEXT_TYPES.map((name) => [name, asText])),
      ...overrides.parsers,
    },
  })
}
