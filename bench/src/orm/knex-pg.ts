/** Knex over its stock `pg` client, as Knex's documentation sets it up. */
import knex from 'knex'
import { packageVersion } from '../package-version.js'
import { knexTarget } from './knex-queries.js'
import type { OrmAdapter } from './orm-driver.js'

/** The Knex-over-pg setup. */
export async function load(): Promise<OrmAdapter> {
  return {
    version: [packageVersion('knex'), packageVersion('pg')].join(', '),
    open: async (url, poolSize) =>
      knexTarget(knex({ client: 'pg', connection: url, pool: { min: 0, max: poolSize } })),
    notes: [],
  }
}
