/**
 * The session: what a user holds for one server connection (what `connect()` returns, and what a
 * pool client is). Queries, scripts, transactions and savepoints (closure style and explicit),
 * cursors, COPY and notify, over the connection layer, which imports nothing from here.
 */

import type { Readable } from 'node:stream'
import type {
  Connection,
  ConnectionDetails,
  ConnectionState,
  ExecOptions,
  QueryOptions,
} from '../connection/connection.js'
import type { QueryResult } from '../connection/extended-query.js'
import type { TraceTarget } from '../connection/operation-trace.js'
import type { CloseOptions } from '../connection/request-pump.js'
import type { SimpleQueryResult } from '../connection/simple-query.js'
import {
  type CopyFromOptions,
  type CopyResult,
  type CopySource,
  type CopyToOptions,
  copyFrom,
} from '../copy/copy.js'
import { type CopyToItem, CopyToIterable } from '../copy/copy-to-iterable.js'
import { copyToStream } from '../copy/copy-to-stream.js'
import { Cursor, type CursorHost, type CursorOptions } from '../cursor/cursor.js'
import type { TuskError } from '../errors/base.js'
import { HandleClosed, SessionBusy } from '../errors/client.js'
import { InFailedSqlTransaction } from '../errors/sqlstate.generated.js'
import { checkNotifyPayload } from '../listen/listener.js'
import {
  checkCloseOptions,
  checkCopyFromCall,
  checkCopyToCall,
  checkCursorCall,
  checkNotifyOptions,
  checkTransactionCall,
  checkTransactionOptions,
} from '../options/validate.js'
import type { TransactionStatus } from '../protocol/backend.js'
import type { SqlFragment } from '../sql/fragment.js'
import {
  beginStatement,
  runSavepoint,
  runTransaction,
  savepointStatement,
  type Transaction,
  type TransactionHost,
  type TransactionOptions,
} from '../transaction/transaction.js'
import type { TypeRegistry } from '../types/index.js'
import { asyncDispose } from './dispose.js'
import type { NotifyOptions, Queryable } from './queryable.js'
import { deadlineSignal } from './signals.js'

/** Splits `(params | options, options)` as every query method takes them. */
function cursorArgs(
  params: readonly unknown[] | CursorOptions | undefined,
  options: CursorOptions | undefined,
): [readonly unknown[] | undefined, CursorOptions] {
  return Array.isArray(params)
    ? [params, options ?? {}]
    : [undefined, (params as CursorOptions | undefined) ?? {}]
}

/**
 * One server session. Requests are pipelined: concurrent calls are written without waiting for
 * earlier answers and answered in order. Close it with `close()` (or `await using`).
 */
export class Session implements Queryable, TransactionHost {
  readonly #conn: Connection
  /** Why this handle no longer works (a released client); the error is built only when used. */
  #revoked: string | undefined
  /**
   * Cursors of this session that put state on the server and are not closed yet, and what they
   * report to; made at the first cursor, so a checkout that opens none allocates neither.
   */
  #cursors: Set<Cursor<unknown>> | undefined
  #cursorHost: CursorHost | undefined

  /** @internal Wraps a connection (the session entry, the pool's hooks). */
  static wrap(connection: Connection): Session {
    return new Session(connection)
  }

  /** Sessions come from `connect()`, and as pool clients from `pool.connect()`. */
  protected constructor(connection: Connection) {
    this.#conn = connection
  }

  /** The connection, or HandleClosed when this handle was given back. */
  #live(): Connection {
    if (this.#revoked !== undefined) throw new HandleClosed(this.#revoked, { handle: 'client' })
    return this.#conn
  }

  /**
   * The connection, for a statement: HandleClosed when this handle was given back, SessionBusy
   * while one of its cursors holds a transaction it opened itself (the statement would join it).
   */
  #free(): Connection {
    const conn = this.#live()
    const cursors = this.#cursors
    if (cursors !== undefined && cursors.size > 0 && !conn.closed) {
      for (const c of cursors) {
        if (c.holdsTransaction) throw sessionBusy(c.statement)
      }
    }
    return conn
  }

  /** What this session's cursors report to (see CursorHost). */
  #host(): CursorHost {
    if (this.#cursorHost === undefined) {
      const cursors = new Set<Cursor<unknown>>()
      this.#cursors = cursors
      this.#cursorHost = {
        check: () => {
          this.#live()
        },
        opened: (c) => {
          cursors.add(c)
        },
        closed: (c) => {
          cursors.delete(c)
        },
      }
    }
    return this.#cursorHost
  }

  /** @internal The connection, as operation events describe it. */
  get traceTarget(): TraceTarget {
    return this.#conn
  }

  /** @internal From now on every call throws HandleClosed with `message` (a released client). */
  revoke(message: string): void {
    if (this.#revoked !== undefined) return
    this.#revoked = message
    if (this.#cursors === undefined) return
    const open = [...this.#cursors]
    this.#cursors.clear()
    for (const c of open) c.detach(new HandleClosed(message, { handle: 'client' }))
  }

  /** `host:port` (or socket path) of the server. */
  get host(): string {
    return this.#conn.host
  }

  /**
   * Facts fixed at connect time: host, user, database, TLS session, auth method, protocol. One
   * object for the connection's whole life, so it can key per-connection state (a WeakMap)
   * across pool checkouts.
   */
  get details(): ConnectionDetails {
    return this.#conn.details
  }

  /** Server-reported run-time parameters (`server_version`, `TimeZone`, ...), kept current. */
  get parameters(): ReadonlyMap<string, string> {
    return this.#conn.parameters
  }

  /** The server's `server_version`, e.g. `18.4`. */
  get serverVersion(): string {
    return this.#conn.serverVersion
  }

  /** Backend process ID (what `pg_backend_pid()` returns). */
  get processId(): number {
    return this.#conn.processId
  }

  /** Transaction status from the last ReadyForQuery: `I` idle, `T` in a block, `E` failed block. */
  get transactionStatus(): TransactionStatus {
    return this.#conn.transactionStatus
  }

  /** Where the connection stands: connecting, idle, busy, in a (failed) transaction, closed. */
  get state(): ConnectionState {
    return this.#conn.state
  }

  /** True once the connection closed or was lost (or, for a pool client, once released). */
  get closed(): boolean {
    return this.#revoked !== undefined || this.#conn.closed
  }

  /** Why the connection closed, when it was not closed on purpose. */
  get closeReason(): TuskError | undefined {
    return this.#conn.closeReason
  }

  /** The type registry this session decodes and encodes with. */
  get types(): TypeRegistry {
    return this.#conn.types
  }

  /** Prepared statements currently cached on this session. */
  get preparedStatements(): number {
    return this.#conn.preparedStatements
  }

  /**
   * Looks up user types by name (`mood`, `myschema.point3d`, `citext`) in the server's catalog
   * and teaches this session to encode and decode them (arrays included). Pools do it once.
   */
  registerTypes(names: readonly string[]): Promise<void> {
    try {
      return this.#free().registerTypes(names)
    } catch (err) {
      return Promise.reject(err)
    }
  }

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
  query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    try {
      return this.#free().query<R>(text, params, options)
    } catch (err) {
      return Promise.reject(err)
    }
  }

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
  async queryOne<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<R | undefined> {
    return (await this.query<R>(text, params, options)).rows[0]
  }

  exec<R = (string | null)[]>(
    sql: string,
    options?: ExecOptions<R>,
  ): Promise<SimpleQueryResult<R>[]> {
    try {
      return this.#free().exec(sql, options)
    } catch (err) {
      return Promise.reject(err)
    }
  }

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
  cursor<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | CursorOptions,
    options?: CursorOptions,
  ): Cursor<R> {
    checkCursorCall(text, params, options)
    const [values, opts] = cursorArgs(params, options)
    return Cursor.open<R>(this.#free(), text, values, opts, undefined, this.#host())
  }

  copyFrom(sql: string, source: CopySource, options?: CopyFromOptions): Promise<CopyResult> {
    try {
      checkCopyFromCall(sql, source, options)
      const conn = this.#free()
      const deadline = deadlineSignal(options?.signal, options?.timeout)
      if (deadline === undefined) return copyFrom(conn, sql, source, options)
      return copyFrom(conn, sql, source, { ...options, signal: deadline.signal }).finally(
        deadline.dispose,
      )
    } catch (err) {
      return Promise.reject(err)
    }
  }

  copyTo(sql: string, options?: CopyToOptions): Readable & { rowCount?: number } {
    checkCopyToCall(sql, options)
    const conn = this.#free()
    return copyToStream(options?.output === 'rows', () =>
      CopyToIterable.open(conn, sql, options ?? {}),
    )
  }

  copyToIterable<O extends CopyToOptions | undefined = undefined>(
    sql: string,
    options?: O,
  ): CopyToIterable<CopyToItem<O>> {
    checkCopyToCall(sql, options, 'copyToIterable')
    return CopyToIterable.open(this.#free(), sql, options ?? {})
  }

  async notify(channel: string, payload = '', options?: NotifyOptions): Promise<void> {
    checkNotifyOptions(options)
    checkNotifyPayload(channel, payload)
    await this.query('select pg_catalog.pg_notify($1, $2)', [channel, payload], {
      ...options,
      prepare: false,
    })
  }

  /**
   * Runs `fn` in a transaction: commits when it returns, rolls back when it throws (and rethrows).
   * With `retry`, a SerializationFailure or DeadlockDetected reruns `fn` after a backoff. The
   * handle `fn` gets refuses every call once the transaction ended.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** The same, with isolation level, access mode, deferrable, retry, signal or timeout. */
  transaction<T>(options: TransactionOptions, fn: (tx: Transaction) => Promise<T>): Promise<T>
  transaction<T>(
    a: TransactionOptions | ((tx: Transaction) => Promise<T>),
    b?: (tx: Transaction) => Promise<T>,
  ): Promise<T> {
    try {
      checkTransactionCall(a, b)
      this.#free()
      const [options, fn] = typeof a === 'function' ? [{}, a] : [a ?? {}, b!]
      return runTransaction(this, options, fn)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** Starts a transaction block (`BEGIN` with the options given); end it with commit or rollback. */
  async begin(options: TransactionOptions = {}): Promise<void> {
    checkTransactionOptions(options)
    const deadline = deadlineSignal(options.signal, options.timeout)
    try {
      await this.exec(beginStatement(options), deadline ? { signal: deadline.signal } : undefined)
    } finally {
      deadline?.dispose()
    }
  }

  /**
   * Commits the current transaction block. When the block had failed, the server can only roll
   * it back; that is reported as InFailedSqlTransaction (cause: the error that failed it), never
   * as a silent success.
   */
  async commit(options?: ExecOptions): Promise<void> {
    const failure = this.#live().transactionFailure
    const [result] = await this.exec('COMMIT', options)
    if (result?.command === 'ROLLBACK') {
      const first = failure ? ` (${failure.name}: ${failure.message.split('\n')[0]})` : ''
      throw new InFailedSqlTransaction(
        `COMMIT rolled back the transaction because a statement in it had failed${first}`,
        {
          host: this.host,
          phase: 'query',
          query: 'COMMIT',
          ...(failure ? { cause: failure } : {}),
        },
      )
    }
  }

  /** Rolls back the current transaction block. */
  async rollback(options?: ExecOptions): Promise<void> {
    await this.exec('ROLLBACK', options)
  }

  /**
   * `savepoint(fn)` runs `fn` inside a savepoint of the current transaction and rolls back to it
   * when `fn` throws; `savepoint(name)` only sets a savepoint of that name (see
   * `releaseSavepoint` and `rollbackToSavepoint`).
   */
  savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** Sets a named savepoint in the current transaction block (`SAVEPOINT name`). */
  savepoint(name: string, options?: ExecOptions): Promise<void>
  savepoint<T>(
    a: string | ((tx: Transaction) => Promise<T>),
    options?: ExecOptions,
  ): Promise<T | undefined> {
    try {
      if (typeof a === 'string') {
        return this.exec(savepointStatement('SAVEPOINT', a), options).then(() => undefined)
      }
      return runSavepoint(this, a)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** `RELEASE SAVEPOINT name`: keeps what was done since the savepoint and forgets it. */
  async releaseSavepoint(name: string, options?: ExecOptions): Promise<void> {
    await this.exec(savepointStatement('RELEASE SAVEPOINT', name), options)
  }

  /** `ROLLBACK TO SAVEPOINT name`: undoes what was done since the savepoint (which stays set). */
  async rollbackToSavepoint(name: string, options?: ExecOptions): Promise<void> {
    await this.exec(savepointStatement('ROLLBACK TO SAVEPOINT', name), options)
  }

  /**
   * Asks the server to cancel what this session is running, over a new socket (PostgreSQL's
   * CancelRequest). Best effort: the statement may finish first; its request then succeeds.
   */
  cancel(): Promise<void> {
    try {
      return this.#live().cancel()
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Closes gracefully: waits for pending requests, sends Terminate, ends the socket. With
   * `{ timeout }` (ms), requests still pending past it fail with ConnectionClosed (`inDoubt` as
   * for `destroy()`), so a link that went silent cannot hold the close up. A COPY-out stream or
   * iterator left paused is still pending: read it to the end, end it (`destroy()`, `return()`),
   * or pass `timeout`.
   */
  close(options?: CloseOptions): Promise<void> {
    try {
      checkCloseOptions(options)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#conn.close(options)
  }

  /** Closes at once without waiting; pending requests fail with ConnectionClosed. */
  destroy(): void {
    this.#conn.destroy()
  }

  /** `await using session = await connect(...)` closes it at the end of the block. */
  [asyncDispose](): Promise<void> {
    return this.close()
  }
}

function sessionBusy(statement: string): SessionBusy {
  const shown = statement.length > 80 ? `${statement.slice(0, 77)}...` : statement
  return new SessionBusy(
    `this session's cursor (${shown}) is reading in a transaction it opened itself, and a ` +
      'statement run now would join that transaction and be rolled back with it if the cursor ' +
      'fails. Close the cursor (or read it to the end) first; read it inside ' +
      'session.transaction() to run statements in the same transaction on purpose; or run them ' +
      "on another connection (a pool's cursor() holds a connection of its own)",
  )
}
