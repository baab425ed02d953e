/**
 * A bounds-checked cursor over one message body; every failure is a ProtocolError naming the message.
 * Pure bytes: imports only the client errors and the UTF-8 decoder (no sockets, timers, promises
 * or Node built-ins).
 */
import { ProtocolError } from '../errors/client.js'
import { utf8DecodeRange } from './utf8.js'

const EMPTY = new Uint8Array(0)

/** Decodes `bytes[start, end)` as UTF-8; invalid sequences become U+FFFD, a BOM is kept. */
export const decodeUtf8: (bytes: Uint8Array, start: number, end: number) => string = utf8DecodeRange

/**
 * Reads fields from one message body, `bytes[start, end)`. One instance is reused per decoder;
 * `reset` points it at the next body. Views it returns alias `bytes`.
 */
export class BodyReader {
  /** The buffer holding the body. */
  bytes: Uint8Array = EMPTY
  /** A DataView over exactly `bytes` (same offsets). */
  data: DataView = new DataView(EMPTY.buffer)
  /** Where the body starts, an index into `bytes`. */
  start = 0
  /** The read position, an index into `bytes`. */
  pos = 0
  /** One past the body's last byte, an index into `bytes`. */
  end = 0
  /** PostgreSQL's name of the message being read, used in every error. */
  name = ''

  /** Points the reader at `bytes[start, end)`, the body of message `name`; `data` views `bytes`. */
  reset(bytes: Uint8Array, data: DataView, start: number, end: number, name: string): void {
    this.bytes = bytes
    this.data = data
    this.start = start
    this.pos = start
    this.end = end
    this.name = name
  }

  /** Bytes left in the body. */
  get remaining(): number {
    return this.end - this.pos
  }

  /** Length of the whole body. */
  get bodyLength(): number {
    return this.end - this.start
  }

  /** Throws a ProtocolError `"<name>: <detail>"`. */
  fail(detail: string): never {
    throw new ProtocolError(`${this.name}: ${detail}`, { messageType: this.name })
  }

  /** Throws unless `n` more bytes remain. */
  need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      this.fail(`body ends inside ${what} (needs ${n} bytes, ${this.end - this.pos} left)`)
    }
  }

  /** Reads an unsigned byte. */
  uint8(what: string): number {
    this.need(1, what)
    return this.bytes[this.pos++]!
  }

  /** Reads a big-endian signed 16-bit integer. */
  int16(what: string): number {
    this.need(2, what)
    const v = this.data.getInt16(this.pos)
    this.pos += 2
    return v
  }

  /** Reads a big-endian unsigned 16-bit integer (counts: PostgreSQL allows up to 65535). */
  uint16(what: string): number {
    this.need(2, what)
    const v = this.data.getUint16(this.pos)
    this.pos += 2
    return v
  }

  /** Reads a big-endian signed 32-bit integer. */
  int32(what: string): number {
    this.need(4, what)
    const v = this.data.getInt32(this.pos)
    this.pos += 4
    return v
  }

  /** Reads a big-endian unsigned 32-bit integer (OIDs). */
  uint32(what: string): number {
    this.need(4, what)
    const v = this.data.getUint32(this.pos)
    this.pos += 4
    return v
  }

  /** Reads a NUL-terminated UTF-8 string; throws if the body ends before the NUL. */
  cstring(what: string): string {
    const bytes = this.bytes
    const start = this.pos
    const nul = bytes.indexOf(0, start)
    if (nul < 0 || nul >= this.end) this.fail(`${what} is missing its NUL terminator`)
    this.pos = nul + 1
    return decodeUtf8(bytes, start, nul)
  }

  /** Returns a view of the next `n` bytes (aliases the buffer). */
  subview(n: number, what: string): Uint8Array {
    this.need(n, what)
    const v = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }

  /** Returns a copy of the next `n` bytes, owned by the caller. */
  copy(n: number, what: string): Uint8Array {
    this.need(n, what)
    const v = this.bytes.slice(this.pos, this.pos + n)
    this.pos += n
    return v
  }

  /** Returns a view of the rest of the body (aliases the buffer). */
  restView(): Uint8Array {
    const v = this.bytes.subarray(this.pos, this.end)
    this.pos = this.end
    return v
  }

  /** Returns a copy of the rest of the body, owned by the caller. */
  restCopy(): Uint8Array {
    const v = this.bytes.slice(this.pos, this.end)
    this.pos = this.end
    return v
  }

  /** Throws unless the body has been read exactly to its end. */
  done(after: string): void {
    if (this.pos !== this.end) {
      this.fail(`${this.end - this.pos} unexpected bytes after ${after}`)
    }
  }
}
