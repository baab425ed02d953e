import { type FaultProxy, startFaultProxy } from '@tusk/testkit'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, createPool, errors, type Pool } from '../../src/index.js'

const [server] = testServers()

/** The grace after a timeout or abort (the `cancelGrace` default), as documented in the README. */
const GRACE_MS = 2_000

let proxy: FaultProxy | undefined
const pools: Pool[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end({ timeout: 1000 })))
  await proxy?.close()
  proxy = undefined
})

/** The server's URL through a fresh fault proxy. */
async function proxied(): Promise<string> {
  proxy = await startFaultProxy({ host: server!.host, port: server!.port })
  return `${server!.url.replace(`:${server!.port}/`, `:${proxy.port}/`)}?sslmode=disable`
}

/** Settles `p` into a value or its error, or `'pending'` when it is still pending after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | unknown> {
  return Promise.race([
    p.catch((e: unknown) => e),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms)),
  ])
}

describe.runIf(server)('a link that went silent (no data, no FIN, no RST)', () => {
  it('rejects a query past its timeout within the grace, and closes the connection as lost', async () => {
    const c = await connect(await proxied())
    await c.query('select 1')
    proxy!.blackholeOpen()
    const t0 = Date.now()
    const timed = c.query('select 1 as one', [], { timeout: 1500 })
    const behind = c.query('select 2 as two').catch((e: unknown) => e)
    const err = await within(timed, 1500 + GRACE_MS + 3000)
    const took = Date.now() - t0
    expect(err).toBeInstanceOf(errors.QueryCanceled)
    expect((err as errors.QueryCanceled & { reason?: string }).reason).toBe('timeout')
    expect((err as errors.QueryCanceled).inDoubt).toBe(true)
    expect((err as errors.QueryCanceled).cause).toBeInstanceOf(errors.ConnectionLost)
    expect(took).toBeGreaterThanOrEqual(1500 + GRACE_MS - 100)
    expect(took).toBeLessThan(1500 + GRACE_MS + 1500)
    const lost = await within(behind, 1000)
    expect(lost).toBeInstanceOf(errors.ConnectionLost)
    expect(c.closed).toBe(true)
    await expect(c.query('select 3')).rejects.toBeInstanceOf(errors.ConnectionClosed)
  }, 15_000)

  it('bounds close({ timeout }) on a pending query: the query fails in doubt and the link is dropped', async () => {
    const c = await connect(await proxied())
    await c.query('select 1')
    proxy!.blackholeOpen()
    const pending = c.query('insert into nowhere values (1)').catch((e: unknown) => e)
    const t0 = Date.now()
    expect(await within(c.close({ timeout: 300 }), 3000)).toBeUndefined()
    const took = Date.now() - t0
    expect(took).toBeGreaterThanOrEqual(290)
    expect(took).toBeLessThan(1500)
    const err = await within(pending, 1000)
    expect(err).toBeInstanceOf(errors.ConnectionClosed)
    expect((err as errors.ConnectionClosed).inDoubt).toBe(true)
    expect(c.closed).toBe(true)
    // Without a timeout the close waits for the query: still pending after a second.
    const d = await connect(await proxied())
    await d.query('select 1')
    proxy!.blackholeOpen()
    void d.query('select 1').catch(() => {})
    expect(await within(d.close(), 1000)).toBe('pending')
    d.destroy()
    await expect(c.close()).resolves.toBeUndefined()
    await expect(c.close({ timeout: -1 })).rejects.toBeInstanceOf(errors.ConfigError)
    await expect(d.close({ timeout: Number.NaN })).rejects.toThrow('invalid close option "timeout"')
  }, 15_000)

  it('rejects an aborted query within the same grace', async () => {
    const c = await connect(await proxied(), { cancelGrace: 500 })
    await c.query('select 1')
    proxy!.blackholeOpen()
    const controller = new AbortController()
    const aborted = c.query('select 1 as one', [], { signal: controller.signal })
    setTimeout(() => controller.abort(), 200)
    const t0 = Date.now()
    const err = await within(aborted, 5000)
    const took = Date.now() - t0
    expect(err).toBeInstanceOf(errors.QueryCanceled)
    expect((err as errors.QueryCanceled & { reason?: string }).reason).toBe('abort')
    expect(took).toBeGreaterThanOrEqual(200 + 500 - 100)
    expect(took).toBeLessThan(200 + 500 + 1500)
    expect(c.closed).toBe(true)
  }, 15_000)

  it('keeps the bound when the signal aborts a query whose timeout already fired', async () => {
    const c = await connect(await proxied(), { cancelGrace: 1000 })
    await c.query('select 1')
    proxy!.blackholeOpen()
    const controller = new AbortController()
    const t0 = Date.now()
    const q = c.query('select 1 as one', [], { timeout: 300, signal: controller.signal })
    setTimeout(() => controller.abort(), 600)
    const err = await within(q, 5000)
    expect(err).toBeInstanceOf(errors.QueryCanceled)
    expect((err as errors.QueryCanceled & { reason?: string }).reason).toBe('timeout')
    expect(Date.now() - t0).toBeLessThan(300 + 1000 + 1500)
    expect(c.closed).toBe(true)
  }, 15_000)

  it('replaces a pooled connection whose timed-out query got no answer; end() does not wait for it', async () => {
    const p = createPool(await proxied(), { max: 1, cancelGrace: 500 })
    pools.push(p)
    await p.query('select 1')
    proxy!.blackholeOpen()
    const err = await within(p.query('select 1 as one', [], { timeout: 300 }), 5000)
    expect(err).toBeInstanceOf(errors.QueryCanceled)
    expect((err as errors.QueryCanceled & { reason?: string }).reason).toBe('timeout')
    // New connections through the proxy still flow: the pool opened a fresh one.
    expect(await within(p.query('select 5 as five'), 5000)).toMatchObject({
      rows: [{ five: 5 }],
    })
    expect(p.stats().destroyed.error).toBe(1)
    const t0 = Date.now()
    await p.end()
    expect(Date.now() - t0).toBeLessThan(2000)
  }, 15_000)

  it('ends a pool at its deadline even when a pipelined connection hangs', async () => {
    // A long pipelineStallMs: the four statements share the one connection however slow this machine is.
    const p = createPool(await proxied(), {
      min: 1,
      max: 1,
      maxPipeline: 8,
      pipelineStallMs: 60_000,
    })
    pools.push(p)
    await p.query('select 1')
    proxy!.blackholeOpen()
    const hung = Array.from({ length: 4 }, (_, i) =>
      p.query('select $1::int as i', [i]).catch((e: unknown) => e),
    )
    expect(p.stats().pipelined).toBe(3)
    const t0 = Date.now()
    expect(await within(p.end({ timeout: 500 }), 5000)).toBeUndefined()
    expect(Date.now() - t0).toBeLessThan(2000)
    for (const q of hung) {
      const e = await within(q, 1000)
      expect(e).toBeInstanceOf(errors.ConnectionClosed)
      expect((e as errors.ConnectionClosed).inDoubt).toBe(true)
    }
    expect(p.stats().total).toBe(0)
  }, 15_000)
})
