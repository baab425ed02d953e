/**
 * Pool against a real server, through the `pg` alias: query and connect as promises and with
 * callbacks, release and release(err), the events, an idle client killed by the server, the
 * counters, end, and misuse answered as `pg` answers it.
 */
import { testServers } from '@tusk/testkit/vitest'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejection, until } from './helpers.js'

const servers = testServers()

describe.each(servers.map((s) => [s.name, s] as const))('Pool on %s', (_name, server) => {
  const pools: pg.Pool[] = []
  let admin: pg.Client

  function pool(config: pg.PoolConfig = {}): pg.Pool {
    const p = new pg.Pool({ connectionString: server.url, ...config })
    pools.push(p)
    return p
  }

  beforeAll(async () => {
    admin = new pg.Client(server.url)
    await admin.connect()
  })

  afterAll(async () => {
    await Promise.allSettled(pools.filter((p) => !p.ending).map((p) => p.end()))
    await admin.end()
  })

  it('runs pool.query with promises and with callbacks', async () => {
    const p = pool()
    expect((await p.query('select $1::int as n', [1])).rows).toEqual([{ n: 1 }])
    const viaCallback = await new Promise<pg.QueryResult>((resolve, reject) => {
      const ret = p.query('select 2 as n', (err, res) => (err ? reject(err) : resolve(res)))
      expect(ret).toBeUndefined()
    })
    expect(viaCallback.rows).toEqual([{ n: 2 }])
    const withValues = await new Promise<pg.QueryResult>((resolve, reject) => {
      p.query('select $1::text as t', ['x'], (err, res) => (err ? reject(err) : resolve(res)))
    })
    expect(withValues.rows).toEqual([{ t: 'x' }])
    const config = await p.query({ text: 'select $1::int as n', values: [3], rowMode: 'array' })
    expect(config.rows).toEqual([[3]])
    const failed = await new Promise<Error>((resolve) =>
      p.query('select nope', (err) => resolve(err as Error)),
    )
    expect((failed as pg.DatabaseError).code).toBe('42703')
  })

  it('hands out clients with connect(callback) and release, reusing the same client object', async () => {
    const p = pool({ max: 1 })
    const [client, done] = await new Promise<[pg.PoolClient, (err?: Error | boolean) => void]>(
      (resolve, reject) => {
        p.connect((err, c, release) => (err ? reject(err) : resolve([c as pg.PoolClient, release])))
      },
    )
    const pid = (await client.query('select pg_backend_pid() as pid')).rows[0]!.pid
    done()
    const again = await p.connect()
    expect(again).toBe(client)
    expect((await again.query('select pg_backend_pid() as pid')).rows[0]!.pid).toBe(pid)
    again.release()
  })

  it('throws on a second release, as pg does', async () => {
    const p = pool()
    const client = await p.connect()
    client.release()
    expect(() => client.release()).toThrow(
      'Release called on client which has already been released to the pool.',
    )
  })

  it('destroys a client released with an error or true, emitting remove', async () => {
    const p = pool({ max: 1 })
    const removed: pg.PoolClient[] = []
    p.on('remove', (c) => removed.push(c))
    for (const reason of [new Error('broken'), true] as const) {
      const client = await p.connect()
      const pid = client.processID
      client.release(reason)
      await until('the client was removed', () => removed.includes(client))
      const next = await p.connect()
      expect(next.processID).not.toBe(pid)
      next.release()
      removed.length = 0
    }
  })

  it('emits connect, acquire and release with the client, and lets connect listeners set up the session', async () => {
    const p = pool({ max: 1 })
    const events: string[] = []
    p.on('connect', (client) => {
      events.push('connect')
      void client.query("set application_name = 'compat_pool_setup'")
    })
    p.on('acquire', (client) => events.push(`acquire:${client instanceof pg.Client}`))
    p.on('release', (err, client) =>
      events.push(`release:${err === undefined}:${client instanceof pg.Client}`),
    )
    const client = await p.connect()
    expect((await client.query('show application_name')).rows).toEqual([
      { application_name: 'compat_pool_setup' },
    ])
    client.release()
    await until('release was emitted', () => events.some((e) => e.startsWith('release')))
    expect(events).toEqual(['connect', 'acquire:true', 'release:true:true'])
  })

  it('counts total, idle and waiting clients', async () => {
    const p = pool({ max: 1 })
    expect([p.totalCount, p.idleCount, p.waitingCount]).toEqual([0, 0, 0])
    const client = await p.connect()
    expect([p.totalCount, p.idleCount]).toEqual([1, 0])
    const waiting = p.connect()
    await until('a caller waits', () => p.waitingCount === 1)
    client.release()
    const second = await waiting
    expect(p.waitingCount).toBe(0)
    second.release()
    await until('the client is idle', () => p.idleCount === 1)
  })

  it('emits error on the pool when the server kills an idle client, and keeps serving', async () => {
    const p = pool({ max: 1 })
    const errors: Error[] = []
    p.on('error', (err) => errors.push(err))
    const client = await p.connect()
    const pid = client.processID
    client.release()
    await until('the client is idle', () => p.idleCount === 1)
    await admin.query('select pg_terminate_backend($1)', [pid])
    await until('the pool reported it', () => errors.length > 0)
    expect(errors[0]).toBeInstanceOf(Error)
    expect(errors[0]?.message).toBe('terminating connection due to administrator command')
    expect((await p.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
  })

  it('does not crash when an idle client is killed and nobody listens for errors', async () => {
    const p = pool({ max: 1 })
    const removed: unknown[] = []
    p.on('remove', (c) => removed.push(c))
    const client = await p.connect()
    const pid = client.processID
    client.release()
    await until('the client is idle', () => p.idleCount === 1)
    await admin.query('select pg_terminate_backend($1)', [pid])
    await until('the client was removed', () => removed.length === 1)
    expect((await p.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
  })

  it('rolls back a client released inside a transaction instead of handing it on', async () => {
    const p = pool({ max: 1 })
    await p.query('create table if not exists compat_pool_tx (v int)')
    const client = await p.connect()
    await client.query('begin')
    await client.query('insert into compat_pool_tx values (1)')
    client.release()
    const next = await p.connect()
    expect((await next.query('select count(*)::int as n from compat_pool_tx')).rows).toEqual([
      { n: 0 },
    ])
    next.release()
  })

  it('refuses work after end(), and a second end(), with pg’s messages', async () => {
    const p = pool()
    await p.query('select 1')
    expect(p.ending).toBe(false)
    await p.end()
    expect([p.ending, p.ended]).toEqual([true, true])
    expect((await rejection(p.query('select 1'))).message).toBe(
      'Cannot use a pool after calling end on the pool',
    )
    expect((await rejection(p.connect())).message).toBe(
      'Cannot use a pool after calling end on the pool',
    )
    expect((await rejection(p.end())).message).toBe('Called end on pool more than once')
    const viaCallback = await new Promise<Error | undefined>((resolve) =>
      p.end((err) => resolve(err)),
    )
    expect(viaCallback?.message).toBe('Called end on pool more than once')
  })

  it('answers a null query and a submittable given to pool.query with an error, not a throw', async () => {
    const p = pool()
    const nullQuery = await rejection(p.query(null as unknown as string))
    expect(nullQuery.message).toBe('Client was passed a null or undefined query')
    const submittable = await rejection(p.query({ submit() {} } as unknown as string))
    expect(submittable.message).toMatch(/pool\.connect/)
  })

  it('exposes the Client class and the config as pool.Client and pool.options', () => {
    const p = pool({ max: 4, idleTimeoutMillis: 1_000 })
    expect(p.Client).toBe(pg.Client)
    expect(p.options.max).toBe(4)
  })

  it('delivers notifications to the checked-out client that listens', async () => {
    const p = pool()
    const client = await p.connect()
    const heard: pg.Notification[] = []
    client.on('notification', (n) => heard.push(n))
    await client.query('listen compat_pool_channel')
    await admin.query("notify compat_pool_channel, 'hi'")
    await until('the notification arrived', () => heard.length === 1)
    expect(heard[0]).toMatchObject({ channel: 'compat_pool_channel', payload: 'hi' })
    client.release()
  })

  it('awaits onConnect and verify for each new client before its first use', async () => {
    const verified: number[] = []
    const p = pool({
      max: 1,
      onConnect: async (client) => {
        await client.query("set application_name = 'compat_on_connect'")
      },
      verify: (client, done) => {
        verified.push((client as pg.PoolClient).processID as number)
        done()
      },
    })
    const r = await p.query('select pg_backend_pid() as pid, current_setting($1) as app', [
      'application_name',
    ])
    expect(r.rows).toEqual([{ pid: verified[0], app: 'compat_on_connect' }])
  })
})
