/**
 * COPY FROM STDIN and COPY TO STDOUT over one connection: streaming with backpressure both ways,
 * CopyFail on abort or a failing source (the table is left untouched), and errors that carry the
 * line and column the server was reading.
 */

import type { Connection } from '../connection/connection.js'
import { isScript } from '../connection/in-doubt.js'
import type { Operation } from '../connection/operation.js'
import { traceOperation } from '../connection/operation-trace.js'
import { parseCommandTag } from '../connection/simple-query.js'
import { type DatabaseError, InterfaceError, type TuskError } from '../errors/base.js'
import { attachCallSite, captureCallSite } from '../errors/call-site.js'
import { fromServerError } from '../errors/server-error.js'
import { QueryCanceled } from '../errors/sqlstate.generated.js'
import type { BackendMessage } from '../protocol/backend.js'
import {
  encodeCopyData,
  encodeCopyDone,
  encodeCopyFail,
  encodeQuery,
} from '../protocol/frontend.js'
import type { Readable } from '../runtime/streams.js'
import { type CopyFormat, RowEncoder } from './row-encoder.js'

/** What `copyFrom` reads: a Readable, or an async (or sync) iterable of chunks or row arrays. */
export type CopySource =
  | Readable
  | AsyncIterable<string | Uint8Array | readonly unknown[]>
  | Iterable<string | Uint8Array | readonly unknown[]>

/** Options of `copyFrom`. */
export interface CopyFromOptions {
  /** How row arrays are encoded (default `text`); chunks are sent as they are. */
  format?: CopyFormat
  /** Column types (names or OIDs) for row arrays in `binary` format. */
  columnTypes?: readonly (string | number)[]
  /** Aborting sends CopyFail: nothing is written. */
  signal?: AbortSignal
  /** Time limit in ms for the whole COPY; past it, as an abort (CopyFail: nothing is written). */
  timeout?: number
}

/** What a finished COPY reports. */
export interface CopyResult {
  /** Rows copied, from the server's `COPY n`. */
  rowCount: number
}

/** Options of `copyTo`. */
export interface CopyToOptions {
  /** `rows`: each chunk is one text-format row decoded to an array (`\N` → null). Default `chunks`. */
  output?: 'chunks' | 'rows'
  /** Destroys the stream and cancels the COPY. */
  signal?: AbortSignal
  /** Time limit in ms for the whole COPY; past it, as an abort. */
  timeout?: number
}

const BATCH_BYTES = 64 * 1024
const ABORTED = Symbol('aborted')

/**
 * The source's next item, or ABORTED as soon as `signal` aborts, so a source that stalls cannot
 * hold the abort up. One listener per step, removed when the step settles: nothing accumulates
 * over a long COPY (a Promise.race against one long-lived promise would keep a reaction per row).
 */
function nextOrAbort(
  iterator: AsyncIterator<unknown> | Iterator<unknown>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<unknown> | typeof ABORTED> | IteratorResult<unknown> | typeof ABORTED {
  const next = iterator.next()
  if (signal === undefined) return next
  if (signal.aborted) return ABORTED
  if (!(next instanceof Promise)) return next
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(ABORTED)
    signal.addEventListener('abort', onAbort, { once: true })
    next.then(
      (step) => {
        signal.removeEventListener('abort', onAbort)
        resolve(step)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}

/** Why `signal` stopped a COPY: a time limit's `TimeoutError`, or anything else (an abort). */
export function stopReason(signal: AbortSignal | undefined): 'abort' | 'timeout' {
  return (signal?.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'
    ? 'timeout'
    : 'abort'
}

/**
 * The error of a COPY stopped by its signal: QueryCanceled, `reason: 'timeout'` when the signal
 * is a time limit's (a `TimeoutError`), else `'abort'`; the signal's reason as `cause`.
 */
export function copyCanceled(sql: string, signal: AbortSignal | undefined): QueryCanceled {
  const cause: unknown = signal?.reason
  const timeout = stopReason(signal) === 'timeout'
  const err = new QueryCanceled(timeout ? 'COPY timed out' : 'COPY aborted', {
    query: sql,
    phase: 'query',
    cause,
  }) as QueryCanceled & { reason?: string }
  err.code = '57014'
  err.reason = timeout ? 'timeout' : 'abort'
  return err
}
const utf8 = new TextEncoder()

/** Reads `line` and `column` from a COPY error's context (`COPY t, line 5, column b: "x"`). */
export function annotateCopyError(err: DatabaseError): DatabaseError {
  const m = /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(err.where ?? '')
  if (m) {
    err.copyLine = Number(m[1])
    if (m[2] !== undefined) err.copyColumn = m[2]
    if (!err.message.includes(`line ${m[1]}`)) {
      err.message = `${err.message} (COPY input line ${m[1]}${m[2] ? `, column ${m[2]}` : ''})`
    }
  }
  return err
}

/** What a COPY operation reports as the server answers. */
export interface CopyEvents {
  copyIn?(): void
  copyOut?(): void
  /** A CopyData payload; a view valid only during the call. */
  data?(bytes: Uint8Array): void
  done(err: TuskError | undefined, rowCount: number): void
}

/** @internal The COPY request on the connection: reports the server's answer to `events`. */
export class CopyOperation implements Operation {
  sent = false
  /** Requests queued during the COPY wait until it completes (see Operation.barrier). */
  readonly barrier = true
  readonly query: string
  error: TuskError | undefined
  rowCount = 0
  readonly #host: string
  readonly #events: CopyEvents

  constructor(query: string, host: string, events: CopyEvents) {
    this.query = query
    this.#host = host
    this.#events = events
  }

  handle(m: BackendMessage): boolean {
    switch (m.type) {
      case 'CopyInResponse':
        this.#events.copyIn?.()
        return false
      case 'CopyOutResponse':
        this.#events.copyOut?.()
        return false
      case 'CopyData':
        this.#events.data?.(m.data)
        return false
      case 'CommandComplete':
        this.rowCount = parseCommandTag(m.tag).rowCount ?? 0
        return false
      case 'ErrorResponse':
        this.error ??= annotateCopyError(
          fromServerError(m.fields, { query: this.query, host: this.#host, phase: 'query' }),
        )
        return false
      case 'ReadyForQuery':
        this.#events.done(this.error, this.rowCount)
        return true
      default:
        return false
    }
  }

  fail(error: TuskError): void {
    this.#events.done(error, 0)
  }
}

/** Runs `COPY … FROM STDIN` on `conn`, streaming `source`; resolves with the rows copied. */
export function copyFrom(
  conn: Connection,
  sql: string,
  source: CopySource,
  options: CopyFromOptions = {},
): Promise<CopyResult> {
  const site = captureCallSite(copyFrom)
  const types = conn.types
  const columnTypes = options.columnTypes?.map((t) => {
    if (typeof t === 'number') return t
    const oid = types.typeOid(t)
    if (oid === undefined) throw new InterfaceError(`copyFrom: unknown column type "${t}"`)
    return oid
  })
  const encoder = new RowEncoder(options.format ?? 'text', types, columnTypes)
  const trace = traceOperation(conn, 'copy-from', sql)
  const result = new Promise<CopyResult>((resolve, reject) => {
    let sourceError: unknown
    let started = false
    // Whether CopyDone was written: before it, the server cannot have committed a row of the COPY.
    let copyDoneSent = false
    let grace: ReturnType<typeof setTimeout> | undefined
    const op = new CopyOperation(sql, conn.host, {
      copyIn: () => {
        started = true
        void pump()
      },
      done: (err, rowCount) => {
        clearTimeout(grace)
        // A link lost before CopyDone went out: the server ends the COPY with its transaction
        // (the driver's guess from the statement text alone says "in doubt").
        if (err?.inDoubt && !copyDoneSent && !isScript(sql)) err.inDoubt = false
        if (sourceError !== undefined) reject(attachCallSite(sourceError, site))
        else if (err) reject(attachCallSite(err, site))
        else if (!started)
          reject(
            attachCallSite(
              new InterfaceError('the statement is not a COPY … FROM STDIN', { query: sql }),
              site,
            ),
          )
        else resolve({ rowCount })
      },
    })
    const abort = (reason: unknown): void => {
      sourceError ??= reason
    }
    const onAbort = (): void => {
      abort(copyCanceled(sql, options.signal))
      // CopyFail ends a COPY under way; the cancel reaches one whose answer has not come yet, and
      // its grace closes a link that went silent instead of waiting for ever.
      grace ??= conn.cancelOperation(op, stopReason(options.signal))
    }
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
    const pump = async (): Promise<void> => {
      const chunks: Uint8Array[] = []
      let size = 0
      const send = async (): Promise<boolean> => {
        if (size === 0) return true
        const batch = chunks.length === 1 ? chunks[0]! : concat(chunks, size)
        chunks.length = 0
        size = 0
        const ok = conn.writeNow((w) => encodeCopyData(w, batch))
        if (!ok) await conn.drained()
        return !conn.closed && op.error === undefined
      }
      const push = (bytes: Uint8Array | undefined): void => {
        if (!bytes || bytes.length === 0) return
        chunks.push(bytes)
        size += bytes.length
      }
      try {
        push(encoder.header())
        const iterable = source as AsyncIterable<unknown> | Iterable<unknown>
        const iterator: AsyncIterator<unknown> | Iterator<unknown> =
          Symbol.asyncIterator in iterable
            ? iterable[Symbol.asyncIterator]()
            : (iterable as Iterable<unknown>)[Symbol.iterator]()
        for (;;) {
          if (sourceError !== undefined || op.error || conn.closed) break
          const step = await nextOrAbort(iterator, options.signal)
          if (step === ABORTED) {
            // Let the source stop (a Readable is destroyed); its pending read is not awaited.
            Promise.resolve(iterator.return?.()).catch(() => {})
            break
          }
          if (step.done) break
          const item = step.value
          if (typeof item === 'string') push(utf8.encode(item))
          else if (item instanceof Uint8Array) push(item)
          else if (Array.isArray(item)) push(encoder.encode(item))
          else
            throw new InterfaceError(
              'copyFrom: each item must be a string, bytes or an array of values',
            )
          if (size >= BATCH_BYTES && !(await send())) break
        }
        push(encoder.trailer())
        if (sourceError === undefined && !op.error) await send()
      } catch (err) {
        sourceError ??= err
      }
      options.signal?.removeEventListener('abort', onAbort)
      if (conn.closed) return
      if (sourceError !== undefined) {
        const why = sourceError instanceof Error ? sourceError.message : String(sourceError)
        conn.writeNow((w) => encodeCopyFail(w, `aborted by the client: ${why}`.slice(0, 1000)))
      } else {
        copyDoneSent = true
        conn.writeNow((w) => encodeCopyDone(w))
      }
    }
    try {
      conn.enqueue(op, (w) => encodeQuery(w, sql))
    } catch (err) {
      reject(attachCallSite(err, site))
    }
  })
  if (trace === undefined) return result
  return result.then(
    (done) => {
      trace.end({ rowCount: done.rowCount })
      return done
    },
    (err: unknown) => {
      trace.end({ error: err })
      throw err
    },
  )
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  let pos = 0
  for (const c of chunks) {
    out.set(c, pos)
    pos += c.length
  }
  return out
}
