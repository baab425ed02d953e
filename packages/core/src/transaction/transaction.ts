/**
 * Transactions and savepoints over a session: BEGIN with isolation options, commit on return,
 * rollback on throw, nested savepoints, opt-in retry of serialization failures and deadlocks, and
 * handles that refuse every call once their transaction or savepoint ended.
 */

import type { Readable } from 'node:stream'
import type { ExecOptions, QueryOptions } from '../connection/connection.js'
import type { QueryResult } from '../connection/extended-query.js'
import { type TraceTarget, traceOperation } from '../connection/operation-trace.js'
import type { SimpleQueryResult } from '../connection/simple-query.js'
import type { CopyFromOptions, CopyResult, CopySource, CopyToOptions } from '../copy/copy.js'
import type { CopyToItem, CopyToIterable } from '../copy/copy-to-iterable.js'
import type { Cursor, CursorOptions } from '../cursor/cursor.js'
import { InterfaceError, type TuskError } from '../errors/base.js'
import { HandleClosed } from '../errors/client.js'
import type { NotifyOptions, Queryable } from '../session/queryable.js'
import { deadlineSignal } from '../session/signals.js'
import { escapeIdentifier } from '../sql/escape.js'
import type { SqlFragment } from '../sql/fragment.js'

/** Isolation levels PostgreSQL accepts. */
export type IsolationLevel =
  | 'read uncommitted'
  | 'read committed'
  | 'repeatable read'
  | 'serializable'

/** Options of a transaction. */
export interface TransactionOptions {
  /** `ISOLATION LEVEL …` of the transaction (default: the session's). */
  isolation?: IsolationLevel
  /** `READ ONLY` (true) or `READ WRITE` (false). */
  readOnly?: boolean
  /** Only meaningful with `serializable` and `readOnly`. */
  deferrable?: boolean
  /**
   * Rerun the whole function after a SerializationFailure (40001) or DeadlockDetected (40P01):
   * a number of extra attempts, or the attempts and the backoff (exponential with full jitter).
   */
  retry?: number | { attempts: number; baseDelayMs?: number; maxDelayMs?: number }
  /**
   * Aborts the transaction: the statement running is canceled (QueryCanceled, `reason: 'abort'`),
   * later statements through the handle are refused, and the transaction is rolled back.
   */
  signal?: AbortSignal
  /** Time limit in ms for the whole transaction, BEGIN to COMMIT; past it, as an abort. */
  timeout?: number
}

/** What a transaction (or savepoint) body can do: the query surface, and nested savepoints. */
export interface Transaction extends Queryable {
  /** Runs `fn` in a savepoint; rolled back to the savepoint (and rethrown) when `fn` throws. */
  savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** True once the transaction (or savepoint) ended: every call then throws HandleClosed. */
  readonly closed: boolean
}

/** The session surface transactions run on (structural, so layers stay one-way). */
export interface TransactionHost {
  query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<QueryResult<R>>
  exec<R = (string | null)[]>(
    sql: string,
    options?: ExecOptions<R>,
  ): Promise<SimpleQueryResult<R>[]>
  /** COMMIT; rejects when the server could only roll back. */
  commit(options?: ExecOptions): Promise<void>
  cursor<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | CursorOptions,
    options?: CursorOptions,
  ): Cursor<R>
  copyFrom(sql: string, source: CopySource, options?: CopyFromOptions): Promise<CopyResult>
  copyTo(sql: string, options?: CopyToOptions): Readable & { rowCount?: number }
  copyToIterable<O extends CopyToOptions | undefined = undefined>(
    sql: string,
    options?: O,
  ): CopyToIterable<CopyToItem<O>>
  notify(channel: string, payload?: string, options?: NotifyOptions): Promise<void>
  readonly transactionStatus: 'I' | 'T' | 'E'
  /** @internal The connection, as operation events describe it. */
  readonly traceTarget: TraceTarget
}

const LEVELS: ReadonlySet<string> = new Set([
  'read uncommitted',
  'read committed',
  'repeatable read',
  'serializable',
])

/** The BEGIN statement for `options`; validates them (InterfaceError on an unknown level). */
export function beginStatement(options: TransactionOptions): string {
  const parts = ['BEGIN']
  if (options.isolation !== undefined) {
    if (!LEVELS.has(options.isolation)) {
      throw new InterfaceError(
        `unknown isolation level "${options.isolation}"; use one of ${[...LEVELS].join(', ')}`,
      )
    }
    parts.push(`ISOLATION LEVEL ${options.isolation.toUpperCase()}`)
  }
  if (options.readOnly !== undefined) parts.push(options.readOnly ? 'READ ONLY' : 'READ WRITE')
  if (options.deferrable !== undefined)
    parts.push(options.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE')
  return parts.join(' ')
}

/** `SAVEPOINT name`, `RELEASE SAVEPOINT name` or `ROLLBACK TO SAVEPOINT name`, name quoted. */
export function savepointStatement(
  verb: 'SAVEPOINT' | 'RELEASE SAVEPOINT' | 'ROLLBACK TO SAVEPOINT',
  name: string,
): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InterfaceError('a savepoint needs a non-empty name')
  }
  return `${verb} ${escapeIdentifier(name)}`
}

const RETRYABLE = new Set(['40001', '40P01'])
let savepointSerial = 0

/** Cursors opened in a transaction scope, closed when the transaction ends. */
type OpenCursors = Set<Cursor<unknown>>

/** Adds `signal` to a statement's options unless it has its own (the overloads kept as given). */
function withSignal<O extends { signal?: AbortSignal }>(
  params: readonly unknown[] | O | undefined,
  options: O | undefined,
  signal: AbortSignal,
): [readonly unknown[] | O | undefined, O | undefined] {
  if (Array.isArray(params)) {
    return [params, options?.signal ? options : ({ ...options, signal } as O)]
  }
  const o = params as O | undefined
  return [o?.signal ? o : ({ ...o, signal } as O), options]
}

/**
 * A transaction's or savepoint's handle. Every call checks that the scope is still open, so a
 * handle kept past its transaction never reaches the connection's next user.
 */
class Scope implements Transaction {
  readonly #host: TransactionHost
  readonly #cursors: OpenCursors
  readonly #kind: 'transaction' | 'savepoint'
  readonly #signal: AbortSignal | undefined
  #ended = false

  constructor(
    host: TransactionHost,
    cursors: OpenCursors,
    kind: 'transaction' | 'savepoint',
    signal: AbortSignal | undefined,
  ) {
    this.#host = host
    this.#cursors = cursors
    this.#kind = kind
    this.#signal = signal
  }

  get closed(): boolean {
    return this.#ended
  }

  /** Ends the scope: from now on every call throws HandleClosed. */
  end(): void {
    this.#ended = true
  }

  #live(): TransactionHost {
    if (this.#ended) {
      throw new HandleClosed(
        `this ${this.#kind} has ended (committed or rolled back); its handle cannot be used any more`,
        { handle: this.#kind },
      )
    }
    return this.#host
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
      const host = this.#live()
      if (this.#signal === undefined) return host.query<R>(text, params, options)
      const [p, o] = withSignal(params, options, this.#signal)
      return host.query<R>(text, p, o)
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
      const host = this.#live()
      const signal = options?.signal ?? this.#signal
      return host.exec(sql, signal ? { ...options, signal } : options)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    try {
      return runSavepoint(this.#live(), fn, this.#cursors, this.#signal)
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
    const host = this.#live()
    const c =
      this.#signal === undefined
        ? host.cursor<R>(text, params, options)
        : host.cursor<R>(text, ...withSignal(params, options, this.#signal))
    this.#cursors.add(c as Cursor<unknown>)
    return c
  }

  copyFrom(sql: string, source: CopySource, options?: CopyFromOptions): Promise<CopyResult> {
    try {
      const signal = options?.signal ?? this.#signal
      return this.#live().copyFrom(sql, source, signal ? { ...options, signal } : options)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  copyTo(sql: string, options?: CopyToOptions): Readable & { rowCount?: number } {
    const signal = options?.signal ?? this.#signal
    return this.#live().copyTo(sql, signal ? { ...options, signal } : options)
  }

  copyToIterable<O extends CopyToOptions | undefined = undefined>(
    sql: string,
    options?: O,
  ): CopyToIterable<CopyToItem<O>> {
    const signal = options?.signal ?? this.#signal
    const iterable = this.#live().copyToIterable(sql, signal ? { ...options, signal } : options)
    return iterable as CopyToIterable<CopyToItem<O>>
  }

  notify(channel: string, payload?: string, options?: NotifyOptions): Promise<void> {
    try {
      const signal = options?.signal ?? this.#signal
      return this.#live().notify(channel, payload, signal ? { ...options, signal } : options)
    } catch (err) {
      return Promise.reject(err)
    }
  }
}

async function closeCursors(cursors: OpenCursors): Promise<void> {
  const open = [...cursors]
  cursors.clear()
  await Promise.all(open.map((c) => c.close().catch(() => {})))
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms))
}

/** BEGIN, run `fn`, COMMIT; ROLLBACK and rethrow on a throw; retry as `options.retry` says. */
export async function runTransaction<T>(
  host: TransactionHost,
  options: TransactionOptions,
  fn: (tx: Transaction) => Promise<T>,
): Promise<T> {
  if (typeof fn !== 'function') {
    throw new InterfaceError(
      'transaction() needs a function to run: transaction(options, async (tx) => …)',
    )
  }
  if (host.transactionStatus !== 'I') {
    throw new InterfaceError(
      'a transaction is already open on this connection; use savepoint() to nest',
    )
  }
  const begin = beginStatement(options)
  const retry = typeof options.retry === 'number' ? { attempts: options.retry } : options.retry
  const attempts = Math.max(0, retry?.attempts ?? 0)
  const base = retry && 'baseDelayMs' in retry ? (retry.baseDelayMs ?? 10) : 10
  const cap = retry && 'maxDelayMs' in retry ? (retry.maxDelayMs ?? 1000) : 1000
  const deadline = deadlineSignal(options.signal, options.timeout)
  const signal = deadline?.signal
  const trace = traceOperation(host.traceTarget, 'transaction')
  let failure: unknown
  try {
    for (let attempt = 0; ; attempt++) {
      await host.exec(begin, signal ? { signal } : undefined)
      let result: T
      const cursors: OpenCursors = new Set()
      const scope = new Scope(host, cursors, 'transaction', signal)
      try {
        result = await fn(scope)
        await closeCursors(cursors)
      } catch (err) {
        scope.end()
        await closeCursors(cursors)
        await rollbackQuietly(host, err)
        if (attempt < attempts && RETRYABLE.has((err as { code?: string }).code ?? '')) {
          await sleep(Math.random() * Math.min(cap, base * 2 ** attempt))
          continue
        }
        throw err
      }
      scope.end()
      try {
        await host.commit(signal ? { signal } : undefined)
      } catch (err) {
        if (host.transactionStatus !== 'I') await rollbackQuietly(host, err)
        if (attempt < attempts && RETRYABLE.has((err as { code?: string }).code ?? '')) {
          await sleep(Math.random() * Math.min(cap, base * 2 ** attempt))
          continue
        }
        throw err
      }
      return result
    }
  } catch (err) {
    failure = err
    throw err
  } finally {
    trace?.end(
      failure === undefined ? { outcome: 'commit' } : { error: failure, outcome: 'rollback' },
    )
    deadline?.dispose()
  }
}

/** Rolls back after `cause`; a failing ROLLBACK (e.g. the connection is gone) keeps `cause` first. */
async function rollbackQuietly(host: TransactionHost, cause: unknown): Promise<void> {
  if (host.transactionStatus === 'I') return
  try {
    await host.exec('ROLLBACK')
  } catch (err) {
    const c = cause as TuskError
    if (c && typeof c === 'object' && !('rollbackError' in c)) {
      Object.defineProperty(c, 'rollbackError', { value: err, enumerable: false })
    }
  }
}

/** SAVEPOINT, run `fn`, RELEASE; ROLLBACK TO SAVEPOINT and rethrow on a throw. */
export async function runSavepoint<T>(
  host: TransactionHost,
  fn: (tx: Transaction) => Promise<T>,
  cursors: OpenCursors = new Set(),
  signal?: AbortSignal,
): Promise<T> {
  if (typeof fn !== 'function') {
    throw new InterfaceError('savepoint() needs a function to run: savepoint(async (sp) => …)')
  }
  if (host.transactionStatus === 'I') {
    throw new InterfaceError('savepoint() needs an open transaction; use transaction() first')
  }
  const name = `tusk_sp_${++savepointSerial}`
  const trace = traceOperation(host.traceTarget, 'savepoint')
  try {
    await host.exec(`SAVEPOINT ${name}`, signal ? { signal } : undefined)
  } catch (err) {
    trace?.end({ error: err, outcome: 'rollback' })
    throw err
  }
  // Its own cursors: a rollback to the savepoint drops the portals opened since, so they close
  // first (a read of a dropped portal would fail the whole transaction). Released, they stay
  // open in the enclosing scope.
  const opened: OpenCursors = new Set()
  const scope = new Scope(host, opened, 'savepoint', signal)
  let result: T
  try {
    result = await fn(scope)
  } catch (err) {
    scope.end()
    await closeCursors(opened)
    try {
      await host.exec(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`)
    } catch {}
    trace?.end({ error: err, outcome: 'rollback' })
    throw err
  }
  scope.end()
  for (const c of opened) if (!c.closed) cursors.add(c)
  try {
    await host.exec(`RELEASE SAVEPOINT ${name}`, signal ? { signal } : undefined)
  } catch (err) {
    trace?.end({ error: err, outcome: 'rollback' })
    throw err
  }
  trace?.end({ outcome: 'commit' })
  return result
}
