/**
 * The byte queue under both decoders: holds unread socket bytes across chunk boundaries.
 * Pure bytes: imports nothing (no sockets, timers, promises or Node built-ins).
 */

const EMPTY = new Uint8Array(0)

/** Smallest scratch buffer allocated once bytes must be carried over. */
const MIN_SCRATCH = 4096

/** A scratch buffer larger than this is released once it has been drained. */
const RETAIN_LIMIT = 1 << 20

/** A DataView covering exactly `bytes`. */
function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * Unread bytes `buf[pos, end)`. When nothing is left over, a pushed chunk is adopted without
 * copying; otherwise the leftover and the chunk are joined in a scratch buffer owned here.
 * Growth doubles from real bytes received and never exceeds `frameHint` (the validated size
 * of the frame being waited for), so a declared length alone never causes an allocation.
 */
export class Framer {
  /** The buffer holding unread bytes (a pushed chunk, or the scratch buffer). */
  buf: Uint8Array = EMPTY
  /** A DataView over exactly `buf`. */
  data: DataView = dataViewOf(EMPTY)
  /** First unread byte. */
  pos = 0
  /** One past the last unread byte. */
  end = 0
  /** Size of the frame a decoder is waiting for, already checked against its limit; 0 if none. */
  frameHint = 0
  #scratch: Uint8Array = EMPTY
  #scratchData: DataView = dataViewOf(EMPTY)

  /** Unread byte count. */
  get available(): number {
    return this.end - this.pos
  }

  /** Bytes of scratch space currently allocated. */
  get capacity(): number {
    return this.#scratch.length
  }

  /**
   * Queues `chunk`. It may be kept by reference until its bytes are consumed, so the caller
   * must not modify it afterwards. Views into earlier bytes may be overwritten by this call.
   */
  push(chunk: Uint8Array): void {
    const n = chunk.length
    if (n === 0) return
    const left = this.end - this.pos
    if (left === 0) {
      if (this.#scratch.length > RETAIN_LIMIT) {
        this.#scratch = EMPTY
        this.#scratchData = dataViewOf(EMPTY)
      }
      this.buf = chunk
      this.data = dataViewOf(chunk)
      this.pos = 0
      this.end = n
      return
    }
    const need = left + n
    let scratch = this.#scratch
    if (scratch.length >= need) {
      if (this.buf === scratch) scratch.copyWithin(0, this.pos, this.end)
      else scratch.set(this.buf.subarray(this.pos, this.end), 0)
    } else {
      let capacity = Math.max(MIN_SCRATCH, scratch.length * 2)
      if (this.frameHint > 0) capacity = Math.min(capacity, this.frameHint)
      capacity = Math.max(capacity, need)
      const next = new Uint8Array(capacity)
      next.set(this.buf.subarray(this.pos, this.end), 0)
      scratch = next
      this.#scratch = next
      this.#scratchData = dataViewOf(next)
    }
    scratch.set(chunk, left)
    this.buf = scratch
    this.data = this.#scratchData
    this.pos = 0
    this.end = need
  }
}
