/** Kysely over `@tusk/kysely-dialect`: `new TuskDialect({ conninfo, poolOptions: { max } })`. */
import { TuskDialect } from '@tusk/kysely-dialect'
import { Kysely } from 'kysely'
import { assertOneCopy, packageVersion } from '../package-version.js'
import { type BenchDatabase, kyselyTarget } from './kysely-queries.js'
import type { OrmAdapter } from './orm-driver.js'

/** The Kysely-over-Tusk setup. */
export async function load(): Promise<OrmAdapter> {
  assertOneCopy('@tusk/kysely-dialect', 'kysely')
  return {
    version: [
      packageVersion('kysely'),
      packageVersion('@tusk/kysely-dialect'),
      packageVersion('@tusk/core'),
    ].join(', '),
    open: async (url, poolSize) =>
      kyselyTarget(
        new Kysely<BenchDatabase>({
          dialect: new TuskDialect({ conninfo: url, poolOptions: { max: poolSize } }),
        }),
      ),
    notes: [
      "kysely-tusk: `TuskDialect` with its defaults (`typeMapping: 'pg'`: rows hold the same values as with `pg`); Kysely checks a connection out of the pool for each query, so statements are never pipelined.",
    ],
  }
}
