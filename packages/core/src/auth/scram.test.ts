import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { InterfaceError } from '../errors/base.js'
import { AuthenticationError } from '../errors/client.js'
import type { CryptoRuntime } from '../runtime/crypto.js'
import { nodeCrypto } from '../runtime/node-crypto.js'
import {
  createScramSession,
  type ScramMechanism,
  type ScramSessionOptions,
  scramPasswordBytes,
} from './scram.js'

// RFC 7677 §3.
const RFC_NONCE = 'rOprNGfwEbeRWgbNEkqO'
const RFC_SERVER_FIRST =
  'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'
const RFC_CLIENT_FINAL =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,' +
  'p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='
const RFC_SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='

function rfcSession(overrides: Partial<ScramSessionOptions> = {}) {
  return createScramSession({
    password: 'pencil',
    mechanism: 'SCRAM-SHA-256',
    crypto: nodeCrypto,
    nonce: RFC_NONCE,
    username: 'user',
    ...overrides,
  })
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

/** A SCRAM-SHA-256 server written directly against RFC 5802 §3 with node:crypto. */
function scramServer(options: {
  password: Uint8Array
  expectedGs2: string
  cbindData?: Uint8Array
  iterations?: number
}) {
  const salt = randomBytes(16)
  const iterations = options.iterations ?? 4096
  const salted = pbkdf2Sync(options.password, salt, iterations, 32, 'sha256')
  const hmac = (key: Uint8Array, data: string) => createHmac('sha256', key).update(data).digest()
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest()
  const serverKey = hmac(salted, 'Server Key')
  let clientFirstBare = ''
  let serverFirst = ''
  return {
    first(clientFirst: string): string {
      expect(clientFirst.startsWith(options.expectedGs2)).toBe(true)
      clientFirstBare = clientFirst.slice(options.expectedGs2.length)
      const clientNonce = /,r=([^,]+)/.exec(clientFirstBare)![1]!
      serverFirst = `r=${clientNonce}${randomBytes(12).toString('base64')},s=${salt.toString('base64')},i=${iterations}`
      return serverFirst
    },
    final(clientFinal: string): string {
      const proofAt = clientFinal.lastIndexOf(',p=')
      const withoutProof = clientFinal.slice(0, proofAt)
      const expectedC = Buffer.concat([
        Buffer.from(options.expectedGs2),
        options.cbindData ?? Buffer.alloc(0),
      ]).toString('base64')
      expect(withoutProof.startsWith(`c=${expectedC},`)).toBe(true)
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`
      const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64')
      const signature = hmac(storedKey, authMessage)
      const clientKey = proof.map((byte, i) => byte ^ signature[i]!)
      if (!createHash('sha256').update(clientKey).digest().equals(storedKey))
        return 'e=invalid-proof'
      return `v=${hmac(serverKey, authMessage).toString('base64')}`
    },
  }
}

describe('SCRAM-SHA-256 (RFC 7677 test vector)', () => {
  it('builds the client-first-message of the RFC when the username is set', () => {
    expect(rfcSession().clientFirstMessage).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')
  })

  it('computes the RFC client-final-message and accepts the RFC server signature', async () => {
    const session = rfcSession()
    expect(session.state).toBe('awaiting-server-first')
    expect(await session.handleServerFirst(RFC_SERVER_FIRST)).toBe(RFC_CLIENT_FINAL)
    expect(session.state).toBe('awaiting-server-final')
    session.verifyServerFinal(RFC_SERVER_FINAL)
    expect(session.state).toBe('complete')
    expect(session.channelBound).toBe(false)
  })

  it('takes server messages as bytes too', async () => {
    const session = rfcSession()
    const utf8 = new TextEncoder()
    expect(await session.handleServerFirst(utf8.encode(RFC_SERVER_FIRST))).toBe(RFC_CLIENT_FINAL)
    session.verifyServerFinal(utf8.encode(RFC_SERVER_FINAL))
    expect(session.state).toBe('complete')
  })

  it('sends the empty username PostgreSQL expects by default', () => {
    const session = createScramSession({
      password: 'pencil',
      mechanism: 'SCRAM-SHA-256',
      crypto: nodeCrypto,
      nonce: RFC_NONCE,
    })
    expect(session.clientFirstMessage).toBe('n,,n=,r=rOprNGfwEbeRWgbNEkqO')
  })

  it('escapes "," and "=" in a username (RFC 5802 §5.1)', () => {
    expect(rfcSession({ username: 'a,b=c' }).clientFirstMessage).toBe(
      'n,,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO',
    )
  })

  it('draws a fresh 24-character base64 nonce by default', () => {
    const nonces = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const message = createScramSession({
        password: 'x',
        mechanism: 'SCRAM-SHA-256',
        crypto: nodeCrypto,
      }).clientFirstMessage
      const nonce = message.slice('n,,n=,r='.length)
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/)
      nonces.add(nonce)
    }
    expect(nonces.size).toBe(20)
  })
})

describe('SCRAM server-final-message', () => {
  it('refuses a wrong server signature', async () => {
    const session = rfcSession()
    await session.handleServerFirst(RFC_SERVER_FIRST)
    const error = thrown(() =>
      session.verifyServerFinal('v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='),
    )
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as Error).message).toMatch(/server signature does not match/)
    expect(session.state).toBe('failed')
  })

  it('refuses a signature of the wrong length', async () => {
    const session = rfcSession()
    await session.handleServerFirst(RFC_SERVER_FIRST)
    expect(() => session.verifyServerFinal('v=AAAA')).toThrow(AuthenticationError)
  })

  it('reports a server error (e=) with its value', async () => {
    const session = rfcSession()
    await session.handleServerFirst(RFC_SERVER_FIRST)
    const error = thrown(() => session.verifyServerFinal('e=invalid-proof'))
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as Error).message).toContain('invalid-proof')
    expect((error as AuthenticationError).phase).toBe('authenticate')
  })

  it.each([
    ['empty', ''],
    ['no verifier', 'x=abc'],
    ['bad base64', 'v=not*base64'],
    ['garbage after the verifier', `${RFC_SERVER_FINAL},garbage`],
  ])('refuses a malformed server-final-message (%s)', async (_name, message) => {
    const session = rfcSession()
    await session.handleServerFirst(RFC_SERVER_FIRST)
    expect(() => session.verifyServerFinal(message)).toThrow(AuthenticationError)
  })

  it('ignores optional extensions after the verifier', async () => {
    const session = rfcSession()
    await session.handleServerFirst(RFC_SERVER_FIRST)
    session.verifyServerFinal(`${RFC_SERVER_FINAL},x=whatever`)
    expect(session.state).toBe('complete')
  })

  it('refuses messages out of order', async () => {
    const early = rfcSession()
    expect(() => early.verifyServerFinal(RFC_SERVER_FINAL)).toThrow(AuthenticationError)

    const twice = rfcSession()
    await twice.handleServerFirst(RFC_SERVER_FIRST)
    expect(await rejection(twice.handleServerFirst(RFC_SERVER_FIRST))).toBeInstanceOf(
      AuthenticationError,
    )

    const done = rfcSession()
    await done.handleServerFirst(RFC_SERVER_FIRST)
    done.verifyServerFinal(RFC_SERVER_FINAL)
    expect(() => done.verifyServerFinal(RFC_SERVER_FINAL)).toThrow(AuthenticationError)
  })
})

describe('SCRAM server-first-message validation', () => {
  const salt = 's=W22ZaJ0SNY7soEsUEjb6gQ=='
  const nonce = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0'

  it.each([
    ['a nonce that does not extend the client nonce', `r=XOprNGfwEbeRWgbNEkqOabc,${salt},i=4096`],
    ['a nonce shorter than the client nonce', `r=rOprNGfw,${salt},i=4096`],
    ['a nonce with a non-printable character', `r=rOprNGfwEbeRWgbNEkqO\u00e9,${salt},i=4096`],
  ])('refuses %s', async (_name, message) => {
    const error = await rejection(rfcSession().handleServerFirst(message))
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as Error).message).toMatch(/nonce/)
  })

  it.each([
    ['zero', '0'],
    ['negative', '-1'],
    ['a fraction', '1.5'],
    ['hexadecimal', '0x10'],
    ['a leading zero', '04096'],
    ['empty', ''],
    ['not a number', 'many'],
    ['with a space', ' 4096'],
    ['above the limit', String(2 ** 24 + 1)],
    ['absurdly large', '9'.repeat(400)],
  ])('refuses an iteration count that is %s', async (_name, count) => {
    const error = await rejection(rfcSession().handleServerFirst(`${nonce},${salt},i=${count}`))
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as Error).message).toMatch(/iteration/)
  })

  it('honours a custom iteration ceiling', async () => {
    const error = await rejection(
      rfcSession({ maxIterations: 4095 }).handleServerFirst(RFC_SERVER_FIRST),
    )
    expect((error as Error).message).toMatch(/more than the limit of 4095/)
    expect(await rfcSession({ maxIterations: 4096 }).handleServerFirst(RFC_SERVER_FIRST)).toBe(
      RFC_CLIENT_FINAL,
    )
  })

  it('never calls PBKDF2 for a refused iteration count', async () => {
    let calls = 0
    const counting: CryptoRuntime = {
      ...nodeCrypto,
      pbkdf2Sha256: (...args) => {
        calls++
        return nodeCrypto.pbkdf2Sha256(...args)
      },
    }
    await rejection(
      rfcSession({ crypto: counting }).handleServerFirst(`${nonce},${salt},i=4294967296`),
    )
    expect(calls).toBe(0)
  })

  it.each([
    ['a mandatory extension', `m=ext,${nonce},${salt},i=4096`, /mandatory extension/],
    ['a missing salt', `${nonce},i=4096`, /salt/],
    ['attributes out of order', `${salt},${nonce},i=4096`, /nonce/],
    ['a salt that is not base64', `${nonce},s=***,i=4096`, /salt/],
    ['a salt with bad padding', `${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096`, /salt/],
    ['an empty salt', `${nonce},s=,i=4096`, /salt/],
    ['a missing iteration count', `${nonce},${salt}`, /iteration/],
    ['a malformed extension', `${nonce},${salt},i=4096,garbage`, /attribute/],
    ['an empty message', '', /nonce/],
  ])('refuses %s', async (_name, message, pattern) => {
    const error = await rejection(rfcSession().handleServerFirst(message))
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as Error).message).toMatch(pattern)
  })

  it('refuses a server-first-message that is not UTF-8', async () => {
    const error = await rejection(
      rfcSession().handleServerFirst(new Uint8Array([0x72, 0x3d, 0xff])),
    )
    expect(error).toBeInstanceOf(AuthenticationError)
  })

  it('accepts optional extensions after the iteration count', async () => {
    expect(await rfcSession().handleServerFirst(`${RFC_SERVER_FIRST},x=1`)).not.toBe('')
  })

  it('never puts the password in an error', async () => {
    const secret = 'correct horse battery staple'
    const messages: string[] = []
    for (const bad of ['', `m=x,${nonce}`, `${nonce},${salt},i=0`]) {
      const error = await rejection(rfcSession({ password: secret }).handleServerFirst(bad))
      messages.push(String(error), JSON.stringify(error))
    }
    const session = rfcSession({ password: secret })
    await session.handleServerFirst(RFC_SERVER_FIRST)
    messages.push(String(thrown(() => session.verifyServerFinal('v=AAAA'))))
    for (const message of messages) expect(message).not.toContain(secret)
  })
})

describe('SCRAM channel binding', () => {
  const certHash = new Uint8Array(32).map((_, i) => i * 7 + 1)

  it('uses gs2 header "p=tls-server-end-point,," and binds the certificate hash in c=', async () => {
    const session = rfcSession({ mechanism: 'SCRAM-SHA-256-PLUS', channelBinding: certHash })
    expect(session.clientFirstMessage).toBe('p=tls-server-end-point,,n=user,r=rOprNGfwEbeRWgbNEkqO')
    const final = await session.handleServerFirst(RFC_SERVER_FIRST)
    const c = /^c=([^,]+),/.exec(final)![1]!
    const expected = Buffer.concat([Buffer.from('p=tls-server-end-point,,'), certHash])
    expect(c).toBe(expected.toString('base64'))
    expect(final).not.toBe(RFC_CLIENT_FINAL)
  })

  it('uses gs2 header "y,," when the client could bind but the server offered no -PLUS', async () => {
    const session = rfcSession({ clientSupportsChannelBinding: true })
    expect(session.clientFirstMessage).toBe('y,,n=user,r=rOprNGfwEbeRWgbNEkqO')
    expect(await session.handleServerFirst(RFC_SERVER_FIRST)).toMatch(/^c=eSws,/)
  })

  it.each<[string, ScramMechanism, string, Uint8Array | undefined, boolean]>([
    ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256-PLUS', 'p=tls-server-end-point,,', certHash, true],
    ['SCRAM-SHA-256, flag y', 'SCRAM-SHA-256', 'y,,', undefined, true],
    ['SCRAM-SHA-256, flag n', 'SCRAM-SHA-256', 'n,,', undefined, false],
  ])(
    'completes a full exchange with an independent server (%s)',
    async (_name, mechanism, gs2, cbind, supports) => {
      const password = 'I\u00adX \u2168 p\u00e4ss'
      const server = scramServer({
        password: new TextEncoder().encode('IX IX p\u00e4ss'),
        expectedGs2: gs2,
        ...(cbind ? { cbindData: cbind } : {}),
      })
      const session = createScramSession({
        password,
        mechanism,
        crypto: nodeCrypto,
        ...(cbind ? { channelBinding: cbind } : {}),
        clientSupportsChannelBinding: supports,
      })
      const clientFinal = await session.handleServerFirst(server.first(session.clientFirstMessage))
      session.verifyServerFinal(server.final(clientFinal))
      expect(session.state).toBe('complete')
      expect(session.channelBound).toBe(mechanism === 'SCRAM-SHA-256-PLUS')
    },
  )

  it('fails against a server that binds a different certificate hash', async () => {
    const server = scramServer({
      password: new TextEncoder().encode('pw'),
      expectedGs2: 'p=tls-server-end-point,,',
    })
    const session = createScramSession({
      password: 'pw',
      mechanism: 'SCRAM-SHA-256-PLUS',
      crypto: nodeCrypto,
      channelBinding: certHash,
    })
    const clientFinal = await session.handleServerFirst(server.first(session.clientFirstMessage))
    // The server expects c= without our hash (another TLS channel): the c= check fails there.
    expect(() => server.final(clientFinal)).toThrow()
  })

  it('refuses contradictory options', () => {
    expect(() => rfcSession({ mechanism: 'SCRAM-SHA-256-PLUS' })).toThrow(InterfaceError)
    expect(() =>
      rfcSession({ mechanism: 'SCRAM-SHA-256-PLUS', channelBinding: new Uint8Array(0) }),
    ).toThrow(InterfaceError)
    expect(() => rfcSession({ channelBinding: certHash })).toThrow(InterfaceError)
    expect(() => rfcSession({ nonce: 'a,b' })).toThrow(InterfaceError)
    expect(() => rfcSession({ maxIterations: 0 })).toThrow(InterfaceError)
    expect(() => rfcSession({ mechanism: 'SCRAM-SHA-1' as ScramMechanism })).toThrow(InterfaceError)
  })
})

describe('scramPasswordBytes', () => {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

  it('prepares the password with SASLprep', () => {
    expect(hex(scramPasswordBytes('I\u00adX'))).toBe(hex(Buffer.from('IX')))
    expect(hex(scramPasswordBytes('\u2168'))).toBe(hex(Buffer.from('IX')))
    expect(hex(scramPasswordBytes('a\u00a0b'))).toBe(hex(Buffer.from('a b')))
  })

  it('falls back to the raw UTF-8 bytes when SASLprep refuses, as libpq does', () => {
    expect(hex(scramPasswordBytes('\u0007'))).toBe('07')
    expect(hex(scramPasswordBytes('x\u0007\u00aa'))).toBe(hex(Buffer.from('x\u0007\u00aa')))
    expect(hex(scramPasswordBytes('\u05d0a'))).toBe(hex(Buffer.from('\u05d0a')))
  })
})
