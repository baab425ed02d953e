/**
 * UTF-8 text to and from bytes for the type codecs: one shared TextDecoder and TextEncoder.
 * Pure: no I/O, no node: imports.
 */

const decoder = new TextDecoder('utf-8')
const encoder = new TextEncoder()

/** Decodes UTF-8 bytes to a string (invalid sequences become U+FFFD); `bytes` is only read. */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

/** Encodes a string as UTF-8 into a new Uint8Array the caller owns. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text)
}
