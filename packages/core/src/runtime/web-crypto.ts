/**
 * `CryptoRuntime` over WebCrypto (`globalThis.crypto`): the implementation for runtimes without
 * `node:crypto` (Cloudflare Workers), usable on any runtime that has WebCrypto. Imports nothing.
 * WebCrypto has no MD5 (only Workers adds it, non-standard), so MD5 is computed here (RFC 1321).
 */
import type { CryptoRuntime, HashName } from './crypto.js'

const DIGEST: Record<HashName, string> = {
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
}

/** WebCrypto wants an `ArrayBuffer`-backed view; copy only when `data` sits on another buffer. */
function source(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer
    ? (data as Uint8Array<ArrayBuffer>)
    : new Uint8Array(data)
}

function subtle(): (typeof globalThis.crypto)['subtle'] {
  const found = globalThis.crypto?.subtle
  if (found === undefined) throw new Error('this runtime has no WebCrypto (crypto.subtle)')
  return found
}

async function digest(name: HashName, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest(DIGEST[name], source(data)))
}

/** `CryptoRuntime` backed by `crypto.subtle` and `crypto.getRandomValues`. */
export const webCrypto: CryptoRuntime = {
  sha256(data: Uint8Array): Promise<Uint8Array> {
    return digest('sha256', data)
  },
  async hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    const s = subtle()
    const k = await s.importKey('raw', source(key), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ])
    return new Uint8Array(await s.sign('HMAC', k, source(data)))
  },
  async pbkdf2Sha256(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    keyLength: number,
  ): Promise<Uint8Array> {
    const s = subtle()
    const k = await s.importKey('raw', source(password), 'PBKDF2', false, ['deriveBits'])
    const bits = await s.deriveBits(
      { name: 'PBKDF2', salt: source(salt), iterations, hash: 'SHA-256' },
      k,
      keyLength * 8,
    )
    return new Uint8Array(bits)
  },
  md5Hex(data: Uint8Array): Promise<string> {
    return Promise.resolve(md5Hex(data))
  },
  hash(name: HashName, data: Uint8Array): Promise<Uint8Array> {
    return digest(name, data)
  },
  randomBytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    // getRandomValues fills at most 65536 bytes per call.
    for (let at = 0; at < length; at += 65536) {
      globalThis.crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65536)))
    }
    return out
  },
}

/** Per-round left-rotation amounts of MD5 (RFC 1321 §3.4). */
const SHIFT = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
  20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6,
  10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]

/** MD5's sine table: floor(2^32 × |sin(i + 1)|). */
const SINE = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32))

/** MD5 of `data` as 32 lowercase hex digits. */
export function md5Hex(data: Uint8Array): string {
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
  const padded = new Uint8Array((((data.length + 8) >>> 6) + 1) << 6)
  padded.set(data)
  padded[data.length] = 0x80
  const view = new DataView(padded.buffer)
  const bits = data.length * 8
  view.setUint32(padded.length - 8, bits >>> 0, true)
  view.setUint32(padded.length - 4, Math.floor(bits / 2 ** 32), true)

  let a0 = 0x67452301
  let b0 = 0xefcdab89
  let c0 = 0x98badcfe
  let d0 = 0x10325476
  const m = new Uint32Array(16)
  for (let block = 0; block < padded.length; block += 64) {
    for (let j = 0; j < 16; j++) m[j] = view.getUint32(block + j * 4, true)
    let a = a0
    let b = b0
    let c = c0
    let d = d0
    for (let i = 0; i < 64; i++) {
      let f: number
      let g: number
      if (i < 16) {
        f = (b & c) | (~b & d)
        g = i
      } else if (i < 32) {
        f = (d & b) | (~d & c)
        g = (5 * i + 1) & 15
      } else if (i < 48) {
        f = b ^ c ^ d
        g = (3 * i + 5) & 15
      } else {
        f = c ^ (b | ~d)
        g = (7 * i) & 15
      }
      const sum = (a + f + SINE[i]! + m[g]!) | 0
      const s = SHIFT[i]!
      a = d
      d = c
      c = b
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0
    }
    a0 = (a0 + a) | 0
    b0 = (b0 + b) | 0
    c0 = (c0 + c) | 0
    d0 = (d0 + d) | 0
  }
  let out = ''
  for (const word of [a0, b0, c0, d0]) {
    for (let k = 0; k < 4; k++) out += ((word >>> (8 * k)) & 0xff).toString(16).padStart(2, '0')
  }
  return out
}
