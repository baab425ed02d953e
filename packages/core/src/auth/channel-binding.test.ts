import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthenticationError } from '../errors/client.js'
import { nodeCrypto } from '../runtime/node-crypto.js'
import { tlsServerEndPointHash, tlsServerEndPointHashName } from './channel-binding.js'

/** Self-signed certificates made by `openssl req -x509`, each with the digest openssl computes. */
interface Generated {
  der: Uint8Array
  /** `openssl dgst -<expected> -binary` of the DER, as hex; absent for refused algorithms. */
  digestHex?: string
}

const cases: { name: string; args: string[]; expected: 'sha256' | 'sha384' | 'sha512' | null }[] = [
  { name: 'rsa-sha384', args: ['-newkey', 'rsa:2048', '-sha384'], expected: 'sha384' },
  { name: 'rsa-sha256', args: ['-newkey', 'rsa:2048', '-sha256'], expected: 'sha256' },
  { name: 'rsa-sha512', args: ['-newkey', 'rsa:2048', '-sha512'], expected: 'sha512' },
  { name: 'rsa-sha1', args: ['-newkey', 'rsa:2048', '-sha1'], expected: 'sha256' },
  {
    name: 'ecdsa-p256-sha256',
    args: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-sha256'],
    expected: 'sha256',
  },
  {
    name: 'ecdsa-p384-sha384',
    args: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-sha384'],
    expected: 'sha384',
  },
  {
    name: 'rsa-pss-sha512',
    args: ['-newkey', 'rsa:2048', '-sha512', '-sigopt', 'rsa_padding_mode:pss'],
    expected: 'sha512',
  },
  {
    name: 'rsa-pss-sha1-default-params',
    args: ['-newkey', 'rsa:2048', '-sha1', '-sigopt', 'rsa_padding_mode:pss'],
    expected: 'sha256',
  },
  { name: 'ed25519', args: ['-newkey', 'ed25519'], expected: null },
  { name: 'ed448', args: ['-newkey', 'ed448'], expected: null },
]

let dir = ''
const certs = new Map<string, Generated>()

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tusk-cb-'))
  for (const { name, args, expected } of cases) {
    const pem = join(dir, `${name}.pem`)
    const der = join(dir, `${name}.der`)
    execFileSync('openssl', [
      'req',
      '-x509',
      ...args,
      '-nodes',
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      pem,
      '-subj',
      `/CN=${name}`,
      '-days',
      '1',
    ])
    execFileSync('openssl', ['x509', '-in', pem, '-outform', 'DER', '-out', der])
    const generated: Generated = { der: new Uint8Array(readFileSync(der)) }
    if (expected !== null) {
      const digest = execFileSync('openssl', ['dgst', `-${expected}`, '-binary', der])
      generated.digestHex = digest.toString('hex')
    }
    certs.set(name, generated)
  }
}, 60_000)

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

function cert(name: string): Generated {
  const generated = certs.get(name)
  if (generated === undefined) throw new Error(`no certificate ${name}`)
  return generated
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('tlsServerEndPointHash on certificates made by openssl', () => {
  it.each(cases.filter((c) => c.expected !== null))(
    'hashes $name with $expected, as `openssl dgst` does',
    async ({ name, expected }) => {
      const { der, digestHex } = cert(name)
      expect(tlsServerEndPointHashName(der)).toBe(expected)
      expect(hex(await tlsServerEndPointHash(der, nodeCrypto))).toBe(digestHex)
    },
  )

  it('exercises the RSASSA-PSS parameter path with the PSS certificates', () => {
    const pssOid = '06092a864886f70d01010a'
    expect(hex(cert('rsa-pss-sha512').der)).toContain(pssOid)
    expect(hex(cert('rsa-pss-sha1-default-params').der)).toContain(pssOid)
    expect(hex(cert('rsa-sha1').der)).not.toContain(pssOid)
  })

  it.each([
    ['ed25519', /Ed25519/],
    ['ed448', /Ed448/],
  ])('refuses %s: channel binding is not defined for it', async (name, pattern) => {
    let error: unknown
    try {
      await tlsServerEndPointHash(cert(name).der, nodeCrypto)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as Error).message).toMatch(/channel binding is not defined/)
    expect((error as Error).message).toMatch(pattern)
  })
})

describe('tlsServerEndPointHashName on malformed DER', () => {
  it('refuses every truncation of a real certificate', () => {
    const { der } = cert('ecdsa-p256-sha256')
    for (let length = 0; length < der.length; length++) {
      expect(() => tlsServerEndPointHashName(der.subarray(0, length))).toThrow(AuthenticationError)
    }
  })

  it('refuses bytes after the certificate', () => {
    const { der } = cert('rsa-sha384')
    const longer = new Uint8Array(der.length + 1)
    longer.set(der)
    expect(() => tlsServerEndPointHashName(longer)).toThrow(/bytes after the Certificate/)
  })

  it('gives a hash name or an AuthenticationError for any corrupted byte', () => {
    const { der } = cert('rsa-pss-sha512')
    let seed = 1
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed
    }
    for (let trial = 0; trial < 3000; trial++) {
      const copy = der.slice()
      const at = trial < 1000 ? trial % copy.length : random() % copy.length
      copy[at] = random() & 0xff
      try {
        expect(['sha256', 'sha384', 'sha512']).toContain(tlsServerEndPointHashName(copy))
      } catch (error) {
        expect(error).toBeInstanceOf(AuthenticationError)
      }
    }
  })

  it.each([
    ['empty input', []],
    ['not a SEQUENCE', [0x04, 0x00]],
    ['indefinite length', [0x30, 0x80, 0x00, 0x00]],
    ['a 5-byte length', [0x30, 0x85, 0, 0, 0, 0, 1, 0]],
    ['a length past the end', [0x30, 0x84, 0xff, 0xff, 0xff, 0xff]],
    ['a high tag number', [0x3f, 0x01, 0x00]],
    ['an empty Certificate', [0x30, 0x00]],
    ['no signatureAlgorithm', [0x30, 0x02, 0x30, 0x00]],
    ['an empty signatureAlgorithm', [0x30, 0x04, 0x30, 0x00, 0x30, 0x00]],
    ['an empty OID', [0x30, 0x06, 0x30, 0x00, 0x30, 0x02, 0x06, 0x00]],
    ['a truncated OID arc', [0x30, 0x07, 0x30, 0x00, 0x30, 0x03, 0x06, 0x01, 0x81]],
    ['an unknown algorithm', [0x30, 0x08, 0x30, 0x00, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03]],
  ])('refuses %s', (_name, bytes) => {
    expect(() => tlsServerEndPointHashName(new Uint8Array(bytes))).toThrow(AuthenticationError)
  })

  it('reads a minimal certificate with a known OID', () => {
    // SEQUENCE { SEQUENCE {}, SEQUENCE { OID 1.2.840.10045.4.3.3 (ecdsa-with-SHA384) } }
    const oid = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03]
    const algorithm = [0x30, oid.length + 2, 0x06, oid.length, ...oid]
    const der = new Uint8Array([0x30, algorithm.length + 2, 0x30, 0x00, ...algorithm])
    expect(tlsServerEndPointHashName(der)).toBe('sha384')
  })
})
