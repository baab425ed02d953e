/**
 * postgres.js: one `postgres()` instance with `max: 1` is one connection (it pipelines concurrent
 * queries on it), `max: 8` is the pool, and `sql.reserve()` checks one of its connections out.
 * Queries are prepared, as the tagged template does by default.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import postgres from 'postgres'
import { packageVersion } from '../package-version.js'
import type { DriverAdapter, PoolMode, PoolTarget, Row, Session } from './driver.js'

type Sql = ReturnType<typeof postgres>
type UnsafeParams = NonNullable<Parameters<Sql['unsafe']>[1]>

const PREPARED = { prepare: true }

/**
 * `max_pipeline: 0` is postgres.js's one statement per connection at a time: a connection with a
 * statement running takes no other (with 1 it still takes one queued behind the running one).
 */
function open(url: string, max: number, mode: PoolMode = 'default'): Sql {
  const serial = mode === 'serial' ? { max_pipeline: 0 } : {}
  return postgres(url, { max, onnotice: () => {}, ...serial })
}

async function connect(url: string): Promise<Session> {
  const sql = open(url, 1)
  await sql`SELECT 1`
  return {
    selectOne: () => sql`SELECT 1`,
    selectInt: (value) => sql`SELECT ${value}::int`,
    readAll: async (text) => {
      const rows: readonly Row[] = await sql.unsafe(text, [], PREPARED)
      return rows
    },
    execute: (text, params) => sql.unsafe(text, params as UnsafeParams, PREPARED),
    executeNamed: (_name, text, params) => sql.unsafe(text, params as UnsafeParams, PREPARED),
    copyIn: async (text, chunks) => {
      const writable = await sql.unsafe(text).writable()
      await pipeline(Readable.from(chunks), writable)
    },
    cursor: async (text, batchSize, onRow) => {
      let count = 0
      for await (const rows of sql.unsafe(text, [], PREPARED).cursor(batchSize)) {
        for (const row of rows) onRow(row)
        count += rows.length
      }
      return count
    },
    close: () => sql.end(),
  }
}

async function pool(url: string, size: number, mode: PoolMode): Promise<PoolTarget> {
  const sql = open(url, size, mode)
  return {
    selectInt: (value) => sql`SELECT ${value}::int`,
    checkout: async (hold) => {
      const reserved = await sql.reserve()
      try {
        if (hold) await hold()
      } finally {
        reserved.release()
      }
    },
    close: () => sql.end(),
  }
}

/** The postgres.js adapter. */
export async function load(): Promise<DriverAdapter> {
  return {
    version: packageVersion('postgres'),
    connect,
    pool,
    missing: {},
    notes: [
      'postgres: W2 runs `max_pipeline: 0` (one statement per connection at a time, like pg’s Pool and pgbench); W2 pipelined and W6 run its default (`max_pipeline: 100`).',
      'postgres: in W6 a single caller’s `sql.reserve()` checkouts get slower as a pass goes on while the other connections sit idle (measured: from about 5 µs to about 50 µs over 240 000 checkouts); the untimed round before each pass starts every pass from the same state.',
    ],
  }
}
