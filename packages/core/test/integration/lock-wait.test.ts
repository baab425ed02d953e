// Lock-wait diagnosis: a statement canceled while waiting on a lock, or refused one, names the
// sessions that hold it — two sessions, and a chain of three.

import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect, errors, type Session } from '../../src/index.js'

const SENTINEL = `lock-sentinel-${process.pid}`

describe.each(testServers().map((s) => [s.name, s] as const))('on %s', (_n, server) => {
  const sessions: Session[] = []
  const table = `lock_wait_${process.pid}`

  /** A session whose application_name is `app`. */
  async function session(
    app: string,
    options: Parameters<typeof connect>[1] = {},
  ): Promise<Session> {
    const sep = server.url.includes('?') ? '&' : '?'
    const s = await connect(`${server.url}${sep}application_name=${app}`, options)
    sessions.push(s)
    return s
  }

  /** A session that holds the row lock of id 1 in an open transaction. */
  async function holder(): Promise<Session> {
    const a = await session('lock_holder')
    await a.query('begin')
    await a.query(`update ${table} set n = n + 1 where id = $1`, [1])
    return a
  }

  beforeAll(async () => {
    const s = await connect(server.url)
    await s.exec(`drop table if exists ${table}; create table ${table} (id int primary key, n int)`)
    await s.query(`insert into ${table} values (1, 0), (2, 0)`)
    await s.close()
  })
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.destroy()
  })

  it('names the session holding the lock when a waiting statement times out', async () => {
    const a = await holder()
    const b = await session('lock_waiter')
    const t0 = Date.now()
    const err = (await b
      .query(`update ${table} set n = $2 where id = $1`, [1, SENTINEL.length], { timeout: 300 })
      .catch((e: unknown) => e)) as errors.QueryCanceled
    const took = Date.now() - t0
    expect(err).toBeInstanceOf(errors.QueryCanceled)
    expect((err as errors.QueryCanceled & { reason?: string }).reason).toBe('timeout')
    expect(err.blockers).toEqual([
      {
        pid: a.processId,
        blocks: b.processId,
        state: 'idle in transaction',
        applicationName: 'lock_holder',
        transactionAgeMs: expect.any(Number),
        query: `update ${table} set n = n + 1 where id = $1`,
      },
    ])
    expect(err.message).toContain(
      `blocked by a session:\n  pid ${a.processId} (blocks ${b.processId}): idle in transaction, transaction open`,
    )
    expect(err.message).toContain('application "lock_holder"')
    // The cancel waited for the diagnosis at most its bound (300 ms).
    expect(took).toBeLessThan(300 + 300 + 1_000)
    expect(b.transactionStatus).toBe('I')
  })

  it('follows a chain of three to the session at its root', async () => {
    const a = await holder()
    const b = await session('lock_middle')
    await b.query('begin')
    await b.query(`update ${table} set n = n + 1 where id = $1`, [2])
    const bWaits = b
      .query(`update ${table} set n = n + 1 where id = $1`, [1])
      .catch((e: unknown) => e)
    const c = await session('lock_tail')
    const admin = await session('lock_admin')
    await until(
      async () =>
        (
          await admin.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity where application_name = 'lock_middle' and wait_event_type = 'Lock'`,
          )
        ).rows[0]!.n === 1,
      { what: 'the middle session waits on the holder' },
    )
    const err = (await c
      .query(`update ${table} set n = n + 1 where id = $1`, [2], { timeout: 300 })
      .catch((e: unknown) => e)) as errors.QueryCanceled
    expect(err).toBeInstanceOf(errors.QueryCanceled)
    const chain = err.blockers ?? []
    expect(chain.map((x) => [x.pid, x.blocks])).toEqual([
      [b.processId, c.processId],
      [a.processId, b.processId],
    ])
    expect(chain[0]!.state).toBe('active')
    expect(err.message).toContain('blocked by 2 sessions')
    await a.query('rollback')
    expect(await bWaits).toMatchObject({ rowCount: 1 })
  })

  it('names the holders when lock_timeout or NOWAIT refuses the lock', async () => {
    const a = await holder()
    const b = await session('lock_refused')
    const timedOut = (await b
      .query(`update ${table} set n = 0 where id = $1`, [1], { lockTimeout: 100 })
      .catch((e: unknown) => e)) as errors.LockNotAvailable
    expect(timedOut).toBeInstanceOf(errors.LockNotAvailable)
    expect(timedOut.blockers?.map((x) => [x.pid, x.applicationName])).toEqual([
      [a.processId, 'lock_holder'],
    ])
    const nowait = (await b
      .query(`select id from ${table} where id = $1 for update nowait`, [1])
      .catch((e: unknown) => e)) as errors.LockNotAvailable
    expect(nowait).toBeInstanceOf(errors.LockNotAvailable)
    expect(nowait.blockers?.map((x) => x.pid)).toEqual([a.processId])
    expect(nowait.message).toContain('blocked by a session')
  })

  it('stays out of the way: nothing asked when off, and no blockers for a statement not waiting on a lock', async () => {
    await holder()
    const off = await session('lock_off', { lockDiagnosis: false })
    const err = (await off
      .query(`update ${table} set n = 0 where id = $1`, [1], { timeout: 200 })
      .catch((e: unknown) => e)) as errors.QueryCanceled
    expect(err).toBeInstanceOf(errors.QueryCanceled)
    expect(err.blockers).toBeUndefined()
    const busy = await session('lock_busy')
    const slow = (await busy
      .query('select pg_sleep(5)', [], { timeout: 100 })
      .catch((e: unknown) => e)) as errors.QueryCanceled
    expect(slow).toBeInstanceOf(errors.QueryCanceled)
    expect(slow.blockers).toBeUndefined()
    expect(slow.message).not.toContain('blocked by')
  })
})
