/**
 * node-postgres (`pg`), pure JavaScript: a Client per session, pg.Pool for the pool workloads,
 * pg-cursor for streaming and pg-copy-streams for COPY. Each call is what a pg user writes.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import Cursor from 'pg-cursor'
import { packageVersion } from '../package-version.js'
import {
  type DriverAdapter,
  NotAvailable,
  type PoolMode,
  type PoolTarget,
  type Row,
  type Session,
} from './driver.js'

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
    copyIn: async (text, chunks) => {
      await pipeline(Readable.from(chunks), client.query(copyFrom(text)))
    },
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

/** `SELECT $1::int` and checkouts on a pg `Pool` (the JavaScript one or `pg.native`'s). */
export function poolTarget(p: pg.Pool): PoolTarget {
  return {
    selectInt: (value) => p.query(SELECT_INT, [value]),
    checkout: async (hold) => {
      const client = await p.connect()
      try {
        if (hold) await hold()
      } finally {
        client.release()
      }
    },
    close: () => p.end(),
  }
}

/** Why pg's Pool (JavaScript or native) has no W2 pipelined figure. */
export const NO_PIPELINED_POOL =
  'n/a (pg’s Pool runs one statement per connection at a time; its figure is the W2 row)'

/** Throws NotAvailable for the mode pg's Pool has not got. */
export function expectSerial(mode: PoolMode): void {
  if (mode === 'pipelined') throw new NotAvailable(NO_PIPELINED_POOL)
}

async function pool(url: string, size: number, mode: PoolMode): Promise<PoolTarget> {
  expectSerial(mode)
  return poolTarget(new pg.Pool({ connectionString: url, max: size }))
}

/** The `pg` adapter. */
export async function load(): Promise<DriverAdapter> {
  return {
    version: [
      packageVersion('pg'),
      packageVersion('pg-cursor'),
      packageVersion('pg-copy-streams'),
    ].join(', '),
    connect,
    pool,
    missing: { pipelinedPool: NO_PIPELINED_POOL },
    notes: [
      'pg: W4 INSERT named runs `client.query({ name, text, values })`, so the statement is parsed and planned once per connection; W4 INSERT sends it unnamed each time (pg’s default).',
    ],
  }
}
