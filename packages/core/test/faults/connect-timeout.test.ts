import net from 'node:net'
import { until } from '@tusk/testkit/until'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, createPool, errors, type TuskError } from '../../src/index.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

/** A server on loopback that accepts connections and never says a word. */
async function silentServer(): Promise<number> {
  const sockets: net.Socket[] = []
  const s = net.createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
  })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy()
    return new Promise((r) => s.close(r))
  })
  return (s.address() as net.AddressInfo).port
}

/** Settles `p` into its value or error, or `'pending'` after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | unknown> {
  return Promise.race([
    p.catch((e: unknown) => e),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms)),
  ])
}

describe('connectTimeout in milliseconds', () => {
  it('times out connect() at a 500 ms connectTimeout, under libpq’s 2 s floor', async () => {
    const port = await silentServer()
    const t0 = Date.now()
    const err = await within(
      connect(`host=127.0.0.1 port=${port} user=u dbname=d sslmode=disable`, {
        connectTimeout: 500,
      }),
      5000,
    )
    const took = Date.now() - t0
    expect(err).toBeInstanceOf(errors.ConnectTimeout)
    expect((err as Error).message).toContain('500 ms')
    expect(took).toBeGreaterThanOrEqual(450)
    expect(took).toBeLessThan(1500)
  })

  it('times out a pool’s connect at its 500 ms connectTimeout', async () => {
    const port = await silentServer()
    const failures: { error: TuskError; at: number }[] = []
    const t0 = Date.now()
    const p = createPool(`host=127.0.0.1 port=${port} user=u dbname=d sslmode=disable`, {
      connectTimeout: 500,
      acquireTimeout: 4000,
      onError: (error) => failures.push({ error, at: Date.now() - t0 }),
    })
    cleanups.push(() => p.end({ timeout: 500 }))
    const query = p.query('select 1').catch((e: unknown) => e)
    await until(() => failures.length > 0, { what: 'the pool to report a connect failure' })
    expect(failures[0]?.error).toBeInstanceOf(errors.ConnectTimeout)
    expect(failures[0]!.at).toBeGreaterThanOrEqual(450)
    expect(failures[0]!.at).toBeLessThan(1500)
    await p.end({ timeout: 500 })
    expect(await query).toBeInstanceOf(errors.PoolClosedError)
  })

  it('keeps libpq’s whole seconds for the connect_timeout keyword', async () => {
    const port = await silentServer()
    const t0 = Date.now()
    const err = await within(
      connect(`host=127.0.0.1 port=${port} user=u dbname=d sslmode=disable connect_timeout=1`),
      5000,
    )
    expect(err).toBeInstanceOf(errors.ConnectTimeout)
    // libpq turns 1 into 2 s so that rounding cannot cut the wait short.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900)
  })
})
