import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { InterfaceError } from '../errors/base.js'
import { nodeCrypto } from '../runtime/node-crypto.js'
import { md5PasswordHash } from './md5.js'

function reference(user: string, password: string, salt: Uint8Array): string {
  const inner = createHash('md5')
    .update(password + user, 'utf8')
    .digest('hex')
  return 'md5' + createHash('md5').update(inner, 'latin1').update(salt).digest('hex')
}

describe('md5PasswordHash', () => {
  it('hashes user "postgres", password "secret", salt 01 02 03 04', async () => {
    const salt = new Uint8Array([1, 2, 3, 4])
    const hash = await md5PasswordHash('postgres', 'secret', salt, nodeCrypto)
    expect(hash).toBe(reference('postgres', 'secret', salt))
    expect(hash).toMatch(/^md5[0-9a-f]{32}$/)
  })

  it('hashes non-ASCII users and passwords as UTF-8, without SASLprep', async () => {
    const salt = new Uint8Array([0xff, 0x00, 0x80, 0x7f])
    expect(await md5PasswordHash('j\u00fcrgen', 'p\u00e4ss\u00ad', salt, nodeCrypto)).toBe(
      reference('j\u00fcrgen', 'p\u00e4ss\u00ad', salt),
    )
  })

  it('depends on the salt', async () => {
    const a = await md5PasswordHash('u', 'p', new Uint8Array([1, 2, 3, 4]), nodeCrypto)
    const b = await md5PasswordHash('u', 'p', new Uint8Array([1, 2, 3, 5]), nodeCrypto)
    expect(a).not.toBe(b)
  })

  it('refuses a salt that is not 4 bytes', async () => {
    await expect(md5PasswordHash('u', 'p', new Uint8Array(3), nodeCrypto)).rejects.toThrow(
      InterfaceError,
    )
    await expect(md5PasswordHash('u', 'p', new Uint8Array(5), nodeCrypto)).rejects.toThrow(
      InterfaceError,
    )
  })
})
