/**
 * Transactions and savepoints over a connection: BEGIN with isolation options, commit on return,
 * rollback on throw, nested savepoints, and opt-in retry of serialization failures and deadlocks.
 */

import type { QueryOptions } from '../connection/connection.js'
import type { QueryResult } from '../connection/extended-query.js'
import type { SimpleQueryResult } from '../connection/simple-query.js'
import type { Cursor, CursorOptions } from '../cursor/cursor.js'
import { InterfaceError, type TuskError } from '../errors/base.js'
import { checkExecCall } from '../options/validate.js'
import type { SqlFragment } from '../sql/fragment.js'

/** Isolation levels PostgreSQL accepts. */
export type IsolationLevel =
  | 'read uncommitted'
  | 'read committed'
  | 'repeatable read'
  | 'serializable'

/** Options of a transaction. */
export interface TransactionOptions {
  isolation?: IsolationLevel
  readOnly?: boolean
  /** Only meaningful with `serializable` and `readOnly`. */
  deferrable?: boolean
  /**
   * Rerun the whole function after a SerializationFailure (40001) or DeadlockDetected (40P01):
   * a number of extra attempts, or the attempts and the backoff (exponential with full jitter).
   */
  retry?: number | { attempts: number; baseDelayMs?: number; maxDelayMs?: number }
}

/** What a transaction body can do: query, run a script, nest a savepoint. */
export interface Transaction {
  query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<QueryResult<R>>
  queryOne<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<R | undefined>
  exec(sql: string): Promise<SimpleQueryResult[]>
  /** Runs `fn` in a savepoint; rolled back to the savepoint (and rethrown) when `fn` throws. */
  savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** A cursor that lives inside this transaction; it is closed when the transaction ends. */
  cursor<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | CursorOptions,
    options?: CursorOptions,
  ): Cursor<R>
}

/** The connection surface transactions need (kept structural so layers stay one-way). */
export interface TransactionHost {
  query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<QueryResult<R>>
  exec(sql: string): Promise<SimpleQueryResult[]>
  /** COMMIT; rejects when the server could only roll back. */
  commit(): Promise<void>
  cursor<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | CursorOptions,
    options?: CursorOptions,
  ): Cursor<R>
  readonly transactionStatus: 'I' | 'T' | 'E'
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

const RETRYABLE = new Set(['40001', '40P01'])
let savepointSerial = 0

/** Cursors opened in a transaction scope, closed when the transaction ends. */
type OpenCursors = Set<Cursor<unknown>>

function scope(host: TransactionHost, cursors: OpenCursors): Transaction {
  const tx: Transaction = {
    query: (text, params, options) => host.query(text, params, options),
    queryOne: async (text, params, options) =>
      (await host.query(text, params, options)).rows[0] as never,
    async exec(sql, ...extra: never[]) {
      checkExecCall(sql, extra)
      return host.exec(sql)
    },
    savepoint: (fn) => runSavepoint(host, fn, cursors),
    cursor: <R>(
      text: string | SqlFragment,
      params?: readonly unknown[] | CursorOptions,
      options?: CursorOptions,
    ) => {
      const c = host.cursor<R>(text, params, options)
      cursors.add(c as Cursor<unknown>)
      return c
    },
  }
  return tx
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
  for (let attempt = 0; ; attempt++) {
    await host.exec(begin)
    let result: T
    const cursors: OpenCursors = new Set()
    try {
      result = await fn(scope(host, cursors))
      await closeCursors(cursors)
    } catch (err) {
      await closeCursors(cursors)
      await rollbackQuietly(host, err)
      if (attempt < attempts && RETRYABLE.has((err as { code?: string }).code ?? '')) {
        await sleep(Math.random() * Math.min(cap, base * 2 ** attempt))
        continue
      }
      throw err
    }
    try {
      await host.commit()
    } catch (err) {
      if (attempt < attempts && RETRYABLE.has((err as { code?: string }).code ?? '')) {
        if (host.transactionStatus !== 'I') await rollbackQuietly(host, err)
        await sleep(Math.random() * Math.min(cap, base * 2 ** attempt))
        continue
      }
      throw err
    }
    return result
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
): Promise<T> {
  if (host.transactionStatus === 'I') {
    throw new InterfaceError('savepoint() needs an open transaction; use transaction() first')
  }
  const name = `tusk_sp_${++savepointSerial}`
  await host.exec(`SAVEPOINT ${name}`)
  let result: T
  try {
    result = await fn(scope(host, cursors))
  } catch (err) {
    try {
      await host.exec(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`)
    } catch {}
    throw err
  }
  await host.exec(`RELEASE SAVEPOINT ${name}`)
  return result
}
