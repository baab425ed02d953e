import { Readable } from 'node:stream'
import { elapse } from '@tusk/testkit/elapse'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, createPool, errors, type Pool, type Session } from '../../src/index.js'

const servers = testServers()
const open: (Session | Pool)[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => ('end' in c ? c.end() : c.close()).catch(() => {})))
})

describe.each(servers.map((s) => [s.name, s] as const))('COPY and LISTEN on %s', (_n, server) => {
  async function conn(): Promise<Session> {
    const c = await connect(server.url)
    open.push(c)
    return c
  }
  const N = 1_000_000

  function* csvLines(n: number, badLine?: number): Generator<string> {
    let batch = ''
    for (let i = 1; i <= n; i++) {
      batch += i === badLine ? `${i},not-a-number,x\n` : `${i},${i * 2},"name ${i}, with comma"\n`
      if (i % 5000 === 0) {
        yield batch
        batch = ''
      }
    }
    if (batch) yield batch
  }

  it('copies 1 000 000 rows in as CSV and as binary rows, and out again, equal both ways', async () => {
    const c = await conn()
    await c.exec('create temp table cp (id int4, v int8, name text)')
    const csv = await c.copyFrom('copy cp from stdin (format csv)', Readable.from(csvLines(N)))
    expect(csv.rowCount).toBe(N)
    const sums = await c.queryOne<{ n: number; s: string; l: string }>(
      'select count(*)::int as n, sum(v)::text as s, sum(length(name))::text as l from cp',
    )
    expect(sums!.n).toBe(N)
    expect(sums!.s).toBe(String(N * (N + 1)))
    await c.exec('create temp table cp2 (id int4, v int8, name text)')
    async function* rows() {
      for (let i = 1; i <= N; i++)
        yield [i, BigInt(i * 2), i % 1000 === 0 ? null : `name ${i}, with comma`]
    }
    const bin = await c.copyFrom('copy cp2 from stdin (format binary)', rows(), {
      format: 'binary',
      columnTypes: ['int4', 'int8', 'text'],
    })
    expect(bin.rowCount).toBe(N)
    const diff = await c.queryOne<{ n: number }>(
      'select count(*)::int as n from cp full join cp2 using (id) where cp.v is distinct from cp2.v or (cp2.name is not null and cp.name is distinct from cp2.name)',
    )
    expect(diff!.n).toBe(0)
    let lines = 0
    let bytes = 0
    const out = c.copyTo('copy (select * from cp order by id) to stdout (format csv)')
    for await (const chunk of out) {
      const buf = chunk as Buffer
      bytes += buf.length
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++
    }
    expect(lines).toBe(N)
    expect(out.rowCount).toBe(N)
    expect(bytes).toBeGreaterThan(N * 20)
    const decoded: unknown[] = []
    for await (const row of c.copyTo("copy (select 1, null::text, E'a\\tb') to stdout", {
      output: 'rows',
    })) {
      decoded.push(row)
    }
    expect(decoded).toEqual([['1', null, 'a\tb']])
    expect(c.state).toBe('idle')
  }, 120_000)

  it('names the bad line of a CSV and commits nothing', async () => {
    const c = await conn()
    await c.exec('create temp table bad (id int4, v int8, name text)')
    const err = await c
      .copyFrom('copy bad from stdin (format csv)', csvLines(200_000, 123_456))
      .catch((e) => e)
    expect(err).toBeInstanceOf(errors.InvalidTextRepresentation)
    expect(err.copyLine).toBe(123_456)
    expect(err.copyColumn).toBe('v')
    expect(err.message).toContain('123456')
    expect(await c.queryOne('select count(*)::int as n from bad')).toEqual({ n: 0 })
    expect(c.state).toBe('idle')
  })

  it('sends CopyFail when the source throws or the signal aborts, leaving the table unchanged', async () => {
    const c = await conn()
    await c.exec('create temp table half (x int4)')
    async function* failing() {
      for (let i = 0; i < 100_000; i++) {
        if (i === 50_000) throw new Error('source broke')
        yield [i]
      }
    }
    await expect(c.copyFrom('copy half from stdin', failing())).rejects.toThrow('source broke')
    const ac = new AbortController()
    async function* slow() {
      for (let i = 0; ; i++) {
        if (i === 1000) ac.abort()
        yield [i]
        // A slow source: the abort arrives while rows are still trickling in.
        if (i % 100 === 0) await elapse(1)
      }
    }
    const aborted = await c
      .copyFrom('copy half from stdin', slow(), { signal: ac.signal })
      .catch((e) => e)
    expect(aborted).toBeInstanceOf(errors.QueryCanceled)
    expect(await c.queryOne('select count(*)::int as n from half')).toEqual({ n: 0 })
    expect(c.state).toBe('idle')
    expect(await c.queryOne('select 1 as ok')).toEqual({ ok: 1 })
  })

  it('keeps queries queued behind a COPY off the wire until it ends', async () => {
    const c = await conn()
    await c.exec('create temp table q (x int4)')
    const copying = c.copyFrom(
      'copy q from stdin',
      (function* () {
        for (let i = 0; i < 1000; i++) yield [i]
      })(),
    )
    const after = c.queryOne<{ n: number }>('select count(*)::int as n from q')
    expect((await copying).rowCount).toBe(1000)
    expect(await after).toEqual({ n: 1000 })
  })

  it('refuses COPY FROM STDIN through query, exec and copyTo without breaking what is queued behind it', async () => {
    const c = await conn()
    await c.query('create temp table wrong_way (x int)')
    const viaQuery = c.query('copy wrong_way from stdin').catch((e) => e)
    const behindQuery = c.query<{ n: number }>('select $1::int as n', [1])
    const viaExec = c.exec('copy wrong_way from stdin').catch((e) => e)
    const behindExec = c.query<{ n: number }>('select $1::int as n', [2])
    const [q, qb, e, eb] = await Promise.all([viaQuery, behindQuery, viaExec, behindExec])
    expect(q).toBeInstanceOf(errors.InterfaceError)
    expect(q.message).toContain('copyFrom()')
    expect(qb.rows).toEqual([{ n: 1 }])
    expect(e).toBeInstanceOf(errors.DatabaseError)
    expect(e.message).toContain('copyFrom')
    expect(eb.rows).toEqual([{ n: 2 }])
    const stream = c.copyTo('copy wrong_way from stdin')
    const streamed = await new Promise((resolve) => {
      stream.on('error', resolve)
      stream.on('end', () => resolve('ended'))
      stream.resume()
    })
    expect(streamed).toBeInstanceOf(errors.InterfaceError)
    expect(c.closed).toBe(false)
    expect(await c.queryOne('select count(*)::int as n from wrong_way')).toEqual({ n: 0 })
    // Prepared after a few runs, the statement still answers the same way.
    for (let i = 0; i < 6; i++) {
      await expect(c.query('copy wrong_way from stdin')).rejects.toBeInstanceOf(
        errors.InterfaceError,
      )
    }
    const p = createPool(server.url, { max: 1 })
    open.push(p)
    await p.query('select 1')
    const results = await Promise.allSettled([
      p.query('select 1 as a'),
      p.query('copy pg_class from stdin'),
      p.query('select 2 as b'),
      p.query('select 3 as c'),
    ])
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ])
    expect(p.stats()).toMatchObject({ total: 1, busy: 0, destroyed: { error: 0, dirty: 0 } })
  })

  it('copies through the pool and refuses a non-COPY statement', async () => {
    const pool = createPool(server.url, { max: 2 })
    open.push(pool)
    await pool.exec('create table if not exists pool_copy (x int4); truncate pool_copy')
    const r = await pool.copyFrom('copy pool_copy from stdin', ['1\n', '2\n', '3\n'])
    expect(r.rowCount).toBe(3)
    const lines: string[] = []
    for await (const chunk of pool.copyTo('copy pool_copy to stdout')) lines.push(String(chunk))
    expect(lines.join('')).toBe('1\n2\n3\n')
    await expect(pool.copyFrom('select 1', ['x'])).rejects.toBeInstanceOf(errors.InterfaceError)
    await pool.exec('drop table pool_copy')
    expect(pool.stats().busy).toBe(0)
  })

  it('gives the pool its connection back when a copyTo stream is destroyed or left early', async () => {
    const pool = createPool(server.url, { max: 1 })
    open.push(pool)
    const big = 'copy (select i, repeat($$x$$, 50) from generate_series(1, 2000000) i) to stdout'
    const destroyed = pool.copyTo(big)
    await new Promise((resolve) => destroyed.once('data', resolve))
    destroyed.destroy()
    await new Promise((resolve) => destroyed.once('close', resolve))
    await until(() => pool.stats().busy === 0, {
      what: 'the destroyed COPY to give its connection back',
    })
    for await (const _ of pool.copyTo(big)) break
    await until(() => pool.stats().busy === 0, {
      what: 'the COPY left by break to give its connection back',
    })
    const rows = pool.copyTo('copy (select 1, null) to stdout', { output: 'rows' })
    const got: unknown[] = []
    for await (const row of rows) got.push(row)
    expect(got).toEqual([['1', null]])
    expect((rows as { rowCount?: number }).rowCount).toBe(1)
    expect(await pool.queryOne('select 1 as one')).toEqual({ one: 1 })
    expect(pool.stats()).toMatchObject({ total: 1, busy: 0 })
  })

  it('listens on 3 channels, survives pg_terminate_backend of the listener and reports the gap once', async () => {
    const reconnects: string[][] = []
    const pool = createPool(server.url, { max: 2, onListenReconnect: (ch) => reconnects.push(ch) })
    open.push(pool)
    const got: string[] = []
    const unsubs = await Promise.all(
      ['alpha', 'beta', 'Mixed Case "quoted"'].map((ch) =>
        pool.listen(ch, (payload) => got.push(`${ch}:${payload}`)),
      ),
    )
    await pool.notify('alpha', 'one')
    await pool.notify('Mixed Case "quoted"', 'two')
    await until(() => got.length === 2)
    const listeners = await pool.query<{ pid: number }>(
      "select pid from pg_stat_activity where query like 'LISTEN%' and pid <> pg_backend_pid()",
    )
    const admin = await conn()
    for (const { pid } of listeners.rows)
      await admin.query('select pg_terminate_backend($1)', [pid])
    await until(() => reconnects.length === 1)
    await pool.notify('beta', 'three')
    await pool.notify('alpha', 'four')
    await until(() => got.length === 4)
    expect(got).toEqual(['alpha:one', 'Mixed Case "quoted":two', 'beta:three', 'alpha:four'])
    expect(reconnects[0]!.sort()).toEqual(['Mixed Case "quoted"', 'alpha', 'beta'])
    await unsubs[0]!()
    await pool.notify('alpha', 'ignored')
    await pool.notify('beta', 'five')
    await until(() => got.length === 5)
    expect(got[4]).toBe('beta:five')
    await expect(pool.notify('alpha', 'x'.repeat(8000))).rejects.toBeInstanceOf(
      errors.InterfaceError,
    )
    expect(reconnects).toHaveLength(1)
  })

  it('exposes notifications received on an ordinary connection', async () => {
    const seen: string[] = []
    const c = await connect(server.url, {
      onNotification: (n) => seen.push(`${n.channel}=${n.payload}`),
    })
    open.push(c)
    await c.exec('listen plain')
    await c.notify('plain', 'hi')
    await until(() => seen.length === 1)
    expect(seen).toEqual(['plain=hi'])
  })

  it('tells a pool-wide hook which connection a notification and a notice arrived on', async () => {
    const seen: [string, number][] = []
    const pool = createPool(server.url, {
      max: 2,
      onNotification: (n, source) => seen.push([`${n.channel}=${n.payload}`, source.processId]),
      onNotice: (n, source) => seen.push([n.message, source.processId]),
    })
    try {
      const a = await pool.connect()
      const b = await pool.connect()
      await b.exec('listen hooked')
      await a.notify('hooked', 'hi')
      await a.exec("do $$ begin raise notice 'noticed'; end $$")
      await until(() => seen.length === 2)
      expect(seen.sort()).toEqual(
        [
          ['hooked=hi', b.processId],
          ['noticed', a.processId],
        ].sort(),
      )
      await a.release()
      await b.release()
    } finally {
      await pool.end()
    }
  })
})
