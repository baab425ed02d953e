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
    if (this.buf === scratch && scratch.length >= need) scratch.copyWithin(0, this.pos, this.end)
    else {
      // #scratchFor may replace the scratch buffer; `buf` still holds the unread bytes.
      scratch = this.#scratchFor(need)
      scratch.set(this.buf.subarray(this.pos, this.end), 0)
    }
    scratch.set(chunk, left)
    this.buf = scratch
    this.data = this.#scratchData
    this.pos = 0
    this.end = need
  }

  /**
   * The scratch buffer, replaced by a larger empty one when it holds fewer than `need` bytes.
   * Growth doubles and never exceeds `frameHint` unless `need` does.
   */
  #scratchFor(need: number): Uint8Array {
    if (this.#scratch.length >= need) return this.#scratch
    let capacity = Math.max(MIN_SCRATCH, this.#scratch.length * 2)
    if (this.frameHint > 0) capacity = Math.min(capacity, this.frameHint)
    const next = new Uint8Array(Math.max(capacity, need))
    this.#scratch = next
    this.#scratchData = dataViewOf(next)
    return next
  }

  /**
   * Stops referencing the last pushed chunk, whose memory its owner is about to reuse: unread
   * bytes still in it move to the scratch buffer. Views into it become invalid.
   */
  release(): void {
    const left = this.end - this.pos
    // With nothing unread, the chunk is never read again: the next push replaces it.
    if (left === 0 || this.buf === this.#scratch) return
    const scratch = this.#scratchFor(left)
    scratch.set(this.buf.subarray(this.pos, this.end), 0)
    this.buf = scratch
    this.data = this.#scratchData
    this.pos = 0
    this.end = left
  }
}
