// What an operator reads: structured query log lines through the logger (never a value), and
// pool.health() as a readiness probe that answers within its bound.
import { createServer } from 'node:net'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, createPool, errors, type Pool, type Session } from '../../src/index.js'

const SENTINEL = `log-sentinel-${process.pid}`

/** A logger that keeps every line. */
function capture(): {
  lines: { level: string; message: string; details?: Record<string, unknown> }[]
  logger: Record<
    'debug' | 'info' | 'warn' | 'error',
    (m: string, d?: Record<string, unknown>) => void
  >
} {
  const lines: { level: string; message: string; details?: Record<string, unknown> }[] = []
  const at =
    (level: string) =>
    (message: string, details?: Record<string, unknown>): void => {
      lines.push({ level, message, ...(details ? { details } : {}) })
    }
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  }
}

describe.each(testServers().map((s) => [s.name, s] as const))('on %s', (_n, server) => {
  const sessions: Session[] = []
  const pools: Pool[] = []
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()))
    await Promise.all(pools.splice(0).map((p) => p.end({ timeout: 1_000 })))
  })

  describe('logQueries', () => {
    it('logs each statement with duration, rows and outcome, and never a parameter value', async () => {
      const { lines, logger } = capture()
      const s = await connect(server.url, { logger, logQueries: {} })
      sessions.push(s)
      await s.query('select $1::text as v', [SENTINEL])
      const err = await s.query('select * from no_such_table_here').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(errors.UndefinedTable)
      await s.query('create temp table log_t (v text unique)')
      await s.query('insert into log_t values ($1)', [SENTINEL])
      await s.query('insert into log_t values ($1)', [SENTINEL]).catch(() => {})
      const queries = lines.filter((l) => l.message.startsWith('query'))
      expect(
        queries.map((l) => [l.level, l.message, l.details?.command ?? l.details?.code]),
      ).toEqual([
        ['info', 'query', 'SELECT'],
        ['warn', 'query failed', '42P01'],
        ['info', 'query', 'CREATE TABLE'],
        ['info', 'query', 'INSERT'],
        ['warn', 'query failed', '23505'],
      ])
      expect(queries[0]!.details).toMatchObject({
        query: 'select $1::text as v',
        parameterCount: 1,
        rows: 1,
        processId: s.processId,
      })
      expect(typeof queries[0]!.details!.durationMs).toBe('number')
      expect(queries[1]!.details).toMatchObject({ error: 'UndefinedTable', code: '42P01' })
      // The unique violation's detail quotes the value; the log line does not carry it.
      expect(JSON.stringify(lines)).not.toContain(SENTINEL)
    })

    it('logs only statements slower than the threshold, at the chosen level, without text if asked', async () => {
      const { lines, logger } = capture()
      const p = createPool(server.url, {
        max: 1,
        logger,
        logQueries: { slowerThanMs: 150, level: 'debug', text: false },
      })
      pools.push(p)
      await p.query('select 1')
      await p.query('select pg_sleep(0.2)')
      const queries = lines.filter((l) => l.message === 'query')
      expect(queries).toHaveLength(1)
      expect(queries[0]!.level).toBe('debug')
      expect(queries[0]!.details!.durationMs as number).toBeGreaterThanOrEqual(150)
      expect(queries[0]!.details).not.toHaveProperty('query')
    })

    it('refuses a bad logQueries option by name', () => {
      expect(() => createPool(server.url, { logQueries: { level: 'loud' } } as never)).toThrow(
        'invalid logQueries option "logQueries.level": expected one of',
      )
      expect(() => createPool(server.url, { logQueries: { slowMs: 1 } } as never)).toThrow(
        /unknown logQueries option "logQueries.slowMs"/,
      )
    })
  })

  it('says which setting ended a session the server closed for idling in a transaction', async () => {
    const s = await connect(server.url)
    sessions.push(s)
    await s.query(`set idle_in_transaction_session_timeout = '100ms'`)
    await s.query('begin')
    await until(() => s.closed, { timeout: 5_000, what: 'the server ends the idle transaction' })
    // The session is lost; the server's reason is the cause, its class and its setting named.
    const err = s.closeReason
    expect(err).toBeInstanceOf(errors.ConnectionLost)
    expect(err?.cause).toBeInstanceOf(errors.IdleInTransactionSessionTimeout)
    expect(err?.message).toContain('(25P03)')
    expect(err?.message).toContain('the server setting idle_in_transaction_session_timeout')
  })

  it('reports a checkout held in an open transaction past the leak threshold, with its pid and stack', async () => {
    const { lines, logger } = capture()
    const p = createPool(server.url, { max: 1, leakDetectionThreshold: 50, logger })
    pools.push(p)
    const c = await p.connect()
    await c.query('begin')
    await until(() => lines.some((l) => l.message.includes('possible leak')), {
      what: 'the leak report',
    })
    const report = lines.find((l) => l.message.includes('possible leak'))!
    expect(report.level).toBe('warn')
    expect(report.message).toContain('idle inside an open transaction')
    expect(report.details).toMatchObject({ processId: c.processId, transactionStatus: 'T' })
    expect(String(report.details!.stack)).toContain('observability.test.ts')
    await c.query('rollback')
    c.release()
  })

  it('reports a checkout that waited past slowCheckoutThreshold, with the pool’s state', async () => {
    const { lines, logger } = capture()
    const p = createPool(server.url, { max: 1, slowCheckoutThreshold: 100, logger })
    pools.push(p)
    const first = await p.connect()
    const second = p.connect()
    setTimeout(() => first.release(), 150)
    ;(await second).release()
    const report = lines.find((l) => l.message.startsWith('a pool checkout waited'))
    expect(report?.level).toBe('warn')
    expect(report?.message).toMatch(
      /waited \d+ ms for a connection \(pool: max 1, busy 1, idle 0, waiting 0/,
    )
    expect(report?.details?.waitMs as number).toBeGreaterThanOrEqual(100)
    await p.query('select 1')
    expect(lines.filter((l) => l.message.startsWith('a pool checkout waited'))).toHaveLength(1)
  })

  describe('pool.health()', () => {
    it('answers ok with the round trip and the pool’s numbers', async () => {
      const p = createPool(server.url, { max: 2 })
      pools.push(p)
      const h = await p.health()
      expect(h.ok).toBe(true)
      expect(h.closed).toBe(false)
      expect(h.roundTripMs).toBeGreaterThan(0)
      expect(h.stats).toMatchObject({ total: 1, busy: 0, max: 2 })
      expect(h.error).toBeUndefined()
    })

    it('answers not ok, within its bound, when every connection is held', async () => {
      const p = createPool(server.url, { max: 1 })
      pools.push(p)
      const held = await p.connect()
      await held.query('begin')
      const t0 = Date.now()
      const h = await p.health({ timeout: 200 })
      const took = Date.now() - t0
      expect(h.ok).toBe(false)
      expect(h.error).toBeInstanceOf(errors.QueryCanceled)
      expect(h.stats.waiting).toBe(0)
      expect(took).toBeGreaterThanOrEqual(190)
      expect(took).toBeLessThan(1_500)
      await held.query('rollback')
      held.release()
      expect((await p.health()).ok).toBe(true)
    })

    it('answers not ok at once when nothing listens, and after end()', async () => {
      const probe = createServer()
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
      const { port } = probe.address() as { port: number }
      await new Promise<void>((r) => probe.close(() => r()))
      const p = createPool(`postgres://u@127.0.0.1:${port}/db?sslmode=disable`)
      const t0 = Date.now()
      const h = await p.health({ timeout: 5_000 })
      expect(h.ok).toBe(false)
      expect(h.error).toBeInstanceOf(errors.ConnectionError)
      expect(Date.now() - t0).toBeLessThan(2_000)
      await p.end()
      const after = await p.health()
      expect(after).toMatchObject({ ok: false, closed: true })
      expect(after.error).toBeInstanceOf(errors.PoolClosedError)
      await expect(p.health({ timeout: 0 })).rejects.toBeInstanceOf(errors.ConfigError)
    })
  })

  describe('statementComment', () => {
    it('appends the comment to each statement, which then is not prepared', async () => {
      let n = 0
      const session = await connect(server.url, {
        statementComment: () => `traceparent='00-${String(++n).padStart(32, '0')}-01'`,
      })
      sessions.push(session)
      const seen = await session.queryOne<{ query: string }>(
        'select query from pg_stat_activity where pid = pg_backend_pid()',
      )
      expect(seen?.query).toBe(
        `select query from pg_stat_activity where pid = pg_backend_pid()\n/*traceparent='00-${'1'.padStart(32, '0')}-01'*/`,
      )
      for (let i = 0; i < 8; i++) await session.query('select $1::int as i', [i])
      const prepared = await session.queryOne<{ n: number }>(
        'select count(*)::int as n from pg_prepared_statements',
      )
      expect(prepared?.n).toBe(0)
    })

    it('escapes a comment end, and a hook that throws or answers empty adds nothing', async () => {
      const answers: (() => string)[] = [
        () => "a='*/ select 1 /*'",
        () => {
          throw new Error('broken hook')
        },
        () => '',
      ]
      let i = 0
      const { logger, lines } = capture()
      const session = await connect(server.url, {
        logger,
        statementComment: () => answers[i++]!(),
      })
      sessions.push(session)
      const texts: string[] = []
      for (let k = 0; k < 3; k++) {
        const row = await session.queryOne<{ query: string }>(
          'select query from pg_stat_activity where pid = pg_backend_pid()',
        )
        texts.push(row!.query)
      }
      expect(texts[0]?.endsWith("\n/*a='*\\/ select 1 /\\*'*/")).toBe(true)
      expect(texts[1]).toBe('select query from pg_stat_activity where pid = pg_backend_pid()')
      expect(texts[2]).toBe(texts[1])
      expect(lines.some((l) => l.level === 'warn' && l.message.includes('statementComment'))).toBe(
        true,
      )
    })
  })
})
