/**
 * Reads the server's one-byte answer to SSLRequest/GSSENCRequest, which precedes any message.
 * Pure bytes: imports only errors and codes (no sockets, timers, promises or Node built-ins).
 */
import { ENCRYPTION_REFUSED, GSSENC_ACCEPTED, SSL_ACCEPTED } from './codes.js'
import { describeByte, protocolError } from './limits.js'

/**
 * What the server said: `accepted` (start TLS/GSSAPI now), `refused` (continue in clear text,
 * if policy allows), or `error` (the chunk starts an ErrorResponse: push it into a
 * BackendDecoder to read it; old servers answer this way).
 */
export type EncryptionResponse = 'accepted' | 'refused' | 'error'

/**
 * Classifies the first chunk read after sending `request`. Throws ProtocolError on an unknown
 * byte, and when bytes follow an `accepted`/`refused` answer: the server must wait for the
 * client then, so extra bytes are an injection attempt (CVE-2021-23222) and must not be used.
 * `chunk` is only read during the call.
 */
export function decodeEncryptionResponse(
  chunk: Uint8Array,
  request: 'SSLRequest' | 'GSSENCRequest',
): EncryptionResponse | undefined {
  if (chunk.length === 0) return undefined
  const b = chunk[0]!
  const accepted = request === 'SSLRequest' ? SSL_ACCEPTED : GSSENC_ACCEPTED
  if (b === 0x45) return 'error'
  if (b !== accepted && b !== ENCRYPTION_REFUSED) {
    throw protocolError(request, `unexpected answer byte ${describeByte(b)}`)
  }
  if (chunk.length > 1) {
    throw protocolError(
      request,
      `${chunk.length - 1} bytes arrived after the one-byte answer; refusing them (CVE-2021-23222)`,
    )
  }
  return b === accepted ? 'accepted' : 'refused'
}
