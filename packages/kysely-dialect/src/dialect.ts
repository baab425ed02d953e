/**
 * TuskDialect: Kysely's `Dialect` for PostgreSQL over @tusk/core, with Kysely's own PostgreSQL
 * query compiler, adapter and introspector.
 */
import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
} from 'kysely'
import { type TuskDialectConfig, TuskDriver } from './driver.js'

/**
 * Kysely's PostgreSQL dialect on @tusk/core. Swap `new PostgresDialect({ pool: new Pool(...) })`
 * for `new TuskDialect({ conninfo: url })` (or `{ pool: createPool(url) }`): query results keep
 * the values `pg` gives unless `typeMapping: 'tusk'` asks for the lossless ones.
 */
export class TuskDialect implements Dialect {
  readonly #config: TuskDialectConfig

  /** See {@link TuskDialectConfig}; nothing connects before Kysely's first query. */
  constructor(config: TuskDialectConfig = {}) {
    this.#config = config
  }

  /** A new {@link TuskDriver} for this configuration. */
  createDriver(): Driver {
    return new TuskDriver(this.#config)
  }

  /** Kysely's PostgreSQL query compiler. */
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler()
  }

  /** Kysely's PostgreSQL adapter (transactional DDL, `returning`, advisory-lock migrations). */
  createAdapter(): DialectAdapter {
    return new PostgresAdapter()
  }

  /** Kysely's PostgreSQL introspector (Kysely hands it an instance without plugins). */
  createIntrospector(db: Parameters<Dialect['createIntrospector']>[0]): DatabaseIntrospector {
    return new PostgresIntrospector(db)
  }
}
