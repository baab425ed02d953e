/** Drizzle over `@tusk/drizzle`: `drizzle({ connection, pool: { max } })`. */
import { drizzle } from '@tusk/drizzle'
import { assertOneCopy, packageVersion } from '../package-version.js'
import { type AnyDrizzle, drizzleTarget } from './drizzle-queries.js'
import type { OrmAdapter } from './orm-driver.js'

/** The Drizzle-over-Tusk setup. */
export async function load(): Promise<OrmAdapter> {
  assertOneCopy('@tusk/drizzle', 'drizzle-orm')
  return {
    version: [
      packageVersion('drizzle-orm'),
      packageVersion('@tusk/drizzle'),
      packageVersion('@tusk/core'),
    ].join(', '),
    open: async (url, poolSize) => {
      const db = drizzle({ connection: url, pool: { max: poolSize } })
      return drizzleTarget(db as unknown as AnyDrizzle, () => db.$client.end())
    },
    notes: [
      'drizzle-tusk: `@tusk/drizzle` with its defaults (rows in array mode, the values Drizzle columns get on `pg`).',
    ],
  }
}
