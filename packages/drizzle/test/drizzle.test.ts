/**
 * @tusk/drizzle against real servers, on the lowest and the highest drizzle-orm 0.45.x: the query
 * builders and relational queries, values equal to what drizzle-orm/node-postgres returns for
 * every column mode, transactions (settings, savepoints, rollback, a broken connection), prepared
 * statements in the core's cache, streaming, cancel, errors with the core's classes as cause,
 * the migrator on a drizzle-kit folder, and bad input.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { connect, errors, type Pool, type Session } from '@tusk/core'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DRIZZLE_RELEASES, type DrizzleRelease } from './drizzle-versions.js'

type Driver = typeof import('../src/index.js')
type TuskDatabase<S extends Record<string, unknown>> = import('../src/index.js').TuskDatabase<S>
type NodePgDatabase<S extends Record<string, unknown>> =
  import('drizzle-orm/node-postgres').NodePgDatabase<S>
type Migrator = typeof import('../src/migrator.js')
type Orm = typeof import('drizzle-orm')
type PgCore = typeof import('drizzle-orm/pg-core')
type NodePg = typeof import('drizzle-orm/node-postgres')
type CacheCore = typeof import('drizzle-orm/cache/core')

interface Loaded {
  driver: Driver
  migrator: Migrator
  orm: Orm
  core: PgCore
  nodePg: NodePg
  cache: CacheCore
}

/** Loads the driver afresh with every drizzle-orm import pointed at `release`. */
async function load(release: DrizzleRelease): Promise<Loaded> {
  vi.resetModules()
  for (const [specifier, factory] of Object.entries(release.modules)) vi.doMock(specifier, factory)
  try {
    return {
      driver: await import('../src/index.js'),
      migrator: await import('../src/migrator.js'),
      orm: (await import('drizzle-orm')) as Orm,
      core: (await import('drizzle-orm/pg-core')) as PgCore,
      nodePg: (await import('drizzle-orm/node-postgres')) as NodePg,
      cache: (await import('drizzle-orm/cache/core')) as CacheCore,
    }
  } finally {
    for (const specifier of Object.keys(release.modules)) vi.doUnmock(specifier)
  }
}

async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

/** The error and its `cause` chain. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = []
  for (let e = err; e !== undefined && e !== null && out.length < 10; ) {
    out.push(e)
    e = (e as { cause?: unknown }).cause
  }
  return out
}

function schemaOf(core: PgCore, orm: Orm, suffix: string) {
  const authors = core.pgTable(`dz_authors_${suffix}`, {
    id: core.serial('id').primaryKey(),
    name: core.text('name').notNull().unique(`dz_authors_${suffix}_name_key`),
    bornAt: core.timestamp('born_at', { withTimezone: true }),
  })
  const books = core.pgTable(`dz_books_${suffix}`, {
    id: core.serial('id').primaryKey(),
    authorId: core.integer('author_id').notNull(),
    title: core.text('title').notNull(),
  })
  const authorsRelations = orm.relations(authors, ({ many }) => ({ books: many(books) }))
  const booksRelations = orm.relations(books, ({ one }) => ({
    author: one(authors, { fields: [books.authorId], references: [authors.id] }),
  }))
  const values = core.pgTable(`dz_values_${suffix}`, {
    id: core.integer('id').primaryKey(),
    big: core.bigint('big', { mode: 'bigint' }),
    bigNum: core.bigint('big_num', { mode: 'number' }),
    num: core.numeric('num'),
    numArr: core.numeric('num_arr').array(),
    ts: core.timestamp('ts'),
    tsStr: core.timestamp('ts_str', { mode: 'string' }),
    tstz: core.timestamp('tstz', { withTimezone: true }),
    tstzArr: core.timestamp('tstz_arr', { withTimezone: true }).array(),
    day: core.date('day'),
    dayDate: core.date('day_date', { mode: 'date' }),
    dayArr: core.date('day_arr').array(),
    span: core.interval('span'),
    spanArr: core.interval('span_arr').array(),
    intArr: core.integer('int_arr').array(),
    textArr: core.text('text_arr').array(),
    flag: core.boolean('flag'),
    doc: core.jsonb('doc'),
    js: core.json('js'),
    real: core.doublePrecision('real'),
    uid: core.uuid('uid'),
    time: core.time('time'),
  })
  return { authors, books, authorsRelations, booksRelations, values }
}

type Schema = ReturnType<typeof schemaOf>

const servers = testServers()
const here = path.dirname(fileURLToPath(import.meta.url))

describe.each(DRIZZLE_RELEASES.map((r) => [r.version, r] as const))(
  'drizzle-orm %s',
  (version, release) => {
    describe.each(servers.map((s) => [s.name, s] as const))('on %s', (_n, server) => {
      const suffix = `${version.replaceAll('.', '_')}`
      const app = `tusk_drizzle_${suffix}_${process.pid}`
      const url = `${server.url}?application_name=${app}`
      let m: Loaded
      let s: ReturnType<typeof schemaOf>
      let db: TuskDatabase<Schema> & { $client: Pool }
      let ref: NodePgDatabase<Schema>
      let refPool: pg.Pool
      let admin: Session

      beforeAll(async () => {
        m = await load(release)
        s = schemaOf(m.core, m.orm, suffix)
        admin = await connect(server.url)
        await admin.exec(`
        drop table if exists dz_books_${suffix}, dz_authors_${suffix}, dz_values_${suffix};
        create table dz_authors_${suffix} (id serial primary key, name text not null constraint dz_authors_${suffix}_name_key unique, born_at timestamptz);
        create table dz_books_${suffix} (id serial primary key, author_id int not null references dz_authors_${suffix}(id) on delete cascade, title text not null);
        create table dz_values_${suffix} (id int primary key, big int8, big_num int8, num numeric, num_arr numeric[],
          ts timestamp, ts_str timestamp, tstz timestamptz, tstz_arr timestamptz[], day date, day_date date, day_arr date[],
          span interval, span_arr interval[], int_arr int4[], text_arr text[], flag bool, doc jsonb, js json,
          real float8, uid uuid, time time);
      `)
        db = m.driver.drizzle(url, { schema: s })
        refPool = new pg.Pool({ connectionString: url, max: 2 })
        ref = m.nodePg.drizzle(refPool, { schema: s })
      })

      afterAll(async () => {
        await db?.$client.end()
        await refPool?.end()
        await admin?.exec(
          `drop table if exists dz_books_${suffix}, dz_authors_${suffix}, dz_values_${suffix}`,
        )
        await admin?.close()
      })

      it('runs on the drizzle-orm release under test', async () => {
        const orm = (await release.modules['drizzle-orm']!()) as Orm
        const core = (await release.modules['drizzle-orm/pg-core']!()) as PgCore
        expect(m.orm.DrizzleQueryError).toBe(orm.DrizzleQueryError)
        expect(m.core.PgDialect).toBe(core.PgDialect)
      })

      it('inserts, selects, updates and deletes through the query builder', async () => {
        const [a] = await db
          .insert(s.authors)
          .values({ name: `crud-${suffix}`, bornAt: new Date('1990-05-06T07:08:09.123Z') })
          .returning()
        expect(a).toMatchObject({ name: `crud-${suffix}` })
        expect(a!.bornAt).toEqual(new Date('1990-05-06T07:08:09.123Z'))
        const rows = await db.select().from(s.authors).where(m.orm.eq(s.authors.id, a!.id))
        expect(rows).toEqual([a])
        const updated = await db
          .update(s.authors)
          .set({ name: `crud2-${suffix}` })
          .where(m.orm.eq(s.authors.id, a!.id))
          .returning({ name: s.authors.name })
        expect(updated).toEqual([{ name: `crud2-${suffix}` }])
        const result = await db.delete(s.authors).where(m.orm.eq(s.authors.id, a!.id))
        expect(result.rowCount).toBe(1)
        expect(result.command).toBe('DELETE')
        expect(await db.$count(s.authors, m.orm.eq(s.authors.id, a!.id))).toBe(0)
      })

      it('runs relational queries and joins as node-postgres does', async () => {
        const [a] = await db
          .insert(s.authors)
          .values({ name: `rel-${suffix}` })
          .returning()
        await db.insert(s.books).values([
          { authorId: a!.id, title: 'one' },
          { authorId: a!.id, title: 'two' },
        ])
        const query = (d: typeof db | typeof ref) =>
          d.query.authors.findFirst({
            where: (t, { eq }) => eq(t.id, a!.id),
            with: { books: { orderBy: (b, { asc }) => asc(b.id) } },
          })
        const ours = await query(db)
        expect(ours?.books.map((b) => b.title)).toEqual(['one', 'two'])
        expect(ours).toEqual(await query(ref))
        const joined = (d: typeof db | typeof ref) =>
          d
            .select()
            .from(s.authors)
            .leftJoin(s.books, m.orm.eq(s.books.authorId, s.authors.id))
            .where(m.orm.eq(s.authors.id, a!.id))
            .orderBy(s.books.id)
        expect(await joined(db)).toEqual(await joined(ref))
        expect((await joined(db)).length).toBe(2)
      })

      it('returns every column mode exactly as drizzle-orm/node-postgres does', async () => {
        const row = {
          id: 1,
          big: 9007199254740993n,
          bigNum: 9007199254740991,
          num: '12345678901234567890.123456789',
          numArr: ['1.10', '-2.5', '3'],
          ts: new Date('2024-02-29T23:59:58.123Z'),
          tsStr: '2024-02-29 23:59:58.123456',
          tstz: new Date('2020-01-01T00:00:00.001Z'),
          tstzArr: [new Date('2021-03-04T05:06:07Z'), new Date('1999-12-31T23:59:59.999Z')],
          day: '2024-02-29',
          dayDate: new Date('2000-01-01T00:00:00Z'),
          dayArr: ['2024-01-01', '1970-01-01'],
          span: '1 year 2 mons 3 days 04:05:06.789',
          spanArr: ['1 day', '00:00:01'],
          intArr: [1, 2, 3],
          textArr: ['a', 'b,c', 'd"e'],
          flag: true,
          doc: { a: [1, 2, { b: null }], c: 'd' },
          js: [1, 'two'],
          real: 1.5,
          uid: '0b8a9a3e-7a3b-4c7e-9a2b-1c2d3e4f5a6b',
          time: '12:34:56.789',
        }
        await db.insert(s.values).values(row)
        const [ours] = await db.select().from(s.values).where(m.orm.eq(s.values.id, 1))
        const [theirs] = await ref.select().from(s.values).where(m.orm.eq(s.values.id, 1))
        expect(ours).toEqual(theirs)
        expect(ours!.big).toBe(9007199254740993n)
        expect(ours!.num).toBe('12345678901234567890.123456789')
        expect(ours!.ts).toEqual(row.ts)
        expect(ours!.tstzArr).toEqual(row.tstzArr)
        // Raw SQL too: the same text mapping for the types Drizzle parses itself.
        const sqlText = m.orm
          .sql`select ts, tstz, day, span, num_arr, big, doc from ${s.values} where id = 1`
        const raw = await db.execute(sqlText)
        const refRaw = await ref.execute(sqlText)
        expect(raw.rows).toEqual(refRaw.rows)
        expect(raw.command).toBe('SELECT')
        expect(raw.rowCount).toBe(1)
      })

      it('maps rows and throws a failing mapping as node-postgres does, the pool still usable', async () => {
        const upper = (v: unknown): string => {
          if (v === 'bad') throw new RangeError(`cannot map ${String(v)}`)
          return String(v).toUpperCase()
        }
        const column = m.orm.sql<string>`v`.mapWith(upper)
        const good = m.orm.sql`(values ('a'), ('b')) as t(v)`
        const bad = m.orm.sql`(values ('a'), ('bad'), ('c')) as t(v)`
        expect(await db.select({ v: column }).from(good)).toEqual([{ v: 'A' }, { v: 'B' }])
        expect(await db.select({ v: column }).from(good)).toEqual(
          await ref.select({ v: column }).from(good),
        )
        const ours = await rejection(() => db.select({ v: column }).from(bad))
        const theirs = await rejection(() => ref.select({ v: column }).from(bad))
        expect(ours).toBeInstanceOf(RangeError)
        expect(Object.getPrototypeOf(ours)).toBe(Object.getPrototypeOf(theirs))
        expect((ours as Error).message).toBe((theirs as Error).message)
        for (let i = 0; i < 3; i++) {
          expect(await db.select({ v: column }).from(good)).toEqual([{ v: 'A' }, { v: 'B' }])
        }
      })

      it('runs transactions with isolation and access mode, commits and rolls back', async () => {
        const level = await db.transaction(
          async (tx) => {
            const r = await tx.execute<{ level: string; ro: string }>(
              m.orm
                .sql`select current_setting('transaction_isolation') as level, current_setting('transaction_read_only') as ro`,
            )
            return r.rows[0]
          },
          { isolationLevel: 'serializable', accessMode: 'read only' },
        )
        expect(level).toEqual({ level: 'serializable', ro: 'on' })
        const readOnly = await rejection(() =>
          db.transaction((tx) => tx.insert(s.authors).values({ name: 'ro' }), {
            accessMode: 'read only',
          }),
        )
        expect(chain(readOnly).some((e) => e instanceof errors.ReadOnlySqlTransaction)).toBe(true)

        const name = `tx-${suffix}`
        const boom = new Error('boom')
        expect(
          await rejection(() =>
            db.transaction(async (tx) => {
              await tx.insert(s.authors).values({ name })
              throw boom
            }),
          ),
        ).toBe(boom)
        expect(await db.$count(s.authors, m.orm.eq(s.authors.name, name))).toBe(0)

        const rolledBack = await rejection(() =>
          db.transaction(async (tx) => {
            await tx.insert(s.authors).values({ name })
            tx.rollback()
          }),
        )
        expect(rolledBack).toBeInstanceOf(m.orm.TransactionRollbackError)
        expect(await db.$count(s.authors, m.orm.eq(s.authors.name, name))).toBe(0)
      })

      it('nests transactions as savepoints, rolled back to on a throw', async () => {
        const names = [`sp-outer-${suffix}`, `sp-inner-${suffix}`, `sp-kept-${suffix}`]
        await db.transaction(async (tx) => {
          await tx.insert(s.authors).values({ name: names[0]! })
          await rejection(() =>
            tx.transaction(async (inner) => {
              await inner.insert(s.authors).values({ name: names[1]! })
              // A failing statement inside the savepoint: the savepoint rolls back, the outer
              // transaction goes on.
              await inner.insert(s.authors).values({ name: names[0]! })
            }),
          )
          await tx.transaction(async (inner) => {
            await inner.transaction(async (deeper) => {
              await deeper.insert(s.authors).values({ name: names[2]! })
            })
          })
        })
        const found = await db
          .select({ name: s.authors.name })
          .from(s.authors)
          .where(m.orm.inArray(s.authors.name, names))
          .orderBy(s.authors.name)
        expect(found.map((r) => r.name)).toEqual([names[0], names[2]].sort())
      })

      it('destroys a connection that broke during a transaction instead of reusing it', async () => {
        const own = m.driver.drizzle({ connection: url, pool: { max: 1 } })
        try {
          const before = await own.execute<{ pid: number }>(
            m.orm.sql`select pg_backend_pid() as pid`,
          )
          const pid = before.rows[0]!.pid
          const err = await rejection(() =>
            own.transaction(async (tx) => {
              await tx.execute(m.orm.sql`select 1`)
              await admin.query('select pg_terminate_backend($1)', [pid])
              await tx.execute(m.orm.sql`select 1`)
            }),
          )
          expect(chain(err).some((e) => e instanceof errors.DatabaseError)).toBe(true)
          const after = await own.execute<{ pid: number }>(
            m.orm.sql`select pg_backend_pid() as pid`,
          )
          expect(after.rows[0]!.pid).not.toBe(pid)
          expect(own.$client.stats().destroyed.error).toBeGreaterThanOrEqual(1)
        } finally {
          await own.$client.end()
        }
      })

      it('runs .prepare(name) through the core statement cache, placeholders filled', async () => {
        const session = await connect(server.url, { prepareThreshold: 0 })
        try {
          const onSession = m.driver.drizzle(session, { schema: s })
          const [a] = await onSession
            .insert(s.authors)
            .values({ name: `prep-${suffix}` })
            .returning()
          const prepared = onSession
            .select({ name: s.authors.name })
            .from(s.authors)
            .where(m.orm.eq(s.authors.id, m.orm.sql.placeholder('id')))
            .prepare('author_by_id')
          expect(await prepared.execute({ id: a!.id })).toEqual([{ name: `prep-${suffix}` }])
          expect(await prepared.execute({ id: -1 })).toEqual([])
          expect(session.preparedStatements).toBeGreaterThanOrEqual(1)
          // Another text under the same name is another statement, not an error.
          const other = onSession
            .select({ id: s.authors.id })
            .from(s.authors)
            .where(m.orm.eq(s.authors.name, m.orm.sql.placeholder('name')))
            .prepare('author_by_id')
          expect(await other.execute({ name: `prep-${suffix}` })).toEqual([{ id: a!.id }])
        } finally {
          await session.close()
        }
      })

      it('never prepares a named statement behind a transaction-mode pooler', async () => {
        const session = await connect(server.url, { pooler: 'transaction', prepareThreshold: 0 })
        try {
          const onPooler = m.driver.drizzle(session, { schema: s })
          const prepared = onPooler
            .select({ id: s.authors.id })
            .from(s.authors)
            .where(m.orm.eq(s.authors.id, m.orm.sql.placeholder('id')))
            .prepare('by_id')
          for (let i = 0; i < 3; i++) expect(await prepared.execute({ id: -1 })).toEqual([])
          expect(session.preparedStatements).toBe(0)
        } finally {
          await session.close()
        }
      })

      it('streams rows with iterate() through a cursor, closing it on break', async () => {
        const pool = db.$client
        const query = db
          .select({ n: m.orm.sql<number>`n`.mapWith(Number) })
          .from(m.orm.sql`generate_series(1, 20000) as g(n)`)
        let count = 0
        let sum = 0
        for await (const row of m.driver.iterate(query, { batchSize: 500 })) {
          count++
          sum += row.n
        }
        expect(count).toBe(20000)
        expect(sum).toBe((20000 * 20001) / 2)
        let seen = 0
        for await (const _ of m.driver.iterate(query, { batchSize: 100 })) {
          if (++seen === 150) break
        }
        expect(seen).toBe(150)
        await until(() => pool.stats().busy === 0, { what: 'the cursor connection released' })
        // A signal closes the cursor mid-stream: the loop throws, the connection goes back.
        const controller = new AbortController()
        let read = 0
        const aborted = await rejection(async () => {
          for await (const _ of m.driver.iterate(query, {
            batchSize: 100,
            signal: controller.signal,
          })) {
            if (++read === 50) controller.abort()
          }
        })
        expect(aborted).toBeDefined()
        expect(read).toBeLessThan(20000)
        await until(() => pool.stats().busy === 0, { what: 'the aborted cursor released' })
        // Both signals at once ($withOptions and iterate's): either one stops the stream.
        const outer = new AbortController()
        const inner = new AbortController()
        let both = 0
        const stopped = await rejection(async () => {
          for await (const _ of m.driver.iterate(
            db
              .$withOptions({ signal: outer.signal })
              .select({ n: m.orm.sql<number>`n` })
              .from(m.orm.sql`generate_series(1, 20000) as g(n)`),
            { batchSize: 100, signal: inner.signal },
          )) {
            if (++both === 10) outer.abort()
          }
        })
        expect(stopped).toBeDefined()
        expect(both).toBeLessThan(20000)
        await until(() => pool.stats().busy === 0, { what: 'the cursor released' })
        // Relational findMany streams too, each row mapped with its relations.
        const names = []
        for await (const author of m.driver.iterate(
          db.query.authors.findMany({ with: { books: true }, limit: 5 }),
          { batchSize: 2 },
        )) {
          expect(Array.isArray(author.books)).toBe(true)
          names.push(author.name)
        }
        expect(names.length).toBeGreaterThan(0)
      })

      it('streams in bounded memory', async () => {
        const query = db
          .select({ n: m.orm.sql<number>`n`, pad: m.orm.sql<string>`repeat('x', 200)` })
          .from(m.orm.sql`generate_series(1, 100000) as g(n)`)
        const gc = (globalThis as { gc?: () => void }).gc
        gc?.()
        const base = process.memoryUsage().heapUsed
        let peak = 0
        let count = 0
        for await (const _ of m.driver.iterate(query, { batchSize: 1000 })) {
          if (++count % 10000 === 0) {
            gc?.()
            peak = Math.max(peak, process.memoryUsage().heapUsed - base)
          }
        }
        expect(count).toBe(100000)
        // The whole result is over 25 MB as JS objects; two batches are well under this bound.
        expect(peak).toBeLessThan(16 * 1024 * 1024)
      })

      it('cancels a statement on the server with $withOptions({ signal })', async () => {
        const controller = new AbortController()
        const pending = rejection(() =>
          db.$withOptions({ signal: controller.signal }).execute(m.orm.sql`select pg_sleep(30)`),
        )
        await until(async () => {
          const r = await admin.query(
            "select 1 from pg_stat_activity where application_name = $1 and query like '%pg_sleep(30)%' and state = 'active'",
            [app],
          )
          return r.rows.length > 0
        })
        controller.abort()
        const err = await pending
        expect(err).toBeInstanceOf(m.orm.DrizzleQueryError)
        expect(chain(err).some((e) => e instanceof errors.QueryCanceled)).toBe(true)
        expect((await db.execute<{ one: number }>(m.orm.sql`select 1 as one`)).rows).toEqual([
          { one: 1 },
        ])
      })

      it('aborts a transaction with its signal and rolls it back', async () => {
        const controller = new AbortController()
        const name = `abort-${suffix}`
        const pending = rejection(() =>
          db.transaction(
            async (tx) => {
              await tx.insert(s.authors).values({ name })
              await tx.execute(m.orm.sql`select pg_sleep(30)`)
            },
            { signal: controller.signal },
          ),
        )
        await until(async () => {
          const r = await admin.query(
            "select 1 from pg_stat_activity where application_name = $1 and query like '%pg_sleep(30)%' and state = 'active'",
            [app],
          )
          return r.rows.length > 0
        })
        controller.abort()
        const err = await pending
        expect(chain(err).some((e) => e instanceof errors.QueryCanceled)).toBe(true)
        expect(await db.$count(s.authors, m.orm.eq(s.authors.name, name))).toBe(0)
      })

      it('gives the core error class, code and constraint as the cause of DrizzleQueryError', async () => {
        const name = `dup-${suffix}`
        await db.insert(s.authors).values({ name })
        const err = await rejection(() => db.insert(s.authors).values({ name }))
        expect(err).toBeInstanceOf(m.orm.DrizzleQueryError)
        const cause = (err as Error).cause
        expect(cause).toBeInstanceOf(errors.UniqueViolation)
        expect(cause).toMatchObject({
          code: '23505',
          constraint: `dz_authors_${suffix}_name_key`,
          table: `dz_authors_${suffix}`,
        })
        const mismatch = await rejection(() =>
          db.execute(m.orm.sql`select * from ${s.authors} where id = ${'not a number'}`),
        )
        expect((mismatch as Error).cause).toBeInstanceOf(errors.InvalidTextRepresentation)
      })

      it('passes logger, casing and multi-statement scripts as node-postgres does', async () => {
        const logged: string[] = []
        const snake = m.core.pgTable(`dz_authors_${suffix}`, {
          id: m.core.serial().primaryKey(),
          name: m.core.text().notNull(),
          bornAt: m.core.timestamp({ withTimezone: true }),
        })
        const cased = m.driver.drizzle({
          client: db.$client,
          casing: 'snake_case',
          logger: { logQuery: (query) => logged.push(query) },
        })
        const rows = await cased.select({ bornAt: snake.bornAt }).from(snake).limit(1)
        expect(Array.isArray(rows)).toBe(true)
        expect(logged.some((q) => q.includes('"born_at"'))).toBe(true)
        const script = await cased.execute(m.orm.sql.raw('select 1; select 2'))
        expect(script.command).toBe('SELECT')
      })

      it("serves selects from Drizzle's cache and invalidates it on writes", async () => {
        const stored = new Map<string, unknown[]>()
        const calls = { hits: 0, mutations: 0 }
        class MapCache extends m.cache.Cache {
          strategy(): 'all' {
            return 'all'
          }
          async get(key: string): Promise<unknown[] | undefined> {
            const hit = stored.get(key)
            if (hit) calls.hits++
            return hit
          }
          async put(key: string, response: unknown): Promise<void> {
            stored.set(key, response as unknown[])
          }
          async onMutate(): Promise<void> {
            calls.mutations++
            stored.clear()
          }
        }
        const cached = m.driver.drizzle({ client: db.$client, cache: new MapCache() })
        const name = `cache-${suffix}`
        const read = () =>
          cached
            .select({ name: s.authors.name })
            .from(s.authors)
            .where(m.orm.eq(s.authors.name, name))
        expect(await read()).toEqual([])
        expect(await read()).toEqual([])
        expect(calls.hits).toBe(1)
        await cached.insert(s.authors).values({ name })
        expect(calls.mutations).toBe(1)
        expect(await read()).toEqual([{ name }])
      })

      it('logs transaction control as drizzle-orm/node-postgres does', async () => {
        const ours: string[] = []
        const theirs: string[] = []
        const logged = m.driver.drizzle({
          client: db.$client,
          logger: { logQuery: (query) => ours.push(query) },
        })
        const refLogged = m.nodePg.drizzle({
          client: refPool,
          logger: { logQuery: (query) => theirs.push(query) },
        })
        const work = async (d: typeof logged | typeof refLogged) => {
          await d.transaction(
            async (tx) => {
              await tx.execute(m.orm.sql`select 1`)
              await tx.transaction(async (sp) => {
                await sp.execute(m.orm.sql`select 2`)
              })
              await rejection(() =>
                tx.transaction(async () => {
                  throw new Error('undo')
                }),
              )
            },
            { isolationLevel: 'repeatable read' },
          )
        }
        await work(logged)
        await work(refLogged)
        expect(ours).toEqual(theirs)
      })

      it('streams raw SQL with iterate(db, sql), in a transaction too', async () => {
        const rows: unknown[] = []
        for await (const row of m.driver.iterate<{ n: number; at: string }>(
          db,
          m.orm
            .sql`select n, '2024-01-02 03:04:05'::timestamp as at from generate_series(1, ${5}::int4) n`,
          { batchSize: 2 },
        )) {
          rows.push(row)
        }
        expect(rows).toHaveLength(5)
        expect(rows[0]).toEqual({ n: 1, at: '2024-01-02 03:04:05' })
        const inTx = await db.transaction(async (tx) => {
          let count = 0
          for await (const _ of m.driver.iterate(tx, 'select generate_series(1, 10)')) count++
          return count
        })
        expect(inTx).toBe(10)
        expect(() => m.driver.iterate(ref as never, 'select 1')).toThrow(errors.InterfaceError)
      })

      it("layers pool types over Drizzle's mapping", async () => {
        const wide = m.driver.drizzle({
          connection: url,
          pool: { max: 1, types: { int8: 'bigint' } },
          schema: s,
        })
        try {
          const raw = await wide.execute<{ n: bigint; t: string }>(
            m.orm.sql`select 9007199254740993::int8 as n, '2024-01-02 03:04:05'::timestamp as t`,
          )
          expect(raw.rows).toEqual([{ n: 9007199254740993n, t: '2024-01-02 03:04:05' }])
          await wide.insert(s.values).values({ id: 2, big: 5n, bigNum: 6 })
          const [row] = await wide
            .select({ big: s.values.big, bigNum: s.values.bigNum })
            .from(s.values)
            .where(m.orm.eq(s.values.id, 2))
          expect(row).toEqual({ big: 5n, bigNum: 6 })
        } finally {
          await wide.$client.end()
        }
      })

      it('applies a drizzle-kit migrations folder once, with migrate()', async () => {
        const migrationsSchema = `drizzle_${suffix}`
        await admin.exec(
          `drop table if exists mig_books, mig_authors; drop schema if exists ${migrationsSchema} cascade`,
        )
        const folder = path.join(here, 'migrations')
        await m.migrator.migrate(db, { migrationsFolder: folder, migrationsSchema })
        await m.migrator.migrate(db, { migrationsFolder: folder, migrationsSchema })
        const applied = await admin.query(
          `select hash, created_at from ${migrationsSchema}.__drizzle_migrations order by id`,
        )
        expect(applied.rows.map((r) => String(r.created_at))).toEqual([
          '1764892800000',
          '1764896400000',
        ])
        const fk = await admin.query(
          "select conname from pg_constraint where conname = 'mig_books_author_id_mig_authors_id_fk'",
        )
        expect(fk.rows).toHaveLength(1)
        await admin.exec(
          `drop table mig_books, mig_authors; drop schema ${migrationsSchema} cascade`,
        )
      })

      it('refuses a pg Pool, a bad URL, and queries after end() with typed errors', async () => {
        const pgPool = new pg.Pool({ connectionString: url })
        try {
          const wrong = await rejection(async () => m.driver.drizzle(pgPool as never))
          expect(wrong).toBeInstanceOf(errors.ConfigError)
          expect((wrong as Error).message).toMatch(/@tusk\/core Pool.*got a pg Pool/)
          const wrongClient = await rejection(async () =>
            m.driver.drizzle({ client: pgPool as never }),
          )
          expect(wrongClient).toBeInstanceOf(errors.ConfigError)
        } finally {
          await pgPool.end()
        }
        const badUrl = await rejection(async () => m.driver.drizzle('postgres://[::1'))
        expect(badUrl).toBeInstanceOf(errors.ConfigError)
        const ended = m.driver.drizzle(url)
        await ended.execute(m.orm.sql`select 1`)
        await ended.$client.end()
        const after = await rejection(() => ended.execute(m.orm.sql`select 1`))
        expect(after).toBeInstanceOf(m.orm.DrizzleQueryError)
        expect((after as Error).cause).toBeInstanceOf(errors.InterfaceError)
      })
    })
  },
)
