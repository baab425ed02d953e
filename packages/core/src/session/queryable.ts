/**
 * The one query surface every handle shares: a session (what `connect()` returns), a pool client,
 * a transaction, a savepoint and the pool itself. Types only.
 */
import type { Readable } from 'node:stream'
import type { ExecOptions, QueryOptions } from '../connection/connection.js'
import type { QueryResult } from '../connection/extended-query.js'
import type { SimpleQueryResult } from '../connection/simple-query.js'
import type { CopyFromOptions, CopyResult, CopySource, CopyToOptions } from '../copy/copy.js'
import type { CopyToItem, CopyToIterable } from '../copy/copy-to-iterable.js'
import type { Cursor, CursorOptions } from '../cursor/cursor.js'
import type { SqlFragment } from '../sql/fragment.js'

/** Options of `notify`. */
export interface NotifyOptions {
  /** Abort sending the notification. */
  signal?: AbortSignal
  /** Client-side time limit in ms. */
  timeout?: number
}

/** What every handle that runs statements offers: session, pool client, transaction, savepoint, pool. */
export interface Queryable {
  /**
   * Runs one statement through the extended protocol: `$1`-style parameters (or an `sql` tagged
   * template), results as `{ rows, rowCount, command, fields }`. Concurrent calls are pipelined.
   */
  query<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    params: readonly unknown[] | undefined,
    options: QueryOptions & { rowMode: 'array' },
  ): Promise<QueryResult<R>>
  query<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    options: QueryOptions & { rowMode: 'array' },
  ): Promise<QueryResult<R>>
  query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<QueryResult<R>>
  /** The first row of `query(...)`, or undefined when it returned none. */
  queryOne<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    params: readonly unknown[] | undefined,
    options: QueryOptions & { rowMode: 'array' },
  ): Promise<R | undefined>
  queryOne<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    options: QueryOptions & { rowMode: 'array' },
  ): Promise<R | undefined>
  queryOne<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<R | undefined>
  /**
   * Runs a script of one or more statements through the simple protocol (no parameters), one
   * result per statement, values as text; a failing statement stops the rest.
   */
  exec<R = (string | null)[]>(
    sql: string,
    options?: ExecOptions<R>,
  ): Promise<SimpleQueryResult<R>[]>
  /**
   * A server-side cursor over `text`, read in batches of `batchSize` rows (at most two in
   * memory). Returned at once; the first read opens it. On an idle session it reads in a
   * transaction of its own, and the session refuses other statements (SessionBusy) until it closes.
   */
  cursor<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    params: readonly unknown[] | undefined,
    options: CursorOptions & { rowMode: 'array' },
  ): Cursor<R>
  cursor<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    options: CursorOptions & { rowMode: 'array' },
  ): Cursor<R>
  cursor<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | CursorOptions,
    options?: CursorOptions,
  ): Cursor<R>
  /**
   * `COPY … FROM STDIN`: streams `source` (a Readable, or an iterable of strings, bytes or row
   * arrays) with backpressure. Aborting or a failing source sends CopyFail: nothing is written.
   */
  copyFrom(sql: string, source: CopySource, options?: CopyFromOptions): Promise<CopyResult>
  /** `COPY … TO STDOUT` as a Readable of chunks (or of decoded rows with `output: 'rows'`). */
  copyTo(sql: string, options?: CopyToOptions): Readable & { rowCount?: number }
  /**
   * `COPY … TO STDOUT` as an async iterable of `Uint8Array` chunks (or of decoded rows with
   * `output: 'rows'`), on every runtime: read as fast as the loop iterates; leaving the loop early
   * cancels the COPY; `rowCount` is set at the end.
   */
  copyToIterable<O extends CopyToOptions | undefined = undefined>(
    sql: string,
    options?: O,
  ): CopyToIterable<CopyToItem<O>>
  /** Sends a notification (`pg_notify`); the payload limit (under 8 000 bytes) is checked first. */
  notify(channel: string, payload?: string, options?: NotifyOptions): Promise<void>
}
