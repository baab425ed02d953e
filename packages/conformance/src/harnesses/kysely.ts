/**
 * The Kysely harnesses: Kysely on TuskDialect (the adapter under test) and Kysely on its own
 * PostgresDialect with the stock `pg` driver and `pg-cursor` (the reference run). Everything
 * goes through Kysely's API: the query builder, `executeQuery`, controlled transactions with
 * savepoints, `stream()`, the Migrator and the introspector.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { TuskDialect } from '@tusk/kysely-dialect'
import { CompiledQuery, type Dialect, Kysely, PostgresDialect, type RawBuilder, sql } from 'kysely'
import { type Migration, Migrator } from 'kysely/migration'
import pg from 'pg'
import Cursor from 'pg-cursor'
import type {
  Capabilities,
  Harness,
  OpenOptions,
  OrmSession,
  Row,
  TransactionSettings,
} from '../harness.js'
import { PG_EDGE_VALUES, PG_TYPES_VALUES } from '../pg-values.js'

/** The installed Kysely version (its exports map hides package.json). */
const KYSELY_VERSION: string = JSON.parse(
  readFileSync(
    path.join(path.dirname(createRequire(import.meta.url).resolve('kysely')), '..', 'package.json'),
    'utf8',
  ),
).version

/** Any table, any column: the suite's tables are dynamic. */
type AnyDatabase = Record<string, Record<string, unknown>>

/** The part of ControlledTransaction the harness uses (its savepoint names are type-level). */
interface Controlled {
  savepoint(name: string): { execute(): Promise<Controlled> }
  releaseSavepoint(name: string): { execute(): Promise<Controlled> }
  rollbackToSavepoint(name: string): { execute(): Promise<Controlled> }
  commit(): { execute(): Promise<void> }
  rollback(): { execute(): Promise<void> }
}

/** `$n` placeholders of `text` bound to `params`, as a Kysely RawBuilder. */
function rawWithParameters(text: string, params: readonly unknown[]): RawBuilder<unknown> {
  const pieces = text.split(/\$(\d+)/)
  const parts: RawBuilder<unknown>[] = []
  pieces.forEach((piece, i) => {
    parts.push(i % 2 === 0 ? sql.raw(piece) : sql`${params[Number(piece) - 1]}`)
  })
  return sql.join(parts, sql.raw(''))
}

const migrations: Record<string, Migration> = {
  '0001_conf_migrated': {
    async up(db) {
      await db.schema
        .createTable('conf_migrated')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('conf_migrated_name').on('conf_migrated').column('name').execute()
    },
    async down(db) {
      await db.schema.dropTable('conf_migrated').execute()
    },
  },
}

let savepointSerial = 0

function session(
  db: Kysely<AnyDatabase>,
  controlled: Controlled | undefined,
  root: Kysely<AnyDatabase>,
): OrmSession {
  const self: OrmSession = {
    async raw(text, params = []) {
      const result = await db.executeQuery<Row>(CompiledQuery.raw(text, [...params]))
      return result.rows
    },
    insert: (table, row) =>
      db.insertInto(table).values(row).returningAll().executeTakeFirstOrThrow() as Promise<Row>,
    select: (table, id) =>
      db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst() as Promise<
        Row | undefined
      >,
    async update(table, id, changes) {
      const r = await db.updateTable(table).set(changes).where('id', '=', id).executeTakeFirst()
      return Number(r.numUpdatedRows)
    },
    async delete(table, id) {
      const r = await db.deleteFrom(table).where('id', '=', id).executeTakeFirst()
      return Number(r.numDeletedRows)
    },
    async transaction<T>(
      fn: (tx: OrmSession) => Promise<T>,
      settings: TransactionSettings = {},
    ): Promise<T> {
      let builder = db.startTransaction()
      if (settings.isolation) builder = builder.setIsolationLevel(settings.isolation)
      if (settings.readOnly) builder = builder.setAccessMode('read only')
      const trx = await builder.execute()
      const handle = trx as unknown as Controlled
      let result: T
      try {
        result = await fn(session(trx, handle, root))
      } catch (err) {
        await handle
          .rollback()
          .execute()
          .catch(() => {})
        throw err
      }
      try {
        await handle.commit().execute()
      } catch (err) {
        // A failed COMMIT (a serialization failure) leaves the controlled transaction open in
        // Kysely until rolled back, which also releases its connection. On a lost connection the
        // rollback fails too; the COMMIT's error is the one that says what happened.
        await handle
          .rollback()
          .execute()
          .catch(() => {})
        throw err
      }
      return result
    },
    async savepoint<T>(fn: (tx: OrmSession) => Promise<T>): Promise<T> {
      if (controlled === undefined) throw new Error('savepoint() needs a transaction session')
      const name = `conf_sp_${++savepointSerial}`
      const inner = await controlled.savepoint(name).execute()
      let result: T
      try {
        result = await fn(session(inner as unknown as Kysely<AnyDatabase>, inner, root))
      } catch (err) {
        await inner.rollbackToSavepoint(name).execute()
        throw err
      }
      await inner.releaseSavepoint(name).execute()
      return result
    },
    async *stream(text, params, chunkSize, signal) {
      const query = db
        .selectFrom(sql`(${rawWithParameters(text, params)})`.as('s'))
        .selectAll()
        .stream(signal ? { chunkSize, signal } : chunkSize)
      for await (const row of query) yield row as Row
    },
    async rawWithSignal(text, params, signal) {
      const result = await db.executeQuery<Row>(CompiledQuery.raw(text, [...params]), {
        signal,
        inflightQueryAbortStrategy: 'cancel query',
      })
      return result.rows
    },
    async migrateUp() {
      const { error } = await new Migrator({
        db: root,
        provider: { getMigrations: async () => migrations },
      }).migrateToLatest()
      if (error) throw error
    },
    async migrateDown() {
      const { error } = await new Migrator({
        db: root,
        provider: { getMigrations: async () => migrations },
      }).migrateDown()
      if (error) throw error
    },
    async tables() {
      const tables = await root.introspection.getTables()
      return tables.filter((t) => t.schema === 'public').map((t) => t.name)
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
  introspection: true,
}

function kyselyHarness(
  name: string,
  reference: boolean,
  dialect: (options: OpenOptions) => Dialect,
  knownFailures?: Readonly<Record<string, string>>,
): Harness {
  return {
    name,
    orm: `kysely ${KYSELY_VERSION}${reference ? ' + pg' : ''}`,
    reference,
    capabilities: reference ? { ...CAPABILITIES, errorClasses: false } : CAPABILITIES,
    expected: PG_TYPES_VALUES,
    expectedEdges: PG_EDGE_VALUES,
    ...(knownFailures ? { knownFailures } : {}),
    async open(options) {
      const log = options.log
      const db = new Kysely<AnyDatabase>({
        dialect: dialect(options),
        ...(log ? { log: (event) => log(event.query.sql) } : {}),
      })
      return session(db, undefined, db)
    },
  }
}

/** Kysely on TuskDialect: the adapter under test. */
export const kyselyOnTusk: Harness = kyselyHarness(
  'kysely',
  false,
  ({ url, max, checkoutTimeout, int8 }) =>
    new TuskDialect({
      conninfo: url,
      poolOptions: {
        max,
        ...(checkoutTimeout !== undefined ? { acquireTimeout: checkoutTimeout } : {}),
        ...(int8 ? { types: { int8 } } : {}),
      },
    }),
)

/** int8 as BigInt for one pg pool, every other type as pg parses it. */
const pgBigintTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => BigInt(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

/** What Kysely on `pg` is known to fail, and why. */
const PG_FAILURES = {
  'fails a query on a link gone silent within its time limit, and recovers':
    'Kysely rejects at the signal, but pg keeps waiting on the silent link and its pool keeps the ' +
    'client checked out, so a pool of one never answers again',
}

/** Kysely on PostgresDialect with `pg` and `pg-cursor`: the reference run. */
export const kyselyOnPg: Harness = kyselyHarness(
  'kysely-pg',
  true,
  ({ url, max, checkoutTimeout, int8 }) => {
    const pool = new pg.Pool({
      connectionString: url,
      max,
      ...(checkoutTimeout !== undefined ? { connectionTimeoutMillis: checkoutTimeout } : {}),
      ...(int8 ? { types: pgBigintTypes } : {}),
    })
    // As every pg app must: a lost connection is an 'error' event, on the pool while the client is
    // idle and on the client while it is checked out; unhandled, either ends the process.
    pool.on('error', () => {})
    pool.on('connect', (client) => client.on('error', () => {}))
    return new PostgresDialect({ pool, cursor: Cursor })
  },
  PG_FAILURES,
)
