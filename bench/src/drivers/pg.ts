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
import type { DriverAdapter, PoolTarget, Row, Session } from './driver.js'

const SELECT_INT = 'SELECT $1::int'

async function connect(url: string): Promise<Session> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    selectOne: () => client.query('SELECT 1'),
    selectInt: (value) => client.query(SELECT_INT, [value]),
    readAll: async (text) => (await client.query<Row>(text)).rows,
    execute: (text, params) => client.query(text, params as unknown[]),
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

async function pool(url: string, size: number): Promise<PoolTarget> {
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
    missing: {},
    notes: [],
  }
}
