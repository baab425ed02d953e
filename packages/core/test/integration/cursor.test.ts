import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type Cursor,
  connect,
  createPool,
  errors,
  type Pool,
  type Session,
} from '../../src/index.js'
import { countingTransport } from './counting-transport.js'

const servers = testServers()
const open: (Session | Pool)[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => ('end' in c ? c.end() : c.close()).catch(() => {})))
})

describe.each(servers.map((s, i) => [s.name, s, i] as const))(
  'cursors on %s',
  (_n, server, index) => {
    async function conn(): Promise<Session> {
      const c = await connect(server.url)
      open.push(c)
      return c
    }

    it.runIf(index === 0)(
      'streams 5 000 000 rows in bounded memory with the right count and checksum',
      async () => {
        const c = await conn()
        const cursor = c.cursor<[number, string]>(
          "select i, repeat('x', 100) from generate_series(1, 5000000) as i",
          { batchSize: 5000, rowMode: 'array' },
        )
        global.gc?.()
        const base = process.memoryUsage().rss
        let peak = base
        let count = 0
        let sum = 0
        for await (const batch of cursor) {
          for (const [i, text] of batch) {
            count++
            sum += i
            if (text.length !== 100) throw new Error('bad row')
          }
          if (count % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().rss)
        }
        expect(count).toBe(5_000_000)
        expect(sum).toBe((5_000_000 * 5_000_001) / 2)
        expect(peak - base).toBeLessThan(150 * 1024 * 1024)
        expect(cursor.closed).toBe(true)
        expect(c.state).toBe('idle')
      },
      180_000,
    )

    it('reads rows, batches and a stream with backpressure', async () => {
      const c = await conn()
      const rows: number[] = []
      for await (const r of c
        .cursor<{ i: number }>('select i from generate_series(1, $1::int) i', [25], {
          batchSize: 10,
        })
        .rows()) {
        rows.push(r.i)
      }
      expect(rows).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
      const sizes: number[] = []
      for await (const b of c.cursor('select 1 from generate_series(1, 25)', { batchSize: 10 }))
        sizes.push(b.length)
      expect(sizes).toEqual([10, 10, 5])
      let seen = 0
      await pipeline(
        c.cursor('select i from generate_series(1, 2000) i', { batchSize: 100 }).stream(),
        new Writable({
          objectMode: true,
          highWaterMark: 1,
          write(_row, _enc, done) {
            seen++
            setImmediate(done)
          },
        }),
      )
      expect(seen).toBe(2000)
      expect(c.state).toBe('idle')
    })

    it('binds the formats the registry prefers and returns the values a plain query does', async () => {
      const c = await conn()
      const sql = `select i, i::int2 as small, (i - 3) * 4611686018427387 as big, i / 7.0 as num,
          i / 3.0::float8 as dbl, (i / 3.0)::float4 as flt, i % 2 = 0 as flag, 'row ' || i as label,
          case when i = 2 then null else timestamptz '2024-02-29 23:59:59.123456+00' + i * interval '1 day' end as ts,
          case when i = 3 then timestamp 'infinity' else timestamp '1999-12-31 12:00:00.5' + i * interval '1 hour' end as local,
          date '2000-02-28' + i as day, i * interval '1 day 02:03:04.5' as span,
          jsonb_build_object('i', i, 'tags', jsonb_build_array('a', i)) as doc, array[i, -i, null] as ints,
          decode(repeat('ff00', i), 'hex') as bytes, md5(i::text)::uuid as id,
          case when i = 4 then 'NaN'::numeric else (i * 1.25)::numeric(10, 3) end as amount
        from generate_series(1, 7) i`
      const plain = (await c.query(sql, [], { prepare: false })).rows
      expect(plain).toHaveLength(7)
      const cursor = c.cursor(sql, { batchSize: 2 })
      const read: unknown[] = []
      for await (const batch of cursor) read.push(...batch)
      // More than one batch: the later Executes decode with the formats the first one bound.
      expect(read).toEqual(plain)
      const formats = Object.fromEntries((cursor.fields ?? []).map((f) => [f.name, f.format]))
      expect(formats).toMatchObject({ i: 1, big: 1, dbl: 1, flag: 1, ts: 1, label: 0, num: 0 })
      const asText = c.cursor(sql, { batchSize: 3, types: { timestamps: 'string' } })
      const strings: Record<string, unknown>[] = []
      for await (const batch of asText) strings.push(...(batch as Record<string, unknown>[]))
      const plainText = (
        await c.query(sql, [], { prepare: false, types: { timestamps: 'string' } })
      ).rows
      expect(strings).toEqual(plainText)
      expect(typeof strings[0]?.ts).toBe('string')
      expect(c.state).toBe('idle')
    })

    it('reads text in one round trip where the last cursor of the statement fitted in one batch', async () => {
      const counting = countingTransport()
      const c = await connect(server.url, { runtime: { transport: counting.transport } })
      open.push(c)
      const sql = `select i, i::int8 * 3 as big, i / 3.0::float8 as dbl, i % 2 = 0 as flag,
          timestamptz '2024-02-29 23:59:59.123456+00' + i * interval '1 day' as ts,
          jsonb_build_object('i', i) as doc, case when i = 2 then null else 'row ' || i end as label
        from generate_series(1, $1::int) i`
      const plain = (await c.query(sql, [5], { prepare: false })).rows
      const readAll = async (batchSize: number) => {
        const cursor = c.cursor(sql, [5], { batchSize })
        const rows: unknown[] = []
        counting.writes = 0
        for await (const batch of cursor) rows.push(...batch)
        const formats = (cursor.fields ?? []).map((f) => f.format)
        return { rows, formats, writes: counting.writes }
      }
      // First time here: Describe, then Bind with binary where faster; its own transaction's
      // COMMIT drops the portal (no Close round trip): BEGIN + Describe, Bind + Execute, COMMIT.
      const first = await readAll(10)
      expect(first.rows).toEqual(plain)
      expect(first.formats).toContain(1)
      expect(first.writes).toBe(3)
      // It fitted in one batch: text, no Describe round trip (BEGIN + Bind + Execute, COMMIT).
      const second = await readAll(10)
      expect(second.rows).toEqual(plain)
      expect(second.formats.every((f) => f === 0)).toBe(true)
      expect(second.writes).toBe(2)
      // A smaller batch than it returned last time: described and bound binary again.
      const third = await readAll(2)
      expect(third.rows).toEqual(plain)
      expect(third.formats).toContain(1)
      // Closed with rows left: the next cursor describes it, whatever its batch size.
      const early = c.cursor(sql, [5], { batchSize: 2 })
      expect(await early.read()).toHaveLength(2)
      await early.close()
      const fourth = await readAll(10)
      expect(fourth.rows).toEqual(plain)
      expect(fourth.formats).toContain(1)
      expect(c.state).toBe('idle')
    })

    it('runs its first read before a statement called after it, though that read describes first', async () => {
      const c = await conn()
      const t = `tusk_cursor_order_${process.pid}_${index}`
      const rows = await c.transaction(async (tx) => {
        await tx.exec(`create temp table ${t} (x int) on commit drop`)
        await tx.query(`insert into ${t} select generate_series(1, 10)`)
        const cursor = tx.cursor<{ x: number }>(`select x from ${t} order by x`, [], {
          batchSize: 4,
        })
        // Not awaited in between: the DELETE is queued while the cursor's Describe is answered.
        const first = cursor.read()
        const deleted = tx.query(`delete from ${t}`)
        const batch = await first
        expect((await deleted).rowCount).toBe(10)
        await cursor.close()
        return batch
      })
      expect(rows.map((r) => r.x)).toEqual([1, 2, 3, 4])
      expect(c.state).toBe('idle')
    })

    it('leaves no unhandled rejection when a prefetched batch fails with nobody reading', async () => {
      const unhandled: unknown[] = []
      const onUnhandled = (reason: unknown) => unhandled.push(reason)
      process.on('unhandledRejection', onUnhandled)
      try {
        const pool = createPool(server.url, { max: 1 })
        open.push(pool)
        const client = await pool.connect()
        const cursor = client.cursor('select i from generate_series(1, 100000) i', [], {
          batchSize: 10,
        })
        expect(await cursor.read()).toHaveLength(10)
        // The next batch is in flight: the pool discards the connection, which fails it.
        await client.release()
        expect(pool.stats().destroyed.dirty).toBe(1)
        await new Promise((resolve) => setTimeout(resolve, 50))
        expect(unhandled).toEqual([])
        // The next read() fails: the cursor went with the client it was opened on.
        const err = await cursor.read().catch((e: unknown) => e)
        expect(err).toBeInstanceOf(errors.HandleClosed)
        expect((err as errors.HandleClosed).handle).toBe('client')
        expect(await pool.queryOne('select 1 as one')).toEqual({ one: 1 })
      } finally {
        process.off('unhandledRejection', onUnhandled)
      }
    })

    it('runs nothing of its statement when aborted while the first read describes it', async () => {
      const c = await conn()
      await c.exec('create temporary sequence cursor_abort_seq')
      const ac = new AbortController()
      const cursor = c.cursor("select nextval('cursor_abort_seq') from generate_series(1, 50)", {
        batchSize: 10,
        signal: ac.signal,
      })
      const first = cursor.read()
      ac.abort()
      const err = await first.catch((e) => e)
      expect(err).toBeInstanceOf(errors.QueryCanceled)
      expect(cursor.closed).toBe(true)
      // nextval() ignores rollbacks: a Bind/Execute sent after the close would have called it.
      const seq = await c.queryOne<{ is_called: boolean }>('select is_called from cursor_abort_seq')
      expect(seq?.is_called).toBe(false)
      expect(c.state).toBe('idle')
      expect((await c.queryOne<{ one: number }>('select 1 as one'))?.one).toBe(1)
    })

    it('closes and leaves the connection idle on break, throw and abort; the pool reuses it', async () => {
      const pool = createPool(server.url, { max: 1 })
      open.push(pool)
      const big = 'select i from generate_series(1, 1000000) i'
      const first = await pool.cursor(big, { batchSize: 100 })
      for await (const _ of first) break
      expect(first.closed).toBe(true)
      const thrown = await pool.cursor(big, { batchSize: 100 })
      await expect(
        (async () => {
          for await (const _ of thrown) throw new Error('consumer failed')
        })(),
      ).rejects.toThrow('consumer failed')
      const ac = new AbortController()
      const aborted = await pool.cursor(big, { batchSize: 100, signal: ac.signal })
      const err = await (async () => {
        for await (const _ of aborted) ac.abort()
      })().catch((e) => e)
      expect(err).toBeInstanceOf(errors.QueryCanceled)
      expect(err.reason).toBe('abort')
      const state = await pool.queryOne<{ state: string; xact: string | null }>(
        'select state, backend_xid::text as xact from pg_stat_activity where pid = pg_backend_pid()',
      )
      expect(state?.state).toBe('active')
      expect(pool.stats().created).toBe(1)
      const client = await pool.connect()
      expect(client.state).toBe('idle')
      await client.release()
      await expect(first.read()).rejects.toThrow('cursor is closed')
    })

    it('closes a cursor when its transaction ends, and keeps a WITH HOLD cursor after commit', async () => {
      const c = await conn()
      let inner: { closed: boolean } | undefined
      await c.transaction(async (tx) => {
        const cur = tx.cursor('select i from generate_series(1, 100) i', { batchSize: 10 })
        inner = cur
        await cur.read()
      })
      expect(inner?.closed).toBe(true)
      expect(c.state).toBe('idle')
      const held = c.cursor<{ i: number }>('select i from generate_series(1, 30) i', {
        withHold: true,
        batchSize: 10,
      })
      const firstBatch = await held.read()
      await c.query('select 1')
      const rest: number[] = []
      for await (const b of held) rest.push(...b.map((r) => r.i))
      expect(firstBatch.map((r) => r.i)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
      expect(rest).toEqual(Array.from({ length: 20 }, (_, i) => i + 11))
    })

    it('closes the cursors of a savepoint that rolled back; a released one keeps its cursors open', async () => {
      const c = await conn()
      await c.transaction(async (tx) => {
        let undone: Cursor<{ n: number }> | undefined
        const err = await tx
          .savepoint(async (sp) => {
            undone = sp.cursor('select generate_series(1, 100) as n', [], { batchSize: 10 })
            expect(await undone.read()).toHaveLength(10)
            throw new Error('undo')
          })
          .catch((e: unknown) => e)
        expect((err as Error).message).toBe('undo')
        // ROLLBACK TO SAVEPOINT dropped its portal: the cursor is closed rather than left to
        // read a portal that is gone, which would fail the whole transaction.
        expect(undone!.closed).toBe(true)
        await expect(undone!.read()).rejects.toBeInstanceOf(errors.HandleClosed)
        expect(c.transactionStatus).toBe('T')
        expect(await tx.queryOne('select 1 as one')).toEqual({ one: 1 })
        let kept: Cursor<{ n: number }> | undefined
        await tx.savepoint(async (sp) => {
          kept = sp.cursor('select generate_series(1, 30) as n', [], { batchSize: 10 })
          expect(await kept.read()).toHaveLength(10)
        })
        expect(kept!.closed).toBe(false)
        expect((await kept!.read()).map((r) => r.n)).toEqual([
          11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        ])
      })
      expect(c.state).toBe('idle')
    })

    it('refuses statements while it reads in a transaction of its own, so none is rolled back unseen', async () => {
      const s = await conn()
      const t = `tusk_cursor_busy_${process.pid}_${index}`
      await s.exec(`drop table if exists ${t}; create table ${t} (x int)`)
      // The session is idle, so the cursor opens a transaction; row 20 fails (division by zero),
      // which rolls that transaction back. A write let in between would be rolled back with it
      // after it was acknowledged.
      const c = s.cursor('select 1 / (20 - i) as v from generate_series(1, 30) as i', [], {
        batchSize: 5,
      })
      expect(await c.read()).toHaveLength(5)
      expect(s.transactionStatus).toBe('T')
      const calls: (() => Promise<unknown>)[] = [
        () => s.query(`insert into ${t} values (1)`),
        () => s.queryOne(`insert into ${t} values (2) returning x`),
        () => s.exec(`insert into ${t} values (3)`),
        () => s.copyFrom(`copy ${t} from stdin`, ['4\n']),
        () => s.transaction(async (tx) => tx.query(`insert into ${t} values (5)`)),
        () => s.begin(),
        () => s.commit(),
        () => s.notify('tusk_busy', 'x'),
        () => s.registerTypes(['int4']),
        async () => s.cursor('select 1'),
        async () => s.copyTo(`copy ${t} to stdout`),
        async () => s.copyToIterable(`copy ${t} to stdout`),
      ]
      for (const call of calls) {
        const err = await call().catch((e: unknown) => e)
        expect(err).toBeInstanceOf(errors.SessionBusy)
        expect(err).toBeInstanceOf(errors.InterfaceError)
        expect((err as errors.SessionBusy).safeToRetry).toBe(true)
        expect((err as Error).message).toContain('1 / (20 - i)')
        expect((err as Error).message).toContain('session.transaction()')
      }
      const failure = await (async () => {
        for await (const rows of c) expect(rows.length).toBeGreaterThan(0)
      })().catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(errors.DivisionByZero)
      // Free again once it closed, and none of the refused statements ran.
      expect(s.transactionStatus).toBe('I')
      expect(await s.queryOne(`select count(*)::int as n from ${t}`)).toEqual({ n: 0 })

      // The last batch closes the cursor and commits: the session is free once it is handed out.
      const d = s.cursor('select generate_series(1, 7) as n', [], { batchSize: 5 })
      expect(await d.read()).toHaveLength(5)
      expect(await d.read()).toHaveLength(2)
      expect(d.closed).toBe(true)
      expect(s.transactionStatus).toBe('I')
      await s.query(`insert into ${t} values (6)`)
      expect(await d.read()).toEqual([])

      // In a transaction the caller opened, statements between batches are the caller's to run.
      await s.transaction(async (tx) => {
        const e = tx.cursor<{ n: number }>('select generate_series(1, 10) as n', [], {
          batchSize: 5,
        })
        for await (const rows of e) await tx.query(`insert into ${t} values ($1)`, [rows[0]!.n])
      })
      expect((await s.query<{ x: number }>(`select x from ${t} order by x`)).rows).toEqual([
        { x: 1 },
        { x: 6 },
        { x: 6 },
      ])
      await s.exec(`drop table ${t}`)
    })

    it('trips the result-size guard with maxRows and maxBytes, then keeps working', async () => {
      const c = await conn()
      const err = await c
        .query('select i from generate_series(1, 10000) i', [], { maxRows: 1000 })
        .catch((e) => e)
      expect(err).toBeInstanceOf(errors.ResultTooLarge)
      expect(err.limit).toBe('maxRows')
      expect(err.rowsSeen).toBe(1001)
      expect(err.message).toContain('cursor()')
      const bytes = await c
        .query("select repeat('y', 1000) from generate_series(1, 100)", [], { maxBytes: 10_000 })
        .catch((e) => e)
      expect(bytes).toBeInstanceOf(errors.ResultTooLarge)
      expect(bytes.limit).toBe('maxBytes')
      expect(await c.queryOne('select 1 as ok')).toEqual({ ok: 1 })
      const guarded = await connect(server.url, { maxRows: 5 })
      open.push(guarded)
      await expect(guarded.query('select generate_series(1, 6)')).rejects.toBeInstanceOf(
        errors.ResultTooLarge,
      )
      expect((await guarded.query('select generate_series(1, 5)')).rows).toHaveLength(5)
    })
  },
)
