/**
 * TuskClient against real servers, on the lowest and the highest Knex 3.x: values as Knex with
 * `pg` returns them, transactions and savepoints, a COMMIT that could only roll back, error
 * classes with pg's fields, streams and pipes over a cursor, cancel by CancelRequest, checkout
 * validation, searchPath, version, pool limits and acquire timeouts, async stack traces, the
 * response and identifier hooks, scripts, pg-style `afterCreate` hooks and a @tusk/core pool as
 * `connectionPool`.
 */
import { PassThrough, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { connect, createPool, errors, type Session } from '@tusk/core'
import { startFaultProxy } from '@tusk/testkit'
import { shape } from '@tusk/testkit/shape'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import type { Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as Client from '../src/index.js'
import { KNEX_RELEASES } from './knex-versions.js'

/** Loads the client's source afresh, extending the pg dialect of `pgDialect`'s release. */
async function clientOn(pgDialect: () => Promise<unknown>): Promise<typeof Client> {
  vi.resetModules()
  vi.doMock('knex/lib/dialects/postgres/index.js', pgDialect)
  try {
    return await import('../src/index.js')
  } finally {
    vi.doUnmock('knex/lib/dialects/postgres/index.js')
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

const servers = testServers()

describe.each(KNEX_RELEASES.map((r) => [r.version, r] as const))('Knex %s', (version, release) => {
  describe.each(servers.map((s) => [s.name, s] as const))('on %s', (_n, server) => {
    const app = `tusk_knex_${version.replaceAll('.', '_')}_${process.pid}`
    const url = `${server.url}?application_name=${app}`
    const table = `knex_items_${version.replaceAll('.', '_')}`
    let knexOf: (config: Knex.Config) => Knex
    let lib: typeof Client
    let db: Knex
    let ref: Knex
    let admin: Session
    const opened: Knex[] = []

    function open(config: Partial<Client.TuskKnexConfig> = {}): Knex {
      const k = knexOf({ client: lib.TuskClient, connection: url, ...config } as Knex.Config)
      opened.push(k)
      return k
    }

    /** Backends of this test's application, optionally with a query like `marker`. */
    async function backends(marker = '%'): Promise<{ state: string; query: string }[]> {
      const { rows } = await admin.query<{ state: string; query: string }>(
        `select state, query from pg_stat_activity
          where application_name = $1 and query like $2 and pid <> pg_backend_pid()`,
        [app, marker],
      )
      return rows
    }

    beforeAll(async () => {
      knexOf = (await release.load()) as unknown as (config: Knex.Config) => Knex
      lib = await clientOn(release.pgDialect)
      admin = await connect(server.url)
      db = open()
      ref = knexOf({ client: 'pg', connection: url })
      await db.schema.dropTableIfExists(table)
      await db.schema.createTable(table, (t) => {
        t.integer('id').primary()
        t.text('label').notNullable().unique()
        t.bigInteger('big')
        t.decimal('amount', 20, 4)
        t.timestamp('made', { useTz: true })
        t.date('day')
        t.jsonb('doc')
        t.specificType('tags', 'text[]')
        t.binary('bytes')
      })
    })

    afterAll(async () => {
      await db?.schema.dropTableIfExists(table)
      for (const k of opened) await k.destroy()
      await ref?.destroy()
      await admin?.close()
    })

    it('keeps Knex’s pg dialect: client name, driver name, placeholders', () => {
      expect(db.client.dialect).toBe('postgresql')
      expect(db.client.driverName).toBe('pg')
      expect(db(table).where({ id: 1 }).toSQL().toNative().sql).toBe(
        `select * from "${table}" where "id" = $1`,
      )
    })

    it('returns what Knex with pg returns for the query builder and raw', async () => {
      const row = {
        id: 1,
        label: 'one',
        big: '9007199254740993',
        amount: '12.5',
        made: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123)),
        day: '2024-02-29',
        doc: { a: [1, { b: null }] },
        tags: ['x', 'y,z', null],
        bytes: Buffer.from([0, 255]),
      }
      const inserted = await db(table).insert(row).returning('*')
      const refRows = await ref(table).where({ id: 1 })
      expect(shape(inserted)).toEqual(shape(refRows))
      expect(shape(await db(table).where({ id: 1 }).first())).toEqual(shape(refRows[0]))
      expect(await db(table).pluck('label')).toEqual(['one'])
      expect(await db(table).where({ id: 1 }).update({ label: 'uno' })).toBe(1)
      const raw = await db.raw('select ?::int4 as n, ?::text as t, ?::date as d', [
        7,
        'seven',
        new Date(2024, 1, 29),
      ])
      const refRaw = await ref.raw('select ?::int4 as n, ?::text as t, ?::date as d', [
        7,
        'seven',
        new Date(2024, 1, 29),
      ])
      expect(shape(raw.rows)).toEqual(shape(refRaw.rows))
      expect(raw.command).toBe('SELECT')
      expect(raw.rowCount).toBe(1)
      expect(await db(table).where({ id: 1 }).del()).toBe(1)
    })

    it('runs a script without bindings through the simple protocol, as pg does', async () => {
      const results = (await db.raw(
        `create temp table knex_script (a int4); insert into knex_script values (1), (2);
         select sum(a)::int4 as total, now()::date as today from knex_script`,
      )) as unknown as { command: string; rows: Record<string, unknown>[] }[]
      expect(results.map((r) => r.command)).toEqual(['CREATE TABLE', 'INSERT', 'SELECT'])
      expect(results[2]?.rows[0]?.total).toBe(3)
      expect(results[2]?.rows[0]?.today).toBeInstanceOf(Date)
    })

    it('commits, rolls back, and rolls a savepoint back alone', async () => {
      await db.transaction(async (trx) => {
        await trx(table).insert({ id: 10, label: 'kept' })
        await trx
          .transaction(async (inner) => {
            await inner(table).insert({ id: 11, label: 'dropped' })
            throw new Error('inner fails')
          })
          .catch(() => {})
      })
      await rejection(() =>
        db.transaction(async (trx) => {
          await trx(table).insert({ id: 12, label: 'rolled back' })
          throw new Error('outer fails')
        }),
      )
      expect(await db(table).whereIn('id', [10, 11, 12]).pluck('id')).toEqual([10])
    })

    it('rejects the COMMIT of a transaction a swallowed error failed, with the error as cause', async () => {
      const err = await rejection(() =>
        db.transaction(async (trx) => {
          await trx(table).insert({ id: 13, label: 'lost' })
          await trx.raw('select 1 / 0').catch(() => {})
        }),
      )
      expect(err).toBeInstanceOf(errors.InFailedSqlTransaction)
      expect((err as Error).cause).toBeInstanceOf(errors.DivisionByZero)
      expect(await db(table).where({ id: 13 }).first()).toBeUndefined()
    })

    it('throws the core error classes with the fields pg has', async () => {
      await db(table).insert({ id: 20, label: 'dup' })
      const err = (await rejection(() => db(table).insert({ id: 21, label: 'dup' }))) as {
        code: string
        constraint: string
        table: string
        detail: string
        message: string
      }
      expect(err).toBeInstanceOf(errors.UniqueViolation)
      expect(err).toBeInstanceOf(errors.IntegrityError)
      expect(err.code).toBe('23505')
      expect(err.constraint).toBe(`${table}_label_unique`)
      expect(err.table).toBe(table)
      expect(err.detail).toContain('(label)=(dup)')
      // Knex prefixes the SQL, as with pg.
      expect(err.message).toMatch(/^insert into .* - duplicate key value/)
      const syntax = (await rejection(() => db.raw('selec 1'))) as { position: string }
      expect(syntax).toBeInstanceOf(errors.SyntaxError)
      expect(syntax.position).toBe('1')
    })

    it('keeps the caller in the stack with asyncStackTraces', async () => {
      const traced = open({ asyncStackTraces: true })
      async function callerNamedInStack() {
        await traced.raw('select * from knex_nowhere')
      }
      const err = (await rejection(callerNamedInStack)) as Error
      expect(err).toBeInstanceOf(errors.UndefinedTable)
      expect(err.stack).toContain('callerNamedInStack')
    })

    it('applies postProcessResponse and wrapIdentifier as with pg', async () => {
      const camel = open({
        wrapIdentifier: (value, impl) =>
          impl(value.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)),
        postProcessResponse: (result) =>
          Array.isArray(result)
            ? result.map((row) =>
                Object.fromEntries(
                  Object.entries(row).map(([k, v]) => [
                    k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
                    v,
                  ]),
                ),
              )
            : result,
      })
      const rows = await camel.select('someValue').from(camel.raw('(select 1 as some_value) s'))
      expect(rows).toEqual([{ someValue: 1 }])
    })

    it('streams and pipes a result through a cursor', async () => {
      const stream = db
        .select(db.raw('g::int4 as g'))
        .from(db.raw('generate_series(1, 1000) g'))
        .stream({ batchSize: 50 })
      let n = 0
      for await (const row of stream) expect((row as { g: number }).g).toBe(++n)
      expect(n).toBe(1000)
      const seen: unknown[] = []
      await pipeline(
        db
          .raw('select g::int4 as g from generate_series(1, 10) g')
          .pipe(new PassThrough({ objectMode: true })),
        new Writable({
          objectMode: true,
          write(row, _e, done) {
            seen.push(row)
            done()
          },
        }),
      )
      expect(seen).toHaveLength(10)
    })

    it('stops a stream destroyed early and leaves its connection clean', async () => {
      const one = open({ pool: { min: 0, max: 1 } })
      const stream = one
        .raw('select g from generate_series(1, 1000000) g')
        .stream({ batchSize: 100 })
      let n = 0
      for await (const _ of stream) if (++n === 250) break
      expect(await one.raw('select 1 as one').then((r) => r.rows)).toEqual([{ one: 1 }])
      await until(async () => (await backends()).every((b) => b.state === 'idle'), {
        what: 'no backend left running the stream',
      })
    })

    it('cancels a timed-out query with a CancelRequest, without SQL or another connection', async () => {
      const one = open({ pool: { min: 0, max: 1 } })
      await one.raw('select 1')
      const before = (await backends()).length
      const marker = `knex_cancel_${Math.random().toString(36).slice(2)}`
      const t0 = Date.now()
      const err = await rejection(() =>
        one.raw(`select pg_sleep(10), '${marker}' as m`).timeout(200, { cancel: true }),
      )
      expect((err as Error).name).toBe('KnexTimeoutError')
      expect(Date.now() - t0).toBeLessThan(5_000)
      // No backend ran pg_cancel_backend, and no backend was added for the cancel.
      expect((await backends()).length).toBe(before)
      expect(await one.raw('select 2 as two').then((r) => r.rows)).toEqual([{ two: 2 }])
      expect(await backends(`%${marker}%`)).toEqual([])
    })

    it('rejects a timed-out query at once without cancel, and replaces its connection', async () => {
      const one = open({ pool: { min: 0, max: 1 } })
      await one.raw('select 1')
      const t0 = Date.now()
      const err = await rejection(() => one.raw('select pg_sleep(10)').timeout(200))
      expect((err as Error).name).toBe('KnexTimeoutError')
      expect(Date.now() - t0).toBeLessThan(3_000)
      expect(await one.raw('select 5 as five').then((r) => r.rows)).toEqual([{ five: 5 }])
    })

    it('cancels a statement through .options({ signal }) and .options({ timeout })', async () => {
      const controller = new AbortController()
      const pending = rejection(() =>
        db.raw('select pg_sleep(10)').options({ signal: controller.signal }),
      )
      setTimeout(() => controller.abort(), 100)
      const aborted = (await pending) as errors.QueryCanceled
      expect(aborted).toBeInstanceOf(errors.QueryCanceled)
      expect(aborted.code).toBe('57014')
      const timed = await rejection(() => db.raw('select pg_sleep(10)').options({ timeout: 100 }))
      expect(timed).toBeInstanceOf(errors.QueryCanceled)
      expect(await db.raw('select 1 as one').then((r) => r.rows)).toEqual([{ one: 1 }])
    })

    it('connects with what a connection provider function returns', async () => {
      let calls = 0
      const provided = open({
        connection: async () => {
          calls++
          return { connectionString: url } as Knex.StaticConnectionConfig
        },
      })
      expect(await provided.raw('select 1 as one').then((r) => r.rows)).toEqual([{ one: 1 }])
      expect(calls).toBeGreaterThan(0)
    })

    it('never hands out a connection left in a transaction or closed', async () => {
      const one = open({ pool: { min: 0, max: 1 } })
      const conn = (await one.client.acquireConnection()) as Client.TuskKnexConnection
      await conn.query('begin')
      await one.client.releaseConnection(conn)
      const next = (await one.client.acquireConnection()) as Client.TuskKnexConnection
      expect(next).not.toBe(conn)
      expect(next.session.transactionStatus).toBe('I')
      await one.client.releaseConnection(next)
      // The server ends the idle session: the next checkout gets a new one.
      await admin.query('select pg_terminate_backend($1)', [next.processID])
      await until(async () => next.session.closed, { what: 'the session sees it was ended' })
      expect(await one.raw('select 3 as three').then((r) => r.rows)).toEqual([{ three: 3 }])
    })

    it('pings a connection idle past healthCheck and drops one that does not answer', async () => {
      const proxy = await startFaultProxy({ host: server.host, port: server.port })
      try {
        const viaProxy = new URL(url)
        viaProxy.host = `127.0.0.1:${proxy.port}`
        const one = open({
          connection: viaProxy.toString(),
          pool: { min: 0, max: 1 },
          tusk: { healthCheck: 0, healthCheckTimeout: 300 },
        })
        await one.raw('select 1')
        proxy.blackholeOpen()
        const t0 = Date.now()
        expect(await one.raw('select 4 as four').then((r) => r.rows)).toEqual([{ four: 4 }])
        expect(Date.now() - t0).toBeLessThan(5_000)
      } finally {
        await proxy.close()
      }
    })

    it('sets searchPath on each connection and reports the server version', async () => {
      await admin.exec(
        'create schema if not exists knex_sp; create table if not exists knex_sp.only_here (x int4)',
      )
      const scoped = open({ searchPath: ['knex_sp', 'public'] })
      expect(await scoped('only_here').count('* as n')).toEqual([{ n: '0' }])
      expect(scoped.client.version).toBe(
        (await admin.queryOne<{ v: string }>(`select split_part(version(), ' ', 2) as v`))?.v,
      )
    })

    it('keeps to pool.max and fails a checkout after acquireConnectionTimeout', async () => {
      const small = open({ pool: { min: 0, max: 2 }, acquireConnectionTimeout: 1_000 })
      await Promise.all(Array.from({ length: 6 }, () => small.raw('select pg_sleep(0.05)')))
      const pool = small.client.pool as unknown as { numUsed(): number; numFree(): number }
      expect(pool.numUsed() + pool.numFree()).toBeLessThanOrEqual(2)
      let release: () => void = () => {}
      const held = new Promise<void>((r) => {
        release = r
      })
      const holders = [1, 2].map(() =>
        small.transaction(async (trx) => {
          await trx.raw('select 1')
          await held
        }),
      )
      await until(async () => pool.numUsed() === 2, { what: 'both connections held' })
      const t0 = Date.now()
      const err = (await rejection(() => small.raw('select 2'))) as Error
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900)
      expect(Date.now() - t0).toBeLessThan(4_000)
      expect(err.name).toBe('KnexTimeoutError')
      expect(err.cause).toBeInstanceOf(errors.PoolTimeoutError)
      release()
      await Promise.all(holders)
    })

    it('runs a pg-style afterCreate hook on each new connection', async () => {
      const hooked = open({
        pool: {
          min: 0,
          max: 1,
          afterCreate: (
            conn: Client.TuskKnexConnection,
            done: (err: Error | null, conn: unknown) => void,
          ) => {
            conn.query(`set application_name = '${app}_hooked'`, (err) => done(err, conn))
          },
        },
      })
      const [row] = (await hooked.raw('select current_setting(?) as name', ['application_name']))
        .rows
      expect(row).toEqual({ name: `${app}_hooked` })
    })

    it('takes connections from a @tusk/core pool given as connectionPool, and leaves it open', async () => {
      const pool = createPool(url, { max: 2 })
      try {
        const pooled = knexOf({
          client: lib.TuskClient,
          connectionPool: pool,
        } as unknown as Knex.Config)
        expect(await pooled.raw('select 9007199254740993::int8 as n').then((r) => r.rows)).toEqual([
          { n: '9007199254740993' },
        ])
        await pooled.transaction(async (trx) => {
          await trx.raw('select 1')
        })
        await pooled.destroy()
        expect(pool.closed).toBe(false)
        expect(await pool.queryOne('select 1 as one')).toEqual({ one: 1 })
      } finally {
        await pool.end()
      }
    })

    it('returns @tusk/core’s lossless values with typeMapping: tusk', async () => {
      const lossless = open({ tusk: { typeMapping: 'tusk' } })
      const sql = `select 9007199254740993::int8 as big, 1.50::numeric as num, '2024-02-29'::date as day,
                          '\\x00ff'::bytea as bytes`
      const [row] = (await lossless.raw(sql)).rows
      expect(row).toEqual({
        big: 9007199254740993n,
        num: '1.50',
        day: '2024-02-29',
        bytes: new Uint8Array([0, 255]),
      })
      const [script] = (
        (await lossless.raw(`select 1; ${sql}`)) as unknown as { rows: unknown[] }[]
      ).slice(1)
      expect(script?.rows).toEqual([row])
    })

    it('maps int8 as the connection’s types option says, for this instance only', async () => {
      const wide = open({
        connection: { connectionString: url, types: { int8: 'bigint' } } as never,
      })
      expect((await wide.raw('select 5::int8 as n')).rows).toEqual([{ n: 5n }])
      expect((await db.raw('select 5::int8 as n')).rows).toEqual([{ n: '5' }])
    })
  })
})
