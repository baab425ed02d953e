/**
 * The session surface: one set of methods on a session, a pool client and a transaction;
 * handles that outlive what they belong to refuse every call and never reach the connection's
 * next user; explicit transaction control; signal and timeout on every awaited call; pool hooks
 * and events.
 */
import { Readable } from 'node:stream'
import { runningStatement } from '@tusk/testkit/activity'
import { elapse } from '@tusk/testkit/elapse'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import {
  connect,
  createPool,
  errors,
  type Pool,
  type PoolEvents,
  type PoolOptions,
  type Queryable,
  type Session,
  type Transaction,
} from '../../src/index.js'

const servers = testServers()
const open: (Session | Pool)[] = []
afterEach(async () => {
  await Promise.all(
    open.splice(0).map((h) => ('end' in h ? h.end({ timeout: 2000 }) : h.close()).catch(() => {})),
  )
})

describe.each(servers.map((s) => [s.name, s] as const))('sessions on %s', (_n, server) => {
  let serial = 0
  function pool(options: PoolOptions = {}): Pool {
    const p = createPool(server.url, options)
    open.push(p)
    return p
  }
  async function session(): Promise<Session> {
    const s = await connect(server.url)
    open.push(s)
    return s
  }
  const table = () => `tusk_session_${process.pid}_${++serial}`

  describe('handles that outlive their scope', () => {
    it('refuses every call on a transaction handle after COMMIT, without touching the next user', async () => {
      const p = pool({ max: 1 })
      let kept: Transaction | undefined
      await p.transaction(async (tx) => {
        kept = tx
        await tx.query('select 1')
      })
      expect(kept!.closed).toBe(true)
      // The connection now serves another caller, inside its own transaction with a temp table.
      const other = await p.connect()
      await other.exec('begin; create temp table mine (x int) on commit drop')
      const calls: (() => Promise<unknown>)[] = [
        () => kept!.query('select * from mine'),
        () => kept!.queryOne('select 1'),
        () => kept!.exec('drop table mine'),
        () => kept!.notify('ch', 'x'),
        () => kept!.copyFrom('copy mine from stdin', ['1\n']),
        () => kept!.savepoint(async () => {}),
        async () => kept!.cursor('select 1'),
        async () => kept!.copyTo('copy mine to stdout'),
      ]
      for (const call of calls) {
        const err = await call().catch((e: unknown) => e)
        expect(err).toBeInstanceOf(errors.HandleClosed)
        expect(err).toBeInstanceOf(errors.InterfaceError)
        expect((err as errors.HandleClosed).handle).toBe('transaction')
      }
      // The other caller's transaction saw none of it.
      expect(other.transactionStatus).toBe('T')
      expect(await other.queryOne('select count(*)::int as n from mine')).toEqual({ n: 0 })
      await other.exec('rollback')
      await other.release()
    })

    it('refuses calls on a transaction handle after a rollback and after a failed transaction', async () => {
      const s = await session()
      let rolledBack: Transaction | undefined
      await s
        .transaction(async (tx) => {
          rolledBack = tx
          throw new Error('boom')
        })
        .catch(() => {})
      await expect(rolledBack!.query('select 1')).rejects.toBeInstanceOf(errors.HandleClosed)
      let failed: Transaction | undefined
      const err = await s
        .transaction(async (tx) => {
          failed = tx
          await tx.query('select 1/0')
        })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(errors.DivisionByZero)
      await expect(failed!.query('select 1')).rejects.toBeInstanceOf(errors.HandleClosed)
      expect(s.transactionStatus).toBe('I')
    })

    it('refuses calls on a savepoint handle once the savepoint was released or rolled back', async () => {
      const s = await session()
      await s.transaction(async (tx) => {
        let released: Transaction | undefined
        await tx.savepoint(async (sp) => {
          released = sp
          await sp.query('select 1')
        })
        const e1 = await released!.query('select 1').catch((e: unknown) => e)
        expect(e1).toBeInstanceOf(errors.HandleClosed)
        expect((e1 as errors.HandleClosed).handle).toBe('savepoint')
        let undone: Transaction | undefined
        await tx
          .savepoint(async (sp) => {
            undone = sp
            await sp.query('select 1/0')
          })
          .catch(() => {})
        await expect(undone!.exec('select 1')).rejects.toBeInstanceOf(errors.HandleClosed)
        // The transaction itself goes on.
        expect(await tx.queryOne('select 2 as n')).toEqual({ n: 2 })
      })
    })

    it('refuses every call on a released pool client, and the next owner never sees it', async () => {
      const p = pool({ max: 1 })
      const first = await p.connect()
      const pid = first.processId
      await first.release()
      const next = await p.connect()
      expect(next.processId).toBe(pid)
      await next.exec('begin')
      const calls: (() => Promise<unknown>)[] = [
        () => first.query('select 1'),
        () => first.exec('commit'),
        () => first.begin(),
        () => first.commit(),
        () => first.rollback(),
        () => first.savepoint('x'),
        () => first.notify('ch'),
        () => first.transaction(async () => {}),
        () => first.cancel(),
        () => first.registerTypes(['int4']),
        async () => first.cursor('select 1'),
      ]
      for (const call of calls) {
        const err = await call().catch((e: unknown) => e)
        expect(err).toBeInstanceOf(errors.HandleClosed)
        expect((err as errors.HandleClosed).handle).toBe('client')
      }
      expect(first.closed).toBe(true)
      expect(next.transactionStatus).toBe('T')
      await next.exec('rollback')
      await next.release()
    })

    it("detaches a released pool client's cursors: they never touch the next owner's connection", async () => {
      const p = pool({ max: 1 })
      const first = await p.connect()
      const pid = first.processId
      // Read once: the next batch is prefetched, then the connection is idle inside the cursor's
      // own transaction, so the pool rolls it back and hands it on.
      const reading = first.cursor('select generate_series(1, 100) as n', [], { batchSize: 10 })
      const unread = first.cursor('select 1 as n')
      expect(await reading.read()).toHaveLength(10)
      await until(() => first.state !== 'busy')
      await first.release()
      const next = await p.connect()
      expect(next.processId).toBe(pid)
      await next.exec('begin; create temp table mine (x int) on commit drop')
      for (const c of [reading, unread]) {
        const err = await c.read().catch((e: unknown) => e)
        expect(err).toBeInstanceOf(errors.HandleClosed)
        expect((err as errors.HandleClosed).handle).toBe('client')
        await c.close()
        expect(c.closed).toBe(true)
      }
      // The next owner's transaction saw nothing: not aborted, its table there.
      expect(next.transactionStatus).toBe('T')
      expect(await next.queryOne('select count(*)::int as n from mine')).toEqual({ n: 0 })
      await next.exec('rollback')
      await next.release()

      // A WITH HOLD cursor outlives transactions: released open, its connection is not reused.
      const third = await p.connect()
      const held = third.cursor('select generate_series(1, 100) as n', [], {
        batchSize: 10,
        withHold: true,
      })
      expect(await held.read()).toHaveLength(10)
      await third.release()
      const fourth = await p.connect()
      expect(fourth.processId).not.toBe(third.processId)
      expect(
        await fourth.queryOne('select count(*)::int as n from pg_cursors where is_holdable'),
      ).toEqual({ n: 0 })
      await expect(held.read()).rejects.toBeInstanceOf(errors.HandleClosed)
      await fourth.release()
    })

    it('refuses reads on a closed cursor with HandleClosed', async () => {
      const s = await session()
      const c = s.cursor('select generate_series(1, 10) as n', [], { batchSize: 2 })
      expect((await c.read()).length).toBe(2)
      await c.close()
      const err = await c.read().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(errors.HandleClosed)
      expect((err as errors.HandleClosed).handle).toBe('cursor')
      expect(s.state).toBe('idle')
    })
  })

  describe('one surface', () => {
    it('runs the same calls through a session, a pool client, a transaction and the pool', async () => {
      const name = table()
      const s = await session()
      await s.exec(`create table ${name} (id int primary key, label text)`)
      try {
        const p = pool({ max: 2 })
        const client = await p.connect()
        async function roundTrip(q: Queryable, id: number): Promise<void> {
          await q.copyFrom(`copy ${name} (id, label) from stdin`, [`${id}\tcopied\n`])
          expect(await q.queryOne(`select label from ${name} where id = $1`, [id])).toEqual({
            label: 'copied',
          })
          const batches: unknown[][] = []
          for await (const rows of q.cursor(`select id from ${name} where id = $1`, [id]))
            batches.push(rows)
          expect(batches).toEqual([[{ id }]])
          const [r] = await q.exec(`select count(*) from ${name} where id = ${id}`)
          expect(r!.rows).toEqual([['1']])
          const chunks: string[] = []
          for await (const chunk of q.copyTo(`copy (select ${id}) to stdout`))
            chunks.push(String(chunk))
          expect(chunks.join('')).toBe(`${id}\n`)
          await q.notify('tusk_session_surface', String(id))
        }
        await roundTrip(s, 1)
        await roundTrip(client, 2)
        await client.transaction((tx) => roundTrip(tx, 3))
        await roundTrip(p, 4)
        await client.release()
        expect(await s.queryOne(`select count(*)::int as n from ${name}`)).toEqual({ n: 4 })
      } finally {
        await s.exec(`drop table ${name}`)
      }
    })

    it('controls a transaction explicitly: begin, named savepoints, rollback to, release, commit', async () => {
      const name = table()
      const s = await session()
      await s.exec(`create temp table ${name} (x int)`)
      await s.begin({ isolation: 'repeatable read' })
      expect(await s.queryOne('show transaction_isolation')).toEqual({
        transaction_isolation: 'repeatable read',
      })
      await s.query(`insert into ${name} values (1)`)
      await s.savepoint('before two')
      await s.query(`insert into ${name} values (2)`)
      await s.rollbackToSavepoint('before two')
      await s.savepoint('three')
      await s.query(`insert into ${name} values (3)`)
      await s.releaseSavepoint('three')
      await s.commit()
      expect(s.transactionStatus).toBe('I')
      const { rows } = await s.query(`select x from ${name} order by x`)
      expect(rows).toEqual([{ x: 1 }, { x: 3 }])
      await s.begin()
      await s.query(`insert into ${name} values (4)`)
      await s.rollback()
      expect((await s.query(`select x from ${name}`)).rowCount).toBe(2)
    })

    it('reports a COMMIT of a failed block as InFailedSqlTransaction with the first error as cause', async () => {
      const s = await session()
      await s.begin()
      await s.query('select 1/0').catch(() => {})
      const err = await s.commit().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(errors.InFailedSqlTransaction)
      expect((err as Error).cause).toBeInstanceOf(errors.DivisionByZero)
      expect(s.transactionStatus).toBe('I')
    })

    it('rejects an empty savepoint name and a transaction without a function', async () => {
      const s = await session()
      await expect(s.savepoint('')).rejects.toBeInstanceOf(errors.InterfaceError)
      const noFn = (s.transaction as (o: object) => Promise<unknown>)({ isolation: 'serializable' })
      await expect(noFn).rejects.toThrow(/needs a function/)
      expect(s.transactionStatus).toBe('I')
    })

    it('closes a session and a pool client with await using', async () => {
      let seen: Session | undefined
      {
        await using s = await connect(server.url)
        seen = s
        await s.query('select 1')
      }
      expect(seen.closed).toBe(true)
      const p = pool({ max: 1 })
      {
        await using c = await p.connect()
        await c.query('select 1')
      }
      expect(p.stats().idle).toBe(1)
      let cursor: { closed: boolean } | undefined
      {
        await using c = p.cursor('select generate_series(1, 10) as n', [], { batchSize: 2 })
        cursor = c
        expect(await c.read()).toHaveLength(2)
      }
      expect(cursor.closed).toBe(true)
      expect(p.stats().busy).toBe(0)
    })
  })

  describe('signal and timeout on every awaited call', () => {
    it('rejects connect() with an aborted signal as ConnectionError, the reason as cause', async () => {
      const reason = new Error('shutting down')
      const err = await connect(server.url, { signal: AbortSignal.abort(reason) }).catch(
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(errors.ConnectionError)
      expect((err as errors.ConnectionError).safeToRetry).toBe(true)
      expect((err as Error).cause).toBe(reason)
    })

    it('cancels exec on timeout and on abort, with the reason, and the session stays usable', async () => {
      const s = await session()
      const t = await s.exec('select pg_sleep(10)', { timeout: 100 }).catch((e: unknown) => e)
      expect(t).toBeInstanceOf(errors.QueryCanceled)
      expect((t as { reason?: string }).reason).toBe('timeout')
      const admin = await session()
      const ac = new AbortController()
      const pending = s.exec('select pg_sleep(10)', { signal: ac.signal }).catch((e: unknown) => e)
      await until(() => runningStatement(admin, s.processId, 'select pg_sleep(10)'), {
        what: 'the statement running on the server',
      })
      ac.abort()
      const a = await pending
      expect(a).toBeInstanceOf(errors.QueryCanceled)
      expect((a as { reason?: string }).reason).toBe('abort')
      const pre = await s.exec('select 1', { signal: AbortSignal.abort() }).catch((e: unknown) => e)
      expect(pre).toBeInstanceOf(errors.QueryCanceled)
      expect((pre as errors.QueryCanceled).safeToRetry).toBe(true)
      expect(await s.queryOne('select 1 as n')).toEqual({ n: 1 })
    })

    it('aborts a whole transaction on its timeout and rolls it back', async () => {
      const name = table()
      const s = await session()
      await s.exec(`create temp table ${name} (x int)`)
      const started = Date.now()
      const err = await s
        .transaction({ timeout: 300 }, async (tx) => {
          await tx.query(`insert into ${name} values (1)`)
          await tx.query('select pg_sleep(10)')
        })
        .catch((e: unknown) => e)
      expect(Date.now() - started).toBeLessThan(5000)
      expect(err).toBeInstanceOf(errors.QueryCanceled)
      expect(s.transactionStatus).toBe('I')
      expect((await s.query(`select * from ${name}`)).rowCount).toBe(0)
    })

    it('bounds a cursor read with timeout', async () => {
      const s = await session()
      const c = s.cursor('select pg_sleep(10)', [], { timeout: 150 })
      const err = await c.read().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(errors.QueryCanceled)
      expect(c.closed).toBe(true)
      expect(await s.queryOne('select 1 as n')).toEqual({ n: 1 })
      expect(s.transactionStatus).toBe('I')
    })

    it('bounds COPY FROM with timeout: CopyFail, nothing written', async () => {
      const name = table()
      const s = await session()
      await s.exec(`create temp table ${name} (x int)`)
      async function* slow(): AsyncGenerator<string> {
        yield '1\n'
        await elapse(2000)
        yield '2\n'
      }
      const started = Date.now()
      const err = await s
        .copyFrom(`copy ${name} from stdin`, Readable.from(slow()), { timeout: 200 })
        .catch((e: unknown) => e)
      // The source stalls for 2 s: the timeout does not wait for it.
      expect(Date.now() - started).toBeLessThan(1500)
      expect(err).toBeInstanceOf(errors.QueryCanceled)
      expect((await s.query(`select * from ${name}`)).rowCount).toBe(0)
    })

    it('bounds a pool checkout with timeout (PoolTimeoutError) and aborts it with signal', async () => {
      const p = pool({ max: 1 })
      const held = await p.connect()
      const started = Date.now()
      const t = await p.connect({ timeout: 150 }).catch((e: unknown) => e)
      expect(t).toBeInstanceOf(errors.PoolTimeoutError)
      expect(Date.now() - started).toBeLessThan(2000)
      const ac = new AbortController()
      const pending = p.connect({ signal: ac.signal }).catch((e: unknown) => e)
      ac.abort(new Error('caller gave up'))
      const a = await pending
      expect(a).toBeInstanceOf(errors.ConnectionError)
      expect((a as Error).cause).toEqual(new Error('caller gave up'))
      expect(p.stats().waiting).toBe(0)
      await held.release()
      expect(p.stats().idle).toBe(1)
    })

    it('opens a pool cursor synchronously; the first read checks the connection out', async () => {
      const p = pool({ max: 1 })
      const c = p.cursor('select generate_series(1, 5) as n', [], { batchSize: 2 })
      expect(p.stats().busy).toBe(0)
      const rows: unknown[] = []
      for await (const batch of c) rows.push(...batch)
      expect(rows).toHaveLength(5)
      expect(p.stats().busy).toBe(0)
      expect(p.stats().idle).toBe(1)
      // A cursor closed before it was read never checks a connection out.
      const unused = p.cursor('select 1')
      await unused.close()
      expect(p.stats().acquires).toBe(1)
    })
  })

  describe('pool hooks and events', () => {
    it('calls beforeAcquire on checkout and takes another connection when it refuses one', async () => {
      const refused = new Set<number>()
      let calls = 0
      const p = pool({
        max: 2,
        beforeAcquire: async (s) => {
          calls++
          if (calls === 2) {
            refused.add(s.processId)
            return false
          }
          return true
        },
      })
      const a = await p.connect()
      await a.release()
      const b = await p.connect()
      expect(refused.has(b.processId)).toBe(false)
      expect(calls).toBe(3)
      expect(p.stats().destroyed.error).toBe(1)
      await b.release()
    })

    it('calls afterRelease with a clean session and destroys the connection when it returns false', async () => {
      const seen: string[] = []
      const p = pool({
        max: 1,
        afterRelease: async (s) => {
          seen.push(s.transactionStatus)
          return (await s.queryOne<{ n: number }>('select 1 as n'))?.n !== 1
        },
      })
      const a = await p.connect()
      const pid = a.processId
      await a.exec('begin')
      await a.release()
      const b = await p.connect()
      expect(seen).toEqual(['I'])
      expect(b.processId).not.toBe(pid)
      expect(p.stats().destroyed.dirty).toBe(1)
      await b.release()
    })

    it('emits connect, acquire, release, remove and error events', async () => {
      const seen: (keyof PoolEvents)[] = []
      const p = pool({ max: 1, idleTimeout: 50 })
      for (const name of ['connect', 'acquire', 'release', 'remove'] as const) {
        p.on(name, () => seen.push(name))
      }
      const stop = p.on('acquire', () => {
        throw new Error('a throwing listener is ignored')
      })
      const c = await p.connect()
      await c.release()
      stop()
      await until(() => seen.includes('remove'), { what: 'the idle connection removed' })
      expect(seen).toEqual(['connect', 'acquire', 'release', 'remove'])
      const errorsSeen: errors.TuskError[] = []
      const bad = createPool('postgres://nobody@127.0.0.1:1/none', { max: 1, acquireTimeout: 500 })
      open.push(bad)
      bad.on('error', (e) => errorsSeen.push(e))
      await bad.query('select 1').catch(() => {})
      expect(errorsSeen.length).toBeGreaterThan(0)
      expect(errorsSeen[0]).toBeInstanceOf(errors.ConnectionError)
    })

    it('gives init a session that refuses calls once init returned', async () => {
      let kept: Session | undefined
      const p = pool({
        max: 1,
        init: async (s) => {
          kept = s
          await s.exec("set application_name = 'tusk_init'")
        },
      })
      expect(await p.queryOne('show application_name')).toEqual({ application_name: 'tusk_init' })
      await expect(kept!.query('select 1')).rejects.toBeInstanceOf(errors.HandleClosed)
    })
  })
})
