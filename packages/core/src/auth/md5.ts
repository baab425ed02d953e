/**
 * PostgreSQL's md5 password scheme (AuthenticationMD5Password), computed on bytes.
 * Pure: hashing comes from the injected `CryptoRuntime`; never imports `node:crypto`.
 */
import { InterfaceError } from '../errors/base.js'
import type { CryptoRuntime } from '../runtime/crypto.js'

const utf8 = new TextEncoder()

/**
 * The PasswordMessage body for AuthenticationMD5Password:
 * `'md5' + md5hex(md5hex(password + user) + salt)`, where `salt` is the 4 random bytes the server
 * sent and the inner digest is hashed as its 32 ASCII hex digits (PostgreSQL docs, "Password
 * Authentication"; `pg_md5_encrypt` in the server). Password and user are taken as UTF-8 bytes,
 * with no SASLprep. Rejects with `InterfaceError` when `salt` is not 4 bytes; `salt` is only read during
 * the call.
 */
export async function md5PasswordHash(
  user: string,
  password: string,
  salt: Uint8Array,
  crypto: CryptoRuntime,
): Promise<string> {
  if (salt.length !== 4) {
    throw new InterfaceError(`md5 authentication needs a 4-byte salt, got ${salt.length} bytes`, {
      phase: 'authenticate',
    })
  }
  const inner = await crypto.md5Hex(utf8.encode(password + user))
  const outer = new Uint8Array(36)
  outer.set(utf8.encode(inner), 0)
  outer.set(salt, 32)
  return 'md5' + (await crypto.md5Hex(outer))
}
