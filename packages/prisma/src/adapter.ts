/**
 * The adapter Prisma drives: queries on the pool, transactions on one checked-out client whose
 * BEGIN, COMMIT, ROLLBACK and savepoints are the core's, scripts through the simple protocol.
 */
import {
  type ConnectionInfo,
  DriverAdapterError,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlQuery,
  type SqlQueryable,
  type SqlResultSet,
  type Transaction,
  type TransactionOptions,
} from '@prisma/driver-adapter-utils'
import type {
  IsolationLevel as CoreIsolationLevel,
  Pool,
  PoolClient,
  QueryResult,
  TypeOptions,
} from '@tusk/core'
import { prismaArguments } from './arguments.js'
import { columnTypeOf, typeNameOf } from './column-types.js'
import { toPrismaError } from './errors.js'

/** The adapter's name, as Prisma shows it in logs and errors. */
export const ADAPTER_NAME = '@tusk/prisma'

/** Runs one statement in array row mode: on the pool, or on one client inside a transaction. */
type RunQuery = (
  text: string,
  params: unknown[],
  options: { rowMode: 'array'; types?: TypeOptions },
) => Promise<QueryResult<unknown[]>>

const ISOLATION: Readonly<Record<string, CoreIsolationLevel>> = {
  'READ UNCOMMITTED': 'read uncommitted',
  'READ COMMITTED': 'read committed',
  'REPEATABLE READ': 'repeatable read',
  SERIALIZABLE: 'serializable',
}

async function run<T>(io: () => Promise<T>): Promise<T> {
  try {
    return await io()
  } catch (err) {
    throw toPrismaError(err)
  }
}

/** Statements for Prisma on one target (`queryRaw`, `executeRaw`). */
class TuskQueryable implements SqlQueryable {
  readonly provider = 'postgres' as const
  readonly adapterName = ADAPTER_NAME

  /** @internal */
  constructor(
    private readonly runQuery: RunQuery,
    protected readonly types: TypeOptions | undefined,
  ) {}

  /** Runs `query` and returns its columns (names and Prisma types) and rows as arrays. */
  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    const result = await this.perform(query)
    const columnNames: string[] = []
    const columnTypes: SqlResultSet['columnTypes'] = []
    for (const field of result.fields) {
      const type = columnTypeOf(field.dataTypeOid)
      if (type === undefined) {
        throw new DriverAdapterError({
          kind: 'UnsupportedNativeDataType',
          type: typeNameOf(field.dataTypeOid),
        })
      }
      columnNames.push(field.name)
      columnTypes.push(type)
    }
    return { columnNames, columnTypes, rows: result.rows }
  }

  /** Runs `query` and returns the number of rows it affected. */
  async executeRaw(query: SqlQuery): Promise<number> {
    return (await this.perform(query)).rowCount ?? 0
  }

  private perform(query: SqlQuery): Promise<QueryResult<unknown[]>> {
    const args = prismaArguments(query.args, query.argTypes)
    const options =
      this.types === undefined
        ? ({ rowMode: 'array' } as const)
        : ({ rowMode: 'array', types: this.types } as const)
    return run(() => this.runQuery(query.sql, args, options))
  }
}

/** A transaction on one checked-out client: commit and rollback run the core's and release it. */
class TuskTransaction extends TuskQueryable implements Transaction {
  /** Prisma calls `commit()` and `rollback()` itself, with no COMMIT or ROLLBACK statement of its own. */
  readonly options: TransactionOptions = { usePhantomQuery: true }
  readonly #client: PoolClient
  #done = false

  /** @internal */
  constructor(client: PoolClient, types: TypeOptions | undefined) {
    super((text, params, options) => client.query<unknown[]>(text, params, options), types)
    this.#client = client
  }

  /** Commits and hands the connection back to the pool. */
  async commit(): Promise<void> {
    await this.#finish(() => this.#client.commit())
  }

  /** Rolls back and hands the connection back to the pool. */
  async rollback(): Promise<void> {
    await this.#finish(() => this.#client.rollback())
  }

  /** `SAVEPOINT name` (nested `$transaction`). */
  async createSavepoint(name: string): Promise<void> {
    await run(() => this.#client.savepoint(name))
  }

  /** `ROLLBACK TO SAVEPOINT name`. */
  async rollbackToSavepoint(name: string): Promise<void> {
    await run(() => this.#client.rollbackToSavepoint(name))
  }

  /** `RELEASE SAVEPOINT name`. */
  async releaseSavepoint(name: string): Promise<void> {
    await run(() => this.#client.releaseSavepoint(name))
  }

  async #finish(end: () => Promise<void>): Promise<void> {
    if (this.#done) {
      throw new DriverAdapterError({
        kind: 'TransactionAlreadyClosed',
        cause: 'the transaction has already been committed or rolled back',
      })
    }
    this.#done = true
    let failure: unknown
    try {
      await end()
    } catch (err) {
      failure = err
    }
    // A connection whose COMMIT or ROLLBACK failed is destroyed, never reused.
    await this.#client.release(failure)
    if (failure !== undefined) throw toPrismaError(failure)
  }
}

/** Prisma's adapter over a `@tusk/core` pool. */
export class TuskAdapter extends TuskQueryable implements SqlDriverAdapter {
  readonly #pool: Pool
  readonly #schema: string | undefined
  readonly #release: () => Promise<void>

  /** @internal */
  constructor(
    pool: Pool,
    types: TypeOptions | undefined,
    schema: string | undefined,
    release: () => Promise<void>,
  ) {
    super((text, params, options) => pool.query<unknown[]>(text, params, options), types)
    this.#pool = pool
    this.#schema = schema
    this.#release = release
  }

  /** The `@tusk/core` pool statements run on. */
  get pool(): Pool {
    return this.#pool
  }

  /**
   * Runs a script of one or more statements through the simple protocol, as one implicit
   * transaction (what Prisma's own engines do with a migration).
   */
  async executeScript(script: string): Promise<void> {
    await run(() => this.#pool.exec(script))
  }

  /** Checks a client out and begins a transaction on it, at `isolationLevel` when given. */
  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    let isolation: CoreIsolationLevel | undefined
    if (isolationLevel !== undefined) {
      isolation = ISOLATION[isolationLevel]
      if (isolation === undefined) {
        throw new DriverAdapterError({ kind: 'InvalidIsolationLevel', level: isolationLevel })
      }
    }
    const client = await run(() => this.#pool.connect())
    try {
      await client.begin(isolation === undefined ? {} : { isolation })
    } catch (err) {
      await client.release(err)
      throw toPrismaError(err)
    }
    return new TuskTransaction(client, this.types)
  }

  /** The schema Prisma qualifies its tables with, and that it may join relations in SQL. */
  getConnectionInfo(): ConnectionInfo {
    return {
      ...(this.#schema === undefined ? {} : { schemaName: this.#schema }),
      supportsRelationJoins: true,
    }
  }

  /** Ends the pool when the adapter made it (or `disposeExternalPool` was set). */
  async dispose(): Promise<void> {
    await this.#release()
  }
}
