/**
 * Drizzle's PostgreSQL session over @tusk/core: prepared queries (array-mode rows mapped by
 * Drizzle), raw queries, streaming through the core's portal cursors, and transactions and
 * savepoints run by the core (BEGIN options, rollback on throw, abort, a broken connection
 * destroyed). Only the public API of @tusk/core is used.
 */
import {
  type Cursor,
  type CursorOptions,
  type ExecOptions,
  errors,
  hasMultipleStatements,
  type QueryOptions,
  type QueryResult,
  type RowBuilder,
  type SimpleQueryResult,
  type Transaction,
  type TransactionOptions,
} from '@tusk/core'
import { preparePgParameters } from '@tusk/core/pg'
import * as orm from 'drizzle-orm'
import {
  DrizzleQueryError,
  entityKind,
  fillPlaceholders,
  is,
  type Logger,
  NoopLogger,
  type Query,
  type RelationalSchemaConfig,
  type SQL,
  type SQLWrapper,
  type TablesRelationalConfig,
} from 'drizzle-orm'
import { type Cache, NoopCache } from 'drizzle-orm/cache/core'
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types'
import {
  type PgDialect,
  PgPreparedQuery,
  type PgQueryResultHKT,
  PgSession,
  PgTransaction,
  type PgTransactionConfig,
  type PreparedQueryConfig,
  type SelectedFieldsOrdered,
} from 'drizzle-orm/pg-core'

/**
 * What the driver runs statements on: a @tusk/core pool, session (or pool client), or a
 * transaction handle. Structural, so that ESM and CommonJS copies of the core both fit.
 */
export interface TuskQueryable {
  query<R>(text: string, params: readonly unknown[], options: QueryOptions): Promise<QueryResult<R>>
  exec(sql: string, options?: ExecOptions): Promise<SimpleQueryResult[]>
  cursor<R>(text: string, params: readonly unknown[], options: CursorOptions): Cursor<R>
}

/** A queryable that can begin transactions: a @tusk/core `Pool` or `Session`. */
export interface TuskTransactionHost extends TuskQueryable {
  transaction<T>(options: TransactionOptions, fn: (tx: Transaction) => Promise<T>): Promise<T>
}

/** What a raw `db.execute()` resolves with: @tusk/core's result (`pg`'s shape). */
export interface TuskQueryResultHKT extends PgQueryResultHKT {
  type: QueryResult<this['row'] extends Record<string, unknown> ? this['row'] : never>
}

/** Per-statement options the database applies (see `TuskDatabase.$withOptions`). */
export interface TuskStatementOptions {
  /** Cancels the running statement with a real CancelRequest (QueryCanceled, `reason: 'abort'`). */
  readonly signal?: AbortSignal
  /** Client-side time limit of each statement in ms (a CancelRequest, then QueryCanceled). */
  readonly timeout?: number
}

/** Transaction settings: Drizzle's, plus what @tusk/core adds. */
export interface TuskTransactionConfig extends PgTransactionConfig {
  /**
   * Aborts the transaction: the running statement is canceled on the server, later statements are
   * refused, and the transaction is rolled back.
   */
  signal?: AbortSignal
  /** Time limit in ms for the whole transaction, BEGIN to COMMIT; past it, as an abort. */
  timeout?: number
  /**
   * Reruns the whole function after a SerializationFailure or DeadlockDetected: the number of
   * extra attempts, or attempts and backoff (see @tusk/core's `TransactionOptions.retry`).
   */
  retry?: TransactionOptions['retry']
}

/** Options of a streamed read (`iterate()`, `TuskPreparedQuery.iterator()`). */
export interface IterateOptions {
  /** Rows fetched per round trip (default 1 000); at most two batches are held in memory. */
  readonly batchSize?: number
  /** Closes the cursor and cancels the read in flight; the loop then throws. */
  readonly signal?: AbortSignal
}

/** @internal How a session shapes what it sends; fixed per database. */
export interface SessionSettings {
  readonly logger: Logger
  readonly cache: Cache
  /** Options given to every statement: the type mapping (for pools the driver did not create). */
  readonly queryOptions: QueryOptions
  /** Signal and timeout of `$withOptions`. */
  readonly statement: TuskStatementOptions
}

/** Drizzle's row mapper, exported at run time by drizzle-orm but left out of its typings. */
type MapResultRow = (
  columns: SelectedFieldsOrdered,
  row: unknown[],
  joinsNotNullableMap: Record<string, boolean> | undefined,
) => unknown
const mapResultRow = (orm as unknown as { mapResultRow: MapResultRow }).mapResultRow

/** Drizzle internals of PgPreparedQuery that a driver is meant to use (absent from its typings). */
interface PreparedInternals {
  queryWithCache<R>(queryString: string, params: unknown[], query: () => Promise<R>): Promise<R>
  joinsNotNullableMap?: Record<string, boolean>
}

/** Drizzle's shape for queries that carry their own result mapper (relational queries). */
type CustomResultMapper<T> = (rows: unknown[][]) => T

/** A signal that aborts when any of `signals` does (`AbortSignal.any`, which Node 20.0–20.2 lack). */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals)
  const controller = new AbortController()
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason)
      break
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true })
  }
  return controller.signal
}

/** A @tusk/core result for a multi-statement script run through the simple protocol. */
function scriptResult(results: SimpleQueryResult[]): QueryResult<Record<string, unknown>> {
  const last = results[results.length - 1]
  return { command: last?.command ?? '', rowCount: last?.rowCount ?? null, rows: [], fields: [] }
}

/**
 * A prepared Drizzle query. Runs through @tusk/core's extended protocol; its statement is
 * prepared by the core's per-connection statement cache (keyed by the SQL text, after
 * `prepareThreshold` executions), not under Drizzle's name, so the same name for another text
 * is harmless, and a pool with `pooler: 'transaction'` never prepares it.
 */
export class TuskPreparedQuery<T extends PreparedQueryConfig> extends PgPreparedQuery<T> {
  static override readonly [entityKind]: string = 'TuskPreparedQuery'

  readonly #runner: TuskQueryable
  readonly #text: string
  readonly #params: unknown[]
  readonly #settings: SessionSettings
  readonly #fields: SelectedFieldsOrdered | undefined
  readonly #arrayMode: boolean
  readonly #customResultMapper: CustomResultMapper<T['execute']> | undefined

  /** @internal Built by {@link TuskSession.prepareQuery}. */
  constructor(
    runner: TuskQueryable,
    query: Query,
    settings: SessionSettings,
    queryMetadata:
      | { type: 'select' | 'update' | 'delete' | 'insert'; tables: string[] }
      | undefined,
    cacheConfig: WithCacheConfig | undefined,
    fields: SelectedFieldsOrdered | undefined,
    arrayMode: boolean,
    customResultMapper: CustomResultMapper<T['execute']> | undefined,
  ) {
    super(query, settings.cache, queryMetadata, cacheConfig)
    this.#runner = runner
    this.#text = query.sql
    this.#params = query.params
    this.#settings = settings
    this.#fields = fields
    this.#arrayMode = arrayMode
    this.#customResultMapper = customResultMapper
  }

  #internals(): PreparedInternals {
    return this as unknown as PreparedInternals
  }

  #options(rowMode: 'array' | 'object'): QueryOptions {
    const { queryOptions, statement } = this.#settings
    return {
      ...queryOptions,
      rowMode,
      ...(statement.signal ? { signal: statement.signal } : {}),
      ...(statement.timeout !== undefined ? { timeout: statement.timeout } : {}),
    }
  }

  /** Raw statement: object rows; a parameterless script of several statements runs as one. */
  async #raw(params: readonly unknown[]): Promise<QueryResult<Record<string, unknown>>> {
    if (params.length === 0 && hasMultipleStatements(this.#text)) {
      const { signal, timeout } = this.#settings.statement
      return scriptResult(
        await this.#runner.exec(this.#text, {
          ...(signal ? { signal } : {}),
          ...(timeout !== undefined ? { timeout } : {}),
        }),
      )
    }
    return this.#runner.query<Record<string, unknown>>(this.#text, params, this.#options('object'))
  }

  /**
   * Runs the query. With selected fields (the query builders), rows come from the server as
   * arrays and Drizzle maps them; without (`db.execute`), resolves with @tusk/core's result
   * `{ rows, rowCount, command, fields }`. Failures are Drizzle's `DrizzleQueryError`, the
   * @tusk/core error as its `cause`.
   */
  async execute(placeholderValues: Record<string, unknown> = {}): Promise<T['execute']> {
    const filled = fillPlaceholders(this.#params, placeholderValues)
    this.#settings.logger.logQuery(this.#text, filled)
    const params = preparePgParameters(filled)
    const internals = this.#internals()
    const fields = this.#fields
    const mapper = this.#customResultMapper
    if (fields === undefined && mapper === undefined) {
      return internals.queryWithCache(this.#text, filled, () => this.#raw(params))
    }
    if (mapper === undefined && this.#mapsWhileReading()) {
      return this.#mapWhileReading(fields!, filled, params)
    }
    const result = await internals.queryWithCache(this.#text, filled, () =>
      this.#runner.query<unknown[]>(this.#text, params, this.#options('array')),
    )
    if (mapper !== undefined) return mapper(result.rows)
    const joins = internals.joinsNotNullableMap
    return result.rows.map((row) => mapResultRow(fields!, row, joins))
  }

  /**
   * Whether `execute()` maps each row as it is decoded: only without a query cache, where
   * `queryWithCache` just runs the query. A cache stores what the query resolves with, and
   * Drizzle's caches hold the driver's rows, mapped again on every hit.
   */
  #mapsWhileReading(): boolean {
    return is(this.#settings.cache, NoopCache)
  }

  /**
   * `execute()` for the query builders, mapping each row with Drizzle's `mapResultRow` from the
   * core's decoded values (a `rowBuilder`) rather than keeping an array per row and then mapping
   * the array of them: the same rows, one array per row fewer. A mapping that throws (a custom
   * type's `fromDriver`) leaves the rest of the rows unmapped and is thrown once the query has
   * completed, as from a mapping after the query.
   */
  async #mapWhileReading(
    fields: SelectedFieldsOrdered,
    filled: unknown[],
    params: readonly unknown[],
  ): Promise<T['execute']> {
    const joins = this.#internals().joinsNotNullableMap
    let failed = false
    let failure: unknown
    const rowBuilder: RowBuilder = () => (values) => {
      if (failed) return undefined
      try {
        return mapResultRow(fields, values as unknown[], joins)
      } catch (err) {
        failed = true
        failure = err
        return undefined
      }
    }
    const result = await this.#internals().queryWithCache(this.#text, filled, () =>
      this.#runner.query<unknown>(this.#text, params, { ...this.#options('array'), rowBuilder }),
    )
    if (failed) throw failure
    return result.rows
  }

  /** Runs the query and resolves with its rows as objects (Drizzle's `all`). */
  async all(placeholderValues: Record<string, unknown> = {}): Promise<T['all']> {
    const filled = fillPlaceholders(this.#params, placeholderValues)
    this.#settings.logger.logQuery(this.#text, filled)
    const params = preparePgParameters(filled)
    const result = await this.#internals().queryWithCache(this.#text, filled, () =>
      this.#raw(params),
    )
    return result.rows
  }

  /**
   * Streams the rows through a server-side cursor (a portal read `batchSize` rows at a time): the
   * same rows `execute()` gives, in bounded memory. Leaving the loop early (break, return, throw)
   * or aborting closes the cursor. Read errors are `DrizzleQueryError`s, as with `execute()`.
   * The query cache is not consulted.
   */
  async *iterator(
    placeholderValues: Record<string, unknown> = {},
    options: IterateOptions = {},
  ): AsyncGenerator<T['execute'] extends readonly (infer R)[] ? R : unknown, void, undefined> {
    type Row = T['execute'] extends readonly (infer R)[] ? R : unknown
    const filled = fillPlaceholders(this.#params, placeholderValues)
    this.#settings.logger.logQuery(this.#text, filled)
    const params = preparePgParameters(filled)
    const signals = [options.signal, this.#settings.statement.signal].filter(
      (s): s is AbortSignal => s !== undefined,
    )
    const signal = signals.length > 1 ? anySignal(signals) : signals[0]
    const types = this.#settings.queryOptions.types
    const fields = this.#fields
    const mapper = this.#customResultMapper
    const rowMode = fields === undefined && mapper === undefined ? 'object' : 'array'
    const cursor = this.#runner.cursor<unknown>(this.#text, params, {
      rowMode,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(types ? { types } : {}),
      ...(signal ? { signal } : {}),
      ...(this.#settings.statement.timeout !== undefined
        ? { timeout: this.#settings.statement.timeout }
        : {}),
    })
    const joins = this.#internals().joinsNotNullableMap
    try {
      while (true) {
        let batch: unknown[]
        try {
          batch = await cursor.read()
        } catch (err) {
          throw new DrizzleQueryError(this.#text, filled, err as Error)
        }
        if (batch.length === 0) return
        if (mapper !== undefined) {
          const mapped: unknown = mapper(batch as unknown[][])
          if (Array.isArray(mapped)) yield* mapped as Row[]
          else if (mapped !== undefined) yield mapped as Row
        } else if (fields !== undefined) {
          for (const row of batch) yield mapResultRow(fields, row as unknown[], joins) as Row
        } else {
          yield* batch as Row[]
        }
      }
    } finally {
      await cursor.close()
    }
  }

  /** @internal Drizzle asks whether rows come back as arrays (they do for mapped queries). */
  isResponseInArrayMode(): boolean {
    return this.#arrayMode
  }
}

/**
 * Drizzle's session over a @tusk/core pool, session or transaction handle. Created by
 * `drizzle()`; every database and transaction holds one.
 */
export class TuskSession<
  TFullSchema extends Record<string, unknown>,
  TSchema extends TablesRelationalConfig,
> extends PgSession<TuskQueryResultHKT, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'TuskSession'

  readonly #runner: TuskQueryable
  readonly #dialect: PgDialect
  readonly #schema: RelationalSchemaConfig<TSchema> | undefined
  readonly #settings: SessionSettings

  /** @internal Built by `drizzle()` and by transactions. */
  constructor(
    runner: TuskQueryable,
    dialect: PgDialect,
    schema: RelationalSchemaConfig<TSchema> | undefined,
    settings: SessionSettings,
  ) {
    super(dialect)
    this.#runner = runner
    this.#dialect = dialect
    this.#schema = schema
    this.#settings = settings
  }

  /** @internal Builds a session with these settings over the same runner. */
  static create<F extends Record<string, unknown>, S extends TablesRelationalConfig>(
    runner: TuskQueryable,
    dialect: PgDialect,
    schema: RelationalSchemaConfig<S> | undefined,
    options: { logger?: Logger; cache?: Cache; queryOptions: QueryOptions },
  ): TuskSession<F, S> {
    return new TuskSession<F, S>(runner, dialect, schema, {
      logger: options.logger ?? new NoopLogger(),
      cache: options.cache ?? new NoopCache(),
      queryOptions: options.queryOptions,
      statement: {},
    })
  }

  /** @internal This session with per-statement options (`$withOptions`). */
  withStatementOptions(statement: TuskStatementOptions): TuskSession<TFullSchema, TSchema> {
    return new TuskSession(this.#runner, this.#dialect, this.#schema, {
      ...this.#settings,
      statement: { ...this.#settings.statement, ...statement },
    })
  }

  /** @internal What statements run on (the pool, session or transaction handle). */
  get runner(): TuskQueryable {
    return this.#runner
  }

  /** Wraps a compiled Drizzle query; see {@link TuskPreparedQuery}. */
  prepareQuery<T extends PreparedQueryConfig = PreparedQueryConfig>(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    _name: string | undefined,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => T['execute'],
    queryMetadata?: { type: 'select' | 'update' | 'delete' | 'insert'; tables: string[] },
    cacheConfig?: WithCacheConfig,
  ): TuskPreparedQuery<T> {
    return new TuskPreparedQuery<T>(
      this.#runner,
      query,
      this.#settings,
      queryMetadata,
      cacheConfig,
      fields,
      isResponseInArrayMode,
      customResultMapper,
    )
  }

  /** @internal A raw statement (object rows), for `iterate(db, sql)`. */
  prepareRaw(query: SQLWrapper | string): TuskPreparedQuery<PreparedQueryConfig> {
    const compiled =
      typeof query === 'string'
        ? { sql: query, params: [] }
        : this.dialect.sqlToQuery(query.getSQL())
    return this.prepareQuery(compiled, undefined, undefined, false)
  }

  /**
   * Runs `transaction` in a transaction begun by @tusk/core with Drizzle's isolation level,
   * access mode and deferrable settings (and Tusk's signal, timeout and retry): committed when
   * it returns, rolled back when it throws (the error is rethrown). On a pool the connection is
   * checked out for the transaction and released after it; a connection that broke is destroyed.
   */
  override async transaction<T>(
    transaction: (tx: TuskTransaction<TFullSchema, TSchema>) => Promise<T>,
    config: TuskTransactionConfig = {},
  ): Promise<T> {
    const host = this.#runner
    if (!isTransactionHost(host)) {
      throw new errors.InterfaceError(
        'this Drizzle session cannot begin a transaction: it already runs inside one (use tx.transaction for a savepoint)',
      )
    }
    const statement = this.#settings.statement
    const signal = config.signal ?? statement.signal
    const timeout = config.timeout
    const options: TransactionOptions = {
      ...(config.isolationLevel ? { isolation: config.isolationLevel } : {}),
      ...(config.accessMode ? { readOnly: config.accessMode === 'read only' } : {}),
      ...(config.deferrable !== undefined ? { deferrable: config.deferrable } : {}),
      ...(config.retry !== undefined ? { retry: config.retry } : {}),
      ...(signal ? { signal } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
    }
    const logger = this.#settings.logger
    return host.transaction(options, (handle) =>
      logged(logger, beginText(config), 'commit', 'rollback', () =>
        transaction(
          new TuskTransaction<TFullSchema, TSchema>(
            this.#dialect,
            this.#inner(handle),
            this.#schema,
            0,
          ),
        ),
      ),
    )
  }

  /** @internal Runs `fn` in a savepoint of the transaction this session runs in. */
  async savepoint<T>(
    name: string,
    fn: (session: TuskSession<TFullSchema, TSchema>) => Promise<T>,
  ): Promise<T> {
    const handle = this.#runner
    if (!isTransaction(handle)) {
      throw new errors.InterfaceError('a savepoint needs a transaction')
    }
    const logger = this.#settings.logger
    return handle.savepoint((sp) =>
      logged(
        logger,
        `savepoint ${name}`,
        `release savepoint ${name}`,
        `rollback to savepoint ${name}`,
        () => fn(this.#inner(sp)),
      ),
    )
  }

  /** A session over a transaction or savepoint handle: the core's transaction owns abort. */
  #inner(handle: Transaction): TuskSession<TFullSchema, TSchema> {
    return new TuskSession(handle as TuskQueryable, this.#dialect, this.#schema, {
      ...this.#settings,
      statement: {},
    })
  }

  /** `count(*)` of a query (Drizzle's `$count`). */
  override async count(query: SQL): Promise<number> {
    const result = await this.execute<QueryResult<{ count: unknown }>>(query)
    return Number(result.rows[0]?.count)
  }
}

/** The statement that begins a transaction with `config`, as Drizzle's drivers log it. */
function beginText(config: PgTransactionConfig): string {
  const parts = ['begin']
  if (config.isolationLevel) parts.push(`isolation level ${config.isolationLevel}`)
  if (config.accessMode) parts.push(config.accessMode)
  if (typeof config.deferrable === 'boolean') {
    parts.push(config.deferrable ? 'deferrable' : 'not deferrable')
  }
  return parts.join(' ')
}

/**
 * Runs `body` between the log lines of its transaction control (what @tusk/core sends for it),
 * so that Drizzle's logger sees the same statements as with drizzle-orm's own drivers.
 */
async function logged<T>(
  logger: Logger,
  open: string,
  done: string,
  undo: string,
  body: () => Promise<T>,
): Promise<T> {
  logger.logQuery(open, [])
  let result: T
  try {
    result = await body()
  } catch (err) {
    logger.logQuery(undo, [])
    throw err
  }
  logger.logQuery(done, [])
  return result
}

function isTransactionHost(runner: TuskQueryable): runner is TuskTransactionHost {
  return typeof (runner as Partial<TuskTransactionHost>).transaction === 'function'
}

function isTransaction(runner: TuskQueryable): runner is TuskQueryable & Transaction {
  return typeof (runner as Partial<Transaction>).savepoint === 'function'
}

/**
 * A Drizzle transaction on @tusk/core. `tx.transaction(fn)` nests as a savepoint (rolled back
 * to when `fn` throws); `tx.rollback()` throws Drizzle's TransactionRollbackError, which rolls
 * the transaction (or savepoint) back.
 */
export class TuskTransaction<
  TFullSchema extends Record<string, unknown>,
  TSchema extends TablesRelationalConfig,
> extends PgTransaction<TuskQueryResultHKT, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'TuskTransaction'

  readonly #session: TuskSession<TFullSchema, TSchema>
  readonly #dialect: PgDialect
  readonly #relational: RelationalSchemaConfig<TSchema> | undefined

  /** @internal Built by {@link TuskSession.transaction}. */
  constructor(
    dialect: PgDialect,
    session: TuskSession<TFullSchema, TSchema>,
    schema: RelationalSchemaConfig<TSchema> | undefined,
    nestedIndex: number,
  ) {
    super(dialect, session, schema, nestedIndex)
    this.#session = session
    this.#dialect = dialect
    this.#relational = schema
  }

  /** Runs `transaction` in a savepoint: released when it returns, rolled back to on a throw. */
  override async transaction<T>(
    transaction: (tx: TuskTransaction<TFullSchema, TSchema>) => Promise<T>,
  ): Promise<T> {
    return this.#session.savepoint(`sp${this.nestedIndex + 1}`, (inner) =>
      transaction(
        new TuskTransaction<TFullSchema, TSchema>(
          this.#dialect,
          inner,
          this.#relational,
          this.nestedIndex + 1,
        ),
      ),
    )
  }
}
