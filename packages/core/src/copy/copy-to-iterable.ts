/**
 * COPY TO STDOUT as an async iterable, with no Node stream: what `copyToIterable()` returns on
 * every runtime (Cloudflare Workers included). The socket is read only as fast as the consumer
 * iterates; leaving the loop early cancels the COPY and waits until the session is ready again.
 */

import type { Connection } from '../connection/connection.js'
import { type OperationTrace, traceOperation } from '../connection/operation-trace.js'
import { InterfaceError, type TuskError } from '../errors/base.js'
import { attachCallSite, captureCallSite } from '../errors/call-site.js'
import { QueryCanceled } from '../errors/sqlstate.generated.js'
import { encodeCopyFail, encodeQuery } from '../protocol/frontend.js'
import { asyncDispose } from '../session/dispose.js'
import { type Deadline, deadlineSignal } from '../session/signals.js'
import { CopyOperation, type CopyToOptions, copyCanceled, stopReason } from './copy.js'
import { decodeTextRow } from './row-encoder.js'

/** Bytes (chunks) or rows (`output: 'rows'`) buffered before the socket stops being read. */
const HIGH_WATER_BYTES = 256 * 1024
const HIGH_WATER_ROWS = 1000
/** Queued chunks are handed out joined, up to this size, so a consumer is not called per row. */
const JOIN_LIMIT = 64 * 1024

interface Waiter<T> {
  resolve(step: IteratorResult<T, undefined>): void
  reject(err: unknown): void
}

/**
 * The output of `COPY … TO STDOUT`, iterated with `for await`: `Uint8Array` chunks (chunk
 * boundaries are not row boundaries), or with `output: 'rows'` one decoded text-format row per
 * step (`\N` → null). The COPY starts when `copyToIterable()` is called, in order with the
 * session's other requests; while the consumer is behind, the socket is not read.
 *
 * A server error (or the signal, or the timeout) rejects the step that reaches it, after the
 * data received before it; `rowCount` is set once the loop ended normally. Leaving the loop
 * early (`break`, `return`, a throw), `close()` or `await using` cancel a COPY still running
 * (a CancelRequest) and resolve once the session can take the next request; a session whose
 * server does not answer the cancel within `cancelGrace` is closed. Inside a transaction, a
 * canceled COPY fails the transaction, as any canceled statement does. One pass only: a second
 * loop sees what the first left.
 */
/**
 * What `copyToIterable(sql, options)` yields: decoded rows with `output: 'rows'`, byte chunks with
 * `output: 'chunks'` or none, either when the options' type leaves it open.
 */
export type CopyToItem<O extends CopyToOptions | undefined> = O extends { output: 'rows' }
  ? (string | null)[]
  : O extends undefined
    ? Uint8Array
    : 'output' extends keyof O
      ? O extends { output?: 'chunks' | undefined }
        ? Uint8Array
        : Uint8Array | (string | null)[]
      : Uint8Array

export class CopyToIterable<T = Uint8Array> implements AsyncIterable<T> {
  readonly #sql: string
  readonly #rows: boolean
  readonly #highWater: number
  readonly #deadline: Deadline | undefined
  readonly #onClose: (() => void) | undefined
  readonly #site = captureCallSite()
  readonly #decoder = new TextDecoder()
  #conn: Connection | undefined
  #op: CopyOperation | undefined
  #trace: OperationTrace | undefined
  /** Received, not yet handed out: Uint8Array copies, or decoded rows. */
  readonly #queue: (Uint8Array | (string | null)[])[] = []
  /** Bytes (chunks) or rows queued. */
  #queued = 0
  readonly #waiters: Waiter<T>[] = []
  #paused = false
  #started = false
  #wrongWay = false
  #finished = false
  /** The consumer stopped (break, close): what still arrives is dropped, a cancel error hidden. */
  #closed = false
  /** Set when the COPY was canceled (signal, timeout, close) and why. */
  #canceled: 'abort' | 'timeout' | undefined
  #grace: ReturnType<typeof setTimeout> | undefined
  #error: unknown
  #errorDelivered = false
  #rowCount: number | undefined
  readonly #ended: Promise<void>
  #end!: () => void

  /**
   * @internal Starts the COPY (`session.copyToIterable()`, `transaction.copyToIterable()` and
   * `pool.copyToIterable()` call it). `conn` is the connection, or its checkout in progress
   * (released through `onClose` once the COPY ended).
   */
  static open<T>(
    conn: Connection | Promise<Connection>,
    sql: string,
    options: CopyToOptions,
    onClose?: () => void,
  ): CopyToIterable<T> {
    return new CopyToIterable<T>(conn, sql, options, onClose)
  }

  private constructor(
    conn: Connection | Promise<Connection>,
    sql: string,
    options: CopyToOptions,
    onClose: (() => void) | undefined,
  ) {
    this.#sql = sql
    this.#rows = options.output === 'rows'
    this.#highWater = this.#rows ? HIGH_WATER_ROWS : HIGH_WATER_BYTES
    this.#onClose = onClose
    this.#ended = new Promise((resolve) => {
      this.#end = resolve
    })
    this.#deadline = deadlineSignal(options.signal, options.timeout)
    const signal = this.#deadline?.signal
    if (signal?.aborted) {
      this.#settle(copyCanceled(sql, signal))
      return
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true })
    if (conn instanceof Promise) {
      conn.then(
        (c) => this.#begin(c),
        (err: unknown) => this.#settle(err),
      )
    } else this.#begin(conn)
  }

  /** Rows copied (the server's `COPY n`), once the loop read the COPY to its end. */
  get rowCount(): number | undefined {
    return this.#rowCount
  }

  /** True once the COPY ended (read to the end, failed, broken out of or closed). */
  get closed(): boolean {
    return this.#finished && (this.#closed || this.#queue.length === 0)
  }

  #begin(conn: Connection): void {
    // Closed or aborted while the connection was being checked out: give it straight back.
    if (this.#finished) {
      this.#onClose?.()
      return
    }
    this.#conn = conn
    this.#trace = traceOperation(conn, 'copy-to', this.#sql)
    const op = new CopyOperation(this.#sql, conn.host, {
      copyIn: () => {
        // A COPY … FROM STDIN: refuse it (the server answers with an error and ReadyForQuery).
        this.#wrongWay = true
        conn.writeNow((w) =>
          encodeCopyFail(w, 'COPY FROM STDIN runs through copyFrom(), not copyTo()'),
        )
      },
      copyOut: () => {
        this.#started = true
      },
      data: (bytes) => this.#push(bytes),
      done: (err, rowCount) => this.#done(err, rowCount),
    })
    this.#op = op
    try {
      conn.enqueue(op, (w) => encodeQuery(w, this.#sql))
    } catch (err) {
      this.#settle(err)
    }
  }

  /** A CopyData payload (a view valid only during the call). */
  #push(bytes: Uint8Array): void {
    // After a cancel the data still arriving is dropped: nobody asked for it.
    if (this.#closed || this.#canceled !== undefined) return
    const item = this.#rows ? decodeTextRow(this.#decoder.decode(bytes)) : new Uint8Array(bytes)
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) {
      waiter.resolve({ value: item as T, done: false })
      return
    }
    this.#queue.push(item)
    this.#queued += this.#rows ? 1 : bytes.length
    if (this.#queued >= this.#highWater && !this.#paused) {
      this.#paused = true
      this.#conn?.pauseReading()
    }
  }

  #resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#conn?.resumeReading()
  }

  /** The server's ReadyForQuery (or the connection's failure) ended the COPY. */
  #done(err: TuskError | undefined, rowCount: number): void {
    const sql = this.#sql
    if (this.#wrongWay || (!err && !this.#started)) {
      this.#settle(new InterfaceError('the statement is not a COPY … TO STDOUT', { query: sql }))
    } else if (err) {
      if (this.#canceled !== undefined && err instanceof QueryCanceled) {
        ;(err as QueryCanceled & { reason?: string }).reason = this.#canceled
      }
      this.#settle(err)
    } else if (this.#canceled !== undefined && !this.#closed) {
      // Finished before the cancel took effect: the data after it was dropped, so it fails.
      this.#settle(copyCanceled(sql, this.#deadline?.signal))
    } else {
      // Broken out of: the COPY may have ended before the cancel reached it, but the consumer
      // did not see all of it, so there is no count to report.
      if (!this.#closed) this.#rowCount = rowCount
      this.#settle(undefined)
    }
  }

  /** Ends the COPY with `err` (or success): wakes the waiting steps and releases what it holds. */
  #settle(err: unknown): void {
    if (this.#finished) return
    this.#finished = true
    clearTimeout(this.#grace)
    this.#resume()
    this.#deadline?.signal.removeEventListener('abort', this.#onAbort)
    this.#deadline?.dispose()
    if (err !== undefined) this.#error = attachCallSite(err, this.#site)
    const hidden = this.#closed && this.#error instanceof QueryCanceled
    this.#trace?.end(
      err === undefined ? { rowCount: this.#rowCount ?? 0 } : hidden ? {} : { error: this.#error },
    )
    for (const waiter of this.#waiters.splice(0)) this.#deliver(waiter)
    this.#onClose?.()
    this.#end()
  }

  /** Hands a finished COPY's outcome to one step: its error once, then the end. */
  #deliver(waiter: Waiter<T>): void {
    if (this.#error !== undefined && !this.#errorDelivered && !this.#closed) {
      this.#errorDelivered = true
      waiter.reject(this.#error)
    } else waiter.resolve({ value: undefined, done: true })
  }

  /** Sends a CancelRequest for the running COPY; false when there is nothing it can reach. */
  #cancel(reason: 'abort' | 'timeout'): boolean {
    if (this.#finished || this.#canceled !== undefined) return false
    this.#canceled = reason
    this.#queue.length = 0
    this.#queued = 0
    this.#resume()
    if (this.#conn === undefined || this.#op === undefined) return false
    this.#grace = this.#conn.cancelOperation(this.#op, reason)
    return this.#grace !== undefined
  }

  readonly #onAbort = (): void => {
    const signal = this.#deadline?.signal
    if (this.#finished) return
    // Not sent yet (a pool checkout in progress, or nothing to reach): fail at once.
    if (!this.#cancel(stopReason(signal)) && this.#op === undefined) {
      this.#settle(copyCanceled(this.#sql, signal))
    }
  }

  /** The next chunk or row; the end once the COPY finished. */
  #next(): Promise<IteratorResult<T, undefined>> {
    if (this.#queue.length > 0 && !this.#closed) return Promise.resolve(this.#take())
    if (this.#finished) {
      return new Promise((resolve, reject) => this.#deliver({ resolve, reject }))
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  /** Takes from the queue: one row, or the queued chunks joined (up to JOIN_LIMIT). */
  #take(): IteratorResult<T, undefined> {
    let value: Uint8Array | (string | null)[]
    if (this.#rows) {
      value = this.#queue.shift()!
      this.#queued -= 1
    } else {
      let size = 0
      let count = 0
      for (const chunk of this.#queue as Uint8Array[]) {
        if (count > 0 && size + chunk.length > JOIN_LIMIT) break
        size += chunk.length
        count++
      }
      const parts = this.#queue.splice(0, count) as Uint8Array[]
      if (count === 1) value = parts[0]!
      else {
        const joined = new Uint8Array(size)
        let at = 0
        for (const part of parts) {
          joined.set(part, at)
          at += part.length
        }
        value = joined
      }
      this.#queued -= size
    }
    if (this.#queued < this.#highWater) this.#resume()
    return { value: value as T, done: false }
  }

  /**
   * Stops: cancels the COPY if it is still running and resolves once the session can take the
   * next request (or was closed because the server did not answer the cancel). Safe to call
   * twice; never rejects for the COPY's own failure (that goes to the loop that reads it).
   */
  async close(): Promise<void> {
    if (!this.#finished) {
      this.#closed = true
      // Nothing sent yet (a checkout in progress): it ends now, the connection goes back on arrival.
      if (this.#op === undefined) this.#settle(undefined)
      else this.#cancel('abort')
      for (const waiter of this.#waiters.splice(0)) waiter.resolve({ value: undefined, done: true })
    } else {
      this.#closed = true
    }
    this.#queue.length = 0
    this.#queued = 0
    await this.#ended
  }

  /** `await using out = session.copyToIterable(...)` closes it at the end of the block. */
  [asyncDispose](): Promise<void> {
    return this.close()
  }

  /** The chunks (or rows); leaving the loop early cancels the COPY (see `close()`). */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.#next(),
      return: async () => {
        await this.close()
        return { value: undefined, done: true }
      },
    }
  }
}
