/** Drizzle over drizzle-orm/node-postgres with a `pg.Pool`, as Drizzle's documentation sets it up. */
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { packageVersion } from '../package-version.js'
import { type AnyDrizzle, drizzleTarget } from './drizzle-queries.js'
import type { OrmAdapter } from './orm-driver.js'

/** The Drizzle-over-pg setup. */
export async function load(): Promise<OrmAdapter> {
  return {
    version: [packageVersion('drizzle-orm'), packageVersion('pg')].join(', '),
    open: async (url, poolSize) => {
      const pool = new pg.Pool({ connectionString: url, max: poolSize })
      const db = drizzle({ client: pool })
      return drizzleTarget(db as unknown as AnyDrizzle, () => pool.end())
    },
    notes: [],
  }
}
