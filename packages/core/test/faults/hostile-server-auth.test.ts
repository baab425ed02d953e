/**
 * Hostile servers around TLS and authentication, scripted with the core's own encoder: plaintext
 * after the SSL answer, downgrades under `require_auth` and `channel_binding=require`, and SCRAM
 * exchanges with hostile values. Each case checks the class and its key fields, a time bound,
 * that nothing of the password reached the server when the client refused, and that the password
 * never shows in the error.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { generateCertificates, type TestCertificates } from '@tusk/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  AuthenticationError,
  ConnectTimeout,
  InvalidPassword,
  ProtocolError,
  TlsError,
} from '../../src/errors/index.js'
import { connect } from '../../src/index.js'
import type { BackendMessage } from '../../src/protocol/index.js'
import { failureOf, renderings, SECRET, unhandledRejections } from './observed-failure.js'
import {
  frame,
  READY,
  type ScriptedPeer,
  type ScriptedServer,
  startScriptedServer,
} from './scripted-server.js'

/** An immediate refusal must come well inside this (2-core machines, other suites running). */
const PROMPT_MS = 2_000

const utf8 = new TextEncoder()
const decoded = new TextDecoder()

let server: ScriptedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  expect(unhandledRejections).toEqual([])
})

let certs: TestCertificates
let certDir: string
let tlsKey: Buffer
let tlsCert: Buffer
beforeAll(() => {
  certDir = mkdtempSync(path.join(tmpdir(), 'tusk-hostile-'))
  certs = generateCertificates(certDir, 'u')
  tlsKey = readFileSync(certs.serverKeyFile)
  tlsCert = readFileSync(certs.serverCertFile)
})
afterAll(() => rmSync(certDir, { recursive: true, force: true }))

/** Starts a scripted server; the peer it hands over is kept for checks after the failure. */
async function serve(script: (peer: ScriptedPeer) => Promise<void> | void) {
  let first: ScriptedPeer | undefined
  server = await startScriptedServer((peer) => {
    first ??= peer
    return script(peer)
  })
  const s = server
  return {
    server: s,
    /** Everything the client sent to the first connection (decrypted when it used TLS). */
    received: () => first?.received() ?? Buffer.alloc(0),
  }
}

/** Connects with the sentinel password and `extra` conninfo; a verified TLS setup with `tls`. */
function attempt(s: ScriptedServer, extra = '', tls = false) {
  const ssl = tls ? `sslmode=verify-full sslrootcert=${certs.caCertFile}` : ''
  return failureOf(() =>
    connect(s.conninfo(`password=${SECRET} ${ssl} ${extra}`), { connectTimeout: 5_000 }),
  )
}

/** Reads the SSLRequest, accepts it and serves TLS, then reads the startup packet. */
async function startupOverTls(peer: ScriptedPeer) {
  if ((await peer.expect('SSLRequest')) === undefined) return undefined
  peer.acceptTls(tlsKey, tlsCert)
  return peer.expect('StartupMessage')
}

/**
 * What the client sent after the server's last request: the message type, or `closed` when it
 * hung up without answering (the socket is closed once the client refuses, so this settles).
 */
function nextAnswer() {
  let settle!: (type: string) => void
  const type = new Promise<string>((resolve) => {
    settle = resolve
  })
  return {
    type,
    take: async (peer: ScriptedPeer) => settle((await peer.next())?.type ?? 'closed'),
  }
}

/** An AuthenticationError refusing at the client, with its key fields and no password. */
function expectRefused(error: unknown, port: number, message: string | RegExp): void {
  expect(error).toBeInstanceOf(AuthenticationError)
  const e = error as AuthenticationError
  expect(e.phase).toBe('authenticate')
  expect(e.host).toBe(`127.0.0.1:${port}`)
  if (typeof message === 'string') expect(e.message).toContain(message)
  else expect(e.message).toMatch(message)
  expect(renderings(error)).not.toContain(SECRET)
}

describe('a hostile server: the SSL answer', () => {
  it('refuses plaintext sent where the TLS handshake should be', { timeout: 10_000 }, async () => {
    const { server: s, received } = await serve(async (peer) => {
      if ((await peer.expect('SSLRequest')) === undefined) return
      peer.write('S')
      // Wait for the ClientHello, then answer it with a plaintext authentication request.
      if ((await peer.takeRaw()) === undefined) return
      peer.write(frame({ type: 'AuthenticationCleartextPassword' }))
    })
    const { error, ms } = await attempt(s, 'sslmode=require')
    expect(error).toBeInstanceOf(TlsError)
    const e = error as TlsError
    expect(e.phase).toBe('tls')
    expect(e.host).toBe(`127.0.0.1:${s.port}`)
    expect(e.message).toContain('TLS handshake with')
    expect(e.message).toContain('(sslmode=require)')
    expect(renderings(error)).not.toContain(SECRET)
    expect(received().includes(SECRET)).toBe(false)
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses plaintext that arrives together with the S answer (CVE-2021-23222)', {
    timeout: 10_000,
  }, async () => {
    const { server: s } = await serve(async (peer) => {
      if ((await peer.expect('SSLRequest')) === undefined) return
      const injected = frame({ type: 'AuthenticationOk' })
      const bytes = new Uint8Array(1 + injected.length)
      bytes[0] = 0x53 // 'S'
      bytes.set(injected, 1)
      peer.write(bytes)
    })
    const { error, ms } = await attempt(s, 'sslmode=require')
    expect(error).toBeInstanceOf(ProtocolError)
    const e = error as ProtocolError
    expect(e.messageType).toBe('SSLRequest')
    expect(e.phase).toBe('tls')
    expect(e.host).toBe(`127.0.0.1:${s.port}`)
    expect(e.message).toContain('9 bytes arrived after the one-byte answer')
    expect(e.message).toContain('CVE-2021-23222')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it.each(['require', 'verify-full'])(
    'refuses a server that answers N under sslmode=%s',
    { timeout: 10_000 },
    async (mode) => {
      const { server: s, received } = await serve(async (peer) => {
        if ((await peer.expect('SSLRequest')) === undefined) return
        peer.write('N')
        await peer.next()
      })
      const extra = `sslmode=${mode} sslrootcert=${certs.caCertFile}`
      const { error, ms } = await attempt(s, extra)
      expect(error).toBeInstanceOf(TlsError)
      const e = error as TlsError
      expect(e.phase).toBe('tls')
      expect(e.safeToRetry).toBe(true)
      expect(e.message).toContain('does not support SSL, but SSL was required')
      // Nothing but the SSLRequest was sent: no startup packet in the clear.
      expect(received().length).toBe(8)
      expect(ms).toBeLessThan(PROMPT_MS)
    },
  )

  it('refuses an answer byte that is neither S nor N', { timeout: 10_000 }, async () => {
    const { server: s } = await serve(async (peer) => {
      if ((await peer.expect('SSLRequest')) === undefined) return
      peer.write('X')
    })
    const { error, ms } = await attempt(s, 'sslmode=require')
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).messageType).toBe('SSLRequest')
    expect((error as ProtocolError).phase).toBe('tls')
    expect((error as ProtocolError).host).toBe(`127.0.0.1:${s.port}`)
    expect((error as ProtocolError).message).toBe("SSLRequest: unexpected answer byte 0x58 ('X')")
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('bounds a server that answers S and then never shakes hands', {
    timeout: 10_000,
  }, async () => {
    const { server: s } = await serve(async (peer) => {
      if ((await peer.expect('SSLRequest')) === undefined) return
      peer.write('S')
      await peer.takeRaw()
    })
    const { error, ms } = await failureOf(() =>
      connect(s.conninfo(`password=${SECRET} sslmode=require`), { connectTimeout: 300 }),
    )
    expect(error).toBeInstanceOf(ConnectTimeout)
    expect((error as ConnectTimeout).phase).toBe('connect')
    expect(ms).toBeGreaterThanOrEqual(290)
    expect(ms).toBeLessThan(300 + PROMPT_MS)
  })
})

/** The password request of each downgrade case, and the method name the client refuses. */
const PASSWORD_REQUESTS: [string, BackendMessage][] = [
  ['a cleartext password', { type: 'AuthenticationCleartextPassword' }],
  [
    'an md5-hashed password',
    { type: 'AuthenticationMD5Password', salt: new Uint8Array([9, 8, 7, 6]) },
  ],
]

describe('a hostile server: authentication downgrades', () => {
  it.each(PASSWORD_REQUESTS)(
    'never answers a request for %s under require_auth=scram-sha-256',
    { timeout: 10_000 },
    async (what, request) => {
      const answered = nextAnswer()
      const { server: s, received } = await serve(async (peer) => {
        await peer.startup()
        peer.send(request)
        await answered.take(peer)
      })
      const { error, ms } = await attempt(s, 'require_auth=scram-sha-256')
      expectRefused(error, s.port, `server requested ${what}, but require_auth=scram-sha-256`)
      expect(await answered.type).toBe('closed')
      expect(received().includes(SECRET)).toBe(false)
      expect(ms).toBeLessThan(PROMPT_MS)
    },
  )

  it('refuses a cleartext request under require_auth=md5 and under require_auth=!password', {
    timeout: 10_000,
  }, async () => {
    const { server: s, received } = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationCleartextPassword' })
      await peer.next()
    })
    for (const requireAuth of ['md5', '!password']) {
      const { error, ms } = await attempt(s, `require_auth=${requireAuth}`)
      expectRefused(error, s.port, `but require_auth=${requireAuth}`)
      expect(ms).toBeLessThan(PROMPT_MS)
    }
    expect(received().includes(SECRET)).toBe(false)
  })

  it.each([
    [
      'an empty SASL mechanism list',
      { type: 'AuthenticationSASL', mechanisms: [] },
      '(offered: (none))',
    ],
    [
      'only SASL mechanisms the client does not speak',
      { type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-1', 'PLAIN'] },
      '(offered: "SCRAM-SHA-1", "PLAIN")',
    ],
    ['GSSAPI', { type: 'AuthenticationGSS' }, 'requested GSS authentication, which this driver'],
    ['Kerberos V5', { type: 'AuthenticationKerberosV5' }, 'requested KerberosV5 authentication'],
  ] satisfies [string, BackendMessage, string][])(
    'refuses %s without answering',
    { timeout: 10_000 },
    async (_what, request, message) => {
      const answered = nextAnswer()
      const { server: s, received } = await serve(async (peer) => {
        await peer.startup()
        peer.send(request)
        await answered.take(peer)
      })
      const { error, ms } = await attempt(s)
      expectRefused(error, s.port, message)
      expect(await answered.type).toBe('closed')
      expect(received().includes(SECRET)).toBe(false)
      expect(ms).toBeLessThan(PROMPT_MS)
    },
  )

  it('refuses a server that skips authentication under require_auth=scram-sha-256', {
    timeout: 10_000,
  }, async () => {
    const { server: s } = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationOk' })
    })
    const { error, ms } = await attempt(s, 'require_auth=scram-sha-256')
    expectRefused(error, s.port, 'server accepted the connection without authentication')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses SCRAM-SHA-256-PLUS offered over a connection without TLS', {
    timeout: 10_000,
  }, async () => {
    const answered = nextAnswer()
    const { server: s } = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS'] })
      await answered.take(peer)
    })
    const { error, ms } = await attempt(s)
    expectRefused(error, s.port, 'TLS may have been stripped')
    expect(await answered.type).toBe('closed')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses channel_binding=require without TLS before answering SCRAM', {
    timeout: 10_000,
  }, async () => {
    const { server: s } = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] })
      await peer.next()
    })
    const { error, ms } = await attempt(s, 'channel_binding=require')
    expectRefused(error, s.port, 'channel_binding=require, but the connection does not use TLS')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  const OVER_TLS: [string, BackendMessage[], string][] = [
    [
      'SCRAM without -PLUS',
      [{ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] }],
      'the server did not offer SCRAM-SHA-256-PLUS',
    ],
    [
      'a cleartext password',
      [{ type: 'AuthenticationCleartextPassword' }],
      'cannot bind the channel',
    ],
    [
      'an md5-hashed password',
      [{ type: 'AuthenticationMD5Password', salt: new Uint8Array([1, 2, 3, 4]) }],
      'cannot bind the channel',
    ],
    ['no authentication at all', [{ type: 'AuthenticationOk' }], 'without channel binding'],
  ]

  it.each(OVER_TLS)(
    'refuses %s under channel_binding=require over verified TLS, sending nothing',
    { timeout: 10_000 },
    async (_what, messages, message) => {
      const answered = nextAnswer()
      const { server: s, received } = await serve(async (peer) => {
        if ((await startupOverTls(peer)) === undefined) return
        peer.send(...messages)
        await answered.take(peer)
      })
      const { error, ms } = await attempt(s, 'channel_binding=require', true)
      expectRefused(error, s.port, message)
      expect(await answered.type).toBe('closed')
      expect(received().includes(SECRET)).toBe(false)
      expect(ms).toBeLessThan(PROMPT_MS)
    },
  )

  it('binds the channel when -PLUS is offered over TLS, and still checks the signature', {
    timeout: 10_000,
  }, async () => {
    let mechanism: string | undefined
    const { server: s } = await serve(async (peer) => {
      if ((await startupOverTls(peer)) === undefined) return
      peer.send({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS'] })
      const initial = await peer.expect('SASLInitialResponse')
      if (initial === undefined) return
      mechanism = initial.mechanism
      const nonce = clientNonceOf(initial.data)
      peer.send(serverFirst(`r=${nonce}srv,s=${SALT},i=4096`))
      if ((await peer.expect('SASLResponse')) === undefined) return
      peer.send(serverFinal(`v=${randomBytes(32).toString('base64')}`))
    })
    const { error, ms } = await attempt(s, 'channel_binding=require', true)
    expectRefused(error, s.port, 'SCRAM server signature does not match')
    expect(mechanism).toBe('SCRAM-SHA-256-PLUS')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a cleartext request once a SCRAM exchange has started', {
    timeout: 10_000,
  }, async () => {
    const answered = nextAnswer()
    const { server: s, received } = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] })
      if ((await peer.expect('SASLInitialResponse')) === undefined) return
      peer.send({ type: 'AuthenticationCleartextPassword' })
      await answered.take(peer)
    })
    const { error, ms } = await attempt(s)
    expectRefused(error, s.port, 'refusing a second authentication exchange')
    expect(await answered.type).toBe('closed')
    expect(received().includes(SECRET)).toBe(false)
    expect(ms).toBeLessThan(PROMPT_MS)
  })
})

const SALT = randomBytes(16).toString('base64')

function serverFirst(text: string | Uint8Array): BackendMessage {
  return {
    type: 'AuthenticationSASLContinue',
    data: typeof text === 'string' ? utf8.encode(text) : text,
  }
}

function serverFinal(text: string): BackendMessage {
  return { type: 'AuthenticationSASLFinal', data: utf8.encode(text) }
}

/** The `r=` value of a client-first-message (`n,,n=,r=<nonce>`). */
function clientNonceOf(data: Uint8Array | null): string {
  const match = /(?:^|,)r=([^,]*)/.exec(decoded.decode(data ?? new Uint8Array(0)))
  if (!match) throw new Error('the client-first-message has no nonce')
  return match[1]!
}

/** Serves SCRAM-SHA-256 up to the server-first-message that `first` builds from the client nonce. */
async function scramUntilServerFirst(peer: ScriptedPeer, first: (nonce: string) => BackendMessage) {
  await peer.startup()
  peer.send({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] })
  const initial = await peer.expect('SASLInitialResponse')
  if (initial === undefined) return false
  peer.send(first(clientNonceOf(initial.data)))
  return true
}

describe('a hostile server: SCRAM values', () => {
  const SERVER_FIRST: [string, (nonce: string) => string | Uint8Array, string][] = [
    ['an iteration count of 0', (n) => `r=${n}x,s=${SALT},i=0`, 'invalid iteration count "0"'],
    ['a negative iteration count', (n) => `r=${n}x,s=${SALT},i=-4096`, 'invalid iteration count'],
    [
      'an iteration count that is no number',
      (n) => `r=${n}x,s=${SALT},i=4k`,
      'invalid iteration count',
    ],
    [
      'an iteration count past 10^16',
      (n) => `r=${n}x,s=${SALT},i=99999999999999999999`,
      'over 10^16 iterations',
    ],
    [
      'an iteration count just past the limit',
      (n) => `r=${n}x,s=${SALT},i=16777217`,
      'asked for 16777217 iterations, more than the limit of 16777216',
    ],
    [
      'a nonce that does not extend the client nonce',
      () => `r=${'A'.repeat(32)},s=${SALT},i=4096`,
      'nonce mismatch',
    ],
    ['a nonce cut short', (n) => `r=${n.slice(0, -1)},s=${SALT},i=4096`, 'nonce mismatch'],
    ['a nonce with a control character', (n) => `r=${n}\u0001,s=${SALT},i=4096`, 'nonce mismatch'],
    ['a salt that is not base64', (n) => `r=${n}x,s=!!!,i=4096`, 'the salt is not valid base64'],
    ['an empty salt', (n) => `r=${n}x,s=,i=4096`, 'the salt is not valid base64'],
    ['no iteration count', (n) => `r=${n}x,s=${SALT}`, 'expected the iteration count (i=)'],
    ['attributes out of order', (n) => `s=${SALT},r=${n}x,i=4096`, 'expected the nonce (r=) first'],
    ['a mandatory extension', (n) => `m=ext,r=${n}x,s=${SALT},i=4096`, 'mandatory extension (m=)'],
    ['a malformed extension', (n) => `r=${n}x,s=${SALT},i=4096,junk`, 'bad attribute "junk"'],
    ['bytes that are not UTF-8', () => new Uint8Array([0x72, 0x3d, 0xff, 0xfe]), 'not valid UTF-8'],
    ['an empty message', () => '', 'expected the nonce (r=) first'],
  ]

  it.each(SERVER_FIRST)(
    'refuses a server-first-message with %s, before hashing',
    { timeout: 10_000 },
    async (_what, build, message) => {
      const answered = nextAnswer()
      const { server: s } = await serve(async (peer) => {
        if (!(await scramUntilServerFirst(peer, (n) => serverFirst(build(n))))) return
        await answered.take(peer)
      })
      const { error, ms } = await attempt(s)
      expectRefused(error, s.port, message)
      expect(await answered.type).toBe('closed')
      expect(ms).toBeLessThan(PROMPT_MS)
    },
  )

  const SERVER_FINAL: [string, string, string][] = [
    [
      'a forged signature',
      `v=${randomBytes(32).toString('base64')}`,
      'server signature does not match',
    ],
    [
      'a signature of the wrong size',
      `v=${randomBytes(8).toString('base64')}`,
      'server signature does not match',
    ],
    ['a signature that is not base64', 'v=@@@', 'the verifier is not valid base64'],
    ['neither v= nor e=', 'x=1', 'expected a verifier (v=) or error (e=)'],
    ['a server-side error e=', 'e=invalid-proof', 'failed on the server: "invalid-proof"'],
    [
      'a malformed extension',
      `v=${randomBytes(32).toString('base64')},junk`,
      'bad attribute "junk"',
    ],
  ]

  it.each(SERVER_FINAL)(
    'refuses a server-final-message with %s',
    { timeout: 10_000 },
    async (_what, final, message) => {
      const { server: s } = await serve(async (peer) => {
        if (!(await scramUntilServerFirst(peer, (n) => serverFirst(`r=${n}x,s=${SALT},i=4096`))))
          return
        if ((await peer.expect('SASLResponse')) === undefined) return
        peer.send(serverFinal(final), { type: 'AuthenticationOk' })
      })
      const { error, ms } = await attempt(s)
      expectRefused(error, s.port, message)
      expect(ms).toBeLessThan(PROMPT_MS)
    },
  )

  it('refuses AuthenticationOk from a server that never proved it knows the password', {
    timeout: 10_000,
  }, async () => {
    const { server: s } = await serve(async (peer) => {
      if (!(await scramUntilServerFirst(peer, (n) => serverFirst(`r=${n}x,s=${SALT},i=4096`))))
        return
      if ((await peer.expect('SASLResponse')) === undefined) return
      peer.send({ type: 'AuthenticationOk' }, { type: 'ReadyForQuery', status: 'I' })
    })
    const { error, ms } = await attempt(s)
    expectRefused(error, s.port, 'it never proved that it knows the password')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a second server-first-message', { timeout: 10_000 }, async () => {
    const { server: s } = await serve(async (peer) => {
      if (!(await scramUntilServerFirst(peer, (n) => serverFirst(`r=${n}x,s=${SALT},i=4096`))))
        return
      if ((await peer.expect('SASLResponse')) === undefined) return
      peer.send(serverFirst(`r=x,s=${SALT},i=4096`))
    })
    const { error, ms } = await attempt(s)
    expectRefused(error, s.port, 'unexpected SCRAM server-first-message')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses a server-final-message before the server-first-message', {
    timeout: 10_000,
  }, async () => {
    const { server: s } = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] })
      if ((await peer.expect('SASLInitialResponse')) === undefined) return
      peer.send(serverFinal(`v=${randomBytes(32).toString('base64')}`))
    })
    const { error, ms } = await attempt(s)
    expectRefused(error, s.port, 'unexpected SCRAM server-final-message')
    expect(ms).toBeLessThan(PROMPT_MS)
  })

  it('refuses SCRAM messages with no SASL exchange in progress', { timeout: 10_000 }, async () => {
    const { server: s } = await serve(async (peer) => {
      await peer.startup()
      peer.send(serverFirst('r=x,s=c2FsdA==,i=4096'))
    })
    const { error, ms } = await attempt(s)
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).messageType).toBe('AuthenticationSASLContinue')
    expect((error as ProtocolError).phase).toBe('authenticate')
    expect(ms).toBeLessThan(PROMPT_MS)
  })
})

describe('a hostile server: it echoes the password', () => {
  it('keeps a password echoed in notices and errors for the whole session out of hooks, logs and errors', {
    timeout: 10_000,
  }, async () => {
    const { server: s } = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationCleartextPassword' })
      const sent = await peer.expect('PasswordMessage')
      if (sent === undefined) return
      const pw = sent.password
      peer.send(
        {
          type: 'NoticeResponse',
          fields: { severity: 'NOTICE', code: '00000', message: `welcome, ${pw}` },
        },
        ...READY,
      )
      await peer.expect('Query')
      peer.send(
        {
          type: 'NoticeResponse',
          fields: { severity: 'WARNING', code: '01000', message: `still ${pw}`, detail: pw },
        },
        {
          type: 'ErrorResponse',
          fields: { severity: 'ERROR', code: '42000', message: `no, ${pw}`, hint: `${pw}!` },
        },
        { type: 'ReadyForQuery', status: 'I' },
      )
      await peer.closed
    })
    const seen: unknown[] = []
    const session = await connect(s.conninfo(`password=${SECRET}`), {
      connectTimeout: 5_000,
      onNotice: (n) => seen.push(n),
      logger: {
        warn: (...a) => seen.push(a),
        debug: (...a) => seen.push(a),
        info: (...a) => seen.push(a),
      },
    })
    const err = await session.exec('select 1').catch((e: unknown) => e)
    await session.close()
    expect(seen).toHaveLength(2)
    expect((seen[0] as { message: string }).message).toBe('welcome, ***')
    expect((err as Error).message).toContain('no, ***')
    expect(JSON.stringify(seen)).not.toContain(SECRET)
    expect(renderings(err)).not.toContain(SECRET)
  })

  it('keeps a password the server echoes in its startup error out of the error', {
    timeout: 10_000,
  }, async () => {
    const { server: s } = await serve(async (peer) => {
      await peer.startup()
      peer.send({ type: 'AuthenticationCleartextPassword' })
      const sent = await peer.expect('PasswordMessage')
      if (sent === undefined) return
      peer.send({
        type: 'ErrorResponse',
        fields: {
          severity: 'FATAL',
          severityNonLocalized: 'FATAL',
          code: '28P01',
          message: `password authentication failed: "${sent.password}" is wrong`,
          detail: `you sent ${sent.password}`,
          hint: sent.password,
        },
      })
      peer.end()
    })
    const { error, ms } = await attempt(s)
    expect(error).toBeInstanceOf(InvalidPassword)
    const e = error as InvalidPassword
    expect(e.code).toBe('28P01')
    expect(e.phase).toBe('authenticate')
    expect(e.message).toContain('password authentication failed: "***" is wrong')
    expect(e.detail).toBe('you sent ***')
    expect(renderings(error)).not.toContain(SECRET)
    expect(ms).toBeLessThan(PROMPT_MS)
  })
})
