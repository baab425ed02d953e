/**
 * The Drizzle harnesses: Drizzle on @tusk/drizzle (the adapter under test) and Drizzle on its own
 * drizzle-orm/node-postgres driver with the stock `pg` (the reference run). Everything goes
 * through Drizzle's API: table objects for the suite's tables and the query builders,
 * `db.execute(sql)`, `db.transaction` (nested ones are savepoints), Drizzle's migrator on a
 * drizzle-kit folder, and Drizzle's logger. Drizzle reverts a migration the way drizzle-kit
 * does: with a later migration that undoes it.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { iterate, drizzle as tuskDrizzle } from '@tusk/drizzle'
import { migrate as tuskMigrate } from '@tusk/drizzle/migrator'
import { and, eq, type SQL, sql } from 'drizzle-orm'
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres'
import { migrate as pgMigrate } from 'drizzle-orm/node-postgres/migrator'
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  integer,
  interval,
  json,
  jsonb,
  numeric,
  type PgDatabase,
  type PgQueryResultHKT,
  type PgTable,
  pgEnum,
  pgSchema,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import pg from 'pg'
import type {
  Capabilities,
  Harness,
  OpenOptions,
  OrmSession,
  Row,
  TransactionSettings,
} from '../harness.js'
import { PG_EDGE_VALUES } from '../pg-values.js'

/** The installed drizzle-orm version (its exports map hides package.json). */
const DRIZZLE_VERSION: string = JSON.parse(
  readFileSync(
    path.join(path.dirname(createRequire(import.meta.url).resolve('drizzle-orm')), 'package.json'),
    'utf8',
  ),
).version

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' })
const mood = pgEnum('conf_mood', ['happy', 'sad', 'ok'])

/** The suite's tables as a Drizzle app declares them (JS keys are the column names). */
const TABLES: Readonly<Record<string, PgTable>> = {
  conf_types: pgTable('conf_types', {
    id: integer('id').primaryKey(),
    c_int2: smallint('c_int2'),
    c_int4: integer('c_int4'),
    c_int8: bigint('c_int8', { mode: 'bigint' }),
    c_numeric: numeric('c_numeric', { precision: 24, scale: 4 }),
    c_float8: doublePrecision('c_float8'),
    c_bool: boolean('c_bool'),
    c_text: text('c_text'),
    c_varchar: varchar('c_varchar', { length: 20 }),
    c_uuid: uuid('c_uuid'),
    c_bytea: bytea('c_bytea'),
    c_json: json('c_json'),
    c_jsonb: jsonb('c_jsonb'),
    c_date: date('c_date'),
    c_timestamp: timestamp('c_timestamp', { precision: 6 }),
    c_timestamptz: timestamp('c_timestamptz', { withTimezone: true }),
    c_interval: interval('c_interval'),
    c_int4_array: integer('c_int4_array').array(),
    c_text_array: text('c_text_array').array(),
    c_mood: mood('c_mood'),
  }),
  conf_users: pgTable('conf_users', {
    id: integer('id').primaryKey(),
    email: text('email').notNull(),
    age: integer('age'),
  }),
  conf_posts: pgTable('conf_posts', {
    id: integer('id').primaryKey(),
    user_id: integer('user_id').notNull(),
  }),
  conf_items: pgTable('conf_items', {
    id: integer('id').primaryKey(),
    label: text('label').notNull(),
  }),
  conf_oncall: pgTable('conf_oncall', {
    id: integer('id').primaryKey(),
    on_call: boolean('on_call').notNull(),
  }),
  conf_children: pgTable('conf_children', {
    id: integer('id').primaryKey(),
    parent_id: integer('parent_id').notNull(),
  }),
  conf_migrated: pgTable('conf_migrated', {
    id: integer('id').primaryKey(),
    name: text('name').notNull(),
  }),
}

/**
 * Drizzle ORM has no introspection API (drizzle-kit's `pull` reads the catalog offline), so the
 * harness lists tables as a Drizzle app would: `information_schema.tables` declared as a table.
 */
const infoTables = pgSchema('information_schema').table('tables', {
  table_schema: text('table_schema').notNull(),
  table_name: text('table_name').notNull(),
  table_type: text('table_type').notNull(),
})

/** A table by name, with an `id` column (every table the cases write has one). */
function table(name: string): PgTable {
  const t = TABLES[name]
  if (t === undefined) throw new Error(`the Drizzle harness declares no table ${name}`)
  return t
}

function idOf(t: PgTable): Parameters<typeof eq>[0] {
  return (t as unknown as Record<'id', Parameters<typeof eq>[0]>).id
}

/** `$n` placeholders of `text` bound to `params`, as Drizzle SQL. */
function rawSql(text: string, params: readonly unknown[]): SQL {
  const pieces = text.split(/\$(\d+)/)
  const parts: SQL[] = pieces.map((piece, i) =>
    i % 2 === 0 ? sql.raw(piece) : sql`${params[Number(piece) - 1]}`,
  )
  return sql.join(parts, sql.raw(''))
}

/**
 * drizzle-kit folders for the suite's migration: `up` holds the migration that creates
 * `conf_migrated`; `down` holds it and the one that drops it, as drizzle-kit generates after the
 * table leaves the schema. Written once per process.
 */
const MIGRATIONS = (() => {
  const root = mkdtempSync(path.join(tmpdir(), 'tusk-conf-drizzle-'))
  const create =
    'CREATE TABLE "conf_migrated" (\n\t"id" integer PRIMARY KEY NOT NULL,\n\t"name" text NOT NULL\n);\n' +
    '--> statement-breakpoint\nCREATE INDEX "conf_migrated_name" ON "conf_migrated" USING btree ("name");'
  const drop = 'DROP TABLE "conf_migrated" CASCADE;'
  const entries = [
    { idx: 0, version: '7', when: 1764892800000, tag: '0000_conf_migrated', breakpoints: true },
    {
      idx: 1,
      version: '7',
      when: 1764896400000,
      tag: '0001_drop_conf_migrated',
      breakpoints: true,
    },
  ]
  const folder = (name: string, count: number): string => {
    const dir = path.join(root, name)
    mkdirSync(path.join(dir, 'meta'), { recursive: true })
    writeFileSync(
      path.join(dir, 'meta', '_journal.json'),
      JSON.stringify({ version: '7', dialect: 'postgresql', entries: entries.slice(0, count) }),
    )
    writeFileSync(path.join(dir, '0000_conf_migrated.sql'), create)
    if (count > 1) writeFileSync(path.join(dir, '0001_drop_conf_migrated.sql'), drop)
    return dir
  }
  return { up: folder('up', 1), down: folder('down', 2) }
})()

/** Any Drizzle PostgreSQL database or transaction. */
type AnyDb = PgDatabase<PgQueryResultHKT, Record<string, never>>

/** What differs between the two drivers. */
interface Driver {
  execute(db: AnyDb, query: SQL, signal?: AbortSignal): Promise<Row[]>
  rowCount(result: unknown): number
  stream(
    db: AnyDb,
    query: SQL,
    chunkSize: number,
    signal: AbortSignal | undefined,
  ): AsyncIterable<Row>
  migrate(db: AnyDb, folder: string): Promise<void>
  close(): Promise<void>
}

function session(db: AnyDb, inTransaction: boolean, root: AnyDb, driver: Driver): OrmSession {
  const self: OrmSession = {
    raw: (text, params = []) => driver.execute(db, rawSql(text, params)),
    async insert(name, row) {
      const [inserted] = await db.insert(table(name)).values(row).returning()
      return inserted as Row
    },
    async select(name, id) {
      const t = table(name)
      const [row] = await db
        .select()
        .from(t)
        .where(eq(idOf(t), id))
      return row as Row | undefined
    },
    async update(name, id, changes) {
      const t = table(name)
      return driver.rowCount(
        await db
          .update(t)
          .set(changes)
          .where(eq(idOf(t), id)),
      )
    },
    async delete(name, id) {
      const t = table(name)
      return driver.rowCount(await db.delete(t).where(eq(idOf(t), id)))
    },
    transaction<T>(fn: (tx: OrmSession) => Promise<T>, settings: TransactionSettings = {}) {
      return db.transaction((tx) => fn(session(tx as unknown as AnyDb, true, root, driver)), {
        ...(settings.isolation ? { isolationLevel: settings.isolation } : {}),
        ...(settings.readOnly ? { accessMode: 'read only' as const } : {}),
      })
    },
    savepoint<T>(fn: (tx: OrmSession) => Promise<T>): Promise<T> {
      if (!inTransaction) throw new Error('savepoint() needs a transaction session')
      // A transaction inside a transaction is a savepoint in Drizzle.
      return db.transaction((sp) => fn(session(sp as unknown as AnyDb, true, root, driver)))
    },
    stream: (text, params, chunkSize, signal) =>
      driver.stream(db, rawSql(text, params), chunkSize, signal),
    rawWithSignal: (text, params, signal) => driver.execute(db, rawSql(text, params), signal),
    migrateUp: () => driver.migrate(root, MIGRATIONS.up),
    migrateDown: () => driver.migrate(root, MIGRATIONS.down),
    async tables() {
      const rows = await db
        .select({ name: infoTables.table_name })
        .from(infoTables)
        .where(and(eq(infoTables.table_schema, 'public'), eq(infoTables.table_type, 'BASE TABLE')))
      return rows.map((r) => r.name)
    },
    close: () => driver.close(),
  }
  return self
}

/** The types row as Drizzle returns it for the columns declared above, on `pg` (proven by drizzle-pg). */
const DRIZZLE_TYPES_VALUES = {
  c_int2: -12,
  c_int4: 2147483647,
  c_int8: 9007199254740993n,
  c_numeric: '12345678901234567890.1234',
  c_float8: 0.1,
  c_bool: true,
  c_text: 'héllo, "world" ☃ \\ end',
  c_varchar: 'short',
  c_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  c_bytea: Buffer.from([0, 1, 2, 255]),
  c_json: { a: [1, 2, { b: null }], s: 'x' },
  c_jsonb: { n: 1.5, list: ['y', true] },
  c_date: '2024-02-29',
  c_timestamp: new Date(2024, 1, 29, 13, 14, 15, 678),
  c_timestamptz: new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
  c_interval: '1 year 2 mons 3 days 04:05:06.5',
  c_int4_array: [1, null, 3],
  c_text_array: ['a', 'b,c', 'd"e', null],
  c_mood: 'sad',
}

/** What a Drizzle app passes for the types row (Drizzle's column types, not `pg`'s). */
const DRIZZLE_INPUTS = {
  c_int8: 9007199254740993n,
  c_json: { a: [1, 2, { b: null }], s: 'x' },
  c_jsonb: { n: 1.5, list: ['y', true] },
  c_date: '2024-02-29',
}

/**
 * The edge-case row from `db.execute()`: `pg`'s values, except the types drizzle-orm's pg drivers
 * keep as the server's text (timestamps, dates, intervals, their arrays and numeric arrays).
 */
const DRIZZLE_EDGE_VALUES = {
  ...PG_EDGE_VALUES,
  tstz_inf: 'infinity',
  ts_ninf: '-infinity',
  date_inf: 'infinity',
  date_bc: '0044-03-15 BC',
  ts_bc: '0044-03-15 12:30:00 BC',
  nums: '{1.10,2.2000,NULL}',
  dates: '{2024-02-29,NULL}',
}

const CAPABILITIES: Capabilities = {
  errorClasses: true,
  stream: true,
  cancel: true,
  typeMapping: true,
  migrations: true,
  introspection: true,
}

function drizzleHarness(
  name: string,
  reference: boolean,
  open: (options: OpenOptions) => { db: AnyDb; driver: Driver },
  capabilities: Capabilities,
  knownFailures?: Readonly<Record<string, string>>,
): Harness {
  return {
    name,
    orm: `drizzle-orm ${DRIZZLE_VERSION}${reference ? ' + pg' : ''}`,
    reference,
    capabilities,
    expected: DRIZZLE_TYPES_VALUES,
    expectedEdges: DRIZZLE_EDGE_VALUES,
    inputs: DRIZZLE_INPUTS,
    // Raw timestamptz values are the server's text; Drizzle's timestamp column reads them so.
    rawInstant: (value) => (typeof value === 'string' ? new Date(value) : value),
    ...(knownFailures ? { knownFailures } : {}),
    async open(options) {
      const { db, driver } = open(options)
      return session(db, false, db, driver)
    },
  }
}

function loggerOf(options: OpenOptions): { logger?: { logQuery: (query: string) => void } } {
  const log = options.log
  return log ? { logger: { logQuery: (query: string) => log(query) } } : {}
}

/** Drizzle on @tusk/drizzle: the adapter under test. */
export const drizzleOnTusk: Harness = drizzleHarness(
  'drizzle',
  false,
  (options) => {
    const db = tuskDrizzle({
      connection: options.url,
      pool: {
        max: options.max,
        ...(options.checkoutTimeout !== undefined
          ? { acquireTimeout: options.checkoutTimeout }
          : {}),
        ...(options.int8 ? { types: { int8: options.int8 } } : {}),
      },
      ...loggerOf(options),
    })
    const driver: Driver = {
      async execute(on, query, signal) {
        const target = signal ? (on as unknown as typeof db).$withOptions({ signal }) : on
        const result = await (target as unknown as typeof db).execute<Row>(query)
        return result.rows
      },
      rowCount: (result) => (result as { rowCount: number | null }).rowCount ?? 0,
      stream: (on, query, chunkSize, signal) =>
        iterate<Row>(on, query, { batchSize: chunkSize, ...(signal ? { signal } : {}) }),
      migrate: (on, folder) =>
        tuskMigrate(on as unknown as typeof db, { migrationsFolder: folder }),
      close: () => db.$client.end(),
    }
    return { db: db as unknown as AnyDb, driver }
  },
  CAPABILITIES,
)

/** int8 as BigInt for one pg pool, every other type as pg parses it. */
const pgBigintTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => BigInt(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

/** What Drizzle on `pg` is known to fail, and why. */
const PG_FAILURES: Readonly<Record<string, string>> = {
  "keeps each instance's type mapping to itself":
    "drizzle-orm/node-postgres sends its own getTypeParser with every query, falling back to pg's " +
    "process-wide parsers, so the pool's `types` never apply and int8 stays a string",
  'rejects the COMMIT of a transaction that a database error failed, keeping nothing':
    'pg answers the COMMIT with the ROLLBACK command tag and no error, so Drizzle resolves the ' +
    'transaction as committed although nothing was kept',
}

/**
 * Drizzle on drizzle-orm/node-postgres with `pg`: the reference run. Its API takes no abort
 * signal and it has no streaming, so those cases are skipped; errors are pg's (no taxonomy).
 */
export const drizzleOnPg: Harness = drizzleHarness(
  'drizzle-pg',
  true,
  (options) => {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.max,
      ...(options.checkoutTimeout !== undefined
        ? { connectionTimeoutMillis: options.checkoutTimeout }
        : {}),
      ...(options.int8 ? { types: pgBigintTypes } : {}),
    })
    // As every pg app must: a lost connection is an 'error' event, on the pool while the client is
    // idle and on the client while it is checked out; unhandled, either ends the process.
    pool.on('error', () => {})
    pool.on('connect', (client) => client.on('error', () => {}))
    const db = pgDrizzle({ client: pool, ...loggerOf(options) })
    const driver: Driver = {
      async execute(on, query) {
        const result = await (on as unknown as typeof db).execute<Row>(query)
        return result.rows
      },
      rowCount: (result) => (result as { rowCount: number | null }).rowCount ?? 0,
      stream() {
        throw new Error('drizzle-orm/node-postgres has no streaming')
      },
      migrate: (on, folder) => pgMigrate(on as unknown as typeof db, { migrationsFolder: folder }),
      close: () => pool.end(),
    }
    return { db: db as unknown as AnyDb, driver }
  },
  { ...CAPABILITIES, errorClasses: false, stream: false, cancel: false },
  PG_FAILURES,
)
