// Unit tests of the one-byte SSLRequest/GSSENCRequest answer, including the CVE-2021-23222
// refusal of bytes smuggled after it.
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors/client.js'
import { decodeEncryptionResponse } from './encryption-response.js'

describe('decodeEncryptionResponse', () => {
  it('reads S, G and N as the one-byte answers', () => {
    expect(decodeEncryptionResponse(Uint8Array.of(0x53), 'SSLRequest')).toBe('accepted')
    expect(decodeEncryptionResponse(Uint8Array.of(0x4e), 'SSLRequest')).toBe('refused')
    expect(decodeEncryptionResponse(Uint8Array.of(0x47), 'GSSENCRequest')).toBe('accepted')
    expect(decodeEncryptionResponse(Uint8Array.of(0x4e), 'GSSENCRequest')).toBe('refused')
  })

  it('waits on an empty chunk and flags an ErrorResponse for the backend decoder', () => {
    expect(decodeEncryptionResponse(new Uint8Array(0), 'SSLRequest')).toBeUndefined()
    expect(decodeEncryptionResponse(Uint8Array.of(0x45, 0, 0, 0, 5, 0), 'SSLRequest')).toBe('error')
  })

  it('refuses bytes smuggled after the answer (CVE-2021-23222)', () => {
    expect(() => decodeEncryptionResponse(Uint8Array.of(0x53, 0x5a), 'SSLRequest')).toThrow(
      /^SSLRequest: 1 bytes arrived after the one-byte answer/,
    )
    expect(() => decodeEncryptionResponse(Uint8Array.of(0x4e, 0x52), 'SSLRequest')).toThrow(
      ProtocolError,
    )
  })

  it('rejects an answer byte that belongs to the other request', () => {
    expect(() => decodeEncryptionResponse(Uint8Array.of(0x47), 'SSLRequest')).toThrow(
      /^SSLRequest: unexpected answer byte 0x47 \('G'\)/,
    )
  })
})
