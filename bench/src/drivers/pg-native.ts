/**
 * node-postgres over libpq (`pg.native`, backed by pg-native): the same Client and Pool API as
 * `pg`. It has no cursor or COPY stream API (pg-cursor and pg-copy-streams need the JavaScript
 * client), so its cursor is a server-side DECLARE … FETCH in a transaction, and COPY is n/a.
 */
import pg from 'pg'
import { packageVersion } from '../package-version.js'
import type { DriverAdapter, PoolMode, PoolTarget, Row, Session } from './driver.js'
import { expectSerial, NO_PIPELINED_POOL, poolTarget } from './pg.js'

const SELECT_INT = 'SELECT $1::int'

type NativePg = NonNullable<typeof pg.native>

function connectWith(native: NativePg): (url: string) => Promise<Session> {
  return async (url) => {
    const client = new native.Client({ connectionString: url })
    await client.connect()
    return {
      selectOne: () => client.query('SELECT 1'),
      selectInt: (value) => client.query(SELECT_INT, [value]),
      readAll: async (text) => (await client.query<Row>(text)).rows,
      execute: (text, params) => client.query(text, params as unknown[]),
      executeNamed: (name, text, params) =>
        client.query({ name, text, values: params as unknown[] }),
      copyIn: undefined,
      cursor: async (text, batchSize, onRow) => {
        await client.query('BEGIN')
        await client.query(`DECLARE bench_cursor NO SCROLL CURSOR FOR ${text}`)
        let count = 0
        for (;;) {
          const { rows } = await client.query<Row>(`FETCH ${batchSize} FROM bench_cursor`)
          if (rows.length === 0) break
          for (const row of rows) onRow(row)
          count += rows.length
        }
        await client.query('COMMIT')
        return count
      },
      close: () => client.end(),
    }
  }
}

function poolWith(
  native: NativePg,
): (url: string, size: number, mode: PoolMode) => Promise<PoolTarget> {
  return async (url, size, mode) => {
    expectSerial(mode)
    return poolTarget(new native.Pool({ connectionString: url, max: size }))
  }
}

/** The `pg-native` adapter; throws when pg-native did not build on this machine. */
export async function load(): Promise<DriverAdapter> {
  const native = pg.native
  if (!native) throw new Error('pg-native is not installed (it needs libpq headers to build)')
  return {
    version: `${packageVersion('pg')} native, ${packageVersion('pg-native')}`,
    connect: connectWith(native),
    pool: poolWith(native),
    missing: {
      copyIn: 'n/a (pg.native has no COPY stream API)',
      pipelinedPool: NO_PIPELINED_POOL,
    },
    notes: [
      'pg-native: no cursor API; W5 cursor uses DECLARE … NO SCROLL CURSOR and FETCH 1000 in a transaction.',
    ],
  }
}
