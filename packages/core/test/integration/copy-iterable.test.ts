// copyToIterable(): COPY TO STDOUT as an async iterable (no Node stream), on sessions,
// transactions and pools — backpressure, early break, server errors, signal and timeout.
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import {
  CopyToIterable,
  connect,
  createPool,
  errors,
  type Pool,
  type Session,
} from '../../src/index.js'

const servers = testServers()
const open: (Session | Pool)[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => ('end' in c ? c.end() : c.close()).catch(() => {})))
})

/** Each row: its number and 90 characters of padding (about 100 bytes per row). */
const wide = (n: number) =>
  `copy (select i, repeat('x', 90) from generate_series(1, ${n}) as i) to stdout`

const text = new TextDecoder()

describe.each(servers.map((s) => [s.name, s] as const))('copyToIterable on %s', (_n, server) => {
  // A cancel unanswered within cancelGrace closes the connection (2 s by default): on a loaded
  // machine the cancel of a large COPY may take longer, and these tests want the session back.
  const cancelGrace = 30_000

  async function conn(): Promise<Session> {
    const c = await connect(server.url, { cancelGrace })
    open.push(c)
    return c
  }

  it('yields Uint8Array chunks that join to the whole output, then sets rowCount', async () => {
    const c = await conn()
    const out = c.copyToIterable(
      'copy (select i, i * 2 from generate_series(1, 20000) as i) to stdout',
    )
    expect(out).toBeInstanceOf(CopyToIterable)
    const parts: string[] = []
    let chunks = 0
    for await (const chunk of out) {
      expect(chunk).toBeInstanceOf(Uint8Array)
      expect(Buffer.isBuffer(chunk)).toBe(false)
      parts.push(text.decode(chunk, { stream: true }))
      chunks++
    }
    const lines = parts.join('').split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.length).toBe(20000)
    expect(lines[0]).toBe('1\t2')
    expect(lines[19999]).toBe('20000\t40000')
    expect(chunks).toBeLessThan(20000)
    expect(out.rowCount).toBe(20000)
    expect(out.closed).toBe(true)
    expect(await c.queryOne('select 1 as one')).toEqual({ one: 1 })
  })

  it("decodes text-format rows with output: 'rows'", async () => {
    const c = await conn()
    const rows: (string | null)[][] = []
    const out = c.copyToIterable("copy (select 1, null::text, E'a\\tb') to stdout", {
      output: 'rows',
    })
    for await (const row of out) rows.push(row)
    expect(rows).toEqual([['1', null, 'a\tb']])
    expect(out.rowCount).toBe(1)
  })

  it('reads the socket only as fast as the loop iterates (the server waits on ClientWrite)', async () => {
    const c = await conn()
    const watcher = await conn()
    const pid = (await c.queryOne<{ pid: number }>('select pg_backend_pid() as pid'))!.pid
    const out = c.copyToIterable(wide(400_000))
    const it = out[Symbol.asyncIterator]()
    const first = await it.next()
    expect(first.done).toBe(false)
    // ~40 MB of output, of which the driver holds at most its high-water mark: the server blocks.
    await until(
      async () =>
        (await watcher.queryOne<{ w: string | null }>(
          'select wait_event as w from pg_stat_activity where pid = $1',
          [pid],
        ))!.w === 'ClientWrite',
      { timeout: 20_000, what: 'the COPY backend blocked on ClientWrite' },
    )
    let rows = 0
    let tail = ''
    for (let step = first; !step.done; step = await it.next()) {
      const s = tail + text.decode(step.value, { stream: true })
      const cut = s.lastIndexOf('\n')
      rows += s.slice(0, cut + 1).split('\n').length - 1
      tail = s.slice(cut + 1)
    }
    expect(rows).toBe(400_000)
    expect(out.rowCount).toBe(400_000)
  })

  it('cancels the COPY on an early break and leaves the session idle and usable', async () => {
    const c = await conn()
    const out = c.copyToIterable(wide(300_000))
    let seen = 0
    for await (const chunk of out) {
      seen += chunk.length
      if (seen > 100_000) break
    }
    expect(out.closed).toBe(true)
    expect(out.rowCount).toBeUndefined()
    expect(c.closed).toBe(false)
    expect(c.transactionStatus).toBe('I')
    expect(await c.queryOne('select 2 as two')).toEqual({ two: 2 })
    // A second loop over a closed iterable ends at once.
    for await (const _ of out) throw new Error('no data after close')
  })

  it('closes with await using and with close() before reading anything', async () => {
    const c = await conn()
    {
      await using out = c.copyToIterable(wide(200_000))
      expect(out.closed).toBe(false)
    }
    const unread = c.copyToIterable(wide(200_000))
    await unread.close()
    await unread.close()
    expect(await c.queryOne('select 3 as three')).toEqual({ three: 3 })
  })

  it('delivers the data sent before a server error, then the error as its class', async () => {
    const c = await conn()
    const out = c.copyToIterable(
      'copy (select case when i = 150000 then 1 / (i - i) else i end, repeat($$y$$, 40) from generate_series(1, 200000) as i) to stdout',
    )
    let bytes = 0
    const err = await (async () => {
      for await (const chunk of out) bytes += chunk.length
    })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(errors.DivisionByZero)
    expect(err).toBeInstanceOf(errors.DataError)
    expect((err as errors.DatabaseError).code).toBe('22012')
    expect(bytes).toBeGreaterThan(0)
    expect(out.rowCount).toBeUndefined()
    expect(c.transactionStatus).toBe('I')
    expect(await c.queryOne('select 4 as four')).toEqual({ four: 4 })
  })

  it('stops on the signal and on the timeout with QueryCanceled, the session still usable', async () => {
    const c = await conn()
    const timed = c.copyToIterable('copy (select pg_sleep(30)) to stdout', { timeout: 200 })
    const late = await (async () => {
      for await (const _ of timed) throw new Error('no row expected')
    })().catch((e: unknown) => e)
    expect(late).toBeInstanceOf(errors.QueryCanceled)
    expect((late as { reason?: string }).reason).toBe('timeout')
    expect(await c.queryOne('select 5 as five')).toEqual({ five: 5 })

    const ac = new AbortController()
    const aborted = c.copyToIterable(wide(300_000), { signal: ac.signal })
    const err = await (async () => {
      for await (const _ of aborted) ac.abort()
    })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(errors.QueryCanceled)
    expect((err as { reason?: string }).reason).toBe('abort')
    expect(await c.queryOne('select 6 as six')).toEqual({ six: 6 })
  })

  it('refuses a statement that is not COPY TO STDOUT and keeps what is queued behind it', async () => {
    const c = await conn()
    await c.exec('create temp table wrong_way (x int)')
    const wrongWay = (async () => {
      for await (const _ of c.copyToIterable('copy wrong_way from stdin')) return 'data'
    })().catch((e: unknown) => e)
    const behind = c.queryOne('select 7 as seven')
    expect(await wrongWay).toBeInstanceOf(errors.InterfaceError)
    expect(await behind).toEqual({ seven: 7 })
    const notCopy = await (async () => {
      for await (const _ of c.copyToIterable('select 1')) return 'data'
    })().catch((e: unknown) => e)
    expect(notCopy).toBeInstanceOf(errors.InterfaceError)
    expect(() => c.copyToIterable(42 as unknown as string)).toThrow(/^copyToIterable\(\) needs/)
  })

  it('runs in a transaction (seeing its own rows) and through a pool, releasing the connection', async () => {
    const c = await conn()
    const seen = await c.transaction(async (tx) => {
      await tx.exec('create temp table tx_copy (x int); insert into tx_copy values (1), (2)')
      const rows: (string | null)[][] = []
      for await (const row of tx.copyToIterable('copy tx_copy to stdout', { output: 'rows' }))
        rows.push(row)
      return rows
    })
    expect(seen).toEqual([['1'], ['2']])

    const pool = createPool(server.url, { max: 1, cancelGrace })
    open.push(pool)
    const parts: string[] = []
    for await (const chunk of pool.copyToIterable('copy (select 1 union all select 2) to stdout'))
      parts.push(text.decode(chunk))
    expect(parts.join('')).toBe('1\n2\n')
    for await (const _ of pool.copyToIterable(wide(300_000))) break
    const notCopy = await (async () => {
      for await (const _ of pool.copyToIterable('select 1')) return 'data'
    })().catch((e: unknown) => e)
    expect(notCopy).toBeInstanceOf(errors.InterfaceError)
    expect(await pool.queryOne('select 8 as eight')).toEqual({ eight: 8 })
    expect(pool.stats()).toMatchObject({ total: 1, busy: 0 })
  })
})
