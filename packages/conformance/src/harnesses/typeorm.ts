/**
 * The TypeORM harnesses: TypeORM's `postgres` data source on @tusk/typeorm (the adapter under
 * test, streaming through its withCursorStreams()) and on the stock `pg` driver with `pg-query-stream` (the reference run). Everything goes
 * through TypeORM's API: the query builder on dynamic tables, `dataSource.query`, query runners
 * with their transactions (a nested one is a savepoint), `stream()`, the migration executor and
 * the query runner's table introspection, and a TypeORM logger for the log.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import 'reflect-metadata'
import { dataSourceOptions, withCursorStreams } from '@tusk/typeorm'
import pg from 'pg'
import type {
  DataSource,
  EntityManager,
  Logger,
  MigrationInterface,
  QueryRunner,
  DataSourceOptions as TypeormOptions,
} from 'typeorm'
import type {
  Capabilities,
  Harness,
  OpenOptions,
  OrmSession,
  Row,
  TransactionSettings,
} from '../harness.js'
import { PG_EDGE_VALUES, PG_TYPES_VALUES } from '../pg-values.js'

const require = createRequire(import.meta.url)
/** TypeORM as an app loads it (it is published as CommonJS). */
const typeorm = require('typeorm') as typeof import('typeorm')
const TYPEORM_VERSION: string = JSON.parse(
  readFileSync(path.join(path.dirname(require.resolve('typeorm')), 'package.json'), 'utf8'),
).version

/** TypeORM's isolation level names. */
const LEVELS = {
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
} as const

/** The suite's one migration. */
class ConfMigrated1700000000001 implements MigrationInterface {
  name = 'ConfMigrated1700000000001'
  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new typeorm.Table({
        name: 'conf_migrated',
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          { name: 'name', type: 'text', isNullable: false },
        ],
        indices: [{ name: 'conf_migrated_name', columnNames: ['name'] }],
      }),
    )
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('conf_migrated')
  }
}

/**
 * A TypeORM logger that hands each statement's SQL to `log` once `on` says so: the statements
 * TypeORM runs for itself while initializing (server version, extensions) come before the app's.
 */
function sqlLogger(log: (sql: string) => void, on: () => boolean): Logger {
  return {
    logQuery: (query) => {
      if (on()) log(query)
    },
    logQueryError: () => {},
    logQuerySlow: () => {},
    logSchemaBuild: () => {},
    logMigration: () => {},
    log: () => {},
  }
}

/**
 * A session on `manager`: the data source's own manager, or a query runner's inside a
 * transaction (`runner` set).
 */
function session(ds: DataSource, manager: EntityManager, runner?: QueryRunner): OrmSession {
  const self: OrmSession = {
    raw: (sql, params = []) => manager.query(sql, params as unknown[]) as Promise<Row[]>,
    async insert(table, row) {
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(table)
        .values(row)
        .returning('*')
        .execute()
      return (result.raw as Row[])[0]!
    },
    async select(table, id) {
      const row = await manager
        .createQueryBuilder()
        .select('*')
        .from(table, 't')
        .where('t.id = :id', { id })
        .getRawOne<Row>()
      return row ?? undefined
    },
    async update(table, id, changes) {
      const result = await manager
        .createQueryBuilder()
        .update(table)
        .set(changes)
        .where('id = :id', { id })
        .execute()
      return result.affected ?? 0
    },
    async delete(table, id) {
      const result = await manager
        .createQueryBuilder()
        .delete()
        .from(table)
        .where('id = :id', { id })
        .execute()
      return result.affected ?? 0
    },
    async transaction<T>(
      fn: (tx: OrmSession) => Promise<T>,
      settings: TransactionSettings = {},
    ): Promise<T> {
      const qr = ds.createQueryRunner()
      await qr.connect()
      try {
        await qr.startTransaction(settings.isolation ? LEVELS[settings.isolation] : undefined)
        // TypeORM's transactions take no access mode: the first statement sets it.
        if (settings.readOnly) await qr.query('SET TRANSACTION READ ONLY')
        let result: T
        try {
          result = await fn(session(ds, qr.manager, qr))
        } catch (err) {
          if (qr.isTransactionActive) await qr.rollbackTransaction()
          throw err
        }
        await qr.commitTransaction()
        return result
      } finally {
        await qr.release()
      }
    },
    async savepoint<T>(fn: (tx: OrmSession) => Promise<T>): Promise<T> {
      if (runner === undefined) throw new Error('savepoint() needs a transaction session')
      // A transaction started inside a transaction is a savepoint in TypeORM.
      await runner.startTransaction()
      let result: T
      try {
        result = await fn(self)
      } catch (err) {
        await runner.rollbackTransaction()
        throw err
      }
      await runner.commitTransaction()
      return result
    },
    async *stream(sql, params) {
      const qr = runner ?? ds.createQueryRunner()
      const stream = await qr.stream(sql, params as unknown[])
      try {
        for await (const row of stream) yield row as Row
      } finally {
        stream.destroy()
        if (runner === undefined) await qr.release()
      }
    },
    async rawWithSignal() {
      throw new Error('TypeORM takes no abort signal')
    },
    async migrateUp() {
      await ds.runMigrations()
    },
    async migrateDown() {
      await ds.undoLastMigration()
    },
    async tables() {
      const qr = ds.createQueryRunner()
      try {
        const tables = await qr.getTables()
        return tables
          .filter((t) => t.schema === undefined || t.schema === 'public')
          .map((t) => t.name.replace(/^public\./, ''))
      } finally {
        await qr.release()
      }
    },
    close: () => ds.destroy(),
  }
  return self
}

const CAPABILITIES: Capabilities = {
  errorClasses: true,
  stream: true,
  // TypeORM's API takes no AbortSignal.
  cancel: false,
  // TypeORM maps int8 for the whole driver module (parseInt8), not per data source.
  typeMapping: false,
  migrations: true,
  introspection: true,
}

function typeormHarness(
  name: string,
  reference: boolean,
  options: (open: OpenOptions) => TypeormOptions,
  capabilities: Capabilities,
  knownFailures?: Readonly<Record<string, string>>,
): Harness {
  return {
    name,
    orm: `typeorm ${TYPEORM_VERSION}${reference ? ' + pg' : ''}`,
    reference,
    capabilities,
    expected: PG_TYPES_VALUES,
    expectedEdges: PG_EDGE_VALUES,
    ...(knownFailures ? { knownFailures } : {}),
    // TypeORM wraps the driver's error in QueryFailedError as `driverError`.
    errorChain(error) {
      const chain: unknown[] = []
      let e: unknown = error
      while (e !== undefined && e !== null && chain.length < 8) {
        chain.push(e)
        const next = e as { driverError?: unknown; cause?: unknown }
        e = next.driverError ?? next.cause
      }
      return chain
    },
    async open(open) {
      let initialized = false
      const created = new typeorm.DataSource({
        ...options(open),
        migrations: [ConfMigrated1700000000001],
        migrationsTableName: 'conf_typeorm_migrations',
        ...(open.log ? { logging: ['query'], logger: sqlLogger(open.log, () => initialized) } : {}),
      } as TypeormOptions)
      // On Tusk, stream() reads through @tusk/pg-query-stream, as the README tells apps to do.
      const ds = reference ? created : withCursorStreams(created)
      await ds.initialize()
      initialized = true
      return session(ds, ds.manager)
    },
  }
}

/** Pool settings TypeORM passes to the driver's Pool. */
function poolOptions(open: OpenOptions) {
  return {
    poolSize: open.max,
    ...(open.checkoutTimeout !== undefined
      ? { extra: { connectionTimeoutMillis: open.checkoutTimeout } }
      : {}),
  }
}

/** TypeORM on @tusk/typeorm: the adapter under test. */
export const typeormOnTusk: Harness = typeormHarness(
  'typeorm',
  false,
  (open) => dataSourceOptions({ url: open.url, ...poolOptions(open) }),
  CAPABILITIES,
)

/** What TypeORM on `pg` is known to fail, and why. */
const PG_FAILURES = {
  'rejects the COMMIT of a transaction that a database error failed, keeping nothing':
    'pg answers the COMMIT with the ROLLBACK command tag and no error, so TypeORM resolves the ' +
    'transaction as committed although nothing was kept',
}

/** TypeORM on the stock `pg` driver: the reference run. */
export const typeormOnPg: Harness = typeormHarness(
  'typeorm-pg',
  true,
  // pg's JavaScript client, as most apps run it: TypeORM switches to pg's libpq bindings when it
  // can load pg-native (installed here for the benchmark), unless told not to.
  (open) => ({
    type: 'postgres',
    url: open.url,
    driver: pg,
    nativeDriver: false,
    ...poolOptions(open),
  }),
  { ...CAPABILITIES, errorClasses: false },
  PG_FAILURES,
)
