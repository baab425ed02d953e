/**
 * `copyTo()`: COPY TO STDOUT as a Node Readable, read from the same CopyToIterable that
 * `copyToIterable()` returns, so both have one implementation of the COPY's flow control, cancel
 * and errors. Node-only: the Workers bundle's Readable refuses to be constructed, before the COPY
 * is sent.
 */
import { Readable } from '../runtime/streams.js'
import type { CopyToIterable } from './copy-to-iterable.js'

/** What `copyTo()` returns: the Readable, with the server's row count once it ended. */
export type CopyToStream = Readable & { rowCount?: number }

/** Buffered in the stream, on top of what the iterable holds before it stops reading the socket. */
const HIGH_WATER_BYTES = 64 * 1024
const HIGH_WATER_ROWS = 256

/**
 * A Readable of the COPY `open()` starts: Buffers (chunk boundaries are not row boundaries), or
 * one array per row with `rows`. The COPY is read only as fast as the stream is. Destroying the
 * stream (also what leaving a `for await` loop early does) closes the iterable, which cancels a
 * COPY still running; `close` is emitted once that is done, so whatever holds the connection
 * (a pool) has it back by then. Errors of the COPY destroy the stream with them.
 */
export function copyToStream(
  rows: boolean,
  open: () => CopyToIterable<Uint8Array | (string | null)[]>,
): CopyToStream {
  let pulling = false
  // Constructed first: where there is no Readable (Workers) that throws before the COPY is sent.
  const stream: CopyToStream = new Readable({
    objectMode: rows,
    highWaterMark: rows ? HIGH_WATER_ROWS : HIGH_WATER_BYTES,
    read() {
      if (!pulling) void pull()
    },
    destroy(err, callback) {
      source.close().then(
        () => callback(err),
        () => callback(err),
      )
    },
  })
  const source = open()
  const steps = source[Symbol.asyncIterator]()

  /** Moves steps into the stream until it is full, ended or failed. */
  async function pull(): Promise<void> {
    pulling = true
    try {
      for (;;) {
        const step = await steps.next()
        if (stream.destroyed) return
        if (step.done) {
          stream.rowCount = source.rowCount
          stream.push(null)
          return
        }
        // Chunks go out as Buffers, as Node's byte streams give them, sharing the iterable's copy.
        const value = step.value
        if (!stream.push(rows ? value : asBuffer(value as Uint8Array))) return
      }
    } catch (err) {
      stream.destroy(err as Error)
    } finally {
      pulling = false
    }
  }
  return stream
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
