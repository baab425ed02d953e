import net from 'node:net'
import { type FaultProxy, startFaultProxy } from '@tusk/testkit'
import { runningStatement } from '@tusk/testkit/activity'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, errors } from '../../src/index.js'

const [server] = testServers()

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

/** A server on loopback that does `onStartup` with each client's first packet. */
async function rudeServer(onStartup: (socket: net.Socket) => void): Promise<number> {
  const sockets: net.Socket[] = []
  const s = net.createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    socket.once('data', () => onStartup(socket))
  })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy()
    return new Promise((r) => s.close(r))
  })
  return (s.address() as net.AddressInfo).port
}

describe('a failure before any statement of the user was written', () => {
  it('is safe to retry and not in doubt when the server resets the link after the StartupMessage', async () => {
    const port = await rudeServer((socket) => socket.resetAndDestroy())
    const err = await connect(`host=127.0.0.1 port=${port} user=u dbname=d sslmode=disable`).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(errors.ConnectionLost)
    expect(err).toMatchObject({ safeToRetry: true, inDoubt: false, phase: 'connect' })
  })

  it('is safe to retry and not in doubt when the server answers the StartupMessage with garbage', async () => {
    const port = await rudeServer((socket) => socket.write(Buffer.from('garbage, not a message')))
    const err = await connect(`host=127.0.0.1 port=${port} user=u dbname=d sslmode=disable`).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(errors.ConnectionLost)
    expect((err as errors.ConnectionLost).cause).toBeInstanceOf(errors.ProtocolError)
    expect(err).toMatchObject({ safeToRetry: true, inDoubt: false })
  })
})

describe.runIf(server)('a request held behind a COPY when the link breaks', () => {
  let proxy: FaultProxy | undefined
  afterEach(async () => {
    await proxy?.close()
    proxy = undefined
  })

  it('reports the held query as never sent (safe to retry), the COPY as sent but not applied (CopyDone never went out)', async () => {
    proxy = await startFaultProxy({ host: server!.host, port: server!.port })
    const url = server!.url.replace(`:${server!.port}/`, `:${proxy.port}/`)
    const c = await connect(`${url}?sslmode=disable`)
    cleanups.push(() => c.destroy())
    const admin = await connect(server!.url)
    cleanups.push(() => admin.close())
    await c.query('create temp table held_behind_copy (n int)')
    let finish: () => void = () => {}
    const never = new Promise<void>((r) => {
      finish = r
    })
    cleanups.push(finish)
    async function* rows() {
      yield '1\n'
      await never
    }
    const copying = c.copyFrom('copy held_behind_copy from stdin', rows()).catch((e: unknown) => e)
    const held = c.query('select 1 as one').catch((e: unknown) => e)
    // The COPY is on the wire: the server runs it (the row itself may still sit in the client's
    // buffer while the source is pending).
    await until(() => runningStatement(admin, c.processId, 'copy held_behind_copy'), {
      what: 'the COPY running on the server',
    })
    proxy.cutAll()
    const heldErr = await held
    expect(heldErr).toBeInstanceOf(errors.ConnectionLost)
    expect(heldErr).toMatchObject({ inDoubt: false, safeToRetry: true, query: 'select 1 as one' })
    const copyErr = await copying
    expect(copyErr).toBeInstanceOf(errors.ConnectionLost)
    // Its statement was written (not safe to retry), but without CopyDone the server cannot
    // have committed a row of it: not in doubt.
    expect(copyErr).toMatchObject({ inDoubt: false, safeToRetry: false })
  })
})
