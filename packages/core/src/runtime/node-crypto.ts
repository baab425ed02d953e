/**
 * The Node.js implementation of `CryptoRuntime`, over `node:crypto`.
 * The only file of the auth stack that imports `node:crypto`; nothing in `auth/` imports it.
 */
import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto'
import type { CryptoRuntime, HashName } from './crypto.js'

/** A plain `Uint8Array` view of a Node `Buffer` (same memory, no copy). */
function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/**
 * `CryptoRuntime` backed by `node:crypto` (OpenSSL). PBKDF2 runs on libuv's thread pool; the
 * hashes are computed synchronously and handed back already resolved (no thread hop).
 */
export const nodeCrypto: CryptoRuntime = {
  sha256(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(view(createHash('sha256').update(data).digest()))
  },
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(view(createHmac('sha256', key).update(data).digest()))
  },
  pbkdf2Sha256(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    keyLength: number,
  ): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      pbkdf2(password, salt, iterations, keyLength, 'sha256', (error, key) => {
        if (error) reject(error)
        else resolve(view(key))
      })
    })
  },
  md5Hex(data: Uint8Array): Promise<string> {
    return Promise.resolve(createHash('md5').update(data).digest('hex'))
  },
  hash(name: HashName, data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(view(createHash(name).update(data).digest()))
  },
  randomBytes(length: number): Uint8Array {
    return view(randomBytes(length))
  },
}
