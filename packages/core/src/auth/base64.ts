/**
 * Strict base64 (RFC 4648 §4, padded) for SCRAM attributes, on `Uint8Array`.
 * Pure: imports nothing, so it runs on any runtime (no `Buffer`).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Alphabet index of each ASCII code, -1 for characters outside the alphabet. */
const INDEX: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1)
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i
  return table
})()

/** Base64 text of `bytes`, padded with `=`. `bytes` is only read during the call. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!
    out += ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '=='
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '='
  }
  return out
}

/**
 * The bytes of padded base64 `text`, or `undefined` when `text` is not canonical base64: a length
 * that is not a multiple of 4, a character outside the alphabet, misplaced padding, or non-zero
 * bits after the last byte. Whitespace is not skipped. Returns a new array owned by the caller.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined
  let padding = 0
  if (text.endsWith('==')) padding = 2
  else if (text.endsWith('=')) padding = 1
  const out = new Uint8Array((text.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length
    const quad = [0, 0, 0, 0]
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j)
      if (last && code === 61 /* = */ && j >= 4 - padding) continue
      const value = code < 128 ? INDEX[code]! : -1
      if (value < 0) return undefined
      quad[j] = value
    }
    const n = (quad[0]! << 18) | (quad[1]! << 12) | (quad[2]! << 6) | quad[3]!
    if (last && padding === 2 && (n & 0xffff) !== 0) return undefined
    if (last && padding === 1 && (n & 0xff) !== 0) return undefined
    out[o++] = n >> 16
    if (o < out.length) out[o++] = (n >> 8) & 0xff
    if (o < out.length) out[o++] = n & 0xff
  }
  return out
}
