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
  escapeIdentifier,
  type IsolationLevel,
  type Pool,
  type PoolOptions,
  type QueryOptions,
  type TypeOptions,
  TypeRegistry,
} from '@tusk/core'
import { pgTypeOptions, pgTypes } from '@tusk/core/pg'
import {
  AbortedTransactionError,
  type DatabaseConnection,
  type Driver,
  type TransactionSettings,
} from 'kysely'
import { type AbortOptions, raceAbort, throwIfAborted } from './abort.js'
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

  /** `BEGIN` with Kysely's isolation level and access mode. */
  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    const session = asTuskConnection(connection).client
    await session.begin({
      ...(settings.isolationLevel ? { isolation: settings.isolationLevel as IsolationLevel } : {}),
      ...(settings.accessMode ? { readOnly: settings.accessMode === 'read only' } : {}),
    })
  }

  /**
   * `COMMIT`. When the server could only roll back (a statement had failed), throws Kysely's
   * AbortedTransactionError, its `cause` the @tusk/core InFailedSqlTransaction (whose own
   * `cause` is the error that failed the transaction).
   */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await asTuskConnection(connection).client.commit()
    } catch (err) {
      if (err instanceof errors.InFailedSqlTransaction) {
        const aborted = new AbortedTransactionError()
        Object.defineProperty(aborted, 'cause', {
          value: err,
          configurable: true,
          writable: true,
        })
        throw aborted
      }
      throw err
    }
  }

  /** `ROLLBACK`; when that fails the session is discarded on release. */
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const tusk = asTuskConnection(connection)
    try {
      await tusk.client.rollback()
    } catch (err) {
      tusk.discard(err)
      throw err
    }
  }

  /** `SAVEPOINT name`. */
  async savepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await asTuskConnection(connection).client.exec(`savepoint ${escapeIdentifier(savepointName)}`)
  }

  /** `ROLLBACK TO SAVEPOINT name`. */
  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await asTuskConnection(connection).client.exec(
      `rollback to savepoint ${escapeIdentifier(savepointName)}`,
    )
  }

  /** `RELEASE SAVEPOINT name`. */
  async releaseSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await asTuskConnection(connection).client.exec(
      `release savepoint ${escapeIdentifier(savepointName)}`,
    )
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
