// Bad input to the public calls gets a clear, typed error before any work; a pool that cannot
// reach its server fails its waiting checkouts at once.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, createPool, errors, type Pool, type Session, sql } from '../../src/index.js'

const servers = testServers()
const open: Session[] = []
const pools: Pool[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})))
  await Promise.all(pools.splice(0).map((p) => p.end({ timeout: 1_000 }).catch(() => {})))
})

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The rejection of `p` (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

describe('options given in the wrong place or with the wrong value', () => {
  const url = 'postgres://u@127.0.0.1:1/db?sslmode=disable'

  it('refuses sslmode, ssl and host among pool or connect options instead of ignoring them', async () => {
    expect(() => createPool(url, { sslmode: 'require' } as never)).toThrow(errors.ConfigError)
    expect(() => createPool(url, { sslmode: 'require' } as never)).toThrow(
      /"sslmode" is a connection parameter, not a pool option: set sslmode in the connection string/,
    )
    const err = await rejection(connect(url, { ssl: true } as never))
    expect(err).toBeInstanceOf(errors.ConfigError)
    expect(err.message).toMatch(/TLS is chosen by the connection parameter sslmode/)
    await expect(connect(url, { sslmode: 'verify-full' } as never)).rejects.toThrow(
      /"sslmode" is a connection parameter, not a connection option/,
    )
    expect(() => createPool(url, { host: 'elsewhere' } as never)).toThrow(/"host" is a connection/)
  })

  it('refuses misspelt and foreign option names with the right spelling', async () => {
    expect(() => createPool(url, { statement_timeout: 10 } as never)).toThrow(
      'unknown pool option "statement_timeout"; did you mean "statementTimeout"?',
    )
    expect(() => createPool(url, { maxConnections: 2 } as never)).toThrow(
      'unknown pool option "maxConnections"; did you mean "max"?',
    )
    await expect(connect(url, { max: 2 } as never)).rejects.toThrow(
      '"max" is a pool option (createPool(conninfo, { … })), not a connection option',
    )
  })

  it('points pool and session options put in the conninfo object to the second argument', async () => {
    const conninfo = {
      host: '127.0.0.1',
      port: 1,
      user: 'u',
      dbname: 'db',
      sslmode: 'disable' as const,
    }
    const err = (() => {
      try {
        createPool({ ...conninfo, max: 5 } as never)
      } catch (e) {
        return e as Error
      }
      throw new Error('expected a throw')
    })()
    expect(err).toBeInstanceOf(errors.ConfigError)
    expect(err.message).toBe(
      '"max" is a pool option, not a connection parameter: pass it in the second argument, ' +
        'createPool(conninfo, { … })',
    )
    await expect(connect({ ...conninfo, statementTimeout: 5 } as never)).rejects.toThrow(
      '"statementTimeout" is a connection option, not a connection parameter: pass it in the ' +
        'second argument, connect(conninfo, { … }) or createPool(conninfo, { … })',
    )
    await expect(connect({ ...conninfo, idleTimeout: 5 } as never)).rejects.toThrow(
      '"idleTimeout" is a pool option',
    )
    // libpq names and their camelCase forms stay connection parameters.
    expect(() => createPool({ ...conninfo, connectTimeout: 5 })).not.toThrow()
  })

  it('refuses a listen call without a channel name or a handler before connecting', async () => {
    const pool = createPool(url)
    pools.push(pool)
    await expect(pool.listen('jobs', undefined as never)).rejects.toThrow(
      new errors.InterfaceError('listen(channel, handler) needs a handler function, got undefined'),
    )
    await expect(pool.listen('', () => {})).rejects.toThrow(/needs a non-empty channel name/)
    await expect(pool.listen(42 as never, () => {})).rejects.toBeInstanceOf(errors.InterfaceError)
    expect(pool.stats().total).toBe(0)
  })

  it('refuses NaN, negative, zero and string values that used to hang or misbehave', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ max: Number.NaN }, 'invalid pool option "max": expected an integer from 1'],
      [{ acquireTimeout: Number.NaN }, 'invalid pool option "acquireTimeout"'],
      [{ acquireTimeout: -1 }, 'got -1'],
      [{ statementTimeout: '5s' }, 'invalid pool option "statementTimeout"'],
      [{ max: 0 }, 'got 0'],
      [{ max: '5' }, 'got "5"'],
      [{ prepareThreshold: 'never' }, 'invalid pool option "prepareThreshold"'],
      [{ types: { int8: 'Number' } }, 'invalid type option "types.int8"'],
    ]
    for (const [options, message] of cases) {
      expect(() => createPool(url, options as never)).toThrow(message)
    }
  })
})

describe('a pool that cannot reach its server', () => {
  it('rejects a waiting query with ECONNREFUSED at once, not after acquireTimeout', async () => {
    const port = await closedPort()
    const pool = createPool(`postgres://u@127.0.0.1:${port}/db?sslmode=disable`)
    pools.push(pool)
    for (let call = 0; call < 2; call++) {
      const started = performance.now()
      const err = await rejection(pool.query('select 1'))
      expect(err).toBeInstanceOf(errors.ConnectionError)
      expect((err as errors.ConnectionError).errno).toBe('ECONNREFUSED')
      // acquireTimeout is 30 s: anything near it means the waiter was left to time out.
      expect(performance.now() - started).toBeLessThan(5_000)
    }
  })

  it('rejects every waiter of a pool with min connections, and keeps retrying', async () => {
    const port = await closedPort()
    const pool = createPool(`postgres://u@127.0.0.1:${port}/db?sslmode=disable`, {
      min: 2,
      retryBackoff: { baseDelayMs: 5, maxDelayMs: 20 },
    })
    pools.push(pool)
    const results = await Promise.allSettled([pool.connect(), pool.query('select 1')])
    for (const r of results) {
      expect(r.status).toBe('rejected')
      expect((r as PromiseRejectedResult).reason.errno).toBe('ECONNREFUSED')
    }
    const later = await rejection(pool.query('select 1'))
    expect((later as errors.ConnectionError).errno).toBe('ECONNREFUSED')
  })

  it('rejects at once when the Unix socket file does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tusk-nosock-'))
    try {
      const pool = createPool({ host: dir, user: 'u', dbname: 'db' })
      pools.push(pool)
      const started = performance.now()
      const err = await rejection(pool.query('select 1'))
      expect((err as errors.ConnectionError).errno).toBe('ENOENT')
      expect(performance.now() - started).toBeLessThan(5_000)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.each(servers.map((s) => [s.name, s] as const))('argument checks on %s', (_n, server) => {
  async function conn(): Promise<Session> {
    const c = await connect(server.url)
    open.push(c)
    return c
  }

  it('connects with a password given in the options (it used to be ignored)', async () => {
    const target = new URL(server.url)
    const password = decodeURIComponent(target.password)
    target.password = ''
    const env = process.env.PGPASSWORD
    delete process.env.PGPASSWORD
    try {
      const c = await connect(target.toString(), { password, runtime: { context: { env: {} } } })
      open.push(c)
      expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }])
      const wrong = await rejection(
        connect(target.toString(), { password: () => 'not-the-password' }),
      )
      expect((wrong as errors.DatabaseError).code).toBe('28P01')
    } finally {
      if (env !== undefined) process.env.PGPASSWORD = env
    }
  })

  it('refuses parameters next to an sql fragment, and parameters to exec', async () => {
    const c = await conn()
    const err = await rejection(c.query(sql`select ${1}::int as n`, [2]))
    expect(err).toBeInstanceOf(errors.InterfaceError)
    expect(err.message).toMatch(/a fragment carries its own values/)
    const exec = await rejection(Reflect.apply(c.exec, c, ['select $1', [1]]) as Promise<unknown>)
    expect(exec.message).toMatch(/^exec\(\) takes no parameters/)
    await c.transaction(async (tx) => {
      const inTx = await rejection(
        Reflect.apply(tx.exec, tx, ['select 1', [1]]) as Promise<unknown>,
      )
      expect(inTx.message).toMatch(/^exec\(\) takes no parameters/)
    })
    expect((await c.query(sql`select ${1}::int as n`)).rows).toEqual([{ n: 1 }])
  })

  it('checks the signal and timeout options of exec, begin, notify, savepoint names and checkouts', async () => {
    const c = await conn()
    const [ok] = await c.exec('select 1', { timeout: 5_000 })
    expect(ok!.rows).toEqual([['1']])
    const bad = await rejection(c.exec('select 1', { timeout: '5s' } as never))
    expect(bad).toBeInstanceOf(errors.ConfigError)
    expect(bad.message).toMatch(/invalid exec option "timeout"/)
    await expect(c.begin({ isolation: 'snapshot' } as never)).rejects.toBeInstanceOf(
      errors.ConfigError,
    )
    expect(c.transactionStatus).toBe('I')
    await expect(c.notify('ch', 'x', { timout: 5 } as never)).rejects.toThrow(
      'did you mean "timeout"?',
    )
    const pool = createPool(server.url, { max: 1 })
    pools.push(pool)
    await expect(pool.connect({ timeout: -1 })).rejects.toBeInstanceOf(errors.ConfigError)
    await expect(pool.exec('select 1', [1] as never)).rejects.toThrow(
      /^exec\(\) takes no parameters/,
    )
  })

  it('names a missing query text and a missing transaction function', async () => {
    const c = await conn()
    const missing = await rejection(c.query(undefined as never))
    expect(missing).toBeInstanceOf(errors.InterfaceError)
    expect(missing.message).toBe(
      'query() needs the SQL text (a string or an sql`…` fragment) as its first argument, got undefined',
    )
    const noFn = await rejection(c.transaction({ isolation: 'serializable' } as never))
    expect(noFn).toBeInstanceOf(errors.InterfaceError)
    expect(noFn.message).toMatch(/^transaction\(options, fn\) needs a function after the options/)
    expect(c.transactionStatus).toBe('I')
  })

  it('points from ? placeholders to $1', async () => {
    const c = await conn()
    const err = await rejection(c.query('select * from pg_class where oid = ?', [1]))
    expect(err.message).toMatch(
      /PostgreSQL placeholders are \$1, \$2, … — "\?" is not a placeholder/,
    )
    expect(() => c.cursor('select ? as x', [1])).toThrow(/"\?" is not a placeholder/)
  })

  it('checks query, cursor, transaction and COPY options on connections and pools', async () => {
    const c = await conn()
    await expect(c.query('select 1', { timeoutMs: 5 } as never)).rejects.toThrow(
      'unknown query option "timeoutMs"; did you mean "timeout"?',
    )
    await expect(c.query('select 1', [], { statementTimeout: '5s' } as never)).rejects.toThrow(
      'invalid query option "statementTimeout"',
    )
    expect(() => c.cursor('select 1', { batchSize: 0 })).toThrow(
      'invalid cursor option "batchSize": expected an integer from 1',
    )
    await expect(c.copyFrom('copy t from stdin', [], { format: 'json' } as never)).rejects.toThrow(
      'invalid copyFrom option "format"',
    )
    expect(() => c.copyTo('copy t to stdout', { output: 'row' } as never)).toThrow(
      'invalid copyTo option "output"',
    )
    const pool = createPool(server.url, { max: 1 })
    pools.push(pool)
    await expect(pool.query('select 1', { pipeline: 'no' } as never)).rejects.toThrow(
      'invalid pool.query option "pipeline"',
    )
    expect(() => pool.cursor('select 1', { fetchSize: 5 } as never)).toThrow(
      'did you mean "batchSize"?',
    )
    await expect(pool.transaction({ retry: -1 }, async () => 1)).rejects.toThrow(
      'invalid transaction option "retry"',
    )
    await expect(pool.transaction({} as never)).rejects.toThrow(/needs a function/)
    await expect(
      Reflect.apply(pool.exec, pool, ['select 1', [1]]) as Promise<unknown>,
    ).rejects.toThrow(/no parameters/)
    expect((await pool.query('select 1 as one', [], { pipeline: false })).rows).toEqual([
      { one: 1 },
    ])
  })

  it('fails waiting checkouts at once when nothing listens, then connects once a server is there', async () => {
    const port = await closedPort()
    const target = new URL(server.url)
    const upstreamHost = target.hostname
    const upstreamPort = Number(target.port)
    target.hostname = '127.0.0.1'
    target.port = String(port)
    const pool = createPool(target.toString(), { acquireTimeout: 20_000 })
    pools.push(pool)
    const first = await rejection(pool.query('select 1'))
    expect((first as errors.ConnectionError).errno).toBe('ECONNREFUSED')
    const sockets = new Set<Socket>()
    const forwarder: Server = createServer((client) => {
      const up = tcpConnect(upstreamPort, upstreamHost)
      sockets.add(client).add(up)
      client.on('error', () => up.destroy())
      up.on('error', () => client.destroy())
      client.pipe(up).pipe(client)
    })
    await new Promise<void>((resolve) => forwarder.listen(port, '127.0.0.1', resolve))
    try {
      expect((await pool.query('select 2 as two')).rows).toEqual([{ two: 2 }])
    } finally {
      await pool.end({ timeout: 1_000 })
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => forwarder.close(() => resolve()))
    }
  })
})
