/**
 * A request scope over a cluster whose reads see its own writes: after a write, a read runs on a
 * standby only once that standby has replayed the primary's WAL up to the write, else (after a
 * bounded wait) on the primary. Built on the pool; imports nothing above it.
 */
import type { QueryOptions } from '../connection/connection-types.js'
import type { QueryResult } from '../connection/extended-query.js'
import type { PoolQueryOptions } from '../pool/options.js'
import type { Pool } from '../pool/pool.js'
import type { SqlFragment } from '../sql/fragment.js'

/** Options of a read-your-writes scope. */
export interface ReadYourWritesOptions {
  /** Longest wait for a standby to catch up before reading on the primary (ms, default 1 000). */
  maxLagWait?: number
  /** Pause between two replay checks on the standby (ms, default 10). */
  pollInterval?: number
}

/** Where a scope's last read ran and how long it waited for replay. */
export interface ReadPlacement {
  on: 'standby' | 'primary'
  waitedMs: number
}

/**
 * Writes through `writer`, reads through `reader`; see the module header. Not shared between
 * requests: the WAL position it remembers is this scope's own last write.
 */
export class ReadYourWritesScope {
  readonly #writer: Pool
  readonly #reader: Pool
  readonly #maxWait: number
  readonly #interval: number
  /** WAL position of the primary after this scope's last write (`pg_lsn` text). */
  #lsn: string | undefined
  #last: ReadPlacement | undefined

  constructor(writer: Pool, reader: Pool, options: ReadYourWritesOptions = {}) {
    this.#writer = writer
    this.#reader = reader
    this.#maxWait = options.maxLagWait ?? 1_000
    this.#interval = options.pollInterval ?? 10
  }

  /** The primary's WAL position after this scope's last write, if it wrote. */
  get writtenUpTo(): string | undefined {
    return this.#lsn
  }

  /** Where the last `read()` ran. */
  get lastRead(): ReadPlacement | undefined {
    return this.#last
  }

  /** Runs a statement on the primary and remembers how far the primary's WAL then reached. */
  async query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[],
    options?: PoolQueryOptions,
  ): Promise<QueryResult<R>> {
    const result = await this.#writer.query<R>(text, params ?? [], options)
    const at = await this.#writer.query<{ lsn: string }>(
      // The insert position: with synchronous_commit off the commit record may not be written yet.
      'SELECT pg_catalog.pg_current_wal_insert_lsn()::text AS lsn',
    )
    this.#lsn = at.rows[0]?.lsn
    return result
  }

  /**
   * Runs a read on a standby that has replayed this scope's writes (waiting up to `maxLagWait`),
   * else on the primary. Without a write in the scope, it is a plain read on the read pool.
   */
  async read<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    const lsn = this.#lsn
    if (lsn === undefined) {
      this.#last = { on: 'standby', waitedMs: 0 }
      return this.#reader.query<R>(text, params ?? [], options)
    }
    const t0 = Date.now()
    const client = await this.#reader.connect()
    try {
      for (;;) {
        // On a primary (a prefer-standby fallback) the replay position is NULL: it has everything.
        const r = await client.query<{ caught: boolean }>(
          'SELECT coalesce(pg_catalog.pg_last_wal_replay_lsn() >= $1::pg_lsn, true) AS caught',
          [lsn],
        )
        if (r.rows[0]?.caught === true) {
          this.#last = { on: 'standby', waitedMs: Date.now() - t0 }
          return await client.query<R>(text, params ?? [], options)
        }
        if (Date.now() - t0 >= this.#maxWait) break
        await new Promise((resolve) => setTimeout(resolve, this.#interval))
      }
    } finally {
      client.release()
    }
    this.#last = { on: 'primary', waitedMs: Date.now() - t0 }
    return this.#writer.query<R>(text, params ?? [], options)
  }
}
