/**
 * TuskConnection: Kysely's `DatabaseConnection` over one checked-out @tusk/core pool client.
 * Queries go through the extended protocol (a multi-statement script with no parameters through
 * the simple one, as `pg` does), streams through a server-side cursor, cancellation through a
 * real CancelRequest aimed at the one query it was asked for.
 */
import {
  errors,
  hasMultipleStatements,
  type PoolClient,
  type QueryOptions,
  type QueryResult as TuskResult,
} from '@tusk/core'
import { preparePgParameters as pgParameters } from '@tusk/core/pg'
import { CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely'
import type { AbortOptions } from './abort.js'

/**
 * Kysely 0.29's `ControlConnectionProvider`, structurally: lends another connection of the same
 * Kysely instance to `consumer`.
 */
export type ControlConnectionProvider = (
  consumer: (connection: DatabaseConnection) => Promise<void>,
) => Promise<void>

/** How a connection shapes what it sends and returns; fixed by the driver. */
export interface ConnectionSettings {
  /** Options given to every query and cursor (the per-query type mapping, when one is needed). */
  readonly queryOptions: QueryOptions
  /** Send Dates and booleans as `pg` does (the `pg` type mapping). */
  readonly pgParameters: boolean
  /** Runs `pg_terminate_backend(pid)` on a connection outside the pool, when the driver can. */
  readonly terminate: ((processId: number) => Promise<void>) | undefined
}

const AFFECTS_ROWS: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

/** A query this connection is running, for `cancelQuery` and `killSession` to aim at. */
interface InFlight {
  readonly controller: AbortController | undefined
}

/**
 * One session of the pool, as Kysely sees it. The same object is handed out every time its
 * underlying @tusk/core connection is checked out (so `onCreateConnection` runs once per session).
 */
export class TuskConnection implements DatabaseConnection {
  readonly #settings: ConnectionSettings
  #client: PoolClient | undefined
  #inFlight: InFlight | undefined
  #discardReason: unknown
  #failure: unknown

  /** @internal Creates the connection TuskDriver hands to Kysely. */
  static create(settings: ConnectionSettings): TuskConnection {
    return new TuskConnection(settings)
  }

  /** Connections come from the dialect's driver. */
  private constructor(settings: ConnectionSettings) {
    this.#settings = settings
  }

  /**
   * The @tusk/core pool client this connection holds while it is checked out (for what Kysely
   * has no API for: COPY, LISTEN, `connection.processId`). Throws when it is not checked out.
   */
  get client(): PoolClient {
    if (this.#client === undefined) {
      throw new errors.HandleClosed('this Kysely connection is not checked out of the pool', {
        handle: 'client',
      })
    }
    return this.#client
  }

  /** @internal Binds the connection to a fresh checkout. */
  attach(client: PoolClient): void {
    this.#client = client
    this.#discardReason = undefined
    this.#failure = undefined
  }

  /** @internal Gives the checkout back to the pool; destroyed when marked for discarding. */
  async detach(): Promise<void> {
    const client = this.#client
    this.#client = undefined
    this.#inFlight = undefined
    await client?.release(this.#discardReason)
  }

  /** @internal Makes the pool destroy this session on release instead of reusing it. */
  discard(reason: unknown): void {
    this.#discardReason = reason ?? new Error('discarded')
  }

  /** @internal Whether {@link discard} was called during this checkout. */
  get discarded(): boolean {
    return this.#discardReason !== undefined
  }

  /**
   * @internal The last error the server reported for a statement of this session since
   * {@link forgetFailure}: what failed the transaction when a COMMIT rolls back.
   */
  get failure(): unknown {
    return this.#failure
  }

  /** @internal Called at BEGIN and after ROLLBACK TO SAVEPOINT, which end a failed state. */
  forgetFailure(): void {
    this.#failure = undefined
  }

  /** Remembers a server error; "current transaction is aborted" only repeats an earlier one. */
  #noteFailure(err: unknown): void {
    if (err instanceof errors.DatabaseError && err.code !== undefined && err.code !== '25P02') {
      this.#failure = err
    }
  }

  #parameters(params: readonly unknown[]): readonly unknown[] {
    return this.#settings.pgParameters ? pgParameters(params) : params
  }

  /**
   * Runs one compiled query. `numAffectedRows` is set for INSERT, UPDATE, DELETE and MERGE;
   * COMMIT and ROLLBACK return `[{ command }]` as rows, as with PostgresDialect. The signal is
   * Kysely's: aborting it only stops Kysely waiting, unless Kysely then calls `cancelQuery`
   * (`inflightQueryAbortStrategy: 'cancel query'`) or `killSession`.
   */
  async executeQuery<R>(
    compiledQuery: CompiledQuery,
    options?: AbortOptions,
  ): Promise<QueryResult<R>> {
    const client = this.client
    const params = this.#parameters(compiledQuery.parameters)
    if (params.length === 0 && hasMultipleStatements(compiledQuery.sql)) {
      await client.exec(compiledQuery.sql).catch((err: unknown) => {
        this.#noteFailure(err)
        throw err
      })
      return { rows: [] }
    }
    const controller = options?.signal ? new AbortController() : undefined
    const inFlight: InFlight = { controller }
    this.#inFlight = inFlight
    let result: TuskResult<R>
    try {
      result = await client.query<R>(
        compiledQuery.sql,
        params,
        controller
          ? { ...this.#settings.queryOptions, signal: controller.signal }
          : this.#settings.queryOptions,
      )
    } catch (err) {
      this.#noteFailure(err)
      throw err
    } finally {
      if (this.#inFlight === inFlight) this.#inFlight = undefined
    }
    const { command, rowCount, rows } = result
    if (command === 'COMMIT' || command === 'ROLLBACK') {
      return { rows: [{ command } as R] }
    }
    return {
      numAffectedRows: AFFECTS_ROWS.has(command) ? BigInt(rowCount ?? 0) : undefined,
      rows,
    }
  }

  /**
   * Streams the result through a server-side cursor, `chunkSize` rows at a time (at most two
   * chunks in memory). Stopping early (break, return, throw) closes the cursor; so does the signal.
   */
  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
    options?: AbortOptions,
  ): AsyncIterableIterator<QueryResult<R>> {
    const cursor = this.client.cursor<R>(
      compiledQuery.sql,
      this.#parameters(compiledQuery.parameters),
      {
        batchSize: chunkSize,
        ...(this.#settings.queryOptions.types ? { types: this.#settings.queryOptions.types } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
      },
    )
    const inFlight: InFlight = { controller: undefined }
    this.#inFlight = inFlight
    try {
      for await (const rows of cursor) yield { rows }
    } catch (err) {
      this.#noteFailure(err)
      throw err
    } finally {
      if (this.#inFlight === inFlight) this.#inFlight = undefined
      await cursor.close()
    }
  }

  /**
   * Cancels the query in flight with a CancelRequest (no extra connection, no SQL round trip).
   * @tusk/core aims it at that query only: a query that already finished is left alone and the
   * next one is never hit.
   */
  async cancelQuery(_controlConnectionProvider?: ControlConnectionProvider): Promise<void> {
    this.#inFlight?.controller?.abort()
  }

  /**
   * Ends this session on the server (`pg_terminate_backend`): the query in flight, its
   * transaction and its locks go with it. Uses a connection outside the pool when the dialect
   * knows how to open one, else one lent by Kysely. The pool then discards the session.
   */
  async killSession(controlConnectionProvider?: ControlConnectionProvider): Promise<void> {
    const client = this.#client
    if (client === undefined || this.#inFlight === undefined) return
    const processId = client.processId
    this.discard(new Error('session killed'))
    if (this.#settings.terminate) {
      await this.#settings.terminate(processId)
      return
    }
    if (controlConnectionProvider === undefined) {
      throw new errors.InterfaceError('killSession needs a control connection')
    }
    await controlConnectionProvider(async (control) => {
      await control.executeQuery(CompiledQuery.raw('select pg_terminate_backend($1)', [processId]))
    })
  }
}
