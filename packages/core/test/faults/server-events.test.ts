/**
 * Server-side events under a write load: while writers insert unique ids through a pool, the
 * server restarts (fast and immediate), backends are terminated (idle, busy, LISTEN, COPY,
 * cursor) and the server's idle timeouts close sessions. After each event: no acknowledged write
 * is lost, every failure is an operational taxonomy error whose `inDoubt`/`safeToRetry` tells the
 * truth (a failure not in doubt left no row), the pool answers again within a bound, and no
 * unhandled rejection, socket or server session is left. TUSK_FAULT_REPORT=1 prints the
 * recovery time per event.
 */
import { type Lab, type LabNode, startLab } from '@tusk/testkit'
import { elapse } from '@tusk/testkit/elapse'
import { until } from '@tusk/testkit/until'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createPool, errors, type Pool } from '../../src/index.js'
import { openSockets, WriteLedger } from './write-ledger.js'

const unhandled: unknown[] = []
process.on('unhandledRejection', (e) => unhandled.push(e))

/** A fresh query must succeed within this after the event (measured: well under 1 s). */
const RECOVERY_BOUND_MS = 10_000
const WRITERS = 2
/** Pause between two writes of one writer: a steady load that leaves the 2-core machine room. */
const PACE_MS = 5
const QUERY_TIMEOUT_MS = 5_000

/** Recovery time per event, printed with TUSK_FAULT_REPORT=1. */
const recovery: [string, number][] = []

let lab: Lab
let node: LabNode
let serial = 0

beforeAll(async () => {
  // Acknowledged means durable: synchronous_commit on (the testkit's default is off, which can
  // lose the last commits in an immediate shutdown whatever the driver does).
  lab = await startLab({ settings: { synchronous_commit: 'on' } })
  node = lab.nodes[0]
  // The lab's standby is not needed here.
  await lab.nodes[1].stop('immediate')
  await node.sql('create table event_writes (id int primary key, tag text not null)')
}, 90_000)

afterAll(async () => {
  await lab?.stop()
  if (process.env.TUSK_FAULT_REPORT) {
    console.log(['event\trecovery ms', ...recovery.map(([k, v]) => `${k}\t${v}`)].join('\n'))
  }
})

afterEach(() => {
  expect(unhandled).toEqual([])
})

interface Harness {
  pool: Pool
  app: string
  ledger: WriteLedger
  sockets: number
  /** Stops the load and waits for every write in flight to settle. */
  stopLoad(): Promise<void>
}

function poolFor(app: string, extra: Record<string, string | number> = {}): Pool {
  return createPool(lab.conninfo([node], { application_name: app, ...extra }), {
    min: 4,
    max: 4,
    acquireTimeout: 3_000,
    connectTimeout: 2_000,
    retryBackoff: { baseDelayMs: 20, maxDelayMs: 200 },
  })
}

/** A pool of its own for one event, with the write load running on it. */
async function withLoad(extra: Record<string, string | number> = {}): Promise<Harness> {
  const sockets = openSockets()
  const app = `tusk_events_${process.pid}_${++serial}`
  const pool = poolFor(app, extra)
  const ledger = new WriteLedger(serial * 1_000_000)
  let stop = false
  const writer = async (): Promise<void> => {
    while (!stop) {
      const id = ledger.id()
      const ok = await ledger.write([id], () =>
        pool.query('insert into event_writes (id, tag) values ($1, $2)', [id, app], {
          timeout: QUERY_TIMEOUT_MS,
        }),
      )
      // A failed write is not retried: the next id is the application's retry.
      await elapse(ok ? PACE_MS : 25)
    }
  }
  const writers = Array.from({ length: WRITERS }, writer)
  await until(() => ledger.acknowledged.length >= 20, {
    timeout: 10_000,
    what: 'writes acknowledged before the event',
  })
  return {
    pool,
    app,
    ledger,
    sockets,
    async stopLoad() {
      stop = true
      await Promise.all(writers)
    },
  }
}

/** Time until a fresh query on `pool` succeeds (the pool recovered). */
async function recover(pool: Pool, event: string): Promise<number> {
  const t0 = Date.now()
  await until(
    async () => {
      try {
        const r = await pool.query<{ one: number }>('select 1 as one', [], { timeout: 2_000 })
        return r.rows[0]?.one === 1
      } catch {
        return false
      }
    },
    { timeout: RECOVERY_BOUND_MS, interval: 20, what: `${event}: the pool answers again` },
  )
  const ms = Date.now() - t0
  recovery.push([event, ms])
  return ms
}

/** Lets the load run after the event until `n` more writes are acknowledged. */
async function moreWrites(h: Harness, n: number, event: string): Promise<void> {
  const target = h.ledger.acknowledged.length + n
  await until(() => h.ledger.acknowledged.length >= target, {
    timeout: RECOVERY_BOUND_MS,
    what: `${event}: writes acknowledged after the event`,
  })
}

async function sessionsOf(app: string): Promise<number> {
  return Number(
    await node.sql(`select count(*) from pg_stat_activity where application_name = '${app}'`),
  )
}

/** Stops the load, ends the pool, and checks the books, the sockets and the server's sessions. */
async function finish(h: Harness, event: string): Promise<void> {
  await h.stopLoad()
  const check = await h.ledger.check(async (ids) => {
    const out = await node.sql(
      `select id from event_writes where id = any('{${ids.join(',')}}'::int[])`,
    )
    return new Set(out.split('\n').filter(Boolean).map(Number))
  })
  if (process.env.TUSK_FAULT_REPORT) console.log(event, JSON.stringify(check))
  expect(check.lost, `${event}: acknowledged writes lost`).toEqual([])
  expect(check.badErrors, `${event}: errors outside the taxonomy's promises`).toEqual([])
  expect(check.appliedThoughNotInDoubt, `${event}: applied though not in doubt`).toEqual([])
  // A failed autocommit INSERT was either written (in doubt) or provably not (safe to retry).
  for (const f of h.ledger.failed) {
    const e = f.error as errors.TuskError
    expect(e.inDoubt !== e.safeToRetry, `${event}: ${e.name} ${e.message}`).toBe(true)
  }
  const t0 = Date.now()
  await h.pool.end({ timeout: 2_000 })
  expect(Date.now() - t0, `${event}: pool.end()`).toBeLessThan(5_000)
  await until(async () => (await sessionsOf(h.app)) === 0, {
    timeout: 5_000,
    what: `${event}: no server session left`,
  })
  await until(() => openSockets() <= h.sockets, {
    timeout: 5_000,
    what: `${event}: no socket left open`,
  })
}

/** `err` and its causes. */
function causes(err: unknown): unknown[] {
  const out: unknown[] = []
  for (let e = err; e !== undefined && out.length < 10; e = (e as Error).cause) out.push(e)
  return out
}

/** Terminates the backends of `app` that match `where`; returns how many. */
async function terminate(app: string, where: string): Promise<number> {
  return Number(
    await node.sql(
      `select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = '${app}' and ${where}`,
    ),
  )
}

describe('server restarts under a write load', () => {
  for (const mode of ['fast', 'immediate'] as const) {
    it(`restart -m ${mode}: no acknowledged write lost, failures typed, the pool recovers`, async () => {
      const event = `restart ${mode}`
      const h = await withLoad()
      const down = Date.now()
      await node.stop(mode)
      // Writes while the server is down fail without running: refused or timed out, retryable.
      const before = h.ledger.failed.length
      await until(() => h.ledger.failed.length > before, {
        timeout: 10_000,
        what: 'a write failing while the server is down',
      })
      await node.start()
      const restartMs = Date.now() - down
      const ms = await recover(h.pool, event)
      recovery.push([`${event} (from the stop; down until a write failed)`, restartMs + ms])
      await moreWrites(h, 20, event)
      await finish(h, event)
    }, 60_000)
  }
})

describe('pg_terminate_backend under a write load', () => {
  it('idle sessions: the pool drops them and later writes succeed', async () => {
    const event = 'terminate idle'
    const h = await withLoad()
    await until(async () => (await terminate(h.app, "state = 'idle'")) > 0, {
      timeout: 5_000,
      what: 'an idle pooled session to terminate',
    })
    await recover(h.pool, event)
    await moreWrites(h, 20, event)
    await finish(h, event)
  }, 60_000)

  it('a busy session: its write fails with ConnectionLost in doubt, caused by AdminShutdown', async () => {
    const event = 'terminate busy'
    const h = await withLoad()
    const id = h.ledger.id()
    const busy = h.pool
      .query("insert into event_writes (id, tag) select $1, 'busy' from pg_sleep(60)", [id])
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    await until(async () => (await terminate(h.app, "query like '%pg_sleep(60)%'")) === 1, {
      timeout: 5_000,
      what: 'the busy write running on the server',
    })
    const err = await busy
    expect(err).toBeInstanceOf(errors.ConnectionLost)
    expect((err as errors.ConnectionLost).cause).toBeInstanceOf(errors.AdminShutdown)
    // An autocommit write whose answer was lost may have been committed: in doubt.
    expect((err as errors.ConnectionLost).inDoubt).toBe(true)
    expect((err as errors.ConnectionLost).safeToRetry).toBe(false)
    await recover(h.pool, event)
    await moreWrites(h, 20, event)
    await finish(h, event)
    // Killed in its sleep, before any commit: not applied.
    expect(await node.sql(`select count(*) from event_writes where id = ${id}`)).toBe('0')
  }, 60_000)

  it('the LISTEN session: the listener reconnects, re-listens and notifications arrive again', async () => {
    const event = 'terminate LISTEN'
    const h = await withLoad()
    const channel = `events_${serial}`
    const got: string[] = []
    await h.pool.listen(channel, (payload) => {
      got.push(payload)
    })
    await h.pool.notify(channel, 'before')
    await until(() => got.includes('before'), { what: 'a notification before the event' })
    await until(async () => (await terminate(h.app, "query ilike 'listen%'")) === 1, {
      timeout: 5_000,
      what: 'the listening session',
    })
    const t0 = Date.now()
    await until(
      async () => {
        await h.pool.notify(channel, 'after').catch(() => {})
        return got.includes('after')
      },
      { timeout: RECOVERY_BOUND_MS, interval: 50, what: 'a notification after the event' },
    )
    recovery.push([`${event} (notifications)`, Date.now() - t0])
    await recover(h.pool, event)
    await moreWrites(h, 20, event)
    await finish(h, event)
  }, 60_000)

  it('a COPY in progress: copyFrom rejects with ConnectionLost, no row of it applied', async () => {
    const event = 'terminate COPY'
    const h = await withLoad()
    const first = h.ledger.id()
    let release: () => void = () => {}
    const hold = new Promise<void>((r) => {
      release = r
    })
    async function* rows(): AsyncGenerator<string> {
      yield `${first}\tcopy\n`
      // The COPY stays open on the server until the event.
      await hold
      yield `${first + 1}\tcopy\n`
    }
    const copy = h.pool.copyFrom('copy event_writes (id, tag) from stdin', rows()).then(
      () => undefined,
      (e: unknown) => e,
    )
    await until(async () => (await terminate(h.app, "query ilike 'copy%'")) === 1, {
      timeout: 5_000,
      what: 'the COPY running on the server',
    })
    const err = await copy
    release()
    expect(err).toBeInstanceOf(errors.ConnectionLost)
    expect((err as errors.ConnectionLost).cause).toBeInstanceOf(errors.AdminShutdown)
    // CopyDone was never sent: nothing of it can have been committed.
    expect((err as errors.ConnectionLost).inDoubt).toBe(false)
    await recover(h.pool, event)
    await moreWrites(h, 20, event)
    await finish(h, event)
    expect(await node.sql(`select count(*) from event_writes where id = ${first}`)).toBe('0')
  }, 60_000)

  it('a cursor between fetches: the next batch rejects as lost, not in doubt', async () => {
    const event = 'terminate cursor'
    const h = await withLoad()
    const it = h.pool
      .cursor<{ cursor_row: number }>(
        'select g as cursor_row from generate_series(1, 100000) g',
        [],
        { batchSize: 100 },
      )
      [Symbol.asyncIterator]()
    const first = await it.next()
    expect(first.value).toHaveLength(100)
    expect(first.value[0]).toEqual({ cursor_row: 1 })
    await until(async () => (await terminate(h.app, "query like '%cursor_row%'")) === 1, {
      timeout: 5_000,
      what: 'the cursor session',
    })
    let err: unknown
    try {
      for (let n = 0; n < 100_000; n++) {
        const r = await it.next()
        if (r.done) break
      }
    } catch (e) {
      err = e
    }
    // Lost during a prefetch, or known lost before the next fetch was sent: either way the
    // read-only cursor's transaction is gone and nothing is in doubt.
    expect(
      err instanceof errors.ConnectionLost || err instanceof errors.ConnectionClosed,
      String(err),
    ).toBe(true)
    expect((err as errors.TuskError).inDoubt).toBe(false)
    expect(causes(err).some((e) => e instanceof errors.AdminShutdown)).toBe(true)
    await recover(h.pool, event)
    await moreWrites(h, 20, event)
    await finish(h, event)
  }, 60_000)
})

describe('the server closes sessions by its idle timeouts', () => {
  it('idle_in_transaction_session_timeout: the open transaction is rolled back and the client fails not in doubt', async () => {
    const event = 'idle_in_transaction_session_timeout'
    const h = await withLoad()
    const c = await h.pool.connect()
    const id = h.ledger.id()
    await c.query("set idle_in_transaction_session_timeout = '200ms'")
    await c.query('begin')
    await c.query('insert into event_writes (id, tag) values ($1, $2)', [id, 'in-tx'])
    const pid = c.processId
    // The timeout must run out: the server ends the session by itself.
    await until(
      async () =>
        Number(await node.sql(`select count(*) from pg_stat_activity where pid = ${pid}`)) === 0,
      { timeout: 5_000, what: 'the server ending the idle transaction' },
    )
    const err = await c.query('commit').then(
      () => undefined,
      (e: unknown) => e,
    )
    // The server's FATAL arrived while the session was idle: the connection was lost then, and
    // the COMMIT is refused without being sent, naming why.
    expect(err).toBeInstanceOf(errors.ConnectionClosed)
    expect((err as errors.TuskError).inDoubt).toBe(false)
    expect((err as errors.TuskError).safeToRetry).toBe(true)
    // The server ended the session, not its owner: a retry on another connection can succeed.
    expect((err as errors.TuskError).transient).toBe(true)
    expect(causes(err).some((e) => e instanceof errors.IdleInTransactionSessionTimeout)).toBe(true)
    await c.release(err)
    await recover(h.pool, event)
    await moreWrites(h, 20, event)
    await finish(h, event)
    expect(await node.sql(`select count(*) from event_writes where id = ${id}`)).toBe('0')
  }, 60_000)

  it('idle_session_timeout: pooled sessions closed by the server are replaced, no write lost', async () => {
    const event = 'idle_session_timeout'
    const h = await withLoad({ options: '-c idle_session_timeout=150' })
    const created = h.pool.stats().created
    // Four connections, two writers: some sit idle long enough for the server to end them.
    await until(() => h.pool.stats().created >= created + 4, {
      timeout: 10_000,
      what: 'the pool replacing sessions the server closed',
    })
    await recover(h.pool, event)
    await moreWrites(h, 20, event)
    await finish(h, event)
  }, 60_000)
})
