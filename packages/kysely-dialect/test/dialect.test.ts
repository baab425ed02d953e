/**
 * TuskDialect against real servers: results shaped as PostgresDialect shapes them, transactions
 * and savepoints, streams, Kysely 0.29's abort signals, cancellation and session kills, the
 * lossless mapping, user-supplied pools and the connection hooks.
 */

import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { connect, createPool, errors, type Pool, type Session } from '@tusk/core'
import { startFaultProxy } from '@tusk/testkit'
import { shape } from '@tusk/testkit/shape'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type Generated,
  Kysely,
  PostgresDialect,
  sql,
} from 'kysely'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import { TuskConnection, TuskDialect, TuskDriver } from '../src/index.js'

interface Database {
  dialect_items: { id: number; label: string; qty: Generated<number> }
}

const servers = testServers()

async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

describe.each(servers.map((s) => [s.name, s] as const))('TuskDialect on %s', (_name, server) => {
  const app = `tusk_dialect_${process.pid}`
  const url = `${server.url}?application_name=${app}`
  const cleanups: (() => Promise<unknown>)[] = []
  let admin: Session

  function kysely(config: ConstructorParameters<typeof TuskDialect>[0] = {}): Kysely<Database> {
    const db = new Kysely<Database>({
      dialect: new TuskDialect({ conninfo: url, ...config }),
    })
    cleanups.push(() => db.destroy())
    return db
  }

  function reference(): Kysely<Database> {
    const pool = new pg.Pool({ connectionString: server.url, max: 2 })
    pool.on('error', () => {})
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    cleanups.push(() => db.destroy())
    return db
  }

  async function running(marker: string): Promise<{ pid: number; state: string }[]> {
    const { rows } = await admin.query<{ pid: number; state: string }>(
      `select pid, state from pg_stat_activity where query like $1 and pid <> pg_backend_pid()`,
      [`%${marker}%`],
    )
    return rows
  }

  beforeAll(async () => {
    admin = await connect(server.url)
    await admin.exec(`
      drop table if exists dialect_items;
      create table dialect_items (id int4 primary key, label text not null unique, qty int4 not null default 0);`)
  })
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c().catch(() => {})))
    await admin.exec('truncate dialect_items')
  })
  afterAll(async () => {
    await admin.exec('drop table if exists dialect_items')
    await admin.close()
  })

  describe('results', () => {
    it('returns rows and numAffectedRows exactly as PostgresDialect does', async () => {
      const tusk = kysely()
      const ref = reference()
      const fresh = () =>
        admin.exec(`truncate dialect_items;
          insert into dialect_items (id, label, qty) values (1, 'a', 0), (2, 'b', 1), (3, 'c', 1)`)
      const statements = [
        `insert into dialect_items (id, label) values (4, 'd'), (5, 'e')`,
        `insert into dialect_items (id, label) values (6, 'f') returning *`,
        `update dialect_items set qty = qty + 1 where id > 1`,
        `update dialect_items set qty = 0 where false`,
        `select id, label, qty from dialect_items order by id`,
        `delete from dialect_items where id = 3 returning id`,
        `merge into dialect_items t using (values (1), (9)) v(id) on t.id = v.id
           when matched then update set qty = 10
           when not matched then insert (id, label) values (v.id, 'new')`,
        `create temp table dialect_tmp (x int)`,
        `commit`,
        `rollback`,
      ]
      for (const text of statements) {
        await fresh()
        const ours = await tusk.executeQuery(CompiledQuery.raw(text))
        await fresh()
        const theirs = await ref.executeQuery(CompiledQuery.raw(text))
        expect(shape(ours), text).toEqual(shape(theirs))
      }
    })

    it('returns the builder results PostgresDialect returns', async () => {
      for (const db of [kysely(), reference()]) {
        await admin.exec('truncate dialect_items')
        const inserted = await db
          .insertInto('dialect_items')
          .values([
            { id: 1, label: 'a' },
            { id: 2, label: 'b' },
          ])
          .executeTakeFirst()
        expect(inserted.numInsertedOrUpdatedRows).toBe(2n)
        expect(inserted.insertId).toBeUndefined()
        const updated = await db.updateTable('dialect_items').set({ qty: 5 }).executeTakeFirst()
        expect(updated.numUpdatedRows).toBe(2n)
        const deleted = await db.deleteFrom('dialect_items').where('id', '=', 1).executeTakeFirst()
        expect(deleted.numDeletedRows).toBe(1n)
      }
    })

    it('runs a script of several statements without parameters, as pg does', async () => {
      const db = kysely()
      const result = await sql`
        create temp table dialect_script (x int);
        insert into dialect_script values (1), (2);
        select * from dialect_script`.execute(db)
      expect(result.rows).toEqual([])
      const { rows } = await sql<{ s: string }>`select ';' as s`.execute(db)
      expect(rows).toEqual([{ s: ';' }])
    })

    it('throws the @tusk/core error classes themselves, fields intact', async () => {
      const db = kysely()
      await db.insertInto('dialect_items').values({ id: 1, label: 'dup' }).execute()
      const err = await rejection(() =>
        db.insertInto('dialect_items').values({ id: 2, label: 'dup' }).execute(),
      )
      expect(err).toBeInstanceOf(errors.UniqueViolation)
      expect(err).toMatchObject({
        code: '23505',
        constraint: 'dialect_items_label_key',
        table: 'dialect_items',
        detail: 'Key (label)=(dup) already exists.',
      })
      expect(String((err as Error).stack)).toContain('dialect.test.ts')
    })

    it('returns lossless values with typeMapping "tusk"', async () => {
      const db = kysely({ typeMapping: 'tusk' })
      const { rows } = await sql`select 9007199254740993::int8 as i, '2024-01-15'::date as d,
        '1.50'::numeric as n, '\\x01'::bytea as b`.execute(db)
      expect(rows[0]).toEqual({
        i: 9007199254740993n,
        d: '2024-01-15',
        n: '1.50',
        b: new Uint8Array([1]),
      })
    })

    it('lets a parser in poolOptions.types win over the pg mapping, keyed by name', async () => {
      const db = kysely({
        poolOptions: { types: { parsers: { date: (text: string) => `D:${text}` } } },
      })
      const { rows } = await sql`select '2024-01-15'::date as d, 1::int8 as i`.execute(db)
      expect(rows).toEqual([{ d: 'D:2024-01-15', i: '1' }])
    })

    it('applies the pg mapping to a pool it is given, and its own mapping with "tusk"', async () => {
      const pool = createPool(url, { max: 2 })
      const pg1 = new Kysely<Database>({ dialect: new TuskDialect({ pool }) })
      const { rows } = await sql`select 1::int8 as i`.execute(pg1)
      expect(rows).toEqual([{ i: '1' }])
      const own = new Kysely<Database>({ dialect: new TuskDialect({ pool, typeMapping: 'tusk' }) })
      expect((await sql`select 1::int8 as i`.execute(own)).rows).toEqual([{ i: 1n }])
      // The pool keeps its own mapping for everyone else.
      expect(await pool.queryOne('select 1::int8 as i')).toEqual({ i: 1n })
      await pg1.destroy()
      expect(pool.closed).toBe(true)
    })

    it('calls a pool function once, on first use', async () => {
      let calls = 0
      const db = kysely({
        conninfo: undefined,
        pool: async () => {
          calls++
          return createPool(url, { max: 2 })
        },
      })
      expect(calls).toBe(0)
      await Promise.all([sql`select 1`.execute(db), sql`select 2`.execute(db)])
      expect(calls).toBe(1)
    })

    it('runs onCreateConnection once per session and onReserveConnection per checkout', async () => {
      const created: number[] = []
      let reserved = 0
      const db = kysely({
        poolOptions: { max: 1 },
        onCreateConnection: async (c) => {
          created.push(c.client.processId)
          await c.executeQuery(CompiledQuery.raw(`set application_name = 'created'`))
        },
        onReserveConnection: async (c) => {
          expect(c).toBeInstanceOf(TuskConnection)
          reserved++
        },
      })
      for (let i = 0; i < 3; i++) {
        const { rows } = await sql<{
          a: string
        }>`select current_setting('application_name') as a`.execute(db)
        expect(rows).toEqual([{ a: 'created' }])
      }
      expect(created).toHaveLength(1)
      expect(reserved).toBe(3)
    })
  })

  describe('transactions', () => {
    it('applies the isolation level and access mode', async () => {
      const db = kysely()
      const rows = await db
        .transaction()
        .setIsolationLevel('serializable')
        .setAccessMode('read only')
        .execute(
          async (trx) =>
            (
              await sql<{
                iso: string
                ro: string
              }>`select current_setting('transaction_isolation') as iso,
              current_setting('transaction_read_only') as ro`.execute(trx)
            ).rows,
        )
      expect(rows).toEqual([{ iso: 'serializable', ro: 'on' }])
    })

    it('commits and rolls back callback transactions', async () => {
      const db = kysely()
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('dialect_items').values({ id: 1, label: 'kept' }).execute()
      })
      const boom = new Error('boom')
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('dialect_items').values({ id: 2, label: 'gone' }).execute()
          throw boom
        }),
      ).rejects.toBe(boom)
      const ids = await db.selectFrom('dialect_items').select('id').execute()
      expect(ids).toEqual([{ id: 1 }])
    })

    it('creates, rolls back to and releases savepoints of a controlled transaction', async () => {
      const db = kysely()
      const trx = await db.startTransaction().execute()
      await trx.insertInto('dialect_items').values({ id: 1, label: 'one' }).execute()
      const sp1 = await trx.savepoint('first "sp"').execute()
      await sp1.insertInto('dialect_items').values({ id: 2, label: 'two' }).execute()
      const sp2 = await sp1.savepoint('second').execute()
      await sp2.insertInto('dialect_items').values({ id: 3, label: 'three' }).execute()
      const back = await sp2.rollbackToSavepoint('second').execute()
      const released = await back.releaseSavepoint('first "sp"').execute()
      await released.commit().execute()
      expect(trx.isCommitted).toBe(true)
      const ids = await db.selectFrom('dialect_items').select('id').orderBy('id').execute()
      expect(ids).toEqual([{ id: 1 }, { id: 2 }])
    })

    it('reports a COMMIT the server turned into ROLLBACK as AbortedTransactionError', async () => {
      const db = kysely()
      const trx = await db.startTransaction().execute()
      const first = await rejection(() => sql`select 1/0`.execute(trx))
      expect(first).toBeInstanceOf(errors.DivisionByZero)
      const err = await rejection(() => trx.commit().execute())
      expect(err).toBeInstanceOf(AbortedTransactionError)
      const cause = (err as Error).cause
      expect(cause).toBeInstanceOf(errors.InFailedSqlTransaction)
      expect((cause as Error).cause).toBe(first)
      expect(trx.isRolledBack).toBe(true)
      expect((await sql<{ n: number }>`select 1 as n`.execute(db)).rows).toEqual([{ n: 1 }])
    })
    it('reports a COMMIT whose answer was lost, in doubt, and never reuses that session', async () => {
      const proxy = await startFaultProxy({ host: server.host, port: server.port })
      cleanups.push(() => proxy.close())
      const viaProxy = `${server.url.replace(`:${server.port}/`, `:${proxy.port}/`)}?sslmode=disable`
      const pool = createPool(viaProxy, { max: 1 })
      const db = new Kysely<Database>({ dialect: new TuskDialect({ pool }) })
      cleanups.push(() => db.destroy())
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
      const err = await rejection(() =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('dialect_items').values({ id: 1, label: 'maybe' }).execute()
          proxy.onClientData((chunk) =>
            chunk.toString('latin1').includes('commit') ? 'forward-then-cut' : 'forward',
          )
        }),
      )
      proxy.onClientData(undefined)
      // The COMMIT's own error reaches the caller (no ROLLBACK is tried on the broken session).
      expect(err).toBeInstanceOf(errors.ConnectionLost)
      expect(err).toMatchObject({ inDoubt: true, query: 'commit' })
      const next = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
      expect(next.rows[0]?.pid).not.toBe(rows[0]?.pid)
      expect(pool.stats()).toMatchObject({ total: 1, idle: 1 })
    })

    it('keeps the session when the server itself refuses the COMMIT', async () => {
      const db = kysely({ poolOptions: { max: 1 } })
      await sql`create temp table dialect_deferred (x int unique deferrable initially deferred)`.execute(
        db,
      )
      const before = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
      const err = await rejection(() =>
        db.transaction().execute(async (trx) => {
          await sql`insert into dialect_deferred values (1), (1)`.execute(trx)
        }),
      )
      expect(err).toBeInstanceOf(errors.UniqueViolation)
      const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
      expect(after.rows).toEqual(before.rows)
    })
  })

  describe('streams', () => {
    it('streams in chunks through a cursor and closes it when the consumer stops', async () => {
      const pool = createPool(url, { max: 1 })
      const db = new Kysely<Database>({ dialect: new TuskDialect({ pool }) })
      cleanups.push(() => db.destroy())
      let seen = 0
      for await (const row of db
        .selectFrom(sql<{ g: number }>`generate_series(1, 100000)`.as('g'))
        .selectAll()
        .stream(500)) {
        expect(row.g).toBe(++seen)
        if (seen === 1234) break
      }
      expect(pool.stats()).toMatchObject({ busy: 0, idle: 1 })
      const { rows } = await sql<{ n: string; tx: string }>`select count(*) as n,
        (select count(*) from pg_cursors where name <> '') as cursors from pg_stat_activity
        where pid = pg_backend_pid() and state = 'active'`.execute(db)
      expect(rows).toEqual([{ n: '1', cursors: '0' }])
    })

    it('streams inside a transaction, the cursor ending before the transaction does', async () => {
      const db = kysely()
      await db.insertInto('dialect_items').values({ id: 1, label: 'x' }).execute()
      const labels = await db.transaction().execute(async (trx) => {
        await trx.insertInto('dialect_items').values({ id: 2, label: 'y' }).execute()
        const out: string[] = []
        for await (const r of trx
          .selectFrom('dialect_items')
          .select('label')
          .orderBy('id')
          .stream(1)) {
          out.push(r.label)
        }
        return out
      })
      expect(labels).toEqual(['x', 'y'])
    })

    it('stops a stream when its signal aborts, and frees the session', async () => {
      const pool = createPool(url, { max: 1 })
      const db = new Kysely<Database>({ dialect: new TuskDialect({ pool }) })
      cleanups.push(() => db.destroy())
      const controller = new AbortController()
      const err = await rejection(async () => {
        let n = 0
        for await (const _ of db
          .selectFrom(sql<{ g: number }>`generate_series(1, 1000000)`.as('g'))
          .selectAll()
          .stream({ chunkSize: 100, signal: controller.signal })) {
          if (++n === 150) controller.abort(new Error('enough'))
        }
      })
      expect((err as Error).message).toBe('enough')
      await until(async () => pool.stats().idle === 1, { what: 'the session is back' })
      expect((await sql`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }])
    })
  })

  describe('abort signals, cancel and kill', () => {
    it("cancels the query on the server with inflightQueryAbortStrategy 'cancel query'", async () => {
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
      try {
        const db = kysely({ poolOptions: { max: 1 } })
        const marker = `dialect_cancel_${Date.now()}`
        const controller = new AbortController()
        const pending = rejection(() =>
          db.executeQuery(CompiledQuery.raw(`select pg_sleep(30), '${marker}'`), {
            signal: controller.signal,
            inflightQueryAbortStrategy: 'cancel query',
          }),
        )
        // The driver's own account of the statement: it must end as QueryCanceled, not finish
        // or fail some other way.
        const failed: unknown[] = []
        const onError = (m: unknown): void => {
          const { query, error } = m as { query: string; error: unknown }
          if (query.includes(marker)) failed.push(error)
        }
        subscribe('tusk:query:error', onError)
        onTestFinished(() => {
          unsubscribe('tusk:query:error', onError)
        })
        await until(async () => (await running(marker)).length > 0, { what: 'the query runs' })
        const reason = new Error('stop')
        controller.abort(reason)
        expect(await pending).toBe(reason)
        await until(async () => (await running(marker)).every((r) => r.state !== 'active'), {
          what: 'the server canceled it',
        })
        await until(() => failed.length > 0, { what: 'the statement to fail on the driver' })
        expect(failed).toHaveLength(1)
        expect(failed[0]).toBeInstanceOf(errors.QueryCanceled)
        expect((failed[0] as errors.QueryCanceled).code).toBe('57014')
        // The same (only) session runs the next query: the cancel hit nothing else.
        expect((await sql`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }])
      } finally {
        quiet.mockRestore()
      }
    })

    it('lets the query finish by default (ignore query)', async () => {
      const db = kysely({ poolOptions: { max: 1 } })
      const marker = `dialect_ignore_${Date.now()}`
      const controller = new AbortController()
      const pending = rejection(() =>
        db.executeQuery(CompiledQuery.raw(`select pg_sleep(0.3), '${marker}'`), {
          signal: controller.signal,
        }),
      )
      await until(async () => (await running(marker)).length > 0, { what: 'the query runs' })
      const reason = new Error('stop waiting')
      controller.abort(reason)
      expect(await pending).toBe(reason)
      expect((await running(marker)).some((r) => r.state === 'active')).toBe(true)
      expect((await sql`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }])
    })

    it("terminates the session with inflightQueryAbortStrategy 'kill session'", async () => {
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
      try {
        for (const config of [{}, { conninfo: undefined, pool: createPool(url, { max: 2 }) }]) {
          const db = kysely(config)
          const marker = `dialect_kill_${Date.now()}`
          const controller = new AbortController()
          const pending = rejection(() =>
            db.executeQuery(CompiledQuery.raw(`select pg_sleep(30), '${marker}'`), {
              signal: controller.signal,
              inflightQueryAbortStrategy: 'kill session',
            }),
          )
          await until(async () => (await running(marker)).length > 0, { what: 'the query runs' })
          const [{ pid } = { pid: 0 }] = await running(marker)
          const reason = new Error('kill')
          controller.abort(reason)
          expect(await pending).toBe(reason)
          await until(async () => (await running(marker)).length === 0, {
            what: 'the backend is gone',
          })
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
          expect(rows[0]?.pid).not.toBe(pid)
        }
      } finally {
        quiet.mockRestore()
      }
    })

    it('a cancelQuery after the query finished does nothing', async () => {
      const driver = new TuskDriver({ conninfo: url, poolOptions: { max: 1 } })
      cleanups.push(() => driver.destroy())
      await driver.init()
      const connection = (await driver.acquireConnection()) as TuskConnection
      const signal = new AbortController().signal
      await connection.executeQuery(CompiledQuery.raw('select 1'), { signal })
      await connection.cancelQuery()
      const slow = connection.executeQuery(
        CompiledQuery.raw('select pg_sleep(0.2) is null as ok'),
        {
          signal,
        },
      )
      expect((await slow).rows).toEqual([{ ok: false }])
      await driver.releaseConnection(connection)
    })

    it('honours the signal on init, acquireConnection and destroy', async () => {
      const reason = new Error('aborted')
      const driver = new TuskDriver({ conninfo: url, poolOptions: { max: 1 } })
      await expect(driver.init({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      await driver.init()
      const held = await driver.acquireConnection()
      const controller = new AbortController()
      const waiting = driver.acquireConnection({ signal: controller.signal })
      await until(() => driver.pool.stats().waiting === 1, { what: 'the checkout queued' })
      controller.abort(reason)
      await expect(waiting).rejects.toBe(reason)
      // The aborted checkout left the pool's queue at once: nobody is waiting any more.
      expect(driver.pool.stats().waiting).toBe(0)
      await driver.releaseConnection(held)
      await until(async () => driver.pool.stats().busy === 0, { what: 'the pool is idle' })
      expect(driver.pool.stats()).toMatchObject({ busy: 0, idle: 1 })
      const pool = driver.pool
      await expect(driver.destroy({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      await until(async () => pool.closed && pool.stats().total === 0, { what: 'the pool ended' })
    })

    it('runs the next query at once after the backend of a running query was terminated', async () => {
      const db = kysely({ poolOptions: { max: 1 } })
      const marker = `dialect_terminated_${Date.now()}`
      const pending = rejection(() => sql`select pg_sleep(30), ${sql.lit(marker)}`.execute(db))
      await until(async () => (await running(marker)).length > 0, { what: 'the query runs' })
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where query like $1 and pid <> pg_backend_pid()',
        [`%${marker}%`],
      )
      // The session is lost (ConnectionLost); the server's reason is its cause.
      const err = (await pending) as Error
      expect(err).toBeInstanceOf(errors.OperationalError)
      const chain = [err, err.cause]
      expect(chain.some((e) => e instanceof errors.AdminShutdown)).toBe(true)
      expect((await sql`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }])
    })
  })

  it('refuses a driver given both a pool and conninfo', () => {
    const pool = {} as Pool
    expect(() => new TuskDriver({ pool, conninfo: url })).toThrow(/either/)
  })

  it('refuses connections it did not create', async () => {
    const driver = new TuskDriver({ conninfo: url })
    await expect(driver.beginTransaction({} as DatabaseConnection, {})).rejects.toThrow(
      /did not create/,
    )
  })
})
