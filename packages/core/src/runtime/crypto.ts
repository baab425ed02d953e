/**
 * The cryptographic primitives the driver needs (SCRAM, md5, channel binding), as an interface.
 * Runtime-neutral: imports nothing; each runtime supplies one implementation (`node-crypto.ts`,
 * `web-crypto.ts`).
 */

/** Hash functions that `tls-server-end-point` channel binding can need (RFC 5929 §4.1). */
export type HashName = 'sha256' | 'sha384' | 'sha512'

/**
 * Hashing, HMAC, PBKDF2 and randomness for the auth layer. `auth/` depends on this type only, so
 * another runtime (Bun, Deno, Workers) is one more implementation, never a change to `auth/`.
 *
 * Contract for every method: inputs are only read during the call and never retained; every
 * returned `Uint8Array` is freshly allocated and owned by the caller. Hashing is asynchronous
 * because WebCrypto (`crypto.subtle`, the only crypto of Workers) is; randomness is synchronous
 * everywhere (`crypto.getRandomValues`).
 */
export interface CryptoRuntime {
  /** SHA-256 of `data` (32 bytes). */
  sha256(data: Uint8Array): Promise<Uint8Array>
  /** HMAC-SHA-256 of `data` under `key` (32 bytes). */
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>
  /**
   * PBKDF2 with HMAC-SHA-256 (RFC 8018), i.e. SCRAM's `Hi()` when `keyLength` is 32.
   * Asynchronous so that thousands of iterations never block the event loop.
   */
  pbkdf2Sha256(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    keyLength: number,
  ): Promise<Uint8Array>
  /** MD5 of `data` as 32 lowercase hex digits (PostgreSQL's md5 password scheme needs no more). */
  md5Hex(data: Uint8Array): Promise<string>
  /** `name` hash of `data`; used for the `tls-server-end-point` certificate hash. */
  hash(name: HashName, data: Uint8Array): Promise<Uint8Array>
  /** `length` cryptographically strong random bytes. */
  randomBytes(length: number): Uint8Array
}
