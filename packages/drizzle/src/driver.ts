/**
 * `drizzle()`: a Drizzle PostgreSQL database on @tusk/core, in the shape of drizzle-orm's own
 * drivers (`drizzle(url)`, `drizzle(pool)`, `drizzle({ connection | client, schema, logger,
 * casing, cache })`), and the database class it returns.
 */
import {
  type ConnectionOptions,
  createPool,
  errors,
  type Pool,
  type PoolOptions,
  type QueryOptions,
  type Session,
  TypeRegistry,
} from '@tusk/core'
import {
  createTableRelationsHelpers,
  DefaultLogger,
  type DrizzleConfig,
  type ExtractTablesWithRelations,
  entityKind,
  extractTablesRelationalConfig,
  type Logger,
  type RelationalSchemaConfig,
} from 'drizzle-orm'
import { PgDatabase, PgDialect } from 'drizzle-orm/pg-core'
import {
  type TuskQueryable,
  type TuskQueryResultHKT,
  TuskSession,
  type TuskStatementOptions,
  type TuskTransaction,
  type TuskTransactionConfig,
} from './session.js'
import { drizzleTypes, drizzleTypesWith } from './types.js'

/** What `drizzle()` runs on: a @tusk/core pool, or one session (a `connect()` or pool client). */
export type TuskClient = Pool | Session

/** Options of `drizzle()`: Drizzle's (`schema`, `logger`, `casing`, `cache`). */
export type TuskDrizzleConfig<TSchema extends Record<string, unknown> = Record<string, never>> =
  DrizzleConfig<TSchema>

/** `drizzle({ connection, ... })`: the driver creates (and owns) a pool. */
export interface TuskConnectionConfig<
  TSchema extends Record<string, unknown> = Record<string, never>,
> extends DrizzleConfig<TSchema> {
  /** A `postgres://` URI, a libpq `key=value` string or connection options. */
  connection: string | ConnectionOptions
  /**
   * Options of the pool created for it (max, timeouts, TLS, hooks, statement cache…); `types`
   * are layered over Drizzle's mapping (see `drizzleTypesWith`).
   */
  pool?: PoolOptions
}

/** `drizzle({ client, ... })`: run on a pool or session you created. */
export interface TuskClientConfig<TSchema extends Record<string, unknown> = Record<string, never>>
  extends DrizzleConfig<TSchema> {
  /** A @tusk/core pool (`createPool`) or session (`connect`, `pool.connect()`). */
  client: TuskClient
}

/**
 * A Drizzle PostgreSQL database on @tusk/core: everything `PgDatabase` offers, transactions that
 * also take a signal, a timeout and a retry policy, and {@link TuskDatabase.$withOptions} for
 * per-statement cancel and time limits. `$client` is the pool or session it runs on.
 */
export class TuskDatabase<
  TSchema extends Record<string, unknown> = Record<string, never>,
> extends PgDatabase<TuskQueryResultHKT, TSchema> {
  static override readonly [entityKind]: string = 'TuskDatabase'

  /** The @tusk/core pool or session this database runs on. End a pool with `$client.end()`. */
  $client: TuskClient

  readonly #dialect: PgDialect
  readonly #tuskSession: TuskSession<TSchema, ExtractTablesWithRelations<TSchema>>
  readonly #relational: RelationalSchemaConfig<ExtractTablesWithRelations<TSchema>> | undefined

  /** @internal Built by {@link drizzle}. */
  constructor(
    dialect: PgDialect,
    session: TuskSession<TSchema, ExtractTablesWithRelations<TSchema>>,
    schema: RelationalSchemaConfig<ExtractTablesWithRelations<TSchema>> | undefined,
    client: TuskClient,
  ) {
    super(dialect, session, schema)
    this.#dialect = dialect
    this.#tuskSession = session
    this.#relational = schema
    this.$client = client
  }

  /**
   * Runs `transaction` in a transaction (begun, committed and rolled back by @tusk/core) with
   * Drizzle's settings and, optionally, `signal`, `timeout` and `retry`. A throw rolls it back
   * and is rethrown; `tx.transaction()` nests a savepoint.
   */
  override transaction<T>(
    transaction: (tx: TuskTransaction<TSchema, ExtractTablesWithRelations<TSchema>>) => Promise<T>,
    config?: TuskTransactionConfig,
  ): Promise<T> {
    return this.#tuskSession.transaction(transaction, config)
  }

  /**
   * This database with per-statement options: `signal` cancels the running statement on the
   * server (a real CancelRequest; the statement fails with QueryCanceled, as the `cause` of
   * Drizzle's error) and makes transactions begun through it abortable; `timeout` limits each
   * statement (ms). Same pool, same schema; nothing is copied.
   */
  $withOptions(options: TuskStatementOptions): TuskDatabase<TSchema> {
    const db = new TuskDatabase<TSchema>(
      this.#dialect,
      this.#tuskSession.withStatementOptions(options),
      this.#relational,
      this.$client,
    )
    db.$cache = this.$cache
    return db
  }
}

/** Whether `value` looks like a @tusk/core pool or session (structurally: two copies may load). */
function isTuskClient(value: unknown): value is TuskClient {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v.query === 'function' &&
    typeof v.transaction === 'function' &&
    typeof v.cursor === 'function' &&
    typeof v.exec === 'function'
  )
}

/** What a wrong client is, for the error message. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  const v = value as Record<string, unknown>
  if (typeof v.query === 'function' && typeof v.connect === 'function') {
    // pg's Pool and Client (and pg-compat's) have query and connect but no transaction/cursor.
    return `a pg ${typeof name === 'string' && name.includes('Pool') ? 'Pool' : 'client'} (${String(name)})`
  }
  return typeof name === 'string' ? `an object of class ${name}` : 'an object'
}

function wrongClient(value: unknown): errors.ConfigError {
  return new errors.ConfigError(
    `@tusk/drizzle: expected a @tusk/core Pool (createPool) or Session (connect), a connection URL, or { connection } / { client }; got ${describe(value)}. For a pg Pool use drizzle-orm/node-postgres, or pass its connection string here.`,
    { parameter: 'client' },
  )
}

function checkDrizzleConfig(config: DrizzleConfig<Record<string, unknown>> | undefined): void {
  if (config === undefined) return
  if (typeof config !== 'object' || config === null) {
    throw new errors.ConfigError('@tusk/drizzle: the second argument must be a Drizzle config', {
      parameter: 'config',
    })
  }
}

function construct<TSchema extends Record<string, unknown>>(
  client: TuskClient,
  config: DrizzleConfig<TSchema>,
  queryOptions: QueryOptions,
): TuskDatabase<TSchema> & { $client: TuskClient } {
  checkDrizzleConfig(config as DrizzleConfig<Record<string, unknown>>)
  const dialect = new PgDialect(config.casing ? { casing: config.casing } : {})
  let logger: Logger | undefined
  if (config.logger === true) logger = new DefaultLogger()
  else if (config.logger !== false && config.logger !== undefined) logger = config.logger
  let schema: RelationalSchemaConfig<ExtractTablesWithRelations<TSchema>> | undefined
  if (config.schema) {
    const tables = extractTablesRelationalConfig(config.schema, createTableRelationsHelpers)
    schema = {
      fullSchema: config.schema,
      schema: tables.tables as ExtractTablesWithRelations<TSchema>,
      tableNamesMap: tables.tableNamesMap,
    }
  }
  const session = TuskSession.create<TSchema, ExtractTablesWithRelations<TSchema>>(
    client as TuskQueryable,
    dialect,
    schema,
    {
      ...(logger ? { logger } : {}),
      ...(config.cache ? { cache: config.cache } : {}),
      queryOptions,
    },
  )
  const db = new TuskDatabase<TSchema>(dialect, session, schema, client)
  if (config.cache) {
    db.$cache = { invalidate: config.cache.onMutate.bind(config.cache) }
  }
  return db
}

/** A pool with Drizzle's type mapping layered over the user's options. */
function ownPool(conninfo: string | ConnectionOptions, options: PoolOptions = {}): Pool {
  if (typeof conninfo !== 'string' && (typeof conninfo !== 'object' || conninfo === null)) {
    throw wrongClient(conninfo)
  }
  const { types } = options
  if (types instanceof TypeRegistry) {
    throw new errors.ConfigError(
      '@tusk/drizzle: `pool.types` must be type options, not a registry: Drizzle needs its own mapping under yours; create the pool yourself to use a registry, and pass it as `client`',
      { parameter: 'types' },
    )
  }
  return createPool(conninfo, {
    ...options,
    types: types === undefined ? drizzleTypes : drizzleTypesWith(types),
  })
}

/** Per-query options for a client the driver did not create: Drizzle's mapping goes with each. */
const CLIENT_QUERY_OPTIONS: QueryOptions = Object.freeze({ types: drizzleTypes })

/**
 * Creates a Drizzle database on @tusk/core. Swap `drizzle-orm/node-postgres`'s `drizzle` for
 * this one: a URL (or `{ connection }`) creates a pool the database owns (`db.$client.end()`
 * ends it); a pool or session of your own (or `{ client }`) is used as it is, with Drizzle's
 * type mapping applied per query. Throws ConfigError (an InterfaceError) for anything else — a
 * `pg.Pool` included — naming what was expected, and for a URL it cannot parse.
 */
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  url: string,
  config?: TuskDrizzleConfig<TSchema>,
): TuskDatabase<TSchema> & { $client: Pool }
export function drizzle<
  TSchema extends Record<string, unknown> = Record<string, never>,
  TClient extends TuskClient = TuskClient,
>(
  client: TClient,
  config?: TuskDrizzleConfig<TSchema>,
): TuskDatabase<TSchema> & { $client: TClient }
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  config: TuskConnectionConfig<TSchema>,
): TuskDatabase<TSchema> & { $client: Pool }
export function drizzle<
  TSchema extends Record<string, unknown> = Record<string, never>,
  TClient extends TuskClient = TuskClient,
>(
  config: TuskDrizzleConfig<TSchema> & { client: TClient },
): TuskDatabase<TSchema> & { $client: TClient }
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  target: string | TuskClient | TuskConnectionConfig<TSchema> | TuskClientConfig<TSchema>,
  config: TuskDrizzleConfig<TSchema> = {},
): TuskDatabase<TSchema> {
  if (typeof target === 'string') return construct(ownPool(target), config, {})
  if (isTuskClient(target)) return construct(target, config, CLIENT_QUERY_OPTIONS)
  if (typeof target === 'object' && target !== null && target.constructor === Object) {
    if ('client' in target && target.client !== undefined) {
      const { client, ...rest } = target
      if (!isTuskClient(client)) throw wrongClient(client)
      return construct(client, rest, CLIENT_QUERY_OPTIONS)
    }
    if ('connection' in target && target.connection !== undefined) {
      const { connection, pool, ...rest } = target
      return construct(ownPool(connection, pool), rest, {})
    }
  }
  throw wrongClient(target)
}
