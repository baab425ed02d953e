/**
 * Client against a real server, through the `pg` alias: promise and callback forms, queueing
 * before connect, result shapes, the simple protocol for multi-statement text, value
 * preparation, events, error fields, and misuse answered the way `pg` answers it.
 */
import { errors } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejection, until } from './helpers.js'

const servers = testServers()

describe.each(servers.map((s) => [s.name, s] as const))('Client on %s', (_name, server) => {
  const open: pg.Client[] = []
  let admin: pg.Client

  async function client(config: pg.ClientConfig = {}): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: server.url, ...config })
    open.push(c)
    await c.connect()
    return c
  }

  beforeAll(async () => {
    admin = await client()
  })

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.end()))
  })

  it('connects and queries with promises, resolving connect() to the client', async () => {
    const c = new pg.Client(server.url)
    open.push(c)
    expect(await c.connect()).toBe(c)
    const result = await c.query('select $1::int4 + 1 as n', [41])
    expect(result.rows).toEqual([{ n: 42 }])
    expect(c.processID).toBeTypeOf('number')
  })

  it('connects and queries with callbacks, returning undefined', async () => {
    const c = new pg.Client(server.url)
    open.push(c)
    const connected = await new Promise<Error | null>((resolve) => {
      expect(c.connect((err) => resolve(err))).toBeUndefined()
    })
    expect(connected).toBeNull()
    const viaValues = await new Promise<pg.QueryResult>((resolve, reject) => {
      const ret = c.query('select $1::text as t', ['a'], (err, res) =>
        err ? reject(err) : resolve(res),
      )
      expect(ret).toBeUndefined()
    })
    expect(viaValues.rows).toEqual([{ t: 'a' }])
    const noValues = await new Promise<pg.QueryResult>((resolve, reject) => {
      c.query('select 2 as two', (err, res) => (err ? reject(err) : resolve(res)))
    })
    expect(noValues.rows).toEqual([{ two: 2 }])
    const failed = await new Promise<Error>((resolve) => {
      c.query('select * from no_such_table_here', (err) => resolve(err as Error))
    })
    expect(failed).toBeInstanceOf(pg.DatabaseError)
  })

  it('queues queries issued before connect() and runs them in order', async () => {
    const c = new pg.Client(server.url)
    open.push(c)
    const order: number[] = []
    const first = c.query('select 1 as n').then((r) => order.push(r.rows[0]!.n))
    const second = c.query('select $1::int as n', [2]).then((r) => order.push(r.rows[0]!.n))
    const third = c.query('select 3 as n').then((r) => order.push(r.rows[0]!.n))
    await c.connect()
    await Promise.all([first, second, third])
    expect(order).toEqual([1, 2, 3])
  })

  it('gives results pg’s own properties and field descriptions', async () => {
    await admin.query(
      'drop table if exists compat_shape; create table compat_shape (id int4 primary key, label text)',
    )
    const inserted = await admin.query('insert into compat_shape values ($1, $2), ($3, $4)', [
      1,
      'a',
      2,
      'b',
    ])
    expect(inserted.command).toBe('INSERT')
    expect(inserted.rowCount).toBe(2)
    expect(inserted.oid).toBe(0)
    expect(inserted.rows).toEqual([])
    const selected = await admin.query('select id, label from compat_shape order by id')
    expect(Object.keys(selected).sort()).toEqual(
      ['command', 'fields', 'oid', 'rowAsArray', 'rowCount', 'rows'].sort(),
    )
    expect(selected).toBeInstanceOf(pg.Result)
    expect(selected.command).toBe('SELECT')
    expect(selected.rowCount).toBe(2)
    expect(selected.oid).toBeNull()
    expect((selected as pg.Result).rowAsArray).toBe(false)
    const table = await admin.query("select 'compat_shape'::regclass::oid::int4 as oid")
    expect(selected.fields).toEqual([
      {
        name: 'id',
        tableID: table.rows[0]!.oid,
        columnID: 1,
        dataTypeID: 23,
        dataTypeSize: 4,
        dataTypeModifier: -1,
        format: 'text',
      },
      {
        name: 'label',
        tableID: table.rows[0]!.oid,
        columnID: 2,
        dataTypeID: 25,
        dataTypeSize: -1,
        dataTypeModifier: -1,
        format: 'text',
      },
    ])
    const updated = await admin.query('update compat_shape set label = label')
    expect([updated.command, updated.rowCount]).toEqual(['UPDATE', 2])
    const created = await admin.query('create temp table compat_tmp (x int)')
    expect([created.command, created.rowCount]).toEqual(['CREATE', null])
  })

  it('returns rows as arrays with rowMode array, and the later of two same-named columns', async () => {
    const c = await client()
    const arrays = await c.query({
      text: 'select 1 as a, $1::text as a',
      values: ['x'],
      rowMode: 'array',
    })
    expect(arrays.rows).toEqual([[1, 'x']])
    expect((arrays as pg.Result).rowAsArray).toBe(true)
    const objects = await c.query('select 1 as a, 2 as a')
    expect(objects.rows).toEqual([{ a: 2 }])
  })

  it('runs a multi-statement text without values through the simple protocol, one Result each', async () => {
    const c = await client()
    const results = (await c.query(
      'select 1 as a; select 2 as b; set search_path = public',
    )) as unknown as pg.QueryResult[]
    expect(Array.isArray(results)).toBe(true)
    expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }], []])
    expect(results.map((r) => r.command)).toEqual(['SELECT', 'SELECT', 'SET'])
    const withValues = await rejection(c.query('select 1; select $1::int', [1]))
    expect((withValues as pg.DatabaseError).code).toBe('42601')
  })

  it('runs named statements, config values and the Query events', async () => {
    const c = await client()
    const first = await c.query({
      name: 'compat-named',
      text: 'select $1::int * 2 as d',
      values: [4],
    })
    const again = await c.query({
      name: 'compat-named',
      text: 'select $1::int * 2 as d',
      values: [5],
    })
    expect([first.rows, again.rows]).toEqual([[{ d: 8 }], [{ d: 10 }]])
    const query = new pg.Query('select g from generate_series(1, 3) g')
    const rows: unknown[] = []
    query.on('row', (row) => rows.push(row))
    const ended = new Promise<pg.QueryResult>((resolve) => query.on('end', resolve))
    expect(c.query(query)).toBe(query)
    const result = await ended
    expect(rows).toEqual([{ g: 1 }, { g: 2 }, { g: 3 }])
    expect(result.rowCount).toBe(3)
  })

  it('prepares values as pg does: Date, Buffer, arrays, objects, toPostgres, undefined', async () => {
    const c = await client()
    const when = new Date(2024, 0, 15, 10, 30, 0, 123)
    const r = await c.query(
      `select $1::timestamptz = $2::timestamptz as same_instant, $3::timestamp::text as wall,
        $4::bytea as bytes, $5::int[] as ints, $6::text[] as texts, $7::jsonb as doc,
        $8::text as custom, $9::text as nothing, $10::bool as flag, $11::text as nested`,
      [
        when,
        when.toISOString(),
        when,
        Buffer.from([0, 1, 255]),
        [1, null, 3],
        ['a"b', 'c\\d', null],
        { a: [1, 2] },
        { toPostgres: () => 'from toPostgres' },
        undefined,
        true,
        [
          [1, 2],
          [3, 4],
        ],
      ],
    )
    const row = r.rows[0]!
    expect(row.same_instant).toBe(true)
    expect(row.wall).toBe('2024-01-15 10:30:00.123')
    expect(row.bytes).toEqual(Buffer.from([0, 1, 255]))
    expect(row.ints).toEqual([1, null, 3])
    expect(row.texts).toEqual(['a"b', 'c\\d', null])
    expect(row.doc).toEqual({ a: [1, 2] })
    expect(row.custom).toBe('from toPostgres')
    expect(row.nothing).toBeNull()
    expect(row.flag).toBe(true)
    expect(row.nested).toBe('{{"1","2"},{"3","4"}}')
  })

  it('emits notice and notification events', async () => {
    const c = await client()
    const notices: { message?: string; severity?: string }[] = []
    c.on('notice', (n) => notices.push(n))
    await c.query("do $$ begin raise notice 'compat notice %', 7; end $$")
    await until('the notice arrived', () => notices.length > 0)
    expect(notices[0]?.message).toBe('compat notice 7')
    expect(notices[0]?.severity).toBe('NOTICE')
    const heard: pg.Notification[] = []
    c.on('notification', (n) => heard.push(n))
    await c.query('listen compat_channel')
    await admin.query("select pg_notify('compat_channel', 'hello')")
    await until('the notification arrived', () => heard.length > 0)
    expect(heard[0]).toMatchObject({
      channel: 'compat_channel',
      payload: 'hello',
      processId: admin.processID,
    })
  })

  it('emits error then end when the server ends the connection, and refuses queries after', async () => {
    const c = await client()
    const events: string[] = []
    let error: Error | undefined
    c.on('error', (err) => {
      events.push('error')
      error = err
    })
    c.on('end', () => events.push('end'))
    await admin.query('select pg_terminate_backend($1)', [c.processID])
    await until('the client ended', () => events.includes('end'))
    expect(events).toEqual(['error', 'end'])
    expect(error).toBeInstanceOf(Error)
    const after = await rejection(c.query('select 1'))
    expect(after.message).toBe('Client was closed and is not queryable')
  })

  it('does not crash the process when nobody listens for a lost connection’s error', async () => {
    const c = await client()
    let ended = false
    c.on('end', () => {
      ended = true
    })
    await admin.query('select pg_terminate_backend($1)', [c.processID])
    await until('the client ended', () => ended)
    expect(c.listenerCount('error')).toBe(0)
  })

  it('emits end once on end(), and end() twice resolves', async () => {
    const c = await client()
    let ends = 0
    c.on('end', () => ends++)
    await c.end()
    await c.end()
    await new Promise<void>((resolve) => c.end(() => resolve()))
    expect(ends).toBe(1)
  })

  it('carries the server’s error fields under pg’s names, and the core’s retry facts', async () => {
    const c = await client()
    await c.query('create temp table compat_err (id int primary key, v int not null)')
    await c.query('insert into compat_err values (1, 1)')
    const dup = (await rejection(
      c.query('insert into compat_err values (1, 2)'),
    )) as pg.DatabaseError & {
      safeToRetry: boolean
      transient: boolean
      inDoubt: boolean
    }
    expect(dup).toBeInstanceOf(pg.DatabaseError)
    expect(dup).toBeInstanceOf(Error)
    expect(dup.message).toBe('duplicate key value violates unique constraint "compat_err_pkey"')
    expect(dup.code).toBe('23505')
    expect(dup.severity).toBe('ERROR')
    expect(dup.detail).toBe('Key (id)=(1) already exists.')
    expect(dup.table).toBe('compat_err')
    expect(dup.constraint).toBe('compat_err_pkey')
    expect(dup.schema).toMatch(/^pg_temp/)
    expect(dup.file).toBeTypeOf('string')
    expect(dup.routine).toBeTypeOf('string')
    expect([dup.safeToRetry, dup.transient, dup.inDoubt]).toEqual([false, false, false])
    const syntax = (await rejection(c.query('select from where'))) as pg.DatabaseError
    expect(syntax.code).toBe('42601')
    expect(syntax.position).toBe('13')
    // The connection is still usable after errors.
    expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
  })

  it('answers misuse as pg does, without crashing', async () => {
    const c = await client()
    expect(() => c.query(null as unknown as string)).toThrow(
      'Client was passed a null or undefined query',
    )
    expect(() => c.query(undefined as unknown as string)).toThrow(Error)
    const noText = await rejection(c.query({} as pg.QueryConfig))
    expect(noText.message).toBe(
      'A query must have either text or a name. Supplying neither is unsupported.',
    )
    const badValues = await rejection(c.query('select $1', 'x' as unknown as unknown[]))
    expect(badValues.message).toBe('Query values must be an array')
    const twice = await rejection(c.connect())
    expect(twice.message).toBe('Client has already been connected. You cannot reuse a client.')
    const circular: { toPostgres: () => unknown } = { toPostgres: () => circular }
    const loop = await rejection(c.query('select $1::text', [circular]))
    expect(loop.message).toMatch(/circular reference detected/)
    await c.end()
    const afterEnd = await rejection(c.query('select 1'))
    expect(afterEnd.message).toBe('Client was closed and is not queryable')
    const viaCallback = await new Promise<Error>((resolve) =>
      c.query('select 1', (err) => resolve(err as Error)),
    )
    expect(viaCallback.message).toBe('Client was closed and is not queryable')
  })

  it('fails connect() with the server’s error and rejects the queries queued behind it', async () => {
    const c = new pg.Client({ connectionString: server.url, database: 'compat_no_such_database' })
    const queued = c.query('select 1')
    const err = (await rejection(c.connect())) as pg.DatabaseError
    expect(err.code).toBe('3D000')
    expect((await rejection(queued)).message).toMatch(/compat_no_such_database/)
  })

  it('query_timeout cancels the statement on the server', async () => {
    const c = await client({ query_timeout: 200 })
    const started = Date.now()
    const err = (await rejection(c.query('select pg_sleep(5)'))) as pg.DatabaseError
    expect(Date.now() - started).toBeLessThan(4_000)
    expect(err.code).toBe('57014')
    const running = await admin.query(
      "select count(*)::int as n from pg_stat_activity where pid = $1 and state = 'active' and query like '%pg_sleep(5)%'",
      [c.processID],
    )
    expect(running.rows[0]!.n).toBe(0)
    expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
  })

  it('applies statement_timeout and application_name from the config', async () => {
    const c = await client({ statement_timeout: 150, application_name: 'compat_app' })
    const err = (await rejection(c.query('select pg_sleep(3)'))) as pg.DatabaseError
    expect(err.code).toBe('57014')
    const app = await c.query('show application_name')
    expect(app.rows).toEqual([{ application_name: 'compat_app' }])
  })

  it('tolerates pool-only and unknown keys in a client config', async () => {
    const c = await client({
      max: 3,
      idleTimeoutMillis: 5,
      somethingElse: true,
      keepAlive: true,
    } as pg.ClientConfig)
    expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
  })

  it('escapes identifiers and literals as pg does', async () => {
    const c = await client()
    expect(c.escapeIdentifier('we"ird')).toBe('"we""ird"')
    expect(c.escapeLiteral("it's")).toBe("'it''s'")
    expect(c.escapeLiteral('back\\slash')).toBe(" E'back\\\\slash'")
    const r = await c.query(`select ${c.escapeLiteral("a'b\\c")} as v`)
    expect(r.rows).toEqual([{ v: "a'b\\c" }])
  })

  it('copies in and out with copyFrom and copyTo, and reports the transaction status', async () => {
    const c = await client()
    await c.query('create temp table compat_copy (id int, label text)')
    const input = c.copyFrom('copy compat_copy from stdin')
    input.write('1\tone\n2\ttwo\n')
    input.end()
    await until(
      'the rows arrived',
      async () => (await c.query('select count(*)::int as n from compat_copy')).rows[0]!.n === 2,
    )
    const chunks: Buffer[] = []
    for await (const chunk of c.copyTo('copy (select * from compat_copy order by id) to stdout'))
      chunks.push(chunk)
    expect(Buffer.concat(chunks).toString()).toBe('1\tone\n2\ttwo\n')
    expect(c.getTransactionStatus()).toBe('I')
    await c.query('begin')
    expect(c.getTransactionStatus()).toBe('T')
    await c.query('rollback')
  })

  it('rejects the COMMIT of a failed transaction instead of reporting a silent rollback', async () => {
    const c = await client()
    await c.query('create temp table compat_commit (id int primary key)')
    await c.query('begin')
    await c.query('insert into compat_commit values (1)')
    await c.query('select 1/0').catch(() => {})
    const err = await rejection(c.query('COMMIT'))
    expect(err).toBeInstanceOf(errors.InFailedSqlTransaction)
    expect((err as errors.InFailedSqlTransaction).cause).toBeInstanceOf(errors.DivisionByZero)
    expect(c.getTransactionStatus()).toBe('I')
    expect((await c.query('select count(*)::int as n from compat_commit')).rows).toEqual([{ n: 0 }])
    // A COMMIT that commits answers as pg's does; so do END and a trailing semicolon.
    for (const text of ['commit', 'END;', 'commit work']) {
      await c.query('begin')
      await c.query('insert into compat_commit values ($1)', [text.length])
      const ok = await c.query(text)
      expect([ok.command, ok.rowCount, ok.rows]).toEqual(['COMMIT', null, []])
    }
    expect((await c.query('select count(*)::int as n from compat_commit')).rows).toEqual([{ n: 3 }])
  })
})
