/**
 * Hostile servers at the protocol level, scripted with the core's own encoder: lying lengths,
 * unknown message types, messages out of order, a server that closes mid-message or never
 * speaks. Each case checks the taxonomy class and its key fields, a time bound, that no
 * rejection goes unhandled and that the password never shows in the error.
 */
import { until } from '@tusk/testkit/until'
import { afterEach, describe, expect, it } from 'vitest'
import {
  ConnectionClosed,
  ConnectionLost,
  ConnectTimeout,
  PoolTimeoutError,
  ProtocolError,
  ProtocolViolation,
  QueryCanceled,
} from '../../src/errors/index.js'
import { connect, createPool, type Session } from '../../src/index.js'
import { BackendCode, type BackendMessage } from '../../src/protocol/index.js'
import { failureOf, renderings, SECRET, unhandledRejections } from './observed-failure.js'
import {
  dataRow,
  frame,
  frameOf,
  frameOfUnknownType,
  frameWithLength,
  READY,
  type ScriptedPeer,
  type ScriptedServer,
  startScriptedServer,
} from './scripted-server.js'

/** An immediate refusal must come well inside this (2-core machines, other suites running). */
const PROMPT_MS = 2_000

let server: ScriptedServer | undefined
let session: Session | undefined
afterEach(async () => {
  session?.destroy()
  session = undefined
  await server?.close()
  server = undefined
  expect(unhandledRejections).toEqual([])
})

async function serve(
  script: (peer: ScriptedPeer) => Promise<void> | void,
): Promise<ScriptedServer> {
  server = await startScriptedServer(script)
  return server
}

function open(s: ScriptedServer, options: Parameters<typeof connect>[1] = {}): Promise<Session> {
  return connect(s.conninfo(`password=${SECRET}`), { connectTimeout: 5_000, ...options })
}

/** Startup answered as a trusting server would, then `after` runs on the ready session. */
async function readyThen(peer: ScriptedPeer, after: (peer: ScriptedPeer) => Promise<void> | void) {
  if ((await peer.startup()) === undefined) return
  peer.send(...READY)
  await after(peer)
}

/** Answers the next extended-protocol batch (up to its Sync) with `answer`. */
async function answerQuery(peer: ScriptedPeer, answer: Uint8Array[]): Promise<void> {
  if ((await peer.expect('Sync')) === undefined) return
  for (const bytes of answer) peer.write(bytes)
}

const ONE_INT: BackendMessage = {
  type: 'RowDescription',
  fields: [
    {
      name: 'n',
      tableOid: 0,
      columnAttr: 0,
      typeOid: 23,
      typeSize: 4,
      typeModifier: -1,
      format: 0,
    },
  ],
}

/** A failed connect reports the link's loss with the protocol error as its cause. */
function expectLostAtConnect(error: unknown, s: ScriptedServer): ProtocolError {
  expect(error).toBeInstanceOf(ConnectionLost)
  const lost = error as ConnectionLost
  expect(lost.phase).toBe('connect')
  expect(lost.host).toBe(`127.0.0.1:${s.port}`)
  expect(lost.safeToRetry).toBe(true)
  expect(lost.inDoubt).toBeFalsy()
  expect(lost.cause).toBeInstanceOf(ProtocolError)
  expect(renderings(error)).not.toContain(SECRET)
  return lost.cause as ProtocolError
}

describe('a hostile server: message lengths', () => {
  it.each([0, 3, -1, -0x80000000])(
    'refuses a ReadyForQuery whose length %i is below the 4 bytes of the length itself',
    { timeout: 10_000 },
    async (length) => {
      const s = await serve(async (peer) => {
        await peer.startup()
        peer.send({ type: 'AuthenticationOk' })
        peer.write(frameWithLength({ type: 'ReadyForQuery', status: 'I' }, length))
      })
      const { error, ms } = await failureOf(() => open(s))
      const cause = expectLostAtConnect(error, s)
      expect(cause.messageType).toBe('ReadyForQuery')
      expect(cause.message).toContain(`length ${length} is below 4`)
      expect(ms).toBeLessThan(PROMPT_MS)
    },
  )

  it('refuses a fixed-size message with the wrong length', { timeout: 10_000 }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationOk' })
      peer.write(frameWithLength({ type: 'ReadyForQuery', status: 'I' }, 6))
    })
    const { error, ms } = await failureOf(() => open(s))
    const cause = expectLostAtConnect(error, s)
    expect(cause.message).toBe('ReadyForQuery: length 6 is wrong, must be 5')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a BackendKeyData longer than the 256-byte key allows', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationOk' })
      peer.write(frame({ type: 'BackendKeyData', processId: 1, secretKey: new Uint8Array(300) }))
    })
    const { error, ms } = await failureOf(() => open(s))
    const cause = expectLostAtConnect(error, s)
    expect(cause.messageType).toBe('BackendKeyData')
    expect(cause.message).toContain('exceeds the maximum of 264')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a declared length above maxMessageSize before buffering any of it', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationOk' })
      // Declares 64 MiB, then really sends 8 MiB of it: none may be kept.
      const bulk = new Uint8Array(8 << 20).fill(0x61)
      peer.write(frameWithLength({ type: 'ParameterStatus', name: 'x', value: '' }, 64 << 20))
      peer.write(bulk)
    })
    const before = process.memoryUsage().arrayBuffers
    const { error, ms } = await failureOf(() => open(s, { maxMessageSize: 64 * 1024 }))
    const cause = expectLostAtConnect(error, s)
    expect(cause.messageType).toBe('ParameterStatus')
    expect(cause.message).toContain(`length ${64 << 20} exceeds maxMessageSize (65536)`)
    expect(ms).toBeLessThan(PROMPT_MS)
    // The server's own 8 MiB buffer is counted here too; the client must add nothing near 64 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20)
  })

  it('refuses an authentication request longer than any server sends, before buffering it', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] })
      if ((await peer.expect('SASLInitialResponse')) === undefined) return
      // 512 MiB is under the default maxMessageSize (1 GiB); 16 MiB of it really arrives.
      const head = { type: 'AuthenticationSASLContinue', data: new Uint8Array(0) } as const
      peer.write(frameWithLength(head, 512 << 20))
      peer.write(new Uint8Array(16 << 20).fill(0x61))
    })
    const before = process.memoryUsage().arrayBuffers
    const { error, ms } = await failureOf(() => open(s, { connectTimeout: 3_000 }))
    const cause = expectLostAtConnect(error, s)
    expect(cause.messageType).toBe('Authentication')
    expect(cause.message).toBe(`Authentication: length ${512 << 20} exceeds the maximum of 65543`)
    expect(ms).toBeLessThan(PROMPT_MS)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(48 << 20)
  })

  it('refuses a DataRow declaring 2 GiB in the middle of a query, naming the query', {
    timeout: 10_000,
  }, async () => {
    const s = await serve((peer) =>
      readyThen(peer, (p) =>
        answerQuery(p, [
          frame({ type: 'ParseComplete' }),
          frame({ type: 'BindComplete' }),
          frame(ONE_INT),
          frameWithLength(dataRow('1'), 0x7fffffff),
        ]),
      ),
    )
    session = await open(s)
    const { error, ms } = await failureOf(() => session!.query('select 1 as n'))
    expect(error).toBeInstanceOf(ConnectionLost)
    const lost = error as ConnectionLost
    expect(lost.phase).toBe('query')
    expect(lost.query).toBe('select 1 as n')
    expect(lost.safeToRetry).toBe(false)
    expect(lost.cause).toBeInstanceOf(ProtocolError)
    expect((lost.cause as ProtocolError).messageType).toBe('DataRow')
    expect((lost.cause as ProtocolError).message).toContain('exceeds maxMessageSize')
    expect(session.closed).toBe(true)
    expect(renderings(error)).not.toContain(SECRET)
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a CommandComplete whose length cuts off its terminator', {
    timeout: 10_000,
  }, async () => {
    const s = await serve((peer) =>
      readyThen(peer, (p) =>
        answerQuery(p, [
          frame({ type: 'ParseComplete' }),
          frame({ type: 'BindComplete' }),
          frame({ type: 'NoData' }),
          // "SELECT 1\0" declared one byte short: the body has no NUL.
          frameWithLength({ type: 'CommandComplete', tag: 'SELECT 1' }, 4 + 8),
          frame({ type: 'ReadyForQuery', status: 'I' }),
        ]),
      ),
    )
    session = await open(s)
    const { error, ms } = await failureOf(() => session!.query('select'))
    expect(error).toBeInstanceOf(ConnectionLost)
    expect((error as ConnectionLost).cause).toBeInstanceOf(ProtocolError)
    expect(((error as ConnectionLost).cause as ProtocolError).messageType).toBe('CommandComplete')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('bounds a message that never completes mid-query by timeout plus cancelGrace', {
    timeout: 10_000,
  }, async () => {
    // The CancelRequest comes on a second connection, which `startup()` reads and ignores.
    const s = await serve((peer) =>
      readyThen(peer, (p) =>
        answerQuery(p, [
          frame({ type: 'ParseComplete' }),
          frame({ type: 'BindComplete' }),
          frame(ONE_INT),
          // Declares 1000 bytes, sends the first 11, then stalls.
          frameWithLength(dataRow('1'), 1000),
        ]),
      ),
    )
    session = await open(s, { cancelGrace: 300 })
    const { error, ms } = await failureOf(() =>
      session!.query('select 1 as n', [], { timeout: 300 }),
    )
    expect(error).toBeInstanceOf(QueryCanceled)
    expect((error as QueryCanceled).query).toBe('select 1 as n')
    expect((error as QueryCanceled).cause).toBeInstanceOf(ConnectionLost)
    expect(session.closed).toBe(true)
    expect(ms).toBeGreaterThanOrEqual(550)
    expect(ms).toBeLessThan(600 + PROMPT_MS)
  })
})

describe('a hostile server: bodies that contradict themselves', () => {
  async function queryAnsweredWith(answer: Uint8Array[]) {
    const s = await serve((peer) =>
      readyThen(peer, (p) =>
        answerQuery(p, [
          frame({ type: 'ParseComplete' }),
          frame({ type: 'BindComplete' }),
          ...answer,
        ]),
      ),
    )
    session = await open(s)
    return failureOf(() => session!.query('select 1 as n'))
  }

  it('refuses a RowDescription counting 65535 columns with none behind the count', {
    timeout: 10_000,
  }, async () => {
    const { error, ms } = await queryAnsweredWith([
      frameOf(BackendCode.RowDescription, (w) => w.int16(65535)),
    ])
    expect(error).toBeInstanceOf(ConnectionLost)
    const cause = (error as ConnectionLost).cause as ProtocolError
    expect(cause).toBeInstanceOf(ProtocolError)
    expect(cause.messageType).toBe('RowDescription')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it.each([
    ['longer than the message', 1000],
    ['of -2', -2],
  ])('refuses a DataRow field with a length %s', { timeout: 10_000 }, async (_what, length) => {
    const { error, ms } = await queryAnsweredWith([
      frame(ONE_INT),
      frameOf(BackendCode.DataRow, (w) =>
        w
          .int16(1)
          .int32(length)
          .bytes(Uint8Array.of(1, 2, 3)),
      ),
    ])
    expect(error).toBeInstanceOf(ConnectionLost)
    const cause = (error as ConnectionLost).cause as ProtocolError
    expect(cause).toBeInstanceOf(ProtocolError)
    expect(cause.messageType).toBe('DataRow')
    expect((error as ConnectionLost).query).toBe('select 1 as n')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('fails a query whose DataRow is wider than its RowDescription', {
    timeout: 10_000,
  }, async () => {
    const { error, ms } = await queryAnsweredWith([
      frame(ONE_INT),
      frame(dataRow('1', '2')),
      frame({ type: 'CommandComplete', tag: 'SELECT 1' }),
      frame({ type: 'ReadyForQuery', status: 'I' }),
    ])
    expect(error).toBeInstanceOf(ProtocolViolation)
    expect((error as ProtocolViolation).message).toBe('DataRow has 2 columns, RowDescription 1')
    expect(ms).toBeLessThan(PROMPT_MS)
  })
})

describe('a hostile server: unknown message types', () => {
  it('refuses an unknown type byte during startup', { timeout: 10_000 }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationOk' })
      peer.write(frameOfUnknownType(0x7a))
    })
    const { error, ms } = await failureOf(() => open(s))
    const cause = expectLostAtConnect(error, s)
    expect(cause.message).toBe("unknown backend message type byte 0x7a ('z')")
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses an unknown type byte in the middle of a result', { timeout: 10_000 }, async () => {
    const s = await serve((peer) =>
      readyThen(peer, (p) =>
        answerQuery(p, [
          frame({ type: 'ParseComplete' }),
          frame({ type: 'BindComplete' }),
          frame(ONE_INT),
          frameOfUnknownType(0x01, new Uint8Array([1, 2, 3])),
        ]),
      ),
    )
    session = await open(s)
    const { error, ms } = await failureOf(() => session!.query('select 1 as n'))
    expect(error).toBeInstanceOf(ConnectionLost)
    expect((error as ConnectionLost).phase).toBe('query')
    expect((error as ConnectionLost).cause).toBeInstanceOf(ProtocolError)
    expect(((error as ConnectionLost).cause as Error).message).toContain('0x01')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses an unknown authentication request code', { timeout: 10_000 }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      // AuthenticationOk's frame with its code word changed to 99.
      const bytes = frame({ type: 'AuthenticationOk' })
      new DataView(bytes.buffer).setInt32(5, 99)
      peer.write(bytes)
    })
    const { error, ms } = await failureOf(() => open(s))
    const cause = expectLostAtConnect(error, s)
    expect(cause.message).toMatch(/99/)
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a ReadyForQuery with an unknown transaction status', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationOk' })
      const bytes = frame({ type: 'ReadyForQuery', status: 'I' })
      bytes[5] = 0x58 // 'X'
      peer.write(bytes)
    })
    const { error, ms } = await failureOf(() => open(s))
    const cause = expectLostAtConnect(error, s)
    expect(cause.messageType).toBe('ReadyForQuery')
    expect(ms).toBeLessThan(PROMPT_MS)
  })
})

describe('a hostile server: messages out of order', () => {
  it('fails a query whose DataRow comes before any RowDescription', {
    timeout: 10_000,
  }, async () => {
    const s = await serve((peer) =>
      readyThen(peer, (p) =>
        answerQuery(p, [
          frame({ type: 'ParseComplete' }),
          frame({ type: 'BindComplete' }),
          frame(dataRow('1')),
          frame({ type: 'CommandComplete', tag: 'SELECT 1' }),
          frame({ type: 'ReadyForQuery', status: 'I' }),
        ]),
      ),
    )
    session = await open(s)
    const { error, ms } = await failureOf(() => session!.query('select 1 as n'))
    expect(error).toBeInstanceOf(ProtocolViolation)
    const violation = error as ProtocolViolation
    expect(violation.code).toBe('08P01')
    expect(violation.message).toBe('DataRow has 1 columns, RowDescription none')
    expect(violation.query).toBe('select 1 as n')
    expect(renderings(error)).not.toContain(SECRET)
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('closes an idle connection on a CommandComplete that answers no query', {
    timeout: 10_000,
  }, async () => {
    let speak!: () => void
    const spoken = new Promise<void>((resolve) => {
      speak = resolve
    })
    const s = await serve((peer) =>
      readyThen(peer, async (p) => {
        await spoken
        p.send({ type: 'CommandComplete', tag: 'DELETE 5' })
      }),
    )
    const closes: unknown[] = []
    session = await open(s, { onClose: (e) => closes.push(e) })
    speak()
    await until(() => closes.length > 0, { timeout: PROMPT_MS, what: 'onClose' })
    expect(session.closed).toBe(true)
    expect(closes).toHaveLength(1)
    const lost = closes[0] as ConnectionLost
    expect(lost).toBeInstanceOf(ConnectionLost)
    expect(lost.phase).toBe('idle')
    expect(lost.cause).toBeInstanceOf(ProtocolError)
    expect((lost.cause as ProtocolError).messageType).toBe('CommandComplete')
    expect((lost.cause as ProtocolError).message).toBe(
      'server sent CommandComplete while no request was pending',
    )
    const next = await failureOf(() => session!.query('select 1'))
    expect(next.error).toBeInstanceOf(ConnectionClosed)
  })

  it('fails connect when a stray message follows the first ReadyForQuery', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      // One write: the stray CommandComplete arrives in the chunk that completes startup.
      peer.send(...READY, { type: 'CommandComplete', tag: 'DELETE 5' })
    })
    const { error, ms } = await failureOf(() => open(s))
    const cause = expectLostAtConnect(error, s)
    expect(cause.messageType).toBe('CommandComplete')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a ReadyForQuery before authentication completed', { timeout: 10_000 }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationCleartextPassword' })
      await peer.expect('PasswordMessage')
      peer.send({ type: 'ReadyForQuery', status: 'I' })
    })
    const { error, ms } = await failureOf(() => open(s))
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).messageType).toBe('ReadyForQuery')
    expect((error as ProtocolError).host).toBe(`127.0.0.1:${s.port}`)
    expect((error as ProtocolError).message).toBe(
      'server sent ReadyForQuery before authentication completed',
    )
    expect((error as ProtocolError).phase).toBe('startup')
    expect(renderings(error)).not.toContain(SECRET)
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a second BackendKeyData during startup', { timeout: 10_000 }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send(
        { type: 'AuthenticationOk' },
        { type: 'BackendKeyData', processId: 1, secretKey: new Uint8Array([0, 0, 0, 1]) },
        { type: 'BackendKeyData', processId: 2, secretKey: new Uint8Array([0, 0, 0, 2]) },
        { type: 'ParameterStatus', name: 'client_encoding', value: 'UTF8' },
        { type: 'ReadyForQuery', status: 'I' },
      )
    })
    const { error, ms } = await failureOf(() => open(s))
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).messageType).toBe('BackendKeyData')
    expect((error as ProtocolError).message).toBe('server sent BackendKeyData twice')
    expect((error as ProtocolError).phase).toBe('startup')
    expect((error as ProtocolError).host).toBe(`127.0.0.1:${s.port}`)
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it.each([
    ['3.0', 1],
    ['3.2', 5],
  ])(
    'refuses a NegotiateProtocolVersion that offers more than max_protocol_version=%s asked for',
    { timeout: 10_000 },
    async (max, offered) => {
      const s = await serve(async (peer) => {
        await peer.startup()
        peer.send(
          {
            type: 'NegotiateProtocolVersion',
            newestMinorVersion: offered,
            unrecognizedOptions: [],
          },
          ...READY,
        )
      })
      const { error, ms } = await failureOf(() =>
        connect(s.conninfo(`password=${SECRET} max_protocol_version=${max}`), {
          connectTimeout: 5_000,
        }),
      )
      expect(error).toBeInstanceOf(ProtocolError)
      const e = error as ProtocolError
      expect(e.messageType).toBe('NegotiateProtocolVersion')
      expect(e.phase).toBe('startup')
      expect(e.host).toBe(`127.0.0.1:${s.port}`)
      expect(e.message).toContain(`3.${offered}`)
      expect(ms).toBeLessThan(PROMPT_MS)
    },
  )

  it('refuses a result message during startup', { timeout: 10_000 }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationOk' }, ONE_INT)
    })
    const { error, ms } = await failureOf(() => open(s))
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).messageType).toBe('RowDescription')
    expect((error as ProtocolError).message).toBe('server sent RowDescription during startup')
    expect(ms).toBeLessThan(PROMPT_MS)
  })
})

describe('a hostile server: it closes or never speaks', () => {
  it('loses the query when the server closes in the middle of a DataRow', {
    timeout: 10_000,
  }, async () => {
    const s = await serve((peer) =>
      readyThen(peer, async (p) => {
        if ((await p.expect('Sync')) === undefined) return
        p.send({ type: 'ParseComplete' }, { type: 'BindComplete' }, ONE_INT)
        const row = frame(dataRow('12345'))
        p.end(row.subarray(0, row.length - 2))
      }),
    )
    session = await open(s)
    const { error, ms } = await failureOf(() => session!.query('select 12345 as n'))
    expect(error).toBeInstanceOf(ConnectionLost)
    const lost = error as ConnectionLost
    expect(lost.phase).toBe('query')
    expect(lost.query).toBe('select 12345 as n')
    expect(lost.safeToRetry).toBe(false)
    expect(lost.message).toContain('the server closed the connection unexpectedly')
    expect(session.closed).toBe(true)
    expect(renderings(error)).not.toContain(SECRET)
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('fails connect when the server closes in the middle of an authentication request', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      const bytes = frame({ type: 'AuthenticationMD5Password', salt: new Uint8Array([1, 2, 3, 4]) })
      peer.end(bytes.subarray(0, 7))
    })
    const { error, ms } = await failureOf(() => open(s))
    expect(error).toBeInstanceOf(ConnectionLost)
    expect((error as ConnectionLost).phase).toBe('connect')
    expect((error as ConnectionLost).safeToRetry).toBe(true)
    expect(renderings(error)).not.toContain(SECRET)
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('bounds a server that accepts and never speaks by connectTimeout', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(() => {})
    const { error, ms } = await failureOf(() => open(s, { connectTimeout: 300 }))
    expect(error).toBeInstanceOf(ConnectTimeout)
    expect((error as ConnectTimeout).phase).toBe('connect')
    expect((error as ConnectTimeout).safeToRetry).toBe(true)
    expect((error as ConnectTimeout).message).toContain('after 300 ms (connectTimeout)')
    expect(renderings(error)).not.toContain(SECRET)
    expect(ms).toBeGreaterThanOrEqual(290)
    expect(ms).toBeLessThan(300 + PROMPT_MS)
  })

  it('bounds a server that never answers the SSLRequest by connectTimeout', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(() => {})
    const { error, ms } = await failureOf(() =>
      connect(s.conninfo(`password=${SECRET} sslmode=require`), { connectTimeout: 300 }),
    )
    expect(error).toBeInstanceOf(ConnectTimeout)
    expect(ms).toBeGreaterThanOrEqual(290)
    expect(ms).toBeLessThan(300 + PROMPT_MS)
  })

  it('bounds a server that stops halfway through startup by the connect_timeout keyword', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationOk' })
    })
    const { error, ms } = await failureOf(() =>
      connect(s.conninfo(`password=${SECRET} connect_timeout=2`)),
    )
    expect(error).toBeInstanceOf(ConnectTimeout)
    expect((error as ConnectTimeout).message).toContain('(connect_timeout)')
    expect(ms).toBeGreaterThanOrEqual(1_990)
    expect(ms).toBeLessThan(2_000 + PROMPT_MS)
  })
})

/** Serves every extended-protocol batch as `select 7 as n` would be answered. */
async function answerSevens(peer: ScriptedPeer): Promise<void> {
  for (;;) {
    const m = await peer.next()
    if (m === undefined) return
    if (m.type === 'Sync') {
      peer.send(
        { type: 'ParseComplete' },
        { type: 'BindComplete' },
        ONE_INT,
        dataRow('7'),
        { type: 'CommandComplete', tag: 'SELECT 1' },
        { type: 'ReadyForQuery', status: 'I' },
      )
    } else if (m.type === 'Query') {
      peer.send({ type: 'EmptyQueryResponse' }, { type: 'ReadyForQuery', status: 'I' })
    }
  }
}

describe('a hostile server behind a pool', () => {
  it('bounds pool queries to a server that never speaks by acquireTimeout, and ends at once', {
    timeout: 10_000,
  }, async () => {
    const s = await serve(() => {})
    const pool = createPool(s.conninfo(`password=${SECRET}`), {
      max: 2,
      connectTimeout: 200,
      acquireTimeout: 1_000,
    })
    try {
      const { error, ms } = await failureOf(() => pool.query('select 7 as n'))
      // The pool retries the connect until the checkout's own deadline, then names the cause.
      expect(error).toBeInstanceOf(PoolTimeoutError)
      expect((error as PoolTimeoutError).safeToRetry).toBe(true)
      expect((error as PoolTimeoutError).cause).toBeInstanceOf(ConnectTimeout)
      expect((error as PoolTimeoutError).message).toContain('last connect error: timed out')
      expect(renderings(error)).not.toContain(SECRET)
      expect(ms).toBeGreaterThanOrEqual(990)
      expect(ms).toBeLessThan(1_000 + PROMPT_MS)
      expect(s.connections).toBeGreaterThanOrEqual(1)
    } finally {
      const start = performance.now()
      await pool.end()
      expect(performance.now() - start).toBeLessThan(PROMPT_MS)
    }
    expect(pool.stats().total).toBe(0)
  })

  it('replaces a pooled connection that a stray message broke while idle', {
    timeout: 10_000,
  }, async () => {
    const peers: ScriptedPeer[] = []
    const s = await serve((peer) => {
      peers.push(peer)
      return readyThen(peer, answerSevens)
    })
    const errorsSeen: unknown[] = []
    const pool = createPool(s.conninfo(`password=${SECRET}`), {
      max: 1,
      healthCheck: false,
      onError: (e) => errorsSeen.push(e),
    })
    try {
      expect((await pool.query('select 7 as n')).rows).toEqual([{ n: 7 }])
      peers[0]!.send({ type: 'CommandComplete', tag: 'DELETE 5' })
      await until(() => pool.stats().total === 0, { timeout: PROMPT_MS, what: 'eviction' })
      expect((await pool.query('select 7 as n')).rows).toEqual([{ n: 7 }])
      expect(s.connections).toBe(2)
      expect(errorsSeen).toHaveLength(1)
      expect(errorsSeen[0]).toBeInstanceOf(ConnectionLost)
      expect(((errorsSeen[0] as ConnectionLost).cause as ProtocolError).messageType).toBe(
        'CommandComplete',
      )
      expect(renderings(errorsSeen)).not.toContain(SECRET)
    } finally {
      await pool.end()
    }
  })

  it('fails one pooled query on an unknown message and serves the next on a new connection', {
    timeout: 10_000,
  }, async () => {
    const s = await serve((peer) =>
      readyThen(peer, async (p) => {
        if (s.connections > 1) return answerSevens(p)
        await answerQuery(p, [frame({ type: 'ParseComplete' }), frameOfUnknownType(0x7a)])
      }),
    )
    const pool = createPool(s.conninfo(`password=${SECRET}`), { max: 1, healthCheck: false })
    try {
      const { error, ms } = await failureOf(() => pool.query('select 7 as n'))
      expect(error).toBeInstanceOf(ConnectionLost)
      expect((error as ConnectionLost).phase).toBe('query')
      expect((error as ConnectionLost).cause).toBeInstanceOf(ProtocolError)
      expect(ms).toBeLessThan(PROMPT_MS)
      expect((await pool.query('select 7 as n')).rows).toEqual([{ n: 7 }])
      expect(s.connections).toBe(2)
    } finally {
      await pool.end()
    }
  })
})
