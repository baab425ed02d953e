/**
 * UTF-8 text to and from bytes for the type codecs: decoding is the protocol layer's (one
 * implementation for message fields and values), encoding one shared TextEncoder.
 * Pure: no I/O, no node: imports.
 */

export { utf8Decode, utf8DecodeRange } from '../protocol/utf8.js'

const encoder = new TextEncoder()

/** Encodes a string as UTF-8 into a new Uint8Array the caller owns. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text)
}
