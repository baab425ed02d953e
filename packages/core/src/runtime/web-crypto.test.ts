import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { md5PasswordHash } from '../auth/md5.js'
import { createScramSession } from '../auth/scram.js'
import { nodeCrypto } from './node-crypto.js'
import { md5Hex, webCrypto } from './web-crypto.js'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const bytes = fc.uint8Array({ maxLength: 300 })

describe('webCrypto gives the results node:crypto gives', () => {
  it('SHA-256, SHA-384 and SHA-512', async () => {
    await fc.assert(
      fc.asyncProperty(bytes, async (data) => {
        expect(hex(await webCrypto.sha256(data))).toBe(
          createHash('sha256').update(data).digest('hex'),
        )
        for (const name of ['sha256', 'sha384', 'sha512'] as const) {
          expect(hex(await webCrypto.hash(name, data))).toBe(
            createHash(name).update(data).digest('hex'),
          )
        }
      }),
      { numRuns: 50 },
    )
  })

  it('HMAC-SHA-256, keys shorter and longer than a block', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        bytes,
        async (key, data) => {
          expect(hex(await webCrypto.hmacSha256(key, data))).toBe(
            createHmac('sha256', key).update(data).digest('hex'),
          )
        },
      ),
      { numRuns: 50 },
    )
  })

  it('PBKDF2-HMAC-SHA-256 (RFC 7914 §11 vector, and random inputs)', async () => {
    const rfc = await webCrypto.pbkdf2Sha256(
      new TextEncoder().encode('passwd'),
      new TextEncoder().encode('salt'),
      1,
      64,
    )
    expect(hex(rfc)).toBe(
      '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc' +
        '49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
    )
    for (const iterations of [1, 2, 4096]) {
      const password = randomBytes(12)
      const salt = randomBytes(16)
      expect(hex(await webCrypto.pbkdf2Sha256(password, salt, iterations, 32))).toBe(
        pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('hex'),
      )
    }
  })

  it('MD5, across block and padding boundaries (RFC 1321 vectors and random inputs)', async () => {
    expect(md5Hex(new Uint8Array(0))).toBe('d41d8cd98f00b204e9800998ecf8427e')
    expect(md5Hex(new TextEncoder().encode('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72')
    for (let n = 0; n <= 130; n++) {
      const data = randomBytes(n)
      expect(await webCrypto.md5Hex(data)).toBe(createHash('md5').update(data).digest('hex'))
    }
  })

  it('the md5 password hash PostgreSQL expects', async () => {
    const salt = new Uint8Array([1, 2, 3, 4])
    expect(await md5PasswordHash('postgres', 'secret', salt, webCrypto)).toBe(
      await md5PasswordHash('postgres', 'secret', salt, nodeCrypto),
    )
  })

  it('the same SCRAM-SHA-256 proof as node:crypto (RFC 7677 §3 exchange)', async () => {
    const utf8 = new TextEncoder()
    const serverFirst =
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'
    const run = async (crypto: typeof webCrypto) => {
      const session = createScramSession({
        password: 'pencil',
        mechanism: 'SCRAM-SHA-256',
        crypto,
        nonce: 'rOprNGfwEbeRWgbNEkqO',
        username: 'user',
      })
      const final = await session.handleServerFirst(utf8.encode(serverFirst))
      session.verifyServerFinal(utf8.encode('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))
      return final
    }
    const web = await run(webCrypto)
    expect(web).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,' +
        'p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    )
    expect(web).toBe(await run(nodeCrypto))
  })

  it('random bytes: the asked length, past getRandomValues’ 64 KiB limit, and not constant', () => {
    expect(webCrypto.randomBytes(0)).toHaveLength(0)
    const big = webCrypto.randomBytes(70_000)
    expect(big).toHaveLength(70_000)
    expect(big.subarray(65_536).some((b) => b !== 0)).toBe(true)
    expect(hex(webCrypto.randomBytes(32))).not.toBe(hex(webCrypto.randomBytes(32)))
  })
})
