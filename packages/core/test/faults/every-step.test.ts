/**
 * "Abort at step i": every step of a session or pool is cut (RST and FIN) at every message
 * boundary of the server's answer, stalled, or corrupted, and must fail cleanly: the right class
 * within a bound, `inDoubt` exactly when a COMMIT or an autocommit statement may have been
 * applied, no unhandled rejection, a healthy pool, and no backend left on the server.
 */
import { type CutMode, type MessageProxy, startMessageProxy } from '@tusk/testkit'
import { until } from '@tusk/testkit/until'
import { type TestServerInfo, testServers } from '@tusk/testkit/vitest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  connect,
  createPool,
  errors,
  type Pool,
  type PoolClient,
  type Session,
} from '../../src/index.js'

const unhandled: unknown[] = []
process.on('unhandledRejection', (e) => unhandled.push(e))

/** Every failing call must settle within this (ms); the measured maxima are far below. */
const BOUND_MS = 5_000
/** A bounded loop: no step has an answer longer than this many messages. */
const MAX_MESSAGES = 40
const MODES: readonly CutMode[] = ['rst', 'fin']

/** Slowest settle seen per step and fault, printed with TUSK_FAULT_REPORT=1. */
const slowest = new Map<string, number>()
function record(key: string, ms: number): void {
  slowest.set(key, Math.max(slowest.get(key) ?? 0, ms))
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown } | { hang: true }

/** Settles `p` into its value or error, or `{ hang }` when it is still pending after `ms`. */
async function settle(p: Promise<unknown>, ms = BOUND_MS): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hang = new Promise<Outcome>((r) => {
    timer = setTimeout(() => r({ hang: true }), ms)
  })
  try {
    return await Promise.race([
      p.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      hang,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** A session step: `prepare` is not observed, `run`'s server answers are cut one boundary at a time. */
interface SessionStep {
  name: string
  prepare?: (s: Session) => Promise<void>
  /** Runs the step; `mark(phase)` names the part of it running now (BEGIN, statement, COMMIT…). */
  run: (s: Session, mark: (phase: string) => void) => Promise<unknown>
  /** The phases whose loss may have applied something: their error must be `inDoubt`. */
  doubtful: readonly string[]
  /**
   * For a step whose COMMIT is sent inside one call (a cursor's own transaction): whether a cut
   * after `k` of the clean run's `n` server messages may have applied something. Overrides
   * `doubtful`. `undefined`: the cut races the client's own write, and either answer is right.
   */
  doubtfulAfter?: (k: number, n: number) => boolean | undefined
}

const sessionSteps: SessionStep[] = [
  {
    name: 'transaction',
    prepare: (s) => s.exec('create temp table tx_target (n int)').then(() => {}),
    run: (s, mark) => {
      mark('BEGIN')
      return s.transaction(async (tx) => {
        mark('statement')
        await tx.query('insert into tx_target values ($1)', [1])
        mark('COMMIT')
      })
    },
    doubtful: ['COMMIT'],
  },
  {
    name: 'savepoint',
    prepare: (s) => s.begin(),
    run: (s, mark) => {
      mark('SAVEPOINT')
      return s.savepoint(async (sp) => {
        mark('statement')
        await sp.query('select 1 as one')
        mark('RELEASE')
      })
    },
    doubtful: [],
  },
  {
    name: 'COPY in',
    prepare: (s) => s.exec('create temp table copy_in (n int)').then(() => {}),
    run: (s, mark) => {
      mark('COPY in')
      return s.copyFrom('copy copy_in from stdin', ['1\n', '2\n', '3\n'])
    },
    doubtful: ['COPY in'],
    // The rows and CopyDone go out when CopyInResponse (the first message) arrives: cut before
    // it, the server cannot have applied the COPY; cut right after it, the cut races CopyDone
    // (in doubt exactly when CopyDone was written); cut later, CopyDone went out.
    doubtfulAfter: (k) => (k === 0 ? false : k === 1 ? undefined : true),
  },
  {
    name: 'COPY out',
    run: async (s, mark) => {
      mark('COPY out')
      const chunks: unknown[] = []
      for await (const c of s.copyTo('copy (select generate_series(1, 5)) to stdout'))
        chunks.push(c)
      return chunks
    },
    // Autocommit: the driver cannot tell a read from a write (`copy (select f()) to stdout`).
    doubtful: ['COPY out'],
  },
  {
    name: 'LISTEN',
    run: (s, mark) => {
      mark('LISTEN')
      return s.exec('listen tusk_fault_channel')
    },
    doubtful: ['LISTEN'],
  },
  {
    name: 'autocommit write',
    prepare: (s) => s.exec('create temp table ac_target (n int)').then(() => {}),
    run: (s, mark) => {
      mark('autocommit write')
      return s.query('insert into ac_target values ($1)', [1])
    },
    doubtful: ['autocommit write'],
  },
  {
    name: 're-prepare',
    prepare: async (s) => {
      await s.exec('create temp table re_prep (a int); insert into re_prep values (1)')
      await s.query('select * from re_prep', [], { prepare: true })
      // The cached plan's result type changes: the next run fails with 0A000 and is re-prepared.
      await s.exec('alter table re_prep add column b int')
    },
    run: (s, mark) => {
      mark('re-prepare')
      return s.query('select * from re_prep', [], { prepare: true })
    },
    doubtful: ['re-prepare'],
  },
  {
    // Outside a transaction block a cursor opens its own (BEGIN … COMMIT at close): read by
    // batches with a prefetch, then closed early. Only the last two messages (the COMMIT's
    // CommandComplete and ReadyForQuery) answer a COMMIT already sent.
    name: 'cursor',
    run: async (s, mark) => {
      mark('open')
      const it = s
        .cursor<{ g: number }>('select generate_series(1, 7) as g', [], { batchSize: 3 })
        [Symbol.asyncIterator]()
      const first = await it.next()
      mark('fetch')
      const second = await it.next()
      mark('close')
      await it.return?.()
      return [first.value, second.value]
    },
    doubtful: [],
    doubtfulAfter: (k, n) => k >= n - 2,
  },
]

describe.each(testServers().map((s) => [s.name, s] as const))(
  'every step survives a fault on %s',
  (_n, server: TestServerInfo) => {
    let proxy: MessageProxy
    let admin: Session
    let serial = 0
    const pools: Pool[] = []
    const sessions: Session[] = []

    beforeAll(async () => {
      proxy = await startMessageProxy({ host: server.host, port: server.port })
      admin = await connect(server.url)
    })
    afterAll(async () => {
      await admin?.close()
      await proxy?.close()
      if (process.env.TUSK_FAULT_REPORT) {
        console.log([...slowest].map(([k, v]) => `${k}\t${v} ms`).join('\n'))
      }
    })
    afterEach(async () => {
      proxy.reset()
      for (const s of sessions.splice(0)) s.destroy()
      await Promise.all(pools.splice(0).map((p) => p.end({ timeout: 500 }).catch(() => {})))
      expect(unhandled).toEqual([])
    })

    /** A URL through the proxy with an application_name of its own, to find its backends. */
    function target(): { url: string; app: string } {
      const app = `tusk_fault_${process.pid}_${++serial}`
      const base = server.url.replace(`:${server.port}/`, `:${proxy.port}/`)
      const sep = base.includes('?') ? '&' : '?'
      return { url: `${base}${sep}sslmode=disable&application_name=${app}`, app }
    }

    async function backends(app: string): Promise<number> {
      const r = await admin.query<{ n: number }>(
        'select count(*)::int as n from pg_stat_activity where application_name = $1',
        [app],
      )
      return r.rows[0]!.n
    }

    async function noBackendLeft(app: string): Promise<void> {
      await until(async () => (await backends(app)) === 0, {
        timeout: 3_000,
        what: `no backend with application_name ${app}`,
      })
    }

    async function session(): Promise<{ s: Session; app: string }> {
      const { url, app } = target()
      const s = await connect(url)
      sessions.push(s)
      return { s, app }
    }

    /** Runs `step` cleanly through the proxy and returns how many server messages it took. */
    async function messagesOf(step: SessionStep): Promise<number> {
      const { s, app } = await session()
      await step.prepare?.(s)
      proxy.observe()
      await step.run(s, () => {})
      const n = proxy.seen
      proxy.reset()
      await s.close()
      await noBackendLeft(app)
      expect(n).toBeGreaterThan(0)
      expect(n).toBeLessThanOrEqual(MAX_MESSAGES)
      return n
    }

    for (const step of sessionSteps) {
      it(`${step.name}: a cut at every message boundary rejects with ConnectionLost, in doubt only where something may have been applied`, async () => {
        const n = await messagesOf(step)
        const phasesSeen = new Set<string>()
        const wrongDoubt: string[] = []
        for (const mode of MODES) {
          for (let k = 0; k < n; k++) {
            const { s, app } = await session()
            await step.prepare?.(s)
            let phase = ''
            proxy.cutAfter(k, mode)
            const t0 = Date.now()
            const outcome = await settle(
              step.run(s, (p) => {
                phase = p
              }),
            )
            const took = Date.now() - t0
            const where = `${step.name} [${phase}] cut (${mode}) after message ${k} of ${n}`
            phasesSeen.add(phase)
            record(`${step.name} / ${phase} / cut ${mode}`, took)
            expect(proxy.fired, where).toBe(true)
            expect('hang' in outcome, `${where}: still pending after ${BOUND_MS} ms`).toBe(false)
            if ('ok' in outcome && outcome.ok) {
              // A step that reports success although its answer was cut short hides the loss.
              wrongDoubt.push(`${where}: resolved`)
              await until(() => s.closed, {
                timeout: 2_000,
                what: `${where}: the session sees the cut`,
              })
              await noBackendLeft(app)
              continue
            }
            const err = (outcome as { error: unknown }).error
            expect(err, where).toBeInstanceOf(errors.ConnectionLost)
            const doubt = (err as errors.ConnectionLost).inDoubt
            const expected = step.doubtfulAfter
              ? step.doubtfulAfter(k, n)
              : step.doubtful.includes(phase)
            if (expected !== undefined && doubt !== expected)
              wrongDoubt.push(`${where}: inDoubt ${doubt}`)
            expect(s.closed, where).toBe(true)
            await expect(s.query('select 1')).rejects.toBeInstanceOf(errors.ConnectionClosed)
            await noBackendLeft(app)
          }
        }
        // Every cut rejects; inDoubt is true exactly for the phases that may have applied something.
        expect(wrongDoubt).toEqual([])
        // Each phase the step has was hit by at least one cut.
        expect(phasesSeen.size).toBeGreaterThanOrEqual(Math.max(step.doubtful.length, 1))
      }, 60_000)
    }

    /** A pool of one connection through the proxy. */
    function pool(options: Parameters<typeof createPool>[1] = {}): { p: Pool; app: string } {
      const { url, app } = target()
      const p = createPool(url, { max: 1, ...options })
      pools.push(p)
      return { p, app }
    }

    /** Drops every link the proxy holds (a blackholed one keeps its backend) on a fresh proxy. */
    async function freshProxy(): Promise<void> {
      await proxy.close()
      proxy = await startMessageProxy({ host: server.host, port: server.port })
    }

    /** The pool answers a fresh query, holds no busy connection, and leaves no backend once ended. */
    async function healthy(p: Pool, app: string, where: string, held = false): Promise<void> {
      const r = await settle(p.query('select 42 as answer'))
      expect(r, `${where}: fresh query after the fault`).toMatchObject({
        ok: true,
        value: { rows: [{ answer: 42 }] },
      })
      await until(() => p.stats().busy === 0, {
        timeout: 2_000,
        what: `${where}: no busy connection`,
      })
      const t0 = Date.now()
      await p.end({ timeout: 1_000 })
      expect(Date.now() - t0, `${where}: end()`).toBeLessThan(2_000)
      if (held) await freshProxy()
      await noBackendLeft(app)
    }

    /** Cut at every boundary of what `run` makes the server send; `check` judges each outcome. */
    async function cutPoolStep(
      name: string,
      options: Parameters<typeof createPool>[1],
      prepare: (p: Pool) => Promise<unknown>,
      run: (p: Pool, prepared: unknown) => Promise<unknown>,
      check: (outcome: Outcome, where: string, p: Pool, clean: boolean) => Promise<void> | void,
    ): Promise<void> {
      const clean = pool(options)
      const prepared = await prepare(clean.p)
      proxy.observe()
      const cleanOutcome = await settle(run(clean.p, prepared))
      const n = proxy.seen
      proxy.reset()
      expect('hang' in cleanOutcome).toBe(false)
      await check(cleanOutcome, `${name} clean run`, clean.p, true)
      await healthy(clean.p, clean.app, `${name} clean run`)
      expect(n).toBeGreaterThan(0)
      expect(n).toBeLessThanOrEqual(MAX_MESSAGES)
      for (const mode of MODES) {
        for (let k = 0; k < n; k++) {
          const { p, app } = pool(options)
          const ready = await prepare(p)
          proxy.cutAfter(k, mode)
          const t0 = Date.now()
          const outcome = await settle(run(p, ready))
          const took = Date.now() - t0
          const where = `${name} cut (${mode}) after message ${k} of ${n}`
          record(`${name} / cut ${mode}`, took)
          expect('hang' in outcome, `${where}: still pending after ${BOUND_MS} ms`).toBe(false)
          expect(proxy.fired, where).toBe(true)
          await check(outcome, where, p, false)
          await healthy(p, app, where)
        }
      }
    }

    /** Checks out, runs a query on the client and releases it. */
    async function useClient(outcome: Outcome, where: string): Promise<void> {
      expect(outcome, where).toMatchObject({ ok: true })
      const c = (outcome as { value: PoolClient }).value
      try {
        expect(await c.query('select 1 as one'), where).toMatchObject({ rows: [{ one: 1 }] })
      } finally {
        c.release()
      }
    }

    it('pool checkout: a connect cut at every message of the startup answer is retried, and the checkout succeeds', async () => {
      await cutPoolStep(
        'pool checkout',
        { acquireTimeout: 4_000 },
        async () => undefined,
        (p) => p.connect(),
        useClient,
      )
    }, 60_000)

    it('pool release: a cut during the rollback of a client released in a transaction destroys it, without a leak', async () => {
      await cutPoolStep(
        'pool release',
        {},
        async (p) => {
          const c = await p.connect()
          await c.query('begin')
          await c.query('select 1')
          return c
        },
        async (p, c) => {
          ;(c as { release(): void }).release()
          await until(() => p.stats().busy === 0 && p.stats().total <= 1, {
            timeout: BOUND_MS,
            what: 'the released client is back or gone',
          })
        },
        (outcome, where, p) => {
          expect(outcome, where).toMatchObject({ ok: true })
          expect(p.stats().busy, where).toBe(0)
        },
      )
    }, 60_000)

    it('pool health check: a cut during the checkout ping drops the connection and hands out a new one', async () => {
      await cutPoolStep(
        'pool health check',
        { healthCheck: 0, acquireTimeout: 4_000 },
        (p) => p.query('select 1'),
        (p) => p.connect(),
        useClient,
      )
    }, 60_000)

    it('pipelined pool queries: those answered resolve, the rest reject with ConnectionLost in doubt', async () => {
      await cutPoolStep(
        'pipelined pool queries',
        { maxPipeline: 8, pipelineStallMs: 60_000 },
        (p) => p.query('select 1'),
        async (p) => {
          const all = Array.from({ length: 4 }, (_, i) =>
            settle(p.query<{ i: number }>('select $1::int as i', [i])),
          )
          expect(p.stats().pipelined).toBe(3)
          return Promise.all(all)
        },
        (outcome, where, _p, clean) => {
          expect(outcome, where).toMatchObject({ ok: true })
          const each = (outcome as { value: Outcome[] }).value
          let failed = false
          each.forEach((o, i) => {
            expect('hang' in o, `${where}: query ${i} pending`).toBe(false)
            if ('ok' in o && o.ok) {
              // Answers come in order: nothing succeeds after a failure.
              expect(failed, `${where}: query ${i} succeeded after an earlier one failed`).toBe(
                false,
              )
              expect(o.value, where).toMatchObject({ rows: [{ i }] })
            } else {
              failed = true
              const e = (o as { error: unknown }).error
              expect(e, `${where}: query ${i}`).toBeInstanceOf(errors.ConnectionLost)
              expect((e as errors.ConnectionLost).inDoubt, `${where}: query ${i} inDoubt`).toBe(
                true,
              )
            }
          })
          // A cut before the last answer fails at least the last query.
          expect(failed, where).toBe(!clean)
        },
      )
    }, 60_000)

    it('pool LISTEN: a cut while the listener connects or listens recovers, and notifications arrive', async () => {
      const got: string[] = []
      const handler = (payload: string) => {
        got.push(payload)
      }
      await cutPoolStep(
        'pool LISTEN',
        {},
        async () => undefined,
        async (p) => {
          const channel = `tusk_fault_listen_${serial}`
          try {
            await p.listen(channel, handler)
          } catch (err) {
            // A failed LISTEN says so with a network error; listening again must then work.
            expect(err).toBeInstanceOf(errors.OperationalError)
            await p.listen(channel, handler)
          }
          return channel
        },
        async (outcome, where) => {
          expect(outcome, where).toMatchObject({ ok: true })
          const channel = (outcome as { value: string }).value
          const payload = `after-fault-${channel}`
          // The listener may be reconnecting after the cut: notify until the payload arrives.
          await until(
            async () => {
              await admin.query('select pg_notify($1, $2)', [channel, payload])
              return got.includes(payload)
            },
            { timeout: 4_000, interval: 50, what: `${where}: a notification after the fault` },
          )
        },
      )
    }, 60_000)

    describe('a link that goes silent (blackhole) with a timeout', () => {
      const TIMEOUT = 300
      const GRACE = 500
      const LIMIT = TIMEOUT + GRACE + 1_500

      async function silent(
        name: string,
        prepare: (s: Session) => Promise<unknown>,
        run: (s: Session, ready: unknown) => Promise<unknown>,
        doubt: boolean,
      ): Promise<void> {
        const { url, app } = target()
        const s = await connect(url, { cancelGrace: GRACE })
        sessions.push(s)
        const ready = await prepare(s)
        proxy.blackholeOpen()
        const t0 = Date.now()
        const outcome = await settle(run(s, ready))
        const took = Date.now() - t0
        record(`${name} / blackhole`, took)
        expect('hang' in outcome, `${name}: pending after ${BOUND_MS} ms`).toBe(false)
        expect(outcome, name).toMatchObject({ ok: false })
        const err = (outcome as { error: unknown }).error
        expect(err, name).toBeInstanceOf(errors.OperationalError)
        expect((err as errors.OperationalError).inDoubt, `${name}: inDoubt`).toBe(doubt)
        expect(took, name).toBeLessThan(LIMIT)
        expect(s.closed, name).toBe(true)
        s.destroy()
        // The server notices the held link only through its own timeouts: drop it to check the rest.
        await freshProxy()
        await noBackendLeft(app)
      }

      it('a query', async () => {
        await silent(
          'query',
          async () => undefined,
          (s) => s.query('select 1 as one', [], { timeout: TIMEOUT }),
          true,
        )
      }, 15_000)

      it('a COMMIT', async () => {
        await silent(
          'COMMIT',
          async (s) => {
            await s.begin()
            await s.query('select 1')
          },
          (s) => s.commit({ timeout: TIMEOUT }),
          true,
        )
      }, 15_000)

      it('a cursor fetch', async () => {
        await silent(
          'cursor fetch',
          async (s) => {
            const it = s
              .cursor('select generate_series(1, 100000) as g', [], {
                batchSize: 2,
                timeout: TIMEOUT,
              })
              [Symbol.asyncIterator]()
            await it.next()
            return it
          },
          async (_s, it) => {
            const i = it as AsyncIterator<unknown>
            // Drain what was prefetched before the link went silent; then a batch must time out.
            for (let n = 0; n < 10; n++) await i.next()
          },
          false,
        )
      }, 15_000)

      it('a COPY out', async () => {
        await silent(
          'COPY out',
          async () => undefined,
          async (s) => {
            for await (const _ of s.copyTo('copy (select generate_series(1, 5)) to stdout', {
              timeout: TIMEOUT,
            })) {
              // drained
            }
          },
          true,
        )
      }, 15_000)

      it('a COPY in', async () => {
        await silent(
          'COPY in',
          (s) => s.exec('create temp table copy_silent (n int)'),
          (s) => s.copyFrom('copy copy_silent from stdin', ['1\n', '2\n'], { timeout: TIMEOUT }),
          // The server's CopyInResponse never came, so no row and no CopyDone were sent.
          false,
        )
      }, 15_000)

      it('a pool query is bounded, and the pool replaces the connection', async () => {
        const { p, app } = pool({ cancelGrace: GRACE })
        await p.query('select 1')
        proxy.blackholeOpen()
        const t0 = Date.now()
        const outcome = await settle(p.query('select 1 as one', [], { timeout: TIMEOUT }))
        const took = Date.now() - t0
        record('pool query / blackhole', took)
        expect(outcome).toMatchObject({ ok: false })
        expect((outcome as { error: unknown }).error).toBeInstanceOf(errors.QueryCanceled)
        expect(took).toBeLessThan(LIMIT)
        await healthy(p, app, 'pool query after blackhole', true)
      }, 15_000)

      it('a pool health check is bounded by healthCheckTimeout, and a new connection is handed out', async () => {
        const { p, app } = pool({ healthCheck: 0, healthCheckTimeout: TIMEOUT, cancelGrace: GRACE })
        await p.query('select 1')
        proxy.blackholeOpen()
        const t0 = Date.now()
        const outcome = await settle(p.query('select 3 as three'))
        const took = Date.now() - t0
        record('pool health check / blackhole', took)
        expect(outcome).toMatchObject({ ok: true, value: { rows: [{ three: 3 }] } })
        expect(took).toBeLessThan(LIMIT)
        await healthy(p, app, 'pool after a silent health check', true)
      }, 15_000)
    })

    it('a corrupted message in a pooled query closes that connection as lost, and the pool serves the next query from a new backend', async () => {
      const { p, app } = pool({ healthCheck: false })
      let current = (await p.queryOne<{ pid: number }>('select pg_backend_pid() as pid'))!.pid
      for (const offset of [0, 1]) {
        // The third message of the answer (RowDescription, after ParseComplete and BindComplete):
        // its type byte (an unknown type) or the high byte of its length (an absurd length).
        proxy.corruptAt(2, offset)
        const t0 = Date.now()
        const outcome = await settle(p.query('select 1 as n'))
        record(`pool query / corrupt header byte ${offset}`, Date.now() - t0)
        const where = `pool query, byte ${offset} of RowDescription flipped`
        expect(proxy.fired, where).toBe(true)
        expect(outcome, where).toMatchObject({ ok: false })
        const err = (outcome as { error: unknown }).error
        expect(err, where).toBeInstanceOf(errors.ConnectionLost)
        expect((err as errors.ConnectionLost).cause, where).toBeInstanceOf(errors.ProtocolError)
        // An autocommit statement written before the link broke: in doubt, never safe to retry.
        expect(err, where).toMatchObject({ inDoubt: true, safeToRetry: false })
        const next = await settle(p.queryOne<{ pid: number }>('select pg_backend_pid() as pid'))
        expect(next, where).toMatchObject({ ok: true })
        const pid = (next as { value: { pid: number } }).value.pid
        expect(pid, `${where}: a new backend`).not.toBe(current)
        current = pid
        expect(p.stats().total, where).toBe(1)
        // The broken connection's backend is gone: only the new one is left.
        await until(async () => (await backends(app)) === 1, {
          timeout: 3_000,
          what: `${where}: only the replacement's backend left`,
        })
      }
      await healthy(p, app, 'pool after corrupted answers')
    }, 30_000)

    it('a byte corrupted at each of the first message boundaries of an answer closes the connection with a ProtocolError', async () => {
      const sql = 'select 1 as n'
      const { s: probe, app: probeApp } = await session()
      proxy.observe()
      await probe.query(sql)
      const n = proxy.seen
      await probe.close()
      await noBackendLeft(probeApp)
      expect(n).toBeGreaterThanOrEqual(4)
      for (let k = 0; k < Math.min(n, 6); k++) {
        for (const offset of [0, 1]) {
          const { s, app } = await session()
          proxy.corruptAt(k, offset)
          const t0 = Date.now()
          const outcome = await settle(s.query(sql))
          record(`query / corrupt header byte ${offset}`, Date.now() - t0)
          const where = `byte ${offset} of message ${k} of ${n} flipped`
          expect(proxy.fired, where).toBe(true)
          expect('hang' in outcome, `${where}: pending`).toBe(false)
          expect(outcome, `${where}: resolved`).toMatchObject({ ok: false })
          const err = (outcome as { error: unknown }).error
          const protocol =
            err instanceof errors.ProtocolError ||
            (err instanceof errors.ConnectionLost && err.cause instanceof errors.ProtocolError)
          expect(protocol, `${where}: ${String(err)}`).toBe(true)
          expect(s.closed, where).toBe(true)
          await noBackendLeft(app)
        }
      }
    }, 30_000)
  },
)
