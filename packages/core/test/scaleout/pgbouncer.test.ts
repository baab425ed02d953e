// Through PgBouncer in transaction mode: many clients share few server connections, and each
// transaction may run on another one. Named prepared statements and session state do not
// survive that; `pooler: 'transaction'` makes Tusk rely on neither.
import { type Lab, pgbouncerPath, startLab } from '@tusk/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConnectOptions, connect, createPool, errors, type Session } from '../../src/index.js'

/** 20 × 10 000 in the closing note; CI runs 20 × 1 000 (TUSK_BOUNCER_QUERIES raises it). */
const CLIENTS = 20
const QUERIES = Number(process.env.TUSK_BOUNCER_QUERIES ?? 1_000)
/** Fewer server connections than clients, so transactions really move between them. */
const SERVER_CONNECTIONS = 5
/** Three runs (through PgBouncer, then direct twice) at a few thousand queries a second, with slack. */
const HAMMER_TIMEOUT_MS = 60_000 + QUERIES * 60

const missing = pgbouncerPath()
  ? undefined
  : 'pgbouncer is not installed (apt-get install pgbouncer)'
// CI installs it (.ci/run); elsewhere the tests say why they did not run.
const skip = missing !== undefined && !process.env.CI

let lab: Lab
let viaBouncer: string
let direct: string

beforeAll(async () => {
  if (skip) return
  lab = await startLab({
    pgbouncer: { poolMode: 'transaction', defaultPoolSize: SERVER_CONNECTIONS },
  })
  if (!lab.bouncer) throw new Error(`no PgBouncer: ${lab.bouncerMissing}`)
  const base = `user=${lab.user} password=${lab.password} dbname=${lab.database} sslmode=disable`
  viaBouncer = `host=127.0.0.1 port=${lab.bouncer.port} ${base}`
  direct = `host=127.0.0.1 port=${lab.nodes[0].port} ${base}`
}, 60_000)

afterAll(async () => {
  await lab?.stop()
})

interface Tally {
  ok: number
  wrong: number
  errors: Map<string, number>
  ms: number
}

/**
 * CLIENTS sessions, each running `queries` statements whose text is its own (client c adds c),
 * checking every answer: a statement of another client would give a wrong sum.
 */
async function hammer(
  conninfo: string,
  options: ConnectOptions,
  queries: number,
  inTransaction = false,
): Promise<Tally> {
  const tally: Tally = { ok: 0, wrong: 0, errors: new Map(), ms: 0 }
  const sessions: Session[] = await Promise.all(
    Array.from({ length: CLIENTS }, () => connect(conninfo, options)),
  )
  const t0 = performance.now()
  try {
    await Promise.all(
      sessions.map(async (s, c) => {
        const text = `SELECT $1::int + ${c} AS x`
        for (let i = 0; i < queries; i++) {
          try {
            const r = inTransaction
              ? await s.transaction((tx) => tx.query<{ x: number }>(text, [i]))
              : await s.query<{ x: number }>(text, [i])
            if (r.rows[0]?.x === i + c) tally.ok++
            else tally.wrong++
          } catch (err) {
            const e = err as errors.TuskError & { code?: string }
            const key = `${e.constructor.name}${e.code ? ` ${e.code}` : ''}`
            tally.errors.set(key, (tally.errors.get(key) ?? 0) + 1)
          }
        }
      }),
    )
  } finally {
    tally.ms = performance.now() - t0
    await Promise.all(sessions.map((s) => s.close()))
  }
  return tally
}

const rate = (t: Tally, queries: number) => Math.round((CLIENTS * queries) / (t.ms / 1000))

describe.skipIf(skip)(
  `through PgBouncer (transaction mode)${missing ? ` — ${missing}` : ''}`,
  () => {
    it(
      `runs ${CLIENTS} clients × ${QUERIES} queries with pooler: 'transaction': 0 errors, 0 wrong answers`,
      async () => {
        const bouncer = await hammer(viaBouncer, { pooler: 'transaction' }, QUERIES)
        expect(Object.fromEntries(bouncer.errors)).toEqual({})
        expect(bouncer.wrong).toBe(0)
        expect(bouncer.ok).toBe(CLIENTS * QUERIES)
        const straight = await hammer(direct, {}, QUERIES)
        expect(straight.ok).toBe(CLIENTS * QUERIES)
        // The same statements, unnamed, without PgBouncer: what the pooler itself costs.
        const unnamed = await hammer(direct, { prepare: false }, QUERIES)
        expect(unnamed.ok).toBe(CLIENTS * QUERIES)
        console.log(
          `[pgbouncer] ${CLIENTS} clients × ${QUERIES} queries: through PgBouncer ${lab.bouncer?.version} transaction mode ` +
            `(${SERVER_CONNECTIONS} server connections, unnamed statements) ${rate(bouncer, QUERIES)} q/s; ` +
            `direct (${CLIENTS} connections) ${rate(straight, QUERIES)} q/s with prepared statements, ` +
            `${rate(unnamed, QUERIES)} q/s with unnamed ones`,
        )
      },
      HAMMER_TIMEOUT_MS,
    )

    it('never runs another client’s statement with prepared statements on (re-prepares instead)', async () => {
      // Each connection names its statements apart from every other one, so a Bind that lands on
      // another server connection finds nothing (26000) and is re-prepared, never a wrong answer.
      const t = await hammer(viaBouncer, { prepareThreshold: 0 }, 200)
      expect(t.wrong).toBe(0)
      expect(Object.fromEntries(t.errors)).toEqual({})
    }, 60_000)

    it('fails prepared statements inside transactions without the mode, typed as 26000', async () => {
      // A transaction holds one server connection, where the statement prepared in an earlier
      // transaction is usually missing; inside a transaction block it cannot be re-prepared.
      const t = await hammer(viaBouncer, { prepareThreshold: 0 }, 100, true)
      expect(t.wrong).toBe(0)
      expect([...t.errors.keys()]).toEqual(['InvalidSqlStatementName 26000'])
      const fixed = await hammer(viaBouncer, { pooler: 'transaction' }, 100, true)
      expect(Object.fromEntries(fixed.errors)).toEqual({})
      expect(fixed.ok).toBe(CLIENTS * 100)
    }, 60_000)

    it("refuses what needs session state under pooler: 'transaction'", async () => {
      await expect(connect(viaBouncer, { pooler: 'transaction', prepare: true })).rejects.toThrow(
        errors.ConfigError,
      )
      await expect(
        connect(viaBouncer, { pooler: 'transaction', statementTimeout: 1_000 }),
      ).rejects.toThrow(/statementTimeout cannot be combined with pooler: 'transaction'/)
      const pool = createPool(viaBouncer, { pooler: 'transaction', max: 2 })
      try {
        await expect(pool.listen('events', () => {})).rejects.toThrow(errors.ConfigError)
        // SET LOCAL is the way to a setting: it lives and dies with the transaction.
        const r = await pool.transaction(async (tx) => {
          await tx.query("SET LOCAL statement_timeout = '1234ms'")
          return tx.query<{ s: string }>("SELECT current_setting('statement_timeout') AS s")
        })
        expect(r.rows[0]?.s).toBe('1234ms')
      } finally {
        await pool.end()
      }
    }, 30_000)
  },
)
