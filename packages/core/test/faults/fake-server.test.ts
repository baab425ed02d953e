import net from 'node:net'
import { until } from '@tusk/testkit/until'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AuthenticationError,
  ConnectionError,
  ConnectionLost,
  ProtocolError,
  TlsError,
} from '../../src/errors/index.js'
import { connect } from '../../src/index.js'

/** A scripted server: `script` gets each client socket and everything it has sent so far. */
async function fakeServer(script: (socket: net.Socket, received: () => Buffer) => void) {
  const sockets: net.Socket[] = []
  const server = net.createServer((socket) => {
    sockets.push(socket)
    let got = Buffer.alloc(0)
    socket.on('data', (d) => {
      got = Buffer.concat([got, d])
    })
    socket.on('error', () => {})
    script(socket, () => got)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy()
      server.close()
    },
  }
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

/** Waits until the client's startup packet (or SSLRequest) has arrived, then runs `then`. */
function afterFirstPacket(socket: net.Socket, then: () => void): void {
  socket.once('data', () => then())
}

let cleanup: (() => void) | undefined
afterEach(() => {
  cleanup?.()
  cleanup = undefined
})

const unhandled: unknown[] = []
process.on('unhandledRejection', (e) => unhandled.push(e))

describe('a hostile or broken server', () => {
  it('refuses a server whose client_encoding is not UTF8', { timeout: 3000 }, async () => {
    const s = await fakeServer((sock) =>
      afterFirstPacket(sock, () =>
        sock.write(
          Buffer.concat([
            message('R', int32(0)),
            message('S', Buffer.from('client_encoding\0LATIN1\0')),
            message('K', Buffer.concat([int32(42), int32(7)])),
            message('Z', Buffer.from('I')),
          ]),
        ),
      ),
    )
    cleanup = s.close
    const err = await connect(
      `host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=disable`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err.message).toContain('LATIN1')
  })

  it('gives a ProtocolError for garbage instead of a message', { timeout: 3000 }, async () => {
    const s = await fakeServer((sock) =>
      afterFirstPacket(sock, () => sock.write('garbage that is not a protocol message')),
    )
    cleanup = s.close
    const err = await connect(
      `host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=disable`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(ConnectionLost)
    expect(err.cause).toBeInstanceOf(ProtocolError)
    expect(err.message).toMatch(/unknown|type/i)
    expect(unhandled).toEqual([])
  })

  it('gives a ProtocolError for an oversized length, without allocating it', {
    timeout: 3000,
  }, async () => {
    const s = await fakeServer((sock) =>
      afterFirstPacket(sock, () =>
        sock.write(Buffer.concat([Buffer.from('D'), int32(0x7ffffff0)])),
      ),
    )
    cleanup = s.close
    const before = process.memoryUsage().arrayBuffers
    const err = await connect(
      `host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=disable`,
    ).catch((e) => e)
    expect(err.cause).toBeInstanceOf(ProtocolError)
    expect(err.cause.messageType).toBe('DataRow')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024)
  })

  it('gives ConnectionLost when the server closes in the middle of a message', {
    timeout: 3000,
  }, async () => {
    const s = await fakeServer((sock) =>
      afterFirstPacket(sock, () =>
        sock.end(Buffer.concat([Buffer.from('R'), int32(8), Buffer.from([0, 0])])),
      ),
    )
    cleanup = s.close
    const err = await connect(
      `host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=disable`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(ConnectionLost)
    expect(err.phase).toBe('connect')
    expect(err.message).toContain(`127.0.0.1:${s.port}`)
  })

  it('refuses bytes sent between the SSL answer and the handshake (CVE-2021-23222)', {
    timeout: 3000,
  }, async () => {
    const injected = message('Z', Buffer.from('I'))
    const s = await fakeServer((sock) =>
      afterFirstPacket(sock, () => sock.write(Buffer.concat([Buffer.from('S'), injected]))),
    )
    cleanup = s.close
    const err = await connect(
      `host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=require`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err.message).toContain('CVE-2021-23222')
  })

  it('refuses a server without TLS under sslmode=require', { timeout: 3000 }, async () => {
    const s = await fakeServer((sock) => afterFirstPacket(sock, () => sock.write('N')))
    cleanup = s.close
    const err = await connect(
      `host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=require`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(TlsError)
    expect(err.message).toContain('does not support SSL')
  })

  it('never sends the password to a server that asks for cleartext under channel_binding=require', {
    timeout: 3000,
  }, async () => {
    let received: () => Buffer = () => Buffer.alloc(0)
    let clientGone = false
    const s = await fakeServer((sock, got) => {
      received = got
      sock.on('close', () => {
        clientGone = true
      })
      afterFirstPacket(sock, () => sock.write(message('R', int32(3))))
    })
    cleanup = s.close
    const err = await connect(
      `host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=disable password=sekrit-pw channel_binding=require`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(AuthenticationError)
    // Everything the client will ever send has arrived once it closed the link.
    await until(() => clientGone, { what: 'the client to close the link' })
    expect(received().toString('latin1')).not.toContain('sekrit-pw')
  })

  it('refuses a server that skips authentication when require_auth demands SCRAM', {
    timeout: 3000,
  }, async () => {
    const s = await fakeServer((sock) =>
      afterFirstPacket(sock, () => sock.write(message('R', int32(0)))),
    )
    cleanup = s.close
    const err = await connect(
      `host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=disable password=p require_auth=scram-sha-256`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(AuthenticationError)
  })

  it('gives a ProtocolError for a message that arrives with no request pending', {
    timeout: 3000,
  }, async () => {
    const ready = Buffer.concat([
      message('R', int32(0)),
      message('K', Buffer.concat([int32(42), int32(7)])),
      message('S', Buffer.from('client_encoding\0UTF8\0')),
      message('Z', Buffer.from('I')),
    ])
    let sock!: net.Socket
    const s = await fakeServer((so) => {
      sock = so
      afterFirstPacket(so, () => so.write(ready))
    })
    cleanup = s.close
    const closed: unknown[] = []
    const c = await connect(`host=127.0.0.1 port=${s.port} user=u dbname=d sslmode=disable`, {
      onClose: (e) => closed.push(e),
    })
    sock.write(message('C', Buffer.from('SELECT 1\0')))
    await until(() => c.closed && closed.length > 0, { what: 'the client to drop the link' })
    expect(closed).toHaveLength(1)
    expect(closed[0]).toBeInstanceOf(ConnectionLost)
    expect((closed[0] as ConnectionLost).cause).toBeInstanceOf(ProtocolError)
  })
})
