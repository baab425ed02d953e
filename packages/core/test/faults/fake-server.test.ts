/**
 * A broken (rather than hostile) fake server: what a misconfigured server, or something that is
 * not PostgreSQL, answers. Scripted through the core's own codec; the hostile cases (lying
 * lengths, out-of-order messages, TLS and authentication attacks) live in hostile-server-*.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  AuthenticationError,
  ConnectionError,
  ConnectionLost,
  ProtocolError,
} from '../../src/errors/index.js'
import { connect } from '../../src/index.js'
import { failureOf, unhandledRejections } from './observed-failure.js'
import {
  frameWithLength,
  type ScriptedPeer,
  type ScriptedServer,
  startScriptedServer,
} from './scripted-server.js'

let server: ScriptedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  expect(unhandledRejections).toEqual([])
})

async function serve(script: (peer: ScriptedPeer) => Promise<void> | void) {
  server = await startScriptedServer(script)
  return server
}

describe('a broken server', () => {
  it('refuses a server whose client_encoding is not UTF8', { timeout: 5000 }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send(
        { type: 'AuthenticationOk' },
        { type: 'ParameterStatus', name: 'client_encoding', value: 'LATIN1' },
        { type: 'BackendKeyData', processId: 42, secretKey: new Uint8Array([0, 0, 0, 7]) },
        { type: 'ReadyForQuery', status: 'I' },
      )
    })
    const { error } = await failureOf(() => connect(s.conninfo()))
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).phase).toBe('startup')
    expect((error as ConnectionError).message).toContain('LATIN1')
  })

  it('gives a ProtocolError for text that is not a protocol message', {
    timeout: 5000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.write('garbage that is not a protocol message')
    })
    const { error } = await failureOf(() => connect(s.conninfo()))
    expect(error).toBeInstanceOf(ConnectionLost)
    expect((error as ConnectionLost).cause).toBeInstanceOf(ProtocolError)
    expect((error as ConnectionLost).message).toContain(
      "unknown backend message type byte 0x67 ('g')",
    )
  })

  it('gives a ProtocolError for an oversized length, without allocating it', {
    timeout: 5000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.write(frameWithLength({ type: 'DataRow', values: [] }, 0x7ffffff0))
    })
    const before = process.memoryUsage().arrayBuffers
    const { error } = await failureOf(() => connect(s.conninfo()))
    const cause = (error as ConnectionLost).cause as ProtocolError
    expect(cause).toBeInstanceOf(ProtocolError)
    expect(cause.messageType).toBe('DataRow')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024)
  })

  it('gives ConnectionLost naming the server when it closes after the startup packet', {
    timeout: 5000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.end()
    })
    const { error } = await failureOf(() => connect(s.conninfo()))
    expect(error).toBeInstanceOf(ConnectionLost)
    expect((error as ConnectionLost).phase).toBe('connect')
    expect((error as ConnectionLost).message).toContain(`127.0.0.1:${s.port}`)
  })

  it('asks for a password the user did not give, without sending anything', {
    timeout: 5000,
  }, async () => {
    let settle!: (type: string) => void
    const answer = new Promise<string>((resolve) => {
      settle = resolve
    })
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationCleartextPassword' })
      settle((await peer.next())?.type ?? 'closed')
    })
    // An empty environment: no PGPASSWORD, no home directory and so no .pgpass.
    const { error } = await failureOf(() =>
      connect(s.conninfo(), { runtime: { context: { env: {} } } }),
    )
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as AuthenticationError).safeToRetry).toBe(true)
    expect((error as AuthenticationError).message).toContain('but none was supplied')
    expect(await answer).toBe('closed')
  })
})
