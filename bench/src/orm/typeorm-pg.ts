/** TypeORM over its stock `pg` driver, as TypeORM's documentation sets it up. */
import pg from 'pg'
import { packageVersion } from '../package-version.js'
import type { OrmAdapter } from './orm-driver.js'
import { typeormTarget } from './typeorm-queries.js'

/** The TypeORM-over-pg setup. */
export async function load(): Promise<OrmAdapter> {
  return {
    version: [packageVersion('typeorm'), packageVersion('pg')].join(', '),
    open: (url, poolSize) =>
      // pg's JavaScript client: TypeORM would switch to pg-native, installed here for W-series.
      typeormTarget({ type: 'postgres', url, poolSize, driver: pg, nativeDriver: false }),
    notes: [
      'typeorm-pg: pg’s JavaScript client (`nativeDriver: false`; pg-native is installed for the driver suite).',
    ],
  }
}
