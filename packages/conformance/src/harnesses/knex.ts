/**
 * The Knex harnesses: Knex on TuskClient (the adapter under test) and Knex on its own `pg` client
 * with `pg-query-stream` (the reference run). Everything goes through Knex's API: the query
 * builder, `knex.raw`, `knex.transaction` (nested ones are savepoints), `.stream()`, the
 * migrator with an in-memory migration source, and Knex's `query` event for the log.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { TuskClient } from '@tusk/knex'
import knexModule, { type Knex } from 'knex'
import pg from 'pg'
import type {
  Capabilities,
  Harness,
  OpenOptions,
  OrmSession,
  Row,
  TransactionSettings,
} from '../harness.js'
import { PG_EDGE_VALUES, PG_TYPES_VALUES } from '../pg-values.js'

/** The installed Knex version. */
const KNEX_VERSION: string = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('knex/package.json'), 'utf8'),
).version

const knex = knexModule as unknown as (config: Knex.Config) => Knex

/** `$n` placeholders as Knex's `?`, with the bindings in the order they appear. */
function positional(text: string, params: readonly unknown[]): [string, unknown[]] {
  const bindings: unknown[] = []
  const sql = text.replace(/\$(\d+)/g, (_m, n: string) => {
    bindings.push(params[Number(n) - 1])
    return '?'
  })
  return [sql, bindings]
}

/** The suite's one migration, served from memory. */
const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => ['0001_conf_migrated'],
  getMigrationName: (name) => name,
  getMigration: async () => ({
    async up(k: Knex) {
      await k.schema.createTable('conf_migrated', (t) => {
        t.integer('id').primary()
        t.text('name').notNullable().index('conf_migrated_name')
      })
    },
    async down(k: Knex) {
      await k.schema.dropTable('conf_migrated')
    },
  }),
}

/** Rejects with the signal's reason once it aborts (as fetch and Kysely do). */
function settleOnAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {})
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {})
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

type WithSignal = (query: Knex.Raw, signal: AbortSignal) => Knex.Raw

function session(db: Knex | Knex.Transaction, root: Knex, withSignal: WithSignal): OrmSession {
  const self: OrmSession = {
    async raw(text, params = []) {
      const [sql, bindings] = positional(text, params)
      const result = await db.raw(sql, bindings as Knex.RawBinding[])
      return (result as { rows: Row[] }).rows
    },
    async insert(table, row) {
      const [inserted] = await db(table).insert(row).returning('*')
      return inserted as Row
    },
    select: (table, id) => db(table).where({ id }).first() as Promise<Row | undefined>,
    update: (table, id, changes) => db(table).where({ id }).update(changes) as Promise<number>,
    delete: (table, id) => db(table).where({ id }).del() as Promise<number>,
    transaction<T>(
      fn: (tx: OrmSession) => Promise<T>,
      settings: TransactionSettings = {},
    ): Promise<T> {
      const config: Knex.TransactionConfig = {}
      if (settings.isolation) config.isolationLevel = settings.isolation
      if (settings.readOnly) config.readOnly = true
      return db.transaction((trx) => fn(session(trx, root, withSignal)), config)
    },
    savepoint<T>(fn: (tx: OrmSession) => Promise<T>): Promise<T> {
      if (!(db as Knex.Transaction).isTransaction) {
        throw new Error('savepoint() needs a transaction session')
      }
      // A transaction inside a transaction is a savepoint in Knex.
      return db.transaction((sp) => fn(session(sp, root, withSignal)))
    },
    async *stream(text, params, chunkSize, signal) {
      const [sql, bindings] = positional(text, params)
      const stream = db
        .select('*')
        .from(db.raw(`(${sql}) as s`, bindings as Knex.RawBinding[]))
        .stream({ batchSize: chunkSize })
      const onAbort = () => stream.destroy(signal?.reason as Error)
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        for await (const row of stream) yield row as Row
      } finally {
        signal?.removeEventListener('abort', onAbort)
        stream.destroy()
      }
    },
    async rawWithSignal(text, params, signal) {
      const [sql, bindings] = positional(text, params)
      const query = withSignal(db.raw(sql, bindings as Knex.RawBinding[]), signal)
      const result = await settleOnAbort(Promise.resolve(query), signal)
      return (result as { rows: Row[] }).rows
    },
    async migrateUp() {
      await root.migrate.latest({ migrationSource })
    },
    async migrateDown() {
      await root.migrate.down({ migrationSource })
    },
    async tables() {
      throw new Error('Knex has no introspection API')
    },
    close: () => root.destroy(),
  }
  return self
}

const CAPABILITIES: Capabilities = {
  errorClasses: true,
  stream: true,
  cancel: true,
  typeMapping: true,
  migrations: true,
  introspection: false,
}

function knexHarness(
  name: string,
  reference: boolean,
  config: (options: OpenOptions) => Knex.Config,
  withSignal: WithSignal,
  capabilities: Capabilities,
  knownFailures?: Readonly<Record<string, string>>,
): Harness {
  return {
    name,
    orm: `knex ${KNEX_VERSION}${reference ? ' + pg' : ''}`,
    reference,
    capabilities,
    expected: PG_TYPES_VALUES,
    expectedEdges: PG_EDGE_VALUES,
    ...(knownFailures ? { knownFailures } : {}),
    async open(options) {
      const db = knex({
        ...config(options),
        pool: { min: 0, max: options.max },
        ...(options.checkoutTimeout !== undefined
          ? { acquireConnectionTimeout: options.checkoutTimeout }
          : {}),
      })
      const log = options.log
      if (log) db.on('query', (q: { sql: string }) => log(q.sql))
      return session(db, db, withSignal)
    },
  }
}

/** Knex on TuskClient: the adapter under test. A signal goes to the server through `.options()`. */
export const knexOnTusk: Harness = knexHarness(
  'knex',
  false,
  ({ url, int8 }) => ({
    client: TuskClient,
    // @tusk/core's type options, where pg takes its parser object.
    connection: (int8
      ? { connectionString: url, types: { int8 } }
      : url) as Knex.Config['connection'],
  }),
  (query, signal) => query.options({ signal }),
  CAPABILITIES,
)

/** int8 as BigInt for one pg client, every other type as pg parses it. */
const pgBigintTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => BigInt(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

/** What Knex on `pg` is known to fail, and why. */
const PG_FAILURES = {
  'rejects the COMMIT of a transaction that a database error failed, keeping nothing':
    'pg answers the COMMIT with the ROLLBACK command tag and no error, so Knex resolves the ' +
    'transaction as committed although nothing was kept',
}

/**
 * Knex on its `pg` client with `pg-query-stream`: the reference run. Knex's API takes no abort
 * signal (its `.timeout(ms, { cancel: true })` takes a duration), so the cancel cases are skipped.
 */
export const knexOnPg: Harness = knexHarness(
  'knex-pg',
  true,
  ({ url, int8 }) => ({
    client: 'pg',
    connection: (int8
      ? { connectionString: url, types: pgBigintTypes }
      : url) as Knex.Config['connection'],
  }),
  (query) => query,
  { ...CAPABILITIES, errorClasses: false, cancel: false },
  PG_FAILURES,
)
