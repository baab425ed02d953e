/** Knex over `@tusk/knex`: `knex({ client: TuskClient, connection, pool: { max } })`. */
import { TuskClient } from '@tusk/knex'
import knex from 'knex'
import { assertOneCopy, packageVersion } from '../package-version.js'
import { knexTarget } from './knex-queries.js'
import type { OrmAdapter } from './orm-driver.js'

/** The Knex-over-Tusk setup. */
export async function load(): Promise<OrmAdapter> {
  assertOneCopy('@tusk/knex', 'knex')
  return {
    version: [
      packageVersion('knex'),
      packageVersion('@tusk/knex'),
      packageVersion('@tusk/core'),
    ].join(', '),
    open: async (url, poolSize) =>
      knexTarget(knex({ client: TuskClient, connection: url, pool: { min: 0, max: poolSize } })),
    notes: [
      'knex-tusk: `TuskClient` with its defaults (rows hold the same values as with `pg`; a connection idle over 30 s is pinged before Knex hands it out); Knex checks a connection out of its pool for each query.',
    ],
  }
}
