import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { startFaultProxy } from '@tusk/testkit'
import { runningStatement } from '@tusk/testkit/activity'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type ConnectOptions,
  connect,
  createPool,
  errors,
  type Session,
  sql,
} from '../../src/index.js'
import { countingTransport } from './counting-transport.js'

const servers = testServers()
const open: Session[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})))
})

describe.each(servers.map((s) => [s.name, s] as const))('queries on %s', (_n, server) => {
  async function conn(options: ConnectOptions = {}, url = server.url): Promise<Session> {
    const c = await connect(url, options)
    open.push(c)
    return c
  }

  beforeAll(async () => {
    const c = await connect(server.url)
    await c.exec(`
      drop table if exists q_items;
      create table q_items (id int primary key, name text not null, price numeric(10,2), tags text[]);
      insert into q_items values (1, 'one', 1.50, '{a,b}'), (2, 'two', 2.25, '{}');
    `)
    await c.close()
  })

  it('runs a parameterized query with objects, arrays and field metadata', async () => {
    const c = await conn()
    const r = await c.query('select id, name, price, tags from q_items where id = $1', [1])
    expect(r.command).toBe('SELECT')
    expect(r.rowCount).toBe(1)
    expect(r.rows).toEqual([{ id: 1, name: 'one', price: '1.50', tags: ['a', 'b'] }])
    expect(r.fields.map((f) => [f.name, f.dataTypeOid])).toEqual([
      ['id', 23],
      ['name', 25],
      ['price', 1700],
      ['tags', 1009],
    ])
    expect(r.fields[0]!.tableOid).toBeGreaterThan(0)
    expect(r.fields[0]!.columnId).toBe(1)
    const a = await c.query('select id, name from q_items order by id', [], { rowMode: 'array' })
    expect(a.rows).toEqual([
      [1, 'one'],
      [2, 'two'],
    ])
  })

  it('lets a later duplicate column name win in object mode, and keeps all in array mode', async () => {
    const c = await conn()
    expect((await c.query('select 1 as a, 2 as a')).rows).toEqual([{ a: 2 }])
    expect((await c.query('select 1 as a, 2 as a', [], { rowMode: 'array' })).rows).toEqual([
      [1, 2],
    ])
  })

  it('takes sql tagged templates and never puts values in the text', async () => {
    const c = await conn()
    const name = "o'ne; drop table q_items; --"
    const r = await c.query(
      sql`select count(*)::int as n from q_items where name = ${name} or id in ${sql.in([1, 2])}`,
    )
    expect(r.rows).toEqual([{ n: 2 }])
    const one = await c.queryOne<{ name: string }>(
      sql`select name from ${sql.id('q_items')} where id = ${2}`,
    )
    expect(one).toEqual({ name: 'two' })
  })

  it('reports INSERT/UPDATE/DELETE counts and returns rows with RETURNING', async () => {
    const c = await conn()
    await c.exec('create temp table w (x int)')
    const ins = await c.query('insert into w select generate_series(1, $1::int) returning x', [3])
    expect([ins.command, ins.rowCount, ins.rows.length]).toEqual(['INSERT', 3, 3])
    const upd = await c.query('update w set x = x + 1 where x > $1', [1])
    expect([upd.command, upd.rowCount]).toEqual(['UPDATE', 2])
    const del = await c.query('delete from w')
    expect([del.command, del.rowCount]).toEqual(['DELETE', 3])
    const empty = await c.query('')
    expect(empty.command).toBe('')
  })

  it('pipelines concurrent queries in one write, each with its own Sync', async () => {
    const counting = countingTransport()
    const c = await conn({ runtime: { transport: counting.transport } })
    counting.writes = 0
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        i === 50 ? c.query('select 1/0') : c.query('select $1::int as i', [i]),
      ),
    )
    expect(counting.writes).toBe(1)
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    expect((results[50] as PromiseRejectedResult).reason).toBeInstanceOf(errors.DivisionByZero)
    expect((results[99] as PromiseFulfilledResult<{ rows: unknown[] }>).value.rows).toEqual([
      { i: 99 },
    ])
  })

  it('prepares a statement after prepareThreshold runs and then sends Bind/Execute only', async () => {
    const c = await conn({ prepareThreshold: 3 })
    const text = 'select $1::int + 1 as n'
    for (let i = 0; i < 2; i++) await c.query(text, [i])
    expect(c.preparedStatements).toBe(0)
    await c.query(text, [5])
    expect(c.preparedStatements).toBe(1)
    const r = await c.query(text, [41])
    expect(r.rows).toEqual([{ n: 42 }])
    const names = await c.query<{ name: string; statement: string }>(
      'select name, statement from pg_prepared_statements',
    )
    expect(names.rows.map((x) => x.statement)).toContain(text)
    const never = await conn({ prepare: false, prepareThreshold: 0 })
    for (let i = 0; i < 5; i++) await never.query(text, [i])
    expect(never.preparedStatements).toBe(0)
    expect(
      (await never.query('select count(*)::int as n from pg_prepared_statements')).rows,
    ).toEqual([{ n: 0 }])
  })

  it('evicts the least recently used statement past the cache size and closes it on the server', async () => {
    const c = await conn({ prepareThreshold: 0, statementCacheSize: 2 })
    for (const n of [1, 2, 3]) await c.query(`select ${n} as v`)
    expect(c.preparedStatements).toBe(2)
    const r = await c.query<{ n: number }>(
      "select count(*)::int as n from pg_prepared_statements where statement like 'select _ as v'",
      { prepare: false },
    )
    expect(r.rows[0]!.n).toBe(2)
  })

  it('re-prepares transparently after DDL changes the result type, and after DEALLOCATE ALL', async () => {
    const lines: string[] = []
    const c = await conn({ prepareThreshold: 0, logger: { debug: (m) => lines.push(m) } })
    await c.exec('create temp table ddl (a int)')
    await c.query('insert into ddl values (1)')
    expect((await c.query('select * from ddl')).rows).toEqual([{ a: 1 }])
    await c.exec('alter table ddl add column b text')
    expect((await c.query('select * from ddl')).rows).toEqual([{ a: 1, b: null }])
    expect(lines.some((l) => l.includes('0A000'))).toBe(true)
    await c.exec('deallocate all')
    expect((await c.query('select * from ddl')).rows).toEqual([{ a: 1, b: null }])
    expect(lines.some((l) => l.includes('26000'))).toBe(true)
  })

  it('does not retry a stale statement inside a failed transaction', async () => {
    const c = await conn({ prepareThreshold: 0 })
    await c.exec('create temp table ddl2 (a int)')
    await c.query('select * from ddl2')
    await c.exec('begin; alter table ddl2 add column b int')
    const err = await c.query('select * from ddl2').catch((e) => e)
    expect(err).toBeInstanceOf(errors.FeatureNotSupported)
    await c.rollback()
  })

  it('checks the parameter count before sending, and the 65 535 limit', async () => {
    const c = await conn()
    const err = await c.query('select $1::int, $2::int', [1]).catch((e) => e)
    expect(err).toBeInstanceOf(errors.InterfaceError)
    expect(err.message).toContain('expects 2 parameters')
    const many = Array.from({ length: 65_536 }, (_, i) => i)
    const text = `select ${many.map((i) => `$${i + 1}`).join(',')}`
    const big = await c.query(text, many).catch((e) => e)
    expect(big).toBeInstanceOf(errors.InterfaceError)
    expect(big.message).toContain('65535')
    expect(await c.queryOne('select 1 as ok')).toEqual({ ok: 1 })
  })

  it('names the parameter it cannot encode and stays usable', async () => {
    const c = await conn()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    for (const bad of [() => 1, Symbol('s'), circular]) {
      const err = await c.query('select $1::text, $2::text', ['fine', bad]).catch((e) => e)
      expect(err).toBeInstanceOf(errors.InterfaceError)
      expect(err.message).toContain('$2')
    }
    const dataErr = await c.query('select $1::uuid', [12345]).catch((e) => e)
    expect(dataErr).toBeInstanceOf(errors.DataError)
    expect(await c.queryOne('select 2 as ok')).toEqual({ ok: 2 })
  })

  it('returns 1 600 columns and a 64 MB text value', async () => {
    const c = await conn()
    const cols = Array.from({ length: 1600 }, (_, i) => `${i} as c${i}`).join(', ')
    const wide = await c.query(`select ${cols}`, [], { rowMode: 'array' })
    expect((wide.rows[0] as unknown as unknown[]).length).toBe(1600)
    const big = await c.query<{ t: string }>("select repeat('x', 64 * 1024 * 1024) as t")
    expect(big.rows[0]!.t.length).toBe(64 * 1024 * 1024)
  })

  describe('transactions', () => {
    it('commits on return, rolls back on throw, and rolls back a savepoint independently', async () => {
      const c = await conn()
      await c.exec('create temp table tx (x int)')
      await c.transaction(async (tx) => {
        await tx.query('insert into tx values (1)')
        await tx
          .savepoint(async (sp) => {
            await sp.query('insert into tx values (2)')
            throw new Error('undo the savepoint')
          })
          .catch(() => {})
        await tx.savepoint(async (sp) => sp.query('insert into tx values (3)'))
      })
      await expect(
        c.transaction(async (tx) => {
          await tx.query('insert into tx values (4)')
          throw new Error('undo all')
        }),
      ).rejects.toThrow('undo all')
      expect((await c.query('select x from tx order by x', [], { rowMode: 'array' })).rows).toEqual(
        [[1], [3]],
      )
      expect(c.state).toBe('idle')
    })

    it('honours isolation, read only and deferrable', async () => {
      const c = await conn()
      const level = await c
        .transaction(
          { isolation: 'serializable', readOnly: true, deferrable: true },
          async (tx) => {
            const r = await tx.queryOne<{ l: string; ro: string }>(
              "select current_setting('transaction_isolation') as l, current_setting('transaction_read_only') as ro",
            )
            expect(r).toEqual({ l: 'serializable', ro: 'on' })
            const write = await tx.query("insert into q_items values (9, 'nine')").catch((e) => e)
            expect(write).toBeInstanceOf(errors.ReadOnlySqlTransaction)
            return r
          },
        )
        .catch((e) => e)
      // The body swallowed the error, so COMMIT can only roll back: that must not pass silently.
      expect(level).toBeInstanceOf(errors.InFailedSqlTransaction)
      expect(level.message).toContain('rolled back')
      expect(level.cause).toBeInstanceOf(errors.ReadOnlySqlTransaction)
      const ok = await c.transaction({ isolation: 'repeatable read' }, (tx) =>
        tx.queryOne<{ l: string }>("select current_setting('transaction_isolation') as l"),
      )
      expect(ok).toEqual({ l: 'repeatable read' })
    })

    it('names the error that failed the transaction when a later query is refused', async () => {
      const c = await conn()
      await c.begin()
      await c.query('select 1/0').catch(() => {})
      const err = await c.query('select 1').catch((e) => e)
      expect(err).toBeInstanceOf(errors.InFailedSqlTransaction)
      expect(err.message).toContain('DivisionByZero')
      expect(err.cause).toBeInstanceOf(errors.DivisionByZero)
      await c.rollback()
      expect(c.state).toBe('idle')
    })

    it('surfaces a serialization conflict as SerializationFailure, and retries it when asked', async () => {
      const a = await conn()
      const b = await conn()
      await a.exec(
        'drop table if exists ser; create table ser (k int primary key, v int); insert into ser values (1, 0)',
      )
      const conflict = async (retry: number) => {
        let runs = 0
        const first = a.transaction({ isolation: 'serializable', retry }, async (tx) => {
          runs++
          const v = (await tx.queryOne<{ v: number }>('select v from ser where k = 1'))!.v
          if (runs === 1) await b.query('update ser set v = v + 100 where k = 1')
          await tx.query('update ser set v = $1 where k = 1', [v + 1])
          return runs
        })
        return first
      }
      const err = await conflict(0).catch((e) => e)
      expect(err).toBeInstanceOf(errors.SerializationFailure)
      expect(err.transient).toBe(true)
      expect(await conflict(3)).toBe(2)
    })

    it('marks a COMMIT whose answer was lost as inDoubt', async () => {
      const proxy = await startFaultProxy({ host: server.host, port: server.port })
      try {
        const url = server.url.replace(`:${server.port}/`, `:${proxy.port}/`) + '?sslmode=disable'
        const c = await connect(url)
        await c.exec('create temp table d (x int)')
        await c.begin()
        await c.query('insert into d values (1)')
        proxy.onClientData((chunk) => (chunk.includes('COMMIT') ? 'forward-then-cut' : 'forward'))
        const err = await c.commit().catch((e) => e)
        expect(err).toBeInstanceOf(errors.ConnectionLost)
        expect(err.inDoubt).toBe(true)
        expect(err.safeToRetry).toBe(false)
      } finally {
        await proxy.close()
      }
    })
  })

  describe('cancel and timeouts', () => {
    it('cancels on AbortSignal with a real CancelRequest', async () => {
      const c = await conn()
      const admin = await conn()
      const ac = new AbortController()
      const p = c.query('select pg_sleep(30)', [], { signal: ac.signal }).catch((e) => e)
      await until(() => runningStatement(admin, c.processId, 'select pg_sleep(30)'), {
        what: 'the statement running on the server',
      })
      ac.abort()
      const err = await p
      expect(err).toBeInstanceOf(errors.QueryCanceled)
      expect(err.reason).toBe('abort')
      expect(await c.queryOne('select 1 as ok')).toEqual({ ok: 1 })
      const pre = await c.query('select 1', [], { signal: AbortSignal.abort() }).catch((e) => e)
      expect(pre).toBeInstanceOf(errors.QueryCanceled)
      expect(pre.reason).toBe('abort')
      expect(pre.safeToRetry).toBe(true)
    })

    it('cancels on timeout, and on statement_timeout per query', async () => {
      const c = await conn()
      const t = await c.query('select pg_sleep(30)', [], { timeout: 100 }).catch((e) => e)
      expect(t).toBeInstanceOf(errors.QueryCanceled)
      expect(t.reason).toBe('timeout')
      const st = await c.query('select pg_sleep(30)', [], { statementTimeout: 100 }).catch((e) => e)
      expect(st).toBeInstanceOf(errors.QueryCanceled)
      expect(st.reason).toBe('statement_timeout')
      const after = await c.queryOne<{ st: string }>(
        "select current_setting('statement_timeout') as st",
      )
      expect(after).toEqual({ st: '0' })
      const lt = await c.queryOne<{ v: string }>("select current_setting('lock_timeout') as v", {
        lockTimeout: 1500,
      })
      expect(lt).toEqual({ v: '1500ms' })
    })

    it('sets timeouts per connection at startup, and cancels over TLS on a TLS session', async () => {
      const c = await conn({
        statementTimeout: 150,
        lockTimeout: 1000,
        idleInTransactionSessionTimeout: 5000,
      })
      expect(c.details.tls).not.toBeNull()
      const settings = await c.queryOne(
        "select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l, current_setting('idle_in_transaction_session_timeout') as i",
      )
      expect(settings).toEqual({ s: '150ms', l: '1s', i: '5s' })
      const st = await c.query('select pg_sleep(5)').catch((e) => e)
      expect(st).toBeInstanceOf(errors.QueryCanceled)
      expect(st.reason).toBe('statement_timeout')
      const admin = await conn()
      const ac = new AbortController()
      const p = c
        .query('select pg_sleep(5)', [], { statementTimeout: 0, signal: ac.signal })
        .catch((e) => e)
      await until(() => runningStatement(admin, c.processId, 'select pg_sleep(5)'), {
        what: 'the statement running on the server',
      })
      ac.abort()
      const aborted = await p
      expect(aborted).toBeInstanceOf(errors.QueryCanceled)
      expect(aborted.reason).toBe('abort')
    })

    it('never lets a late cancel hit the next query', async () => {
      const c = await conn()
      for (let i = 0; i < 20; i++) {
        const ac = new AbortController()
        const first = c.query('select pg_sleep(0.02)', [], { signal: ac.signal })
        const second = c.query('select pg_sleep(0.03), 2 as v')
        // Aborts land at varied points around the end of the first query: the race is the subject.
        setTimeout(() => ac.abort(), 15 + (i % 10))
        const outcome = await first.catch((e: unknown) => e)
        if (outcome instanceof Error) {
          expect(outcome).toBeInstanceOf(errors.QueryCanceled)
          expect(outcome).toMatchObject({ reason: 'abort' })
        }
        const r = await second
        expect(r.rows[0]).toMatchObject({ v: 2 })
      }
      const ac = new AbortController()
      await c.query('select 1', [], { signal: ac.signal })
      ac.abort()
      expect((await c.query('select pg_sleep(0.1), 3 as v')).rows[0]).toMatchObject({ v: 3 })
    })
  })

  it('decodes and encodes user types after registerTypes: enum, composite, domain and their arrays', async () => {
    const admin = await conn()
    await admin.exec(`
      drop table if exists ut_rows; drop type if exists ut_mood cascade; drop type if exists ut_pair cascade;
      drop domain if exists ut_pos cascade;
      create type ut_mood as enum ('sad', 'ok', 'happy');
      create type ut_pair as (label text, n int4, at timestamptz);
      create domain ut_pos as int4 check (value > 0);
      create table ut_rows (m ut_mood, ms ut_mood[], p ut_pair, ps ut_pair[], d ut_pos);
    `)
    const pool = createPool(server.url, { registerTypes: ['ut_mood', 'ut_pair', 'ut_pos'], max: 2 })
    try {
      await pool.query('insert into ut_rows values ($1, $2, $3, $4, $5)', [
        'happy',
        ['sad', 'ok'],
        { label: 'a,"b"', n: 7, at: new Date('2026-01-02T03:04:05Z') },
        [{ label: 'x', n: 1, at: null }],
        5,
      ])
      const row = await pool.queryOne<Record<string, unknown>>('select * from ut_rows')
      expect(row).toMatchObject({ m: 'happy', ms: ['sad', 'ok'], d: 5 })
      expect(row!.p).toMatchObject({ label: 'a,"b"', n: 7 })
      expect((row!.p as { at: Date }).at.toISOString()).toBe('2026-01-02T03:04:05.000Z')
      expect(row!.ps).toEqual([{ label: 'x', n: 1, at: null }])
      const bad = await pool.query('insert into ut_rows (d) values ($1)', [0]).catch((e) => e)
      expect(bad).toBeInstanceOf(errors.CheckViolation)
    } finally {
      await pool.end()
    }
  })

  it('publishes query start, end and error on diagnostics_channel', async () => {
    const seen: string[] = []
    const onStart = (m: unknown) => seen.push(`start:${(m as { query: string }).query}`)
    const onEnd = (m: unknown) =>
      seen.push(
        `end:${(m as { rowCount: number }).rowCount}:${typeof (m as { durationMs: number }).durationMs}`,
      )
    const onError = (m: unknown) => seen.push(`error:${(m as { error: Error }).error.name}`)
    subscribe('tusk:query:start', onStart)
    subscribe('tusk:query:end', onEnd)
    subscribe('tusk:query:error', onError)
    try {
      const c = await conn()
      await c.query('select 1 as one')
      await c.query('select 1/0').catch(() => {})
      expect(seen).toEqual([
        'start:select 1 as one',
        'end:1:number',
        'start:select 1/0',
        'error:DivisionByZero',
      ])
    } finally {
      unsubscribe('tusk:query:start', onStart)
      unsubscribe('tusk:query:end', onEnd)
      unsubscribe('tusk:query:error', onError)
    }
  })

  it('sends notices to the logger by default, and to onNotice when given', async () => {
    const debug: string[] = []
    const c = await conn({ logger: { debug: (m) => debug.push(m) } })
    await c.exec("do $$ begin raise notice 'note this'; end $$")
    expect(debug.some((l) => l.includes('note this'))).toBe(true)
  })
})
