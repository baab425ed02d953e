/**
 * `PrismaTusk`: the factory Prisma is given (`new PrismaClient({ adapter })`). It makes (or takes)
 * a `@tusk/core` pool on `connect()`, and a pool on a fresh database for Migrate's shadow database.
 */
import { randomUUID } from 'node:crypto'
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils'
import {
  type ConnectionOptions,
  createPool,
  errors,
  escapeIdentifier,
  Pool,
  type PoolOptions,
  type Session,
} from '@tusk/core'
import { ADAPTER_NAME, TuskAdapter } from './adapter.js'
import { prismaTypes } from './column-types.js'
import { toPrismaError } from './errors.js'

/** Options of {@link PrismaTusk}. */
export interface PrismaTuskOptions {
  /**
   * The PostgreSQL schema Prisma's tables live in (default: the connection's `search_path`, i.e.
   * `public`). Prisma qualifies its statements with it; on a pool the adapter makes, `search_path`
   * is also set to it, so raw queries find its tables unqualified. A `?schema=` parameter of a
   * connection URL means the same.
   */
  schema?: string
  /**
   * `@tusk/core` pool options (`max`, `acquireTimeout`, `idleTimeout`, `statementTimeout`,
   * `logger`, hooks, …) for the pool the adapter makes. `types` is the adapter's own and refused.
   */
  pool?: PoolOptions
  /** `dispose()` ends a pool the app passed in (default: false, the app ends it). */
  disposeExternalPool?: boolean
  /**
   * Called with each error of the pool's background work (an idle connection lost, a refill that
   * failed), as `@prisma/adapter-pg`'s option of that name is; alongside the pool's own `onError`.
   * Pools the adapter makes only: give a `Pool` of yours its `onError` in `createPool()`.
   */
  onPoolError?: (error: Error) => void
}

/**
 * URL parameters that Prisma's own connection strings carry and libpq does not know, and what
 * they become here: `schema`, `connection_limit` (pool `max`), `pool_timeout` (seconds, pool
 * `acquireTimeout`), `pgbouncer=true` (`pooler: 'transaction'`).
 */
interface PrismaUrlParameters {
  readonly conninfo: string
  readonly schema?: string
  readonly pool: PoolOptions
}

function positiveInteger(name: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) {
    throw new errors.ConfigError(
      `invalid connection URL parameter "${name}": expected a whole number, got "${text}"`,
      { parameter: name },
    )
  }
  return n
}

function prismaUrlParameters(conninfo: string): PrismaUrlParameters {
  if (!/^postgres(ql)?:\/\//i.test(conninfo)) return { conninfo, pool: {} }
  let url: URL
  try {
    url = new URL(conninfo)
  } catch {
    // The core reports a malformed URL with its own ConfigError.
    return { conninfo, pool: {} }
  }
  const pool: { -readonly [K in keyof PoolOptions]: PoolOptions[K] } = {}
  let schema: string | undefined
  let changed = false
  for (const [name, value] of [...url.searchParams]) {
    switch (name) {
      case 'schema':
        schema = value
        break
      case 'connection_limit':
        pool.max = positiveInteger(name, value)
        break
      case 'pool_timeout':
        pool.acquireTimeout = positiveInteger(name, value) * 1000
        break
      case 'pgbouncer':
        if (value === 'true') pool.pooler = 'transaction'
        break
      default:
        continue
    }
    url.searchParams.delete(name)
    changed = true
  }
  return {
    conninfo: changed ? url.toString() : conninfo,
    pool,
    ...(schema === undefined ? {} : { schema }),
  }
}

/** `pool` whose background errors also reach `onPoolError`. */
function withPoolErrors(
  pool: PoolOptions,
  onPoolError: ((error: Error) => void) | undefined,
): PoolOptions {
  if (onPoolError === undefined) return pool
  const own = pool.onError
  return {
    ...pool,
    onError: (error: errors.TuskError) => {
      own?.(error)
      onPoolError(error)
    },
  }
}

/** `conninfo` pointed at another database. */
function onDatabase(
  conninfo: string | ConnectionOptions,
  dbname: string,
): string | ConnectionOptions {
  if (typeof conninfo !== 'string') return { ...conninfo, dbname }
  if (/^postgres(ql)?:\/\//i.test(conninfo)) {
    const url = new URL(conninfo)
    url.pathname = `/${encodeURIComponent(dbname)}`
    return url.toString()
  }
  // In a key=value string, the last occurrence of a keyword wins (libpq).
  return `${conninfo} dbname='${dbname}'`
}

/**
 * Prisma's driver adapter factory for PostgreSQL on `@tusk/core`:
 * `new PrismaClient({ adapter: new PrismaTusk(process.env.DATABASE_URL) })`.
 *
 * Give it a connection string (a URL or libpq `key=value`), `@tusk/core` connection options, or a
 * `Pool` the app made (`createPool`). TLS, authentication and every libpq parameter are the
 * core's (`sslmode=verify-full`, `sslrootcert`, …). Each `connect()` makes its own pool from a
 * string or options; a pool passed in is shared and left open by `dispose()` unless
 * `disposeExternalPool` is set.
 */
export class PrismaTusk implements SqlMigrationAwareDriverAdapterFactory {
  /** Prisma's provider: `postgres`. */
  readonly provider = 'postgres' as const
  /** `@tusk/prisma`. */
  readonly adapterName = ADAPTER_NAME
  readonly #conninfo: string | ConnectionOptions | undefined
  readonly #external: Pool | undefined
  readonly #schema: string | undefined
  readonly #pool: PoolOptions
  readonly #disposeExternal: boolean

  constructor(conninfo?: string | ConnectionOptions | Pool, options: PrismaTuskOptions = {}) {
    if (options.pool !== undefined && 'types' in options.pool && options.pool.types !== undefined) {
      throw new errors.ConfigError(
        'invalid pool option "types": @tusk/prisma sets the type mapping Prisma reads',
        { parameter: 'types' },
      )
    }
    this.#disposeExternal = options.disposeExternalPool ?? false
    if (conninfo instanceof Pool) {
      for (const parameter of ['pool', 'onPoolError'] as const) {
        if (options[parameter] !== undefined) {
          throw new errors.ConfigError(
            `invalid option "${parameter}": pool options belong to createPool() when a Pool is passed in`,
            { parameter },
          )
        }
      }
      this.#external = conninfo
      this.#conninfo = undefined
      this.#schema = options.schema
      this.#pool = {}
      return
    }
    this.#external = undefined
    if (typeof conninfo === 'string') {
      const parsed = prismaUrlParameters(conninfo)
      this.#conninfo = parsed.conninfo
      this.#schema = options.schema ?? parsed.schema
      this.#pool = withPoolErrors({ ...parsed.pool, ...options.pool }, options.onPoolError)
    } else {
      this.#conninfo = conninfo
      this.#schema = options.schema
      this.#pool = withPoolErrors({ ...options.pool }, options.onPoolError)
    }
  }

  /** Makes the pool (or takes the one passed in) and the adapter Prisma runs statements on. */
  async connect(): Promise<SqlDriverAdapter> {
    if (this.#external !== undefined) {
      const pool = this.#external
      const dispose = this.#disposeExternal
      return new TuskAdapter(pool, prismaTypes, this.#schema, async () => {
        if (dispose) await pool.end()
      })
    }
    const pool = this.#createPool(this.#conninfo)
    return new TuskAdapter(pool, undefined, this.#schema, () => pool.end())
  }

  /**
   * Creates a scratch database (`prisma_migrate_shadow_db_<uuid>`) for Migrate, and an adapter on
   * it whose `dispose()` drops it again. Needs a connection string or options, not a `Pool`.
   */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    if (this.#conninfo === undefined && this.#external !== undefined) {
      throw new errors.ConfigError(
        'a shadow database needs a connection string or options: PrismaTusk was given a Pool',
      )
    }
    const main = this.#createPool(this.#conninfo, { max: 1 })
    const database = `prisma_migrate_shadow_db_${randomUUID()}`
    try {
      await main.exec(`CREATE DATABASE ${escapeIdentifier(database)}`)
    } catch (err) {
      await main.end()
      throw toPrismaError(err)
    }
    const shadow = this.#createPool(onDatabase(this.#conninfo ?? {}, database))
    return new TuskAdapter(shadow, undefined, this.#schema, async () => {
      try {
        await shadow.end()
        await main.exec(`DROP DATABASE IF EXISTS ${escapeIdentifier(database)}`)
      } finally {
        await main.end()
      }
    })
  }

  #createPool(conninfo: string | ConnectionOptions | undefined, extra: PoolOptions = {}): Pool {
    const schema = this.#schema
    const userInit = this.#pool.init
    const init =
      schema === undefined
        ? userInit
        : async (session: Session) => {
            await session.exec(`SET search_path TO ${escapeIdentifier(schema)}`)
            if (userInit !== undefined) await userInit(session)
          }
    return createPool(conninfo, {
      ...this.#pool,
      ...extra,
      types: prismaTypes,
      ...(init === undefined ? {} : { init }),
    })
  }
}
