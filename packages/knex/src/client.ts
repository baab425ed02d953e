/**
 * TuskClient: Knex's PostgreSQL client with @tusk/core underneath. Knex's own pg dialect keeps
 * compiling every query and schema statement (`dialect: 'postgresql'`, `driverName: 'pg'`); this
 * class replaces only what talks to the server — connecting, running statements and scripts,
 * streaming through a server-side cursor, cancelling with a CancelRequest, checking a connection
 * before Knex's pool hands it out, and taking connections from a @tusk/core pool.
 */
import type { Transform } from 'node:stream'
import {
  type ConnectionDetails,
  type ConnectOptions,
  connect,
  errors,
  escapeIdentifier,
  hasMultipleStatements,
  type Pool,
  type PoolClient,
  type QueryOptions,
  type QueryResult,
  type SimpleQueryResult,
  type TypeOptions,
  TypeRegistry,
} from '@tusk/core'
import { pgTypeOptions, pgTypes, preparePgParameters } from '@tusk/core/pg'
import type { Knex } from 'knex'
import PgClientModule from 'knex/lib/dialects/postgres/index.js'
import { commitRolledBack } from './commit-rolled-back.js'
import { TuskKnexConnection } from './connection.js'
import {
  knexVersion,
  type TuskConnectionConfig,
  tuskConnectionConfig,
} from './connection-settings.js'

/**
 * How result values map to JS: `pg` (the default) as Knex with `pg` returns them (int8 and numeric
 * as strings, dates as Date, bytea as Buffer); `tusk` as @tusk/core's lossless defaults, or as a
 * `connectionPool` you pass is configured.
 */
export type TypeMapping = 'pg' | 'tusk'

/** Options of TuskClient beyond Knex's own: the `tusk` key of the Knex configuration. */
export interface TuskClientOptions {
  /**
   * Before Knex's pool hands out a connection idle longer than this (ms), run `select 1` on it
   * and drop it when that fails. Default 30 000; 0 checks every checkout; `false` never pings (a
   * connection known to be closed, or left in a transaction, is still refused).
   */
  healthCheck?: number | false
  /** How long that ping may take (ms, default 5 000). */
  healthCheckTimeout?: number
  /** Result mapping; see {@link TypeMapping}. Default `pg`. */
  typeMapping?: TypeMapping
}

/**
 * Knex's configuration with TuskClient's options. `connection` takes what it takes with `pg` (a
 * URL, or `{ connectionString, host, port, user, password, database, ssl, statement_timeout, … }`),
 * plus libpq's parameter names (`sslmode`, `sslrootcert`, `target_session_attrs`, …) and
 * @tusk/core's connection options (`types`, `cancelGrace`, `prepareThreshold`, …).
 * `connectionPool` may be a @tusk/core pool.
 */
export interface TuskKnexConfig extends Knex.Config {
  /** TuskClient's own options. */
  tusk?: TuskClientOptions
}

/** Knex's query object, as its runner hands it to a client. */
interface QueryObject {
  sql: string
  bindings?: readonly unknown[]
  options?: Record<string, unknown>
  response?: unknown
}

/** Knex's tarn-shaped pool interface, for a pool Knex does not own. */
interface ExternalPool {
  acquire(): { promise: Promise<TuskKnexConnection> }
  release(connection: TuskKnexConnection): boolean
  destroy(): Promise<void>
}

/** The members of Knex's pg client (untyped by Knex) that TuskClient uses or replaces. */
interface PgClientMembers {
  searchPath?: string | readonly string[]
  _ownsPool?: boolean
  _driver(): unknown
  _query(connection: TuskKnexConnection, obj: QueryObject): Promise<QueryObject>
  _stream(
    connection: TuskKnexConnection,
    obj: QueryObject,
    stream: Transform,
    options?: Record<string, unknown>,
  ): Promise<void>
  setSchemaSearchPath(connection: TuskKnexConnection, searchPath?: unknown): Promise<boolean>
  wrapNativePool(pool: unknown): ExternalPool
}

/**
 * Knex's pg client class: Knex's `Client` statics (so `client: TuskClient` type-checks where Knex
 * wants `typeof Client`) and instances with the members above.
 */
type PgClientClass = Omit<typeof Knex.Client, 'prototype'> &
  (new (
    config: Knex.Config,
  ) => Knex.Client & PgClientMembers)

const PgClient = PgClientModule as unknown as PgClientClass

const COMMIT = /^\s*commit\s*;?\s*$/i
const BEGIN = /^\s*(begin|start\s+transaction)\b/i
const ROLLBACK_TO = /^\s*rollback\s+to\b/i
const TEXT = new TextEncoder()

/** Per-client state, kept outside the instance: Knex's constructor calls our methods first. */
interface ClientState {
  settingsSource: unknown
  settings: TuskConnectionConfig | undefined
}
const STATE = new WeakMap<object, ClientState>()

function stateOf(client: object): ClientState {
  let state = STATE.get(client)
  if (state === undefined) {
    state = { settingsSource: undefined, settings: undefined }
    STATE.set(client, state)
  }
  return state
}

/** `pgTypes` under the user's type options (their parsers and codecs win). */
function withPgTypes(types: ConnectOptions['types']): TypeOptions | TypeRegistry {
  if (types === undefined) return pgTypes
  if (types instanceof TypeRegistry) return types.extend(pgTypes)
  return pgTypeOptions(types)
}

function isTuskPool(value: unknown): value is Pool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Pool).connect === 'function' &&
    typeof (value as Pool).stats === 'function' &&
    typeof (value as Pool).drain === 'function'
  )
}

/** A script's results as pg gives them: rows as objects, values parsed by the session's types. */
function scriptResults(results: readonly SimpleQueryResult[], types: TypeRegistry): unknown {
  const shaped = results.map((result) => {
    const decoders = result.fields.map((f) => types.decoder(f.dataTypeOid, 0, `column "${f.name}"`))
    const rows = result.rows.map((values) => {
      const row: Record<string, unknown> = {}
      result.fields.forEach((field, i) => {
        const text = values[i]
        row[field.name] =
          text === null || text === undefined
            ? null
            : (decoders[i] as (b: Uint8Array) => unknown)(TEXT.encode(text))
      })
      return row
    })
    return { command: result.command, rowCount: result.rowCount, fields: result.fields, rows }
  })
  return shaped.length === 1 ? shaped[0] : shaped
}

/**
 * Knex's PostgreSQL client on @tusk/core: `knex({ client: TuskClient, connection: url })`. Query
 * builder, raw, schema builder, transactions, migrations, seeds and streams behave as with Knex's
 * `pg` client; the differences are listed in the README.
 */
export class TuskClient extends PgClient {
  /** Checks nothing and connects nothing: Knex's pool opens connections on first use. */
  constructor(config: TuskKnexConfig) {
    super(config)
    // Knex before 3.3 has no `connectionPool`: take a @tusk/core pool there too.
    const external = (config as { connectionPool?: unknown }).connectionPool
    if (external !== undefined && this.pool === undefined) {
      this.pool = this.wrapNativePool(external) as unknown as Knex.Client['pool']
      this._ownsPool = false
    }
  }

  /** TuskClient's own options (`tusk` in the Knex configuration). */
  get tuskOptions(): TuskClientOptions {
    return (this.config as TuskKnexConfig).tusk ?? {}
  }

  /** @internal What Knex calls its driver module: @tusk/core's `connect`. */
  override _driver(): unknown {
    return { connect }
  }

  /** The pg value mapping goes with each statement only when the session does not have it. */
  #settings(): TuskConnectionConfig {
    const state = stateOf(this)
    const source = this.connectionSettings
    if (state.settings === undefined || state.settingsSource !== source) {
      const { conninfo, options } = tuskConnectionConfig(source)
      const types =
        this.tuskOptions.typeMapping === 'tusk' ? options.types : withPgTypes(options.types)
      state.settings = { conninfo, options: types === undefined ? options : { ...options, types } }
      state.settingsSource = source
    }
    return state.settings
  }

  /** Opens a @tusk/core session for Knex's pool, then learns the version and sets `searchPath`. */
  override async acquireRawConnection(): Promise<TuskKnexConnection> {
    const { conninfo, options } = this.#settings()
    const session = await connect(conninfo, options)
    const connection = new TuskKnexConnection(session, {})
    try {
      if (!this.version) this.version = knexVersion(session.serverVersion)
      await this.setSchemaSearchPath(connection)
    } catch (err) {
      session.destroy()
      throw err
    }
    return connection
  }

  /**
   * Closes a session Knex's pool gives up. One Knex marked disposed, or one still busy, is
   * dropped at once; an idle one gets a graceful close bounded to a second.
   */
  override async destroyRawConnection(connection: TuskKnexConnection): Promise<void> {
    const session = connection.session
    if (connection.__knex__disposed !== undefined || session.state !== 'idle') {
      session.destroy()
      return
    }
    await session.close({ timeout: 1_000 }).catch(() => session.destroy())
  }

  /**
   * Whether Knex's pool may hand `connection` out: not closed or lost, idle outside any
   * transaction, and — when idle longer than `healthCheck` — answering `select 1` in time.
   */
  override async validateConnection(connection: TuskKnexConnection): Promise<boolean> {
    const session = connection.session
    if (session.closed || session.state !== 'idle' || session.transactionStatus !== 'I') {
      return false
    }
    const { healthCheck = 30_000, healthCheckTimeout = 5_000 } = this.tuskOptions
    if (healthCheck === false || Date.now() - connection.idleSince < healthCheck) return true
    try {
      await session.query('select 1', [], { timeout: healthCheckTimeout })
      return true
    } catch {
      return false
    }
  }

  /**
   * Checks a connection out of Knex's pool. A timeout stays Knex's KnexTimeoutError, with a
   * @tusk/core PoolTimeoutError as its `cause` (so either class can be caught).
   */
  override async acquireConnection(): Promise<TuskKnexConnection> {
    try {
      return (await super.acquireConnection()) as TuskKnexConnection
    } catch (err) {
      if (
        err instanceof Error &&
        err.name === 'KnexTimeoutError' &&
        !(err.cause instanceof errors.PoolTimeoutError)
      ) {
        err.cause = new errors.PoolTimeoutError(err.message, {
          cause: err.cause,
          safeToRetry: true,
        })
      }
      throw err
    }
  }

  /**
   * Gives a connection back once what it ran (a stream's cursor) has ended. One Knex marked
   * disposed (a `.timeout(ms)` without `cancel` leaves its statement running) is closed at once
   * instead: Knex waits for this release before it rejects with the timeout.
   */
  override async releaseConnection(connection: TuskKnexConnection): Promise<void> {
    const running = connection.inFlight
    if (connection.__knex__disposed !== undefined && running !== undefined) {
      connection.session.destroy()
    } else if (running !== undefined) {
      await running.settled
    }
    connection.idleSince = Date.now()
    await super.releaseConnection(connection)
  }

  /**
   * Cancels what `connection` is running (Knex calls it for `.timeout(ms, { cancel: true })`): a
   * CancelRequest for that statement only, no SQL and no pooled connection; resolves once the
   * statement has ended and the session is usable again.
   */
  override async cancelQuery(connection?: TuskKnexConnection): Promise<void> {
    const running = connection?.inFlight
    if (running === undefined) return
    running.controller.abort()
    await running.settled
  }

  /** `set search_path to "a","b"` when Knex's `searchPath` is set (names quoted as identifiers). */
  override async setSchemaSearchPath(
    connection: TuskKnexConnection,
    searchPath?: unknown,
  ): Promise<boolean> {
    let path = searchPath ?? this.searchPath
    if (!path) return true
    if (typeof path === 'string') {
      if (path.includes(',')) {
        this.logger.warn?.(
          `Detected comma in searchPath "${path}". To give several schemas, use an array: ` +
            JSON.stringify(path.split(',')),
        )
      }
      path = [path]
    }
    if (!Array.isArray(path) || !path.every((p) => typeof p === 'string')) {
      throw new errors.ConfigError('knex `searchPath`: expected a string or an array of strings')
    }
    const list = (path as string[]).map((name) => escapeIdentifier(name)).join(',')
    await connection.session.query(`set search_path to ${list}`)
    return true
  }

  /**
   * Runs one compiled statement: `pg`'s parameter conversion, the extended protocol, and — for a
   * multi-statement text without bindings, as `pg` does — the simple protocol. Knex's
   * `.options({ … })` become @tusk/core query options (`signal`, `timeout`, `rowMode`, …).
   */
  override async _query(connection: TuskKnexConnection, obj: QueryObject): Promise<QueryObject> {
    const text = obj.sql
    if (!text) throw new errors.InterfaceError('knex: the query is empty')
    const session = connection.session
    const bindings = obj.bindings ?? []
    const { signal, ...extra } = (obj.options ?? {}) as { signal?: AbortSignal } & QueryOptions
    if (bindings.length === 0 && hasMultipleStatements(text)) {
      const results = await connection.track((s) => session.exec(text, { signal: s }), signal)
      const types = connection.queryOptions.types
      obj.response = scriptResults(results, types ? session.types.extend(types) : session.types)
      return obj
    }
    if (BEGIN.test(text)) connection.failure = undefined
    const params =
      this.tuskOptions.typeMapping === 'tusk' ? bindings : preparePgParameters(bindings)
    const result: QueryResult = await connection.track(
      (s) => session.query(text, params, { ...connection.queryOptions, ...extra, signal: s }),
      signal,
    )
    if (result.command === 'ROLLBACK' && COMMIT.test(text)) {
      throw commitRolledBack(connection.failure, text)
    }
    if (ROLLBACK_TO.test(text)) connection.failure = undefined
    obj.response = result
    return obj
  }

  /**
   * Streams a result through a @tusk/core server-side cursor into Knex's stream, `batchSize` rows
   * (default 100) at a time with backpressure: at most two batches in memory. Destroying the
   * stream closes the cursor before the connection goes back to the pool.
   */
  override _stream(
    connection: TuskKnexConnection,
    obj: QueryObject,
    stream: Transform,
    options?: Record<string, unknown>,
  ): Promise<void> {
    const text = obj.sql
    if (!text) throw new errors.InterfaceError('knex: the query is empty')
    const bindings = obj.bindings ?? []
    const params =
      this.tuskOptions.typeMapping === 'tusk' ? bindings : preparePgParameters(bindings)
    const batchSize = typeof options?.batchSize === 'number' ? options.batchSize : 100
    const types = connection.queryOptions.types
    return connection.track(
      (signal) =>
        new Promise<void>((resolve, reject) => {
          const cursor = connection.session.cursor(text, params, {
            batchSize,
            signal,
            ...(types ? { types } : {}),
          })
          const source = cursor.stream()
          const finish = (err?: unknown) => {
            cursor.close().then(
              () => (err === undefined ? resolve() : reject(err)),
              () => (err === undefined ? resolve() : reject(err)),
            )
          }
          source.on('error', (err) => {
            finish(err)
            stream.emit('error', err)
          })
          source.on('end', () => finish())
          source.on('close', () => finish())
          source.pipe(stream)
        }),
    )
  }

  /**
   * Takes connections from a @tusk/core pool given as Knex's `connectionPool`: Knex checks out a
   * pool client for each query or transaction and gives it back after; the pool's own checks,
   * timeouts and hooks apply. Knex never ends that pool.
   */
  override wrapNativePool(pool: unknown): ExternalPool {
    if (!isTuskPool(pool)) {
      throw new errors.ConfigError(
        'TuskClient: `connectionPool` must be a @tusk/core pool (createPool(…)) or a tarn pool',
      )
    }
    const uids = new WeakMap<ConnectionDetails, string>()
    const searchPathSet = new WeakSet<ConnectionDetails>()
    let serial = 0
    const queryOptions: QueryOptions =
      this.tuskOptions.typeMapping === 'tusk' ? {} : { types: pgTypes }
    return {
      acquire: () => ({
        promise: (async () => {
          const timeout = this.config.acquireConnectionTimeout
          const client: PoolClient = await pool.connect(
            timeout !== undefined ? { timeout } : undefined,
          )
          const connection = new TuskKnexConnection(client, queryOptions)
          try {
            let uid = uids.get(client.details)
            if (uid === undefined) {
              uid = `__knexUid_tusk${++serial}`
              uids.set(client.details, uid)
            }
            connection.__knexUid = uid
            if (!this.version) this.version = knexVersion(client.serverVersion)
            if (!searchPathSet.has(client.details)) {
              await this.setSchemaSearchPath(connection)
              searchPathSet.add(client.details)
            }
          } catch (err) {
            await client.release(true)
            throw err
          }
          return connection
        })(),
      }),
      release: (connection) => {
        const client = connection.session as PoolClient
        void (async () => {
          await connection.inFlight?.settled
          await client.release(connection.__knex__disposed !== undefined ? true : undefined)
        })()
        return true
      },
      destroy: async () => {},
    }
  }
}
