/** Drizzle over drizzle-orm/postgres-js with postgres.js, as Drizzle's documentation sets it up. */
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { packageVersion } from '../package-version.js'
import { type AnyDrizzle, drizzleTarget } from './drizzle-queries.js'
import type { OrmAdapter } from './orm-driver.js'

/** The Drizzle-over-postgres.js setup. */
export async function load(): Promise<OrmAdapter> {
  return {
    version: [packageVersion('drizzle-orm'), packageVersion('postgres')].join(', '),
    open: async (url, poolSize) => {
      const client = postgres(url, { max: poolSize, onnotice: () => {} })
      const db = drizzle({ client })
      return drizzleTarget(db as unknown as AnyDrizzle, () => client.end())
    },
    notes: [
      'drizzle-postgres: drizzle-orm/postgres-js prepares every statement (postgres.js `prepare: true`, its default).',
    ],
  }
}
