/**
 * The Knex releases the client is tested with: the lowest and the highest 3.x, installed side by
 * side as aliased dev dependencies. A test points the client's import of Knex's pg dialect at one
 * of them, as in an app that installs only that release.
 */
import type { knex as knexFn } from 'knex'

/** One installed release. */
export interface KnexRelease {
  /** Its version, as published. */
  readonly version: string
  /** Its `knex()` function (typed as the newest one). */
  readonly load: () => Promise<typeof knexFn>
  /** Its PostgreSQL client module (what the client extends). */
  readonly pgDialect: () => Promise<unknown>
}

export const KNEX_RELEASES: readonly KnexRelease[] = [
  {
    version: '3.0.1',
    load: async () => (await import('knex-3.0.1')).default as unknown as typeof knexFn,
    pgDialect: () => import('knex-3.0.1/lib/dialects/postgres/index.js'),
  },
  {
    version: '3.3.0',
    load: async () => (await import('knex-3.3.0')).default as unknown as typeof knexFn,
    pgDialect: () => import('knex-3.3.0/lib/dialects/postgres/index.js'),
  },
]
