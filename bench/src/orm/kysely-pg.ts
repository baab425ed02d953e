/** Kysely over its stock `PostgresDialect` and a `pg` Pool, as Kysely's documentation sets it up. */
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { packageVersion } from '../package-version.js'
import { type BenchDatabase, kyselyTarget } from './kysely-queries.js'
import type { OrmAdapter } from './orm-driver.js'

/** The Kysely-over-pg setup. */
export async function load(): Promise<OrmAdapter> {
  return {
    version: [packageVersion('kysely'), packageVersion('pg')].join(', '),
    open: async (url, poolSize) =>
      kyselyTarget(
        new Kysely<BenchDatabase>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({ connectionString: url, max: poolSize }),
          }),
        }),
      ),
    notes: [],
  }
}
