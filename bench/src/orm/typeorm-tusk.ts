/** TypeORM over @tusk/typeorm (its driver is @tusk/pg-compat on @tusk/core). */
import { dataSourceOptions } from '@tusk/typeorm'
import { assertOneCopy, packageVersion } from '../package-version.js'
import type { OrmAdapter } from './orm-driver.js'
import { typeormTarget } from './typeorm-queries.js'

/** The TypeORM-over-Tusk setup. */
export async function load(): Promise<OrmAdapter> {
  assertOneCopy('@tusk/typeorm', 'typeorm')
  return {
    version: [packageVersion('typeorm'), packageVersion('@tusk/typeorm')].join(', '),
    open: (url, poolSize) => typeormTarget(dataSourceOptions({ url, poolSize })),
    notes: [],
  }
}
