/**
 * TuskDriver: Kysely's `Driver` over a @tusk/core pool — checkout and release, transactions with
 * Kysely's isolation and access-mode settings, named savepoints, and the abort signals Kysely
 * 0.29 passes to each step.
 */
import {
  type ConnectionDetails,
  type ConnectionOptions,
  connect,
  createPool,
  errors,
  type Pool,
  type PoolOptions,
  type QueryOptions,
  type TypeOptions,
  TypeRegistry,
} from '@tusk/core'
import { pgTypeOptions, pgTypes } from '@tusk/core/pg'
import {
  CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  IdentifierNode,
  type QueryCompiler,
  type QueryResult,
  RawNode,
  type TransactionSettings,
} from 'kysely'
import { type AbortOptions, raceAbort, throwIfAborted } from './abort.js'
import { commitRolledBack } from './aborted-commit.js'
import { type ConnectionSettings, TuskConnection } from './connection.js'

/**
 * How result values map to JS: `pg` (the default) as Kysely's PostgresDialect with `pg` returns
 * them; `tusk` as the pool is configured (@tusk/core's lossless defaults unless you changed them:
 * int8 as bigint, numeric and date as exact strings, timestamps as PgTimestamp, interval as
 * Interval, bytea as Uint8Array).
 */
export type TypeMapping = 'pg' | 'tusk'

/** Options of {@link TuskDialect}. Give `pool`, or `conninfo` (and `poolOptions`), not both. */
export interface TuskDialectConfig {
  /**
   * A @tusk/core pool, or a function that returns one (called once, on first use, with Kysely's
   * abort signal). `Kysely.destroy()` ends it, as PostgresDialect ends its pool.
   */
  pool?: Pool | ((options?: AbortOptions) => Promise<Pool>)
  /**
   * Where to connect: a `postgres://` URI, a libpq `key=value` string or options. The dialect
   * creates the pool (on first use) and ends it on `Kysely.destroy()`. With neither this nor
   * `pool`, the libpq environment (`PGHOST`, `PGDATABASE`, …) decides.
   */
  conninfo?: string | ConnectionOptions
  /** Options of the pool the dialect creates from `conninfo` (max, timeouts, TLS, hooks…). */
  poolOptions?: PoolOptions
  /** Result mapping; see {@link TypeMapping}. Default `pg`. */
  typeMapping?: TypeMapping
  /** Called once for each new session, before its first use. */
  onCreateConnection?: (connection: TuskConnection, options?: AbortOptions) => Promise<void>
  /** Called every time a session is checked out of the pool. */
  onReserveConnection?: (connection: TuskConnection, options?: AbortOptions) => Promise<void>
}

/** `pgTypes` with the user's type options layered on top (their parsers and codecs win). */
function withPgTypes(types: TypeOptions | TypeRegistry | undefined): TypeOptions | TypeRegistry {
  if (types === undefined) return pgTypes
  if (types instanceof TypeRegistry) return types.extend(pgTypes)
  // The user's parsers win over pg's for the same type, whether keyed by OID or by name.
  return pgTypeOptions(types)
}

/**
 * Runs `pg_terminate_backend` on a connection of its own, outside the pool (so a saturated pool
 * cannot delay a kill), with the pool's connection settings and password.
 */
function outOfPoolTerminator(
  conninfo: string | ConnectionOptions | undefined,
  poolOptions: PoolOptions,
): (processId: number) => Promise<void> {
  return async (processId) => {
    const password = poolOptions.password
    const secret = typeof password === 'function' ? await password() : password
    const target: string | ConnectionOptions | undefined =
      secret === undefined
        ? conninfo
        : typeof conninfo === 'object'
          ? { ...conninfo, password: secret }
          : { ...(conninfo ? { connectionString: conninfo } : {}), password: secret }
    const control = await connect(target, {
      ...(poolOptions.runtime ? { runtime: poolOptions.runtime } : {}),
      signal: AbortSignal.timeout(poolOptions.connectTimeout ?? 10_000),
    })
    try {
      await control.query('select pg_terminate_backend($1)', [processId])
    } finally {
      await control.close()
    }
  }
}

/** The statement PostgresDialect sends to begin a transaction with these settings. */
function beginStatement(settings: TransactionSettings): string {
  if (!settings.isolationLevel && !settings.accessMode) return 'begin'
  let text = 'start transaction'
  if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`
  if (settings.accessMode) text += ` ${settings.accessMode}`
  return text
}

/**
 * Runs `command "name"` compiled by the query compiler Kysely hands over (the name is quoted by
 * the compiler, as an identifier).
 */
async function runSavepointCommand(
  connection: DatabaseConnection,
  command: 'savepoint' | 'rollback to' | 'release',
  savepointName: string,
  compileQuery: QueryCompiler['compileQuery'],
): Promise<void> {
  const node = RawNode.createWithChildren([
    RawNode.createWithSql(`${command} `),
    IdentifierNode.create(savepointName),
  ])
  await connection.executeQuery(compileQuery(node, createQueryId()))
}

/**
 * True when the server itself answered with an error (the statement ended there, and the session
 * with it is in a known state); false when the answer was lost or never came.
 */
function answeredByServer(err: unknown): boolean {
  return (
    err instanceof errors.DatabaseError &&
    err.code !== undefined &&
    !err.inDoubt &&
    !(err instanceof errors.ConnectionError)
  )
}

function asTuskConnection(connection: DatabaseConnection): TuskConnection {
  if (!(connection instanceof TuskConnection)) {
    throw new errors.InterfaceError('TuskDriver was given a connection it did not create')
  }
  return connection
}

/** Kysely's driver for @tusk/core. Created by {@link TuskDialect.createDriver}. */
export class TuskDriver implements Driver {
  readonly #config: TuskDialectConfig
  #pool: Pool | undefined
  #settings: ConnectionSettings | undefined
  readonly #connections = new WeakMap<ConnectionDetails, TuskConnection>()

  /** Checks the configuration; nothing connects before `init`. */
  constructor(config: TuskDialectConfig) {
    if (config.pool !== undefined && config.conninfo !== undefined) {
      throw new errors.ConfigError('TuskDialect: give either `pool` or `conninfo`, not both')
    }
    this.#config = { ...config }
  }

  /** Creates the pool (or calls the `pool` function). Aborting stops waiting for the function. */
  async init(options?: AbortOptions): Promise<void> {
    throwIfAborted(options?.signal)
    const { pool, conninfo, poolOptions = {}, typeMapping = 'pg' } = this.#config
    let queryOptions: QueryOptions = {}
    let terminate: ConnectionSettings['terminate']
    if (typeof pool === 'function') {
      this.#pool = await raceAbort(pool(options), options?.signal, (late) => {
        late.then((p) => p.end()).catch(() => {})
      })
    } else if (pool !== undefined) {
      this.#pool = pool
    }
    if (this.#pool !== undefined) {
      // A pool built elsewhere keeps its own mapping for its other users; the pg one goes with
      // each query (@tusk/core then extends the pool's registry per query: a registry accepted
      // in QueryOptions.types, or a memoized extend, would make that free).
      if (typeMapping === 'pg') queryOptions = { types: pgTypes }
    } else {
      const types = typeMapping === 'pg' ? withPgTypes(poolOptions.types) : poolOptions.types
      this.#pool = createPool(conninfo, { ...poolOptions, ...(types ? { types } : {}) })
      terminate = outOfPoolTerminator(conninfo, poolOptions)
    }
    this.#settings = { queryOptions, pgParameters: typeMapping === 'pg', terminate }
  }

  /** The pool, once `init` ran. */
  get pool(): Pool {
    if (this.#pool === undefined) throw new errors.InterfaceError('TuskDriver: not initialized')
    return this.#pool
  }

  /**
   * Checks out a session. Aborting leaves the pool's queue at once and rejects with the
   * signal's reason, as Kysely expects.
   */
  async acquireConnection(options?: AbortOptions): Promise<DatabaseConnection> {
    const signal = options?.signal
    throwIfAborted(signal)
    const pool = this.pool
    const client = await pool.connect(signal ? { signal } : undefined).catch((err: unknown) => {
      throw signal?.aborted ? signal.reason : err
    })
    let connection = this.#connections.get(client.details)
    const created = connection === undefined
    if (connection === undefined) {
      connection = TuskConnection.create(this.#settings!)
      this.#connections.set(client.details, connection)
    }
    connection.attach(client)
    try {
      if (created && this.#config.onCreateConnection) {
        await this.#config.onCreateConnection(connection, options)
      }
      if (this.#config.onReserveConnection) {
        await this.#config.onReserveConnection(connection, options)
      }
    } catch (err) {
      // A session whose hook failed may be half set up: the pool destroys it.
      connection.discard(err)
      await connection.detach()
      throw err
    }
    return connection
  }

  /**
   * `begin`, or `start transaction isolation level … read only|read write` when Kysely gives
   * settings: the text PostgresDialect sends, through `executeQuery`, so Kysely's `log` sees it.
   */
  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    const tusk = asTuskConnection(connection)
    tusk.forgetFailure()
    await connection.executeQuery(CompiledQuery.raw(beginStatement(settings)))
  }

  /**
   * `commit`. When the server answers ROLLBACK (a statement had failed), throws Kysely's
   * AbortedTransactionError, its `cause` a @tusk/core InFailedSqlTransaction whose own `cause` is
   * the error that failed the transaction; on a Kysely without that class, the dialect's own
   * AbortedTransactionError, which is an InFailedSqlTransaction. A COMMIT whose answer never came
   * (the link broke, in doubt) discards the session: it may hold anything but an idle state.
   */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const tusk = asTuskConnection(connection)
    let result: QueryResult<{ command?: unknown }>
    try {
      result = await connection.executeQuery<{ command?: unknown }>(CompiledQuery.raw('commit'))
    } catch (err) {
      if (!answeredByServer(err)) tusk.discard(err)
      throw err
    }
    if (result.rows[0]?.command === 'ROLLBACK') throw commitRolledBack(tusk.failure)
  }

  /**
   * `rollback`; when that fails the session is discarded on release. After a COMMIT whose answer
   * was lost nothing is sent: the session is already discarded, and its closing ends whatever
   * transaction the server still has, so the caller keeps the COMMIT's error.
   */
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const tusk = asTuskConnection(connection)
    if (tusk.discarded) return
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'))
    } catch (err) {
      tusk.discard(err)
      throw err
    }
  }

  /** `savepoint "name"`, compiled by Kysely (as PostgresDialect does). */
  async savepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await runSavepointCommand(connection, 'savepoint', savepointName, compileQuery)
  }

  /** `rollback to "name"`, compiled by Kysely; the transaction is healthy again after it. */
  async rollbackToSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await runSavepointCommand(connection, 'rollback to', savepointName, compileQuery)
    asTuskConnection(connection).forgetFailure()
  }

  /** `release "name"`, compiled by Kysely. */
  async releaseSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await runSavepointCommand(connection, 'release', savepointName, compileQuery)
  }

  /** Gives the session back to the pool (which rolls back a transaction left open). */
  async releaseConnection(connection: DatabaseConnection, _options?: AbortOptions): Promise<void> {
    await asTuskConnection(connection).detach()
  }

  /** Ends the pool. Aborting stops waiting; the pool still ends in the background. */
  async destroy(options?: AbortOptions): Promise<void> {
    const pool = this.#pool
    if (pool === undefined) return
    this.#pool = undefined
    await raceAbort(pool.end(), options?.signal, (late) => {
      late.catch(() => {})
    })
  }
}
