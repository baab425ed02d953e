import { describe, expect, it } from 'vitest'
import { decodeBase64, encodeBase64 } from './base64.js'

describe('base64', () => {
  it('matches the RFC 4648 §10 test vectors both ways', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ]
    const utf8 = new TextEncoder()
    for (const [plain, encoded] of vectors) {
      expect(encodeBase64(utf8.encode(plain))).toBe(encoded)
      expect(decodeBase64(encoded)).toEqual(utf8.encode(plain))
    }
  })

  it('round-trips every byte value and agrees with Buffer', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 37 + length * 11) & 0xff)
      const encoded = encodeBase64(bytes)
      expect(encoded).toBe(Buffer.from(bytes).toString('base64'))
      expect(decodeBase64(encoded)).toEqual(bytes)
    }
  })

  it.each([
    ['a bad length', 'Zm9'],
    ['a character outside the alphabet', 'Zm9*'],
    ['URL-safe characters', 'Zm-_'],
    ['padding in the middle', 'Zg==Zm9v'],
    ['too much padding', 'Z==='],
    ['only padding', '===='],
    ['non-zero trailing bits', 'Zh=='],
    ['non-zero trailing bits with one pad', 'Zm9='],
    ['whitespace', 'Zm9v '],
    ['non-ASCII', 'Zm9\u00e9'],
  ])('refuses %s', (_name, text) => {
    expect(decodeBase64(text)).toBeUndefined()
  })
})
