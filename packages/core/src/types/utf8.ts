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

/** Below this many bytes an all-ASCII string is built by a loop instead of TextDecoder. */
const ASCII_LOOP_LIMIT = 10

/**
 * Decodes UTF-8 `bytes[start, end)` to a string, like `utf8Decode(bytes.subarray(start, end))`
 * without the view for short ASCII text; `bytes` is only read.
 */
export function utf8DecodeRange(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= ASCII_LOOP_LIMIT) {
    let s = ''
    let i = start
    for (; i < end; i++) {
      const c = bytes[i]!
      if (c >= 0x80) break
      s += String.fromCharCode(c)
    }
    if (i === end) return s
  }
  return decoder.decode(bytes.subarray(start, end))
}
