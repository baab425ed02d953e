/**
 * UTF-8 bytes to strings, for the message decoder and the type codecs alike: Node's native slice
 * where the runtime has it, one shared TextDecoder elsewhere. Pure: no I/O, no node: imports.
 */

// ignoreBOM keeps a leading U+FEFF: it is part of the value (a text column can start with one).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/** `Buffer.prototype.utf8Slice` where the runtime has Node's Buffer: called on any Uint8Array. */
type Utf8Slice = (this: Uint8Array, start: number, end: number) => string

/**
 * Node's (and Bun's) native UTF-8 slice, found without importing anything: it decodes a range
 * straight to a string, about twice as fast as TextDecoder and without the subarray view
 * TextDecoder needs (one object less per value read). Invalid sequences become U+FFFD and a BOM
 * is kept, exactly as with `decoder` below, which every other runtime uses.
 */
const nativeUtf8Slice: Utf8Slice | undefined = (() => {
  const slice = (globalThis as { Buffer?: { prototype?: { utf8Slice?: unknown } } }).Buffer
    ?.prototype?.utf8Slice
  return typeof slice === 'function' ? (slice as Utf8Slice) : undefined
})()

/** Decodes UTF-8 bytes to a string (invalid sequences become U+FFFD); `bytes` is only read. */
export function utf8Decode(bytes: Uint8Array): string {
  if (nativeUtf8Slice !== undefined) return nativeUtf8Slice.call(bytes, 0, bytes.length)
  return decoder.decode(bytes)
}

/** Up to this many bytes, all-ASCII text is built by one fixed-arity `String.fromCharCode`. */
const ASCII_SHORT_LIMIT = 10

/**
 * Decodes UTF-8 `bytes[start, end)` to a string, like `utf8Decode(bytes.subarray(start, end))`
 * without the view (short ASCII text in one `String.fromCharCode` call, the rest natively where
 * the runtime can); `bytes` is only read.
 */
export function utf8DecodeRange(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start
  if (n <= ASCII_SHORT_LIMIT) {
    let high = 0
    for (let i = start; i < end; i++) high |= bytes[i]!
    if (high < 0x80) return asciiShort(bytes, start, n)
  }
  if (nativeUtf8Slice !== undefined) return nativeUtf8Slice.call(bytes, start, end)
  return decoder.decode(bytes.subarray(start, end))
}

/**
 * `n` (at most ASCII_SHORT_LIMIT) ASCII bytes from `b[s]` as a string: one call with a fixed
 * argument count allocates the string once (a loop of `+=` allocates one per byte) and is the
 * fastest way V8 has for short text.
 */
function asciiShort(b: Uint8Array, s: number, n: number): string {
  const c = String.fromCharCode
  switch (n) {
    case 0:
      return ''
    case 1:
      return c(b[s]!)
    case 2:
      return c(b[s]!, b[s + 1]!)
    case 3:
      return c(b[s]!, b[s + 1]!, b[s + 2]!)
    case 4:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!)
    case 5:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!)
    case 6:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!)
    case 7:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!)
    case 8:
      return c(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!)
    case 9:
      return c(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
      )
    default:
      return c(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
        b[s + 9]!,
      )
  }
}
