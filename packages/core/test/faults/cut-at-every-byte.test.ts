import net from 'node:net'
import { testServers } from '@tusk/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { connect, errors } from '../../src/index.js'

const [server] = testServers()

/**
 * A proxy that forwards the startup, then lets through only `budget` bytes of the server's
 * answers to later requests before cutting both sides: "abort after step i, for every i".
 */
async function cuttingProxy(target: { host: string; port: number }, budget: () => number) {
  const sockets = new Set<net.Socket>()
  const proxy = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    sockets.add(client).add(upstream)
    let armed = false
    let left = 0
    const cut = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', cut)
    upstream.on('error', cut)
    client.on('data', (d: Buffer) => {
      // The first Bind ('B') arms the budget: everything before it is the session's startup.
      if (!armed && d.includes(0x42) && d.toString('latin1').includes('tusk-cut-probe')) {
        armed = true
        left = budget()
      }
      upstream.write(d)
    })
    upstream.on('data', (d: Buffer) => {
      if (!armed) return void client.write(d)
      if (d.length <= left) {
        left -= d.length
        client.write(d)
        return
      }
      client.write(d.subarray(0, left))
      left = 0
      setImmediate(cut)
    })
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
  return {
    port: (proxy.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise<void>((r) => proxy.close(() => r()))
    },
  }
}

describe.runIf(server)('a connection cut at every byte of an answer', () => {
  it('fails with ConnectionLost (never hangs, never crashes) or succeeds once the answer is whole', async () => {
    const sql = "select 1 as n, 'tusk-cut-probe' as tag"
    const reference = await connect(`${server!.url}?sslmode=disable`)
    await reference.query(sql)
    await reference.close()
    let budget = 0
    const proxy = await cuttingProxy({ host: server!.host, port: server!.port }, () => budget)
    try {
      let succeededAt = -1
      for (budget = 0; budget < 200 && succeededAt < 0; budget++) {
        const url = server!.url.replace(`:${server!.port}/`, `:${proxy.port}/`)
        const c = await connect(`${url}?sslmode=disable`)
        const outcome = await Promise.race([
          c.query(sql).then(
            (r) => ({ ok: true as const, r }),
            (e: unknown) => ({ ok: false as const, e }),
          ),
          new Promise<'hang'>((r) => setTimeout(() => r('hang'), 3000)),
        ])
        expect(outcome).not.toBe('hang')
        if (outcome !== 'hang' && outcome.ok) {
          expect(outcome.r.rows).toEqual([{ n: 1, tag: 'tusk-cut-probe' }])
          succeededAt = budget
        } else if (outcome !== 'hang') {
          expect(outcome.e).toBeInstanceOf(errors.ConnectionLost)
          expect((outcome.e as errors.ConnectionLost).inDoubt).toBe(true)
          expect(c.closed).toBe(true)
          await expect(c.query('select 1')).rejects.toBeInstanceOf(errors.ConnectionClosed)
        }
        c.destroy()
      }
      // Every shorter prefix failed cleanly; the first whole answer succeeded.
      expect(succeededAt).toBeGreaterThan(20)
    } finally {
      await proxy.close()
    }
  }, 120_000)
})
