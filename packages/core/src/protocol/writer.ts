/**
 * The growable output buffer every encoder appends to: one per connection, owned by its caller.
 * Pure bytes: imports only the error roots (no sockets, timers, promises or Node built-ins).
 */
import { InterfaceError } from '../errors/base.js'

const utf8 = new TextEncoder()

/** Largest message length the Int32 length word can carry. */
const MAX_INT32 = 0x7fffffff

/** Below this many UTF-16 units a string is written by a plain loop when it is all ASCII. */
const ASCII_LOOP_LIMIT = 64

/**
 * A growable byte buffer that frames protocol messages: `startMessage`, field writes,
 * `endMessage` (which back-patches the length), then `flush` to take the bytes.
 * Not thread-safe and not reentrant: one message is open at a time.
 */
export class Writer {
  #buf: Uint8Array
  #view: DataView
  #pos = 0
  /** Offset of the open message's length word, or -1 when no message is open. */
  #lengthAt = -1
  /** Offset of the open message's first byte (its type byte, when it has one). */
  #messageStart = 0
  #messageName = ''

  /** Creates an empty writer; `initialCapacity` is a hint and grows on demand. */
  constructor(initialCapacity = 1024) {
    this.#buf = new Uint8Array(Math.max(16, initialCapacity))
    this.#view = new DataView(this.#buf.buffer)
  }

  /** Number of bytes written and not yet flushed. */
  get length(): number {
    return this.#pos
  }

  /** Opens a typed message: writes the type byte and a length placeholder. */
  startMessage(typeByte: number, name = String.fromCharCode(typeByte)): this {
    this.#assertClosed(name)
    this.#ensure(5)
    this.#messageStart = this.#pos
    this.#buf[this.#pos] = typeByte
    this.#lengthAt = this.#pos + 1
    this.#pos += 5
    this.#messageName = name
    return this
  }

  /** Opens an untyped message (the startup packet family): writes only a length placeholder. */
  startUntypedMessage(name: string): this {
    this.#assertClosed(name)
    this.#ensure(4)
    this.#messageStart = this.#pos
    this.#lengthAt = this.#pos
    this.#pos += 4
    this.#messageName = name
    return this
  }

  /** Closes the open message by writing its length (which counts the length word itself). */
  endMessage(): this {
    if (this.#lengthAt < 0) {
      throw new InterfaceError('endMessage called with no open message', { safeToRetry: true })
    }
    const length = this.#pos - this.#lengthAt
    if (length > MAX_INT32) {
      const name = this.#messageName
      this.#abandon()
      throw new InterfaceError(`${name}: message of ${length} bytes exceeds the Int32 length`, {
        safeToRetry: true,
      })
    }
    this.#view.setInt32(this.#lengthAt, length)
    this.#lengthAt = -1
    return this
  }

  /** Appends one byte (`value & 0xff`). */
  int8(value: number): this {
    this.#ensure(1)
    this.#buf[this.#pos++] = value
    return this
  }

  /** Appends a big-endian 16-bit integer (signed or unsigned; the low 16 bits are written). */
  int16(value: number): this {
    this.#ensure(2)
    this.#view.setInt16(this.#pos, value)
    this.#pos += 2
    return this
  }

  /** Appends a big-endian 32-bit integer (signed or unsigned; the low 32 bits are written). */
  int32(value: number): this {
    this.#ensure(4)
    this.#view.setInt32(this.#pos, value)
    this.#pos += 4
    return this
  }

  /** Appends `value` as UTF-8 followed by a NUL; throws InterfaceError if `value` contains NUL. */
  cstring(value: string, what = 'string'): this {
    if (value.includes('\0')) {
      const name = this.#messageName
      this.#abandon()
      throw new InterfaceError(`${name}: ${what} contains a NUL character, which cannot be sent`, {
        safeToRetry: true,
      })
    }
    this.string(value)
    return this.int8(0)
  }

  /** Appends `value` as UTF-8 with no terminator and returns the number of bytes written. */
  string(value: string): number {
    const n = value.length
    if (n <= ASCII_LOOP_LIMIT) {
      this.#ensure(n)
      const buf = this.#buf
      const start = this.#pos
      let i = 0
      for (; i < n; i++) {
        const c = value.charCodeAt(i)
        if (c >= 0x80) break
        buf[start + i] = c
      }
      if (i === n) {
        this.#pos += n
        return n
      }
    }
    // Optimistic pass sized for ASCII; whatever does not fit is encoded after one exact-bound
    // grow (at most 3 bytes per UTF-16 unit), so a long text never reserves 3x up front.
    this.#ensure(n)
    const first = utf8.encodeInto(value, this.#buf.subarray(this.#pos))
    this.#pos += first.written
    if (first.read === n) return first.written
    const rest = value.slice(first.read)
    this.#ensure(rest.length * 3)
    const second = utf8.encodeInto(rest, this.#buf.subarray(this.#pos))
    this.#pos += second.written
    return first.written + second.written
  }

  /** Appends a copy of `bytes`; the caller keeps ownership of `bytes`. */
  bytes(bytes: Uint8Array): this {
    this.#ensure(bytes.length)
    this.#buf.set(bytes, this.#pos)
    this.#pos += bytes.length
    return this
  }

  /** Reserves 4 bytes for an Int32 written later with `patchInt32`; returns their offset. */
  reserveInt32(): number {
    this.#ensure(4)
    const at = this.#pos
    this.#pos += 4
    return at
  }

  /** Overwrites the Int32 at `offset` (an offset returned by `reserveInt32`). */
  patchInt32(offset: number, value: number): void {
    this.#view.setInt32(offset, value)
  }

  /**
   * Takes everything written so far as a fresh copy owned by the caller (safe to hand to a
   * socket that keeps the reference) and empties the writer; keeps its capacity for reuse.
   */
  flush(): Uint8Array {
    if (this.#lengthAt >= 0) {
      throw new InterfaceError(`${this.#messageName}: flush called inside an open message`, {
        safeToRetry: true,
      })
    }
    const out = this.#buf.slice(0, this.#pos)
    this.#pos = 0
    return out
  }

  /**
   * Discards everything written after `length` (a value of `length` read earlier), including an
   * open message: a batch that fails to encode midway leaves the writer as it was.
   */
  truncate(length: number): void {
    if (length < 0 || length > this.#pos) {
      throw new InterfaceError(`truncate(${length}) outside the ${this.#pos} bytes written`)
    }
    this.#pos = length
    this.#lengthAt = -1
  }

  /** Discards everything written, including an open message. */
  reset(): void {
    this.#pos = 0
    this.#lengthAt = -1
  }

  #assertClosed(name: string): void {
    if (this.#lengthAt >= 0) {
      throw new InterfaceError(
        `${name}: cannot start a message while ${this.#messageName} is still open`,
        { safeToRetry: true },
      )
    }
  }

  /** Drops a half-written message so a failed encode leaves earlier messages intact. */
  #abandon(): void {
    if (this.#lengthAt < 0) return
    this.#pos = this.#messageStart
    this.#lengthAt = -1
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra
    if (need <= this.#buf.length) return
    let capacity = this.#buf.length * 2
    while (capacity < need) capacity *= 2
    const next = new Uint8Array(capacity)
    next.set(this.#buf.subarray(0, this.#pos))
    this.#buf = next
    this.#view = new DataView(next.buffer)
  }
}
