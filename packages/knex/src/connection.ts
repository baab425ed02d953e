/**
 * TuskKnexConnection: what Knex's pool holds and Knex's runner passes around for one @tusk/core
 * session — the session, what it is running now (for `cancelQuery`), the last statement error of
 * its transaction (for a COMMIT that could only roll back), and the marks Knex sets on a
 * connection (`__knexUid`, `__knexTxId`, `__knex__disposed`).
 */
import { errors, type QueryOptions, type QueryResult, type Session } from '@tusk/core'

/** @internal What a connection is running now: aborting the controller cancels it with a CancelRequest. */
export interface InFlight {
  readonly controller: AbortController
  /** Settles (never rejects) once the statement or stream has ended. */
  readonly settled: Promise<void>
}

/** pg's callback shape, for `pool.afterCreate` hooks written for `pg`. */
export type QueryCallback = (error: Error | null, result?: QueryResult) => void

/**
 * One server session as Knex sees it. Handed to `pool.afterCreate(connection, done)` hooks, to
 * `validate`, and returned by `knex.client.acquireConnection()`.
 */
export class TuskKnexConnection {
  /** The @tusk/core session (a pool client when Knex uses a @tusk/core pool). */
  readonly session: Session
  /** Options given to every statement (the pg value mapping, when the session lacks it). */
  readonly queryOptions: QueryOptions
  /** Set by Knex: the connection's id in its pool. */
  __knexUid?: string
  /** Set by Knex: the transaction the connection runs. */
  __knexTxId?: string
  /** Set by Knex (or this client) when the connection must not be reused; the reason. */
  __knex__disposed?: unknown
  /** @internal What runs now; see {@link InFlight}. */
  inFlight: InFlight | undefined
  /** @internal The last error the server reported in the current transaction. */
  failure: unknown
  /** @internal When the connection was last given back to the pool (ms since the epoch). */
  idleSince: number = Date.now()

  /** Connections come from TuskClient (Knex's pool, or `knex.client.acquireConnection()`). */
  constructor(session: Session, queryOptions: QueryOptions) {
    this.session = session
    this.queryOptions = queryOptions
  }

  /** The server process id (`pg_backend_pid()`), under pg's name. */
  get processID(): number {
    return this.session.processId
  }

  /**
   * A statement, for hooks written for `pg` (`afterCreate(conn, done)` that calls
   * `conn.query('set …', cb)`): with a callback, it is called with the result or error; without
   * one, a promise. Knex's own queries do not come this way.
   */
  query(text: string, callback: QueryCallback): void
  query(text: string, params: readonly unknown[], callback: QueryCallback): void
  query(text: string, params?: readonly unknown[]): Promise<QueryResult>
  query(
    text: string,
    paramsOrCallback?: readonly unknown[] | QueryCallback,
    callback?: QueryCallback,
  ): Promise<QueryResult> | undefined {
    const cb = typeof paramsOrCallback === 'function' ? paramsOrCallback : callback
    const params = typeof paramsOrCallback === 'function' ? [] : (paramsOrCallback ?? [])
    const result = this.session.query(text, params, this.queryOptions)
    if (cb === undefined) return result
    result.then(
      (r) => cb(null, r),
      (err: Error) => cb(err),
    )
    return undefined
  }

  /** @internal Remembers a server error; "current transaction is aborted" only repeats one. */
  noteFailure(err: unknown): void {
    if (err instanceof errors.DatabaseError && err.code !== undefined && err.code !== '25P02') {
      this.failure = err
    }
  }

  /** @internal Runs `work` as what this connection is running, cancelable by `cancelQuery`. */
  async track<T>(work: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
    const controller = new AbortController()
    let unlink: (() => void) | undefined
    if (outer !== undefined) {
      if (outer.aborted) controller.abort(outer.reason)
      else {
        const onAbort = () => controller.abort(outer.reason)
        outer.addEventListener('abort', onAbort, { once: true })
        unlink = () => outer.removeEventListener('abort', onAbort)
      }
    }
    const running = work(controller.signal)
    const settled = running.then(
      () => {},
      () => {},
    )
    const inFlight: InFlight = { controller, settled }
    this.inFlight = inFlight
    try {
      return await running
    } catch (err) {
      this.noteFailure(err)
      throw err
    } finally {
      unlink?.()
      if (this.inFlight === inFlight) this.inFlight = undefined
    }
  }
}
