/**
 * The Prisma harnesses: Prisma Client 7 (generated from `prisma/schema.prisma`, the suite's tables)
 * on @tusk/prisma (the adapter under test) and on @prisma/adapter-pg, which wraps the stock `pg`
 * (the reference run). Everything goes through Prisma Client's API: the model delegates (reached by
 * table name), `$queryRawUnsafe`, interactive transactions with isolation levels, savepoints by
 * raw SQL inside them (Prisma Client has no nested transaction API), and its `query` log events.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { PrismaTusk } from '@tusk/prisma'
import type {
  Capabilities,
  Harness,
  OpenOptions,
  OrmSession,
  Row,
  TransactionSettings,
} from '../harness.js'
import { Prisma, PrismaClient } from './prisma/generated/client.js'

const PRISMA_VERSION: string = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('@prisma/client/package.json'), 'utf8'),
).version

/** What a model delegate offers the harness (every model has an `id` primary key). */
interface Delegate {
  create(args: { data: Row }): Promise<Row>
  findUnique(args: { where: { id: number } }): Promise<Row | null>
  updateMany(args: { where: { id: number }; data: Row }): Promise<{ count: number }>
  deleteMany(args: { where: { id: number } }): Promise<{ count: number }>
}

/** The client, or the client of an interactive transaction. */
type Client = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>

const LEVELS = {
  'read committed': Prisma.TransactionIsolationLevel.ReadCommitted,
  'repeatable read': Prisma.TransactionIsolationLevel.RepeatableRead,
  serializable: Prisma.TransactionIsolationLevel.Serializable,
} as const

/** Columns Prisma cannot write or read (an `Unsupported` type): left out of what is written. */
const UNSUPPORTED: Readonly<Record<string, readonly string[]>> = { conf_types: ['c_interval'] }

/** List columns of the suite's tables. */
const LISTS = new Set(['c_int4_array', 'c_text_array'])

/** Prisma logs the COMMIT or ROLLBACK a driver adapter runs itself as a comment naming it. */
function loggedStatement(query: string): string {
  return /^-- Implicit "(\w+)" query via underlying driver$/.exec(query)?.[1] ?? query
}

function delegate(client: Client, table: string): Delegate {
  const found = (client as unknown as Record<string, Delegate | undefined>)[table]
  if (found === undefined) throw new Error(`no Prisma model for table ${table}`)
  return found
}

let savepointSerial = 0

function session(client: Client, root: PrismaClient | undefined): OrmSession {
  const self: OrmSession = {
    raw: (sql, params = []) => client.$queryRawUnsafe<Row[]>(sql, ...params),
    async insert(table, row) {
      const data = { ...row }
      for (const column of UNSUPPORTED[table] ?? []) delete data[column]
      // A Prisma list cannot be written as NULL: left out, the column stays NULL.
      for (const [column, value] of Object.entries(data)) {
        if (value === null && LISTS.has(column)) delete data[column]
      }
      return delegate(client, table).create({ data })
    },
    async select(table, id) {
      return (await delegate(client, table).findUnique({ where: { id } })) ?? undefined
    },
    async update(table, id, changes) {
      return (await delegate(client, table).updateMany({ where: { id }, data: changes })).count
    },
    async delete(table, id) {
      return (await delegate(client, table).deleteMany({ where: { id } })).count
    },
    async transaction<T>(fn: (tx: OrmSession) => Promise<T>, settings: TransactionSettings = {}) {
      if (root === undefined) throw new Error('a transaction inside a transaction is a savepoint')
      return root.$transaction(
        async (tx) => {
          if (settings.readOnly) await tx.$executeRawUnsafe('set transaction read only')
          return fn(session(tx, undefined))
        },
        {
          ...(settings.isolation ? { isolationLevel: LEVELS[settings.isolation] } : {}),
          timeout: 60_000,
          maxWait: 60_000,
        },
      )
    },
    async savepoint<T>(fn: (tx: OrmSession) => Promise<T>) {
      if (root !== undefined) throw new Error('a savepoint needs a transaction')
      const name = `conf_sp_${++savepointSerial}`
      await client.$executeRawUnsafe(`savepoint ${name}`)
      try {
        const result = await fn(session(client, undefined))
        await client.$executeRawUnsafe(`release savepoint ${name}`)
        return result
      } catch (err) {
        await client.$executeRawUnsafe(`rollback to savepoint ${name}`)
        throw err
      }
    },
    stream() {
      throw new Error('Prisma Client does not stream')
    },
    rawWithSignal() {
      throw new Error('Prisma Client takes no AbortSignal')
    },
    async migrateUp() {
      throw new Error('Prisma Migrate runs from the CLI, not from the client')
    },
    async migrateDown() {
      throw new Error('Prisma Migrate runs from the CLI, not from the client')
    },
    async tables() {
      throw new Error('Prisma Client has no introspection')
    },
    async close() {
      await root?.$disconnect()
    },
  }
  return self
}

function open(adapter: SqlDriverAdapterFactory, options: OpenOptions): OrmSession {
  const prisma = new PrismaClient({
    adapter,
    ...(options.log ? { log: [{ emit: 'event' as const, level: 'query' as const }] } : {}),
  })
  const log = options.log
  if (log)
    prisma.$on('query' as never, (event: { query: string }) => log(loggedStatement(event.query)))
  return session(prisma, prisma)
}

const capabilities = (errorClasses: boolean): Capabilities => ({
  errorClasses,
  stream: false,
  cancel: false,
  typeMapping: false,
  migrations: false,
  introspection: false,
  logsBegin: false,
})

/** The types row as Prisma Client returns it (its own types: BigInt, Decimal, Date, bytes). */
const PRISMA_TYPES_VALUES = {
  c_int2: -12,
  c_int4: 2147483647,
  c_int8: 9007199254740993n,
  c_numeric: new Prisma.Decimal('12345678901234567890.1234'),
  c_float8: 0.1,
  c_bool: true,
  c_text: 'héllo, "world" ☃ \\ end',
  c_varchar: 'short',
  c_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  c_bytea: new Uint8Array([0, 1, 2, 255]),
  c_json: { a: [1, 2, { b: null }], s: 'x' },
  c_jsonb: { n: 1.5, list: ['y', true] },
  // Prisma keeps the UTC date of the Date it is given (local midnight in UTC+5:30 is the day before).
  c_date: new Date(Date.UTC(2024, 1, 28)),
  c_timestamp: new Date(2024, 1, 29, 13, 14, 15, 678),
  c_timestamptz: new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
  c_interval: undefined,
  c_int4_array: [1, 3],
  c_text_array: ['a', 'b,c', 'd"e'],
  c_mood: 'sad',
}

/** Inputs Prisma Client takes for the types row: JSON as values, lists without NULLs (Prisma's lists have none). */
const PRISMA_INPUTS = {
  c_int8: 9007199254740993n,
  c_json: { a: [1, 2, { b: null }], s: 'x' },
  c_jsonb: { n: 1.5, list: ['y', true] },
  c_int4_array: [1, 3],
  c_text_array: ['a', 'b,c', 'd"e'],
}

/**
 * The edge-case row through `$queryRawUnsafe` as Prisma Client gives it: BigInt and Decimal for
 * int8 and numeric (numeric[] too), an Invalid Date for the infinities and BC dates (a JS Date
 * holds neither), ranges and enum arrays as the server's text, bytes as Uint8Array.
 * @prisma/adapter-pg refuses the row (int4range), so only @tusk/prisma's run shows these.
 */
const PRISMA_EDGE_VALUES = {
  big: 9007199254740993n,
  big_min: -9223372036854775808n,
  num: new Prisma.Decimal('12345678901234567890.123456789012345678901234567890'),
  num_nan: new Prisma.Decimal(Number.NaN),
  tstz_inf: new Date(Number.NaN),
  ts_ninf: new Date(Number.NaN),
  date_inf: new Date(Number.NaN),
  date_bc: new Date(Number.NaN),
  ts_bc: new Date(Number.NaN),
  int8s: [9007199254740993n, -1n],
  nums: [new Prisma.Decimal('1.10'), new Prisma.Decimal('2.2000'), null],
  dates: [new Date(Date.UTC(2024, 1, 29)), null],
  uuids: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  jsons: [{ a: 1 }, [2, 'x']],
  int_range: '[1,10)',
  ts_range: '["2024-01-01 00:00:00+00",)',
  proto_json: JSON.parse('{"x": 1, "__proto__": {"polluted": true}}') as unknown,
  bytes: new Uint8Array([0, 255, 16]),
  mood: 'ok',
  moods: '{happy,sad}',
  positive: 5,
}

/**
 * The errors to look through, outermost first: Prisma's error, the driver adapter's error in its
 * meta, and, right after an error of @tusk/prisma, the core's error it keeps as `original` (before
 * the mapped kind in its `cause`, which carries a SQLSTATE but none of the server's fields).
 */
function errorChain(error: unknown): unknown[] {
  const out: unknown[] = []
  const visit = (e: unknown): void => {
    if (e === undefined || e === null || out.includes(e) || out.length >= 16) return
    out.push(e)
    visit((e as { original?: unknown }).original)
    visit((e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError)
    visit((e as { cause?: unknown }).cause)
  }
  visit(error)
  return out
}

/** What Prisma Client cannot express, on any driver adapter. */
const PRISMA_CANNOT = {
  'round-trips NULL in every column':
    'a Prisma list reads a NULL array as [], and interval is an Unsupported type it neither writes nor reads',
}

/** @prisma/adapter-pg's DriverAdapterError keeps only its kind: pg's error and its fields are dropped. */
const PG_ERROR_DROPPED =
  '@prisma/adapter-pg drops the pg error (no SQLSTATE class, no server fields)'

/** Prisma Client on @tusk/prisma. */
export const prismaOnTusk: Harness = {
  name: 'prisma',
  orm: `prisma ${PRISMA_VERSION}`,
  reference: false,
  capabilities: capabilities(true),
  expected: PRISMA_TYPES_VALUES,
  expectedEdges: PRISMA_EDGE_VALUES,
  inputs: PRISMA_INPUTS,
  ormCannot: PRISMA_CANNOT,
  errorChain,
  async open(options) {
    return open(
      new PrismaTusk(options.url, {
        pool: {
          max: options.max,
          ...(options.checkoutTimeout ? { acquireTimeout: options.checkoutTimeout } : {}),
        },
      }),
      options,
    )
  },
}

/** Prisma Client on @prisma/adapter-pg (the stock `pg`): the reference run. */
export const prismaOnPg: Harness = {
  name: 'prisma-pg',
  orm: `prisma ${PRISMA_VERSION}`,
  reference: true,
  capabilities: capabilities(false),
  expected: PRISMA_TYPES_VALUES,
  expectedEdges: PRISMA_EDGE_VALUES,
  inputs: PRISMA_INPUTS,
  ormCannot: PRISMA_CANNOT,
  knownFailures: {
    'surfaces a serializable conflict as SerializationFailure': PG_ERROR_DROPPED,
    'reports a unique violation as UniqueViolation with its fields': PG_ERROR_DROPPED,
    'reports a foreign-key violation as ForeignKeyViolation with its fields': PG_ERROR_DROPPED,
    'reports a not-null violation as NotNullViolation with its fields': PG_ERROR_DROPPED,
    'reports a check violation as CheckViolation with its fields': PG_ERROR_DROPPED,
    'rolls a savepoint back after a database error, and the outer transaction commits':
      PG_ERROR_DROPPED,
    'rejects the COMMIT of a transaction that a database error failed, keeping nothing':
      'COMMIT runs as a plain statement, so a COMMIT the server turned into a rollback passes as a commit',
    'fails at COMMIT on a deferred constraint, keeping nothing': PG_ERROR_DROPPED,
    'retries a serialization failure through the transaction API until it commits':
      PG_ERROR_DROPPED,
    'reports a syntax error as SyntaxError with its position': PG_ERROR_DROPPED,
    'reports an undefined table and an undefined column': PG_ERROR_DROPPED,
    'reports a deadlock as DeadlockDetected, and the other transaction commits': PG_ERROR_DROPPED,
    'returns the edge-case values as the ORM does on pg':
      'refuses the int4range column with UnsupportedNativeDataType',
    'reads and writes timestamptz as the same instant in a non-UTC session':
      'reads timestamptz text in the session time zone and labels it UTC',
  },
  errorChain,
  async open(options) {
    return open(
      new PrismaPg({
        connectionString: options.url,
        max: options.max,
        ...(options.checkoutTimeout ? { connectionTimeoutMillis: options.checkoutTimeout } : {}),
      }),
      options,
    )
  },
}
