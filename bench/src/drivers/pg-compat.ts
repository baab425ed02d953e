/**
 * `@tusk/pg-compat`: the `pg` API on @tusk/core, driven by exactly the calls of the `pg` adapter —
 * what an app gets from `"pg": "npm:@tusk/pg-compat@…"` without changing a line. The cursor is
 * `@tusk/pg-cursor` (`pg-cursor` aliased too); COPY is n/a (pg-copy-streams needs pg's
 * protocol connection).
 */
import pg from '@tusk/pg-compat'
import Cursor from '@tusk/pg-cursor'
import { packageVersion } from '../package-version.js'
import type { DriverAdapter, PoolMode, PoolTarget, Row, Session } from './driver.js'
import { poolTarget } from './pg.js'

const SELECT_INT = 'SELECT $1::int'

async function connect(url: string): Promise<Session> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    selectOne: () => client.query('SELECT 1'),
    selectInt: (value) => client.query(SELECT_INT, [value]),
    readAll: async (text) => (await client.query<Row>(text)).rows,
    execute: (text, params) => client.query(text, params as unknown[]),
    executeNamed: (name, text, params) => client.query({ name, text, values: params as unknown[] }),
    copyIn: undefined,
    cursor: async (text, batchSize, onRow) => {
      const cursor = client.query(new Cursor<Row>(text))
      let count = 0
      for (;;) {
        const rows = await cursor.read(batchSize)
        if (rows.length === 0) break
        for (const row of rows) onRow(row)
        count += rows.length
      }
      await cursor.close()
      return count
    },
    close: () => client.end(),
  }
}

async function pool(url: string, size: number, _mode: PoolMode): Promise<PoolTarget> {
  // The core pool under it pipelines onto busy connections in every mode; `pg.Pool`'s surface
  // has no switch for that, so the serial and pipelined rows are the same pool.
  return poolTarget(new pg.Pool({ connectionString: url, max: size }) as never)
}

/** The `pg-compat` adapter. */
export async function load(): Promise<DriverAdapter> {
  return {
    version: [packageVersion('@tusk/pg-compat'), packageVersion('@tusk/pg-cursor')].join(', '),
    connect,
    pool,
    missing: { copyIn: 'n/a (pg-copy-streams drives pg’s protocol connection)' },
    notes: [
      'pg-compat: the pg adapter’s calls on `@tusk/pg-compat` (the `pg` alias) and `@tusk/pg-cursor`; its Pool is the core pool, which pipelines statements onto busy connections.',
    ],
  }
}
