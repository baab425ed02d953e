/**
 * Server-side cursors that stream any result in bounded memory: a named portal read in batches
 * with Execute(maxRows) (no DECLARE round trip), or `DECLARE … WITH HOLD` when asked.
 */

import type { Connection, QueryOptions } from '../connection/connection.js'
import {
  preferredFormats,
  type QueryResult,
  type RowMode,
  type RunInfo,
} from '../connection/extended-query.js'
import { type OperationTrace, traceOperation } from '../connection/operation-trace.js'
import { highestPlaceholder } from '../connection/placeholders.js'
import { InterfaceError, type TuskError } from '../errors/base.js'
import { attachCallSite, captureCallSite } from '../errors/call-site.js'
import { ConnectionClosed, HandleClosed } from '../errors/client.js'
import { QueryCanceled } from '../errors/sqlstate.generated.js'
import { placeholderMismatchMessage } from '../options/placeholder-hint.js'
import type { FieldDescription } from '../protocol/backend.js'
import {
  encodeBind,
  encodeClose,
  encodeDescribe,
  encodeExecute,
  encodeParse,
  encodeSync,
} from '../protocol/frontend.js'
import type { Writer } from '../protocol/writer.js'
import { Readable } from '../runtime/streams.js'
import { asyncDispose } from '../session/dispose.js'
import { escapeIdentifier } from '../sql/escape.js'
import { isSqlFragment, type SqlFragment } from '../sql/fragment.js'
import { inferredParameterOid } from '../types/index.js'

/** Options of a cursor. */
export interface CursorOptions {
  /** Rows per batch (default 1 000). At most two batches are held in memory. */
  batchSize?: number
  rowMode?: RowMode
  /**
   * `DECLARE … WITH HOLD`: the cursor outlives the transaction (the server materializes the
   * result at commit). Default false: a protocol-level portal, no extra round trip.
   */
  withHold?: boolean
  /** A cursor name: implies `DECLARE … WITH HOLD` (unless `withHold: false`, which needs a transaction). */
  name?: string
  /** Closes the cursor; a pending read rejects with QueryCanceled (`reason: 'abort'`). */
  signal?: AbortSignal
  /** Time limit in ms of each batch read (a CancelRequest, then QueryCanceled, `reason: 'timeout'`). */
  timeout?: number
  /** Type mapping for this cursor (see TypeOptions). */
  types?: QueryOptions['types']
}

let serial = 0

/**
 * How many rows each statement's last cursor on a connection returned in all, when it was read
 * to its end (Infinity when it was closed with rows left). A statement that fitted in one batch
 * skips the Describe round trip next time and reads text: for a batch or less, that round trip
 * costs more than binary decoding saves. Only a hint: text is valid for every column, so a stale
 * entry costs speed, never correctness. Dropped with the connection; started over past
 * MAX_REMEMBERED statements.
 */
const lastRowCounts = new WeakMap<Connection, Map<string, number>>()
const MAX_REMEMBERED = 256

function rememberRows(conn: Connection, text: string, rows: number): void {
  let counts = lastRowCounts.get(conn)
  if (counts === undefined) {
    counts = new Map()
    lastRowCounts.set(conn, counts)
  } else if (counts.size >= MAX_REMEMBERED && !counts.has(text)) counts.clear()
  counts.set(text, rows)
}

/**
 * @internal What a session's cursor tells the session it was opened on, and asks it. A session
 * refuses statements while one of its cursors holds a transaction of its own (SessionBusy), and
 * when its handle is revoked (a released pool client) detaches its cursors, which then touch the
 * connection no more.
 */
export interface CursorHost {
  /** Throws HandleClosed once the session's handle is revoked. */
  check(): void
  /** The cursor is about to put state on the server (a portal, a transaction). */
  opened(cursor: Cursor<unknown>): void
  /** The cursor closed. */
  closed(cursor: Cursor<unknown>): void
}

/**
 * A server-side cursor. Read it with `for await (const rows of cursor)` (batches),
 * `cursor.rows()` (single rows) or `cursor.stream()` (a Readable in object mode). It closes —
 * and leaves its connection idle — at the end, on `break`/`return`/throw in the loop, on abort,
 * and with `close()`; using it after that throws.
 */
export class Cursor<R = Record<string, unknown>> implements AsyncIterable<R[]> {
  /** The connection; undefined until a lazily acquired one (pool cursors) arrives. */
  #connection: Connection | undefined
  /** A pool cursor's pending checkout, started by the first read. */
  #acquire: (() => Promise<Connection>) | undefined
  #acquiring: Promise<Connection> | undefined
  readonly #text: string
  readonly #values: readonly unknown[]
  readonly #options: CursorOptions
  readonly #batchSize: number
  readonly #portal: string
  readonly #declared: boolean
  #began = false
  #opened = false
  #done = false
  #closed = false
  #closing: Promise<void> | undefined
  #fields: readonly FieldDescription[] | undefined
  /** The result formats the portal was bound with (per column; binary where faster). */
  #formats: readonly (0 | 1)[] | undefined
  /** The batch requested but not yet handed out (the prefetch). */
  #next: Promise<QueryResult<R> & { more: boolean }> | undefined
  #error: TuskError | undefined
  readonly #onClose: (() => void) | undefined
  readonly #site = captureCallSite()
  /** The operation event of this cursor, once it has a connection and somebody listens. */
  #trace: OperationTrace | undefined
  #traced = false
  #rowsRead = 0
  /** The session it belongs to (session and transaction cursors; pool cursors have none). */
  readonly #host: CursorHost | undefined
  #hosted = false
  /** The session's handle was revoked: nothing more may reach the connection. */
  #detached = false
  /** The COMMIT or ROLLBACK of the cursor's own transaction was sent (or the link is gone). */
  #ownEnded = false

  /**
   * @internal Opens a cursor (`session.cursor()`, `transaction.cursor()` and `pool.cursor()` call
   * it). `conn` is the connection, or a function that checks one out at the first read
   * (released on close); `host` the session it belongs to.
   */
  static open<R>(
    conn: Connection | (() => Promise<Connection>),
    query: string | SqlFragment,
    params: readonly unknown[] | undefined,
    options: CursorOptions,
    onClose?: () => void,
    host?: CursorHost,
  ): Cursor<R> {
    return new Cursor<R>(conn, query, params, options, onClose, host)
  }

  /** Cursors come from `cursor()` on a session, a transaction or a pool. */
  private constructor(
    conn: Connection | (() => Promise<Connection>),
    query: string | SqlFragment,
    params: readonly unknown[] | undefined,
    options: CursorOptions,
    onClose?: () => void,
    host?: CursorHost,
  ) {
    this.#host = host
    if (typeof conn === 'function') this.#acquire = conn
    else this.#connection = conn
    if (isSqlFragment(query)) {
      this.#text = query.text
      this.#values = query.values
    } else {
      this.#text = query
      this.#values = params ?? []
    }
    this.#options = options
    this.#batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000))
    this.#declared = options.withHold === true || options.name !== undefined
    this.#portal = options.name ?? `tusk_cursor_${++serial}`
    this.#onClose = onClose
    const expected = highestPlaceholder(this.#text)
    if (expected !== this.#values.length) {
      throw new InterfaceError(
        placeholderMismatchMessage('cursor query', this.#text, expected, this.#values.length),
        { query: this.#text },
      )
    }
    options.signal?.addEventListener('abort', () => void this.#abort(), { once: true })
  }

  /** True once the cursor is closed (read to the end, broken out of, aborted or closed). */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * @internal True while the cursor holds a transaction it opened itself (its session was idle),
   * from its first read until its COMMIT or ROLLBACK is sent.
   */
  get holdsTransaction(): boolean {
    return this.#began && !this.#ownEnded && !this.#detached
  }

  /** @internal The cursor's statement, as errors about it quote it. */
  get statement(): string {
    return this.#text
  }

  /**
   * @internal Its session's handle was revoked (a released pool client): every later call throws
   * `error`, and nothing more reaches the connection, which now serves someone else. A
   * `WITH HOLD` cursor's CLOSE is queued first, so the pool sees the connection busy and drops it
   * rather than hand it on with the cursor open.
   */
  detach(error: TuskError): void {
    if (this.#detached) return
    const conn = this.#connection
    if (this.#declared && this.#opened && !this.#closed && conn !== undefined && !conn.closed) {
      void conn.exec(`CLOSE ${escapeIdentifier(this.#portal)}`).catch(() => {})
    }
    this.#detached = true
    this.#error ??= error
    this.#next = undefined
    if (!this.#closed) {
      this.#closed = true
      this.#closing = Promise.resolve()
      this.#trace?.end({ rowCount: this.#rowsRead, error })
      this.#onClose?.()
    }
    this.#host?.closed(this as Cursor<unknown>)
  }

  /** The columns, once the first batch arrived. */
  get fields(): readonly FieldDescription[] | undefined {
    return this.#fields
  }

  /** Reads the next batch; an empty array at the end (then the cursor is closed). */
  async read(): Promise<R[]> {
    if (this.#error) throw this.#error
    if (this.#done) {
      await this.close()
      return []
    }
    if (this.#closed) {
      throw attachCallSite(
        new HandleClosed('cursor is closed (read to the end, broken out of, aborted or closed)', {
          query: this.#text,
          handle: 'cursor',
        }),
        this.#site,
      )
    }
    try {
      const batch = await (this.#next ?? this.#request())
      this.#next = undefined
      if (batch.more) {
        // Taken by the next read(). Until then its failure is nobody's yet, and the cursor may
        // never be read again (abandoned, or its connection released): not an unhandled rejection.
        this.#next = this.#request()
        this.#next.catch(() => {})
      } else {
        this.#done = true
        if (!this.#declared) rememberRows(this.#connection!, this.#text, this.#rowsRead)
        // The last batch: close now, so its own transaction commits and the session is free
        // as soon as the rows are handed out (a COMMIT that fails throws here).
        await this.close()
      }
      return batch.rows
    } catch (err) {
      this.#error ??= err as TuskError
      await this.close().catch(() => {})
      throw attachCallSite(this.#error, this.#site)
    }
  }

  /** The connection, checking one out first for a pool cursor. */
  #conn(): Connection | Promise<Connection> {
    if (this.#connection !== undefined) return this.#connection
    this.#acquiring ??= this.#acquire!().then((c) => {
      this.#connection = c
      return c
    })
    return this.#acquiring
  }

  #request(): Promise<QueryResult<R> & { more: boolean }> {
    if (this.#options.signal?.aborted) return Promise.reject(this.#abortError())
    if (this.#host !== undefined) {
      try {
        this.#host.check()
      } catch (err) {
        return Promise.reject(err)
      }
      if (!this.#hosted) {
        this.#hosted = true
        this.#host.opened(this as Cursor<unknown>)
      }
    }
    const conn = this.#conn()
    if (conn instanceof Promise) return conn.then(() => this.#request())
    if (!this.#traced) {
      this.#traced = true
      this.#trace = traceOperation(conn, 'cursor', this.#text)
    }
    let more = false
    const onInfo = (info: RunInfo): void => {
      more = info.suspended
      if (info.fields) this.#fields = info.fields
    }
    const common = {
      rowMode: this.#options.rowMode ?? 'object',
      onInfo,
      ...(this.#options.types ? { types: this.#options.types } : {}),
      ...(this.#options.timeout !== undefined ? { timeout: this.#options.timeout } : {}),
      ...(this.#trace ? { traceParent: this.#trace.id } : {}),
    }
    let p: Promise<QueryResult<R>>
    if (this.#declared) {
      p = this.#openDeclared(conn).then(() =>
        conn.queryFrom<R>(
          undefined,
          `FETCH FORWARD ${this.#batchSize} FROM ${escapeIdentifier(this.#portal)}`,
          [],
          {
            ...common,
            prepare: false,
          },
        ),
      )
      return p.then((r) => {
        this.#rowsRead += r.rows.length
        return { ...r, more: r.rows.length === this.#batchSize }
      })
    }
    if (!this.#opened) {
      this.#opened = true
      if (conn.transactionStatus === 'I') {
        // Outside a transaction block the portal needs one to live across batches.
        this.#began = true
        void conn.exec('BEGIN').catch(() => {})
      }
      const text = this.#text
      const values = this.#values
      const codecs = conn.types
      const oids = values.map((v) => inferredParameterOid(v))
      const last = lastRowCounts.get(conn)?.get(text)
      if (last !== undefined && last < this.#batchSize) {
        // Its last cursor here fitted in one batch: bind text, in one round trip.
        this.#formats = undefined
        p = conn.runBatch<R>(text, values, common, (w) => {
          this.#encodeOpen(w, oids, undefined)
        })
        return p.then((r) => {
          this.#rowsRead += r.rows.length
          return { ...r, more }
        })
      }
      // The portal's result formats are fixed when it is bound, and binary decodes most types
      // faster than text: one Describe round trip first learns the column types, so every
      // batch comes back in the formats the registry prefers. The Describe is a barrier and the
      // Bind is queued ahead of whatever was queued meanwhile, so the two run as one request:
      // a statement called after this read runs after the cursor's, and the unnamed statement
      // the Describe parsed is still the one bound.
      let bound: Promise<QueryResult<R>> | undefined
      const describe = {
        ...common,
        quietUnlessFailed: true,
        barrier: true,
        onInfo: (info: RunInfo) => {
          // Closed while the columns were described (aborted, or its transaction ended): close()
          // has already cleaned up, and a pool may have the connection back, so open nothing.
          if (this.#closed) return
          const registry = this.#options.types ? codecs.extend(this.#options.types) : codecs
          const formats = preferredFormats(registry, info.fields ?? [])
          this.#formats = formats
          bound = conn.runBatch<R>(
            text,
            values,
            { ...common, resultFormats: formats, ahead: true },
            (w) => {
              this.#encodeOpen(w, oids, formats, false)
            },
          )
        },
      }
      p = conn
        .runBatch<R>(text, values, describe, (w) => {
          encodeParse(w, '', text, oids)
          encodeDescribe(w, 'S', '')
          encodeSync(w)
        })
        .then(() => {
          if (bound === undefined) {
            throw (
              this.#error ??
              new HandleClosed('cursor was closed before its first batch', {
                query: text,
                handle: 'cursor',
              })
            )
          }
          return bound
        })
    } else {
      const batch = { ...common, presetFields: this.#fields, resultFormats: this.#formats }
      p = conn.runBatch<R>(this.#text, [], batch, (w) => {
        encodeExecute(w, this.#portal, this.#batchSize)
        encodeSync(w)
      })
    }
    return p.then((r) => {
      this.#rowsRead += r.rows.length
      return { ...r, more }
    })
  }

  /**
   * Parse (unless the unnamed statement already holds it), Bind with result `formats` (all text
   * when undefined), Describe and the first Execute.
   */
  #encodeOpen(
    w: Writer,
    oids: readonly number[],
    formats: readonly (0 | 1)[] | undefined,
    parse = true,
  ): void {
    const codecs = this.#connection!.types
    const params = this.#values.map((v, i) => codecs.encodeParameter(v, 0, i))
    if (parse) encodeParse(w, '', this.#text, oids)
    encodeBind(
      w,
      this.#portal,
      '',
      params.map((x) => x.format),
      params.map((x) => x.value),
      formats,
    )
    encodeDescribe(w, 'P', this.#portal)
    encodeExecute(w, this.#portal, this.#batchSize)
    encodeSync(w)
  }

  #declaring: Promise<void> | undefined
  #openDeclared(conn: Connection): Promise<void> {
    this.#declaring ??= (async () => {
      const hold = (this.#options.withHold ?? this.#options.name !== undefined) ? ' WITH HOLD' : ''
      await conn.query(
        `DECLARE ${escapeIdentifier(this.#portal)} NO SCROLL CURSOR${hold} FOR ${this.#text}`,
        this.#values,
        { prepare: false },
      )
      this.#opened = true
    })()
    return this.#declaring
  }

  #abortError(): TuskError {
    const err = new QueryCanceled('cursor aborted', {
      query: this.#text,
      phase: 'query',
      cause: this.#options.signal?.reason,
    }) as QueryCanceled & { reason?: string }
    err.code = '57014'
    err.reason = 'abort'
    return err
  }

  async #abort(): Promise<void> {
    this.#error ??= this.#abortError()
    await this.close().catch(() => {})
  }

  /** Closes the cursor and returns its connection to a clean state; safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    this.#closed = true
    const pending = this.#next
    this.#next = undefined
    await pending?.catch(() => {})
    await this.#acquiring?.catch(() => {})
    const conn = this.#connection
    // The cursor's own transaction (opened because none was): if its COMMIT fails or cannot be
    // sent because the link is gone, whatever the statement wrote may be lost — that surfaces.
    let lost: unknown
    try {
      lost = await this.#finish(conn)
    } finally {
      const error = lost ?? this.#error
      this.#ownEnded = true
      this.#trace?.end({ rowCount: this.#rowsRead, ...(error !== undefined ? { error } : {}) })
      this.#onClose?.()
      this.#host?.closed(this as Cursor<unknown>)
    }
    if (lost !== undefined) throw attachCallSite(lost, this.#site)
  }

  /** Ends the portal and the cursor's own transaction; what made its COMMIT fail, if anything. */
  async #finish(conn: Connection | undefined): Promise<unknown> {
    let lost: unknown
    // Detached (its pool client was released): the connection is someone else's now.
    if (conn === undefined || this.#detached) return undefined
    const ownCommit = this.#began && this.#error === undefined
    if (conn.closed) {
      return ownCommit ? (conn.closeReason ?? new ConnectionClosed('connection closed')) : undefined
    }
    if (this.#declared) {
      if (this.#opened) await conn.exec(`CLOSE ${escapeIdentifier(this.#portal)}`).catch(() => {})
      return undefined
    }
    // Closed with rows left: the next cursor of this statement here describes it (binary).
    if (this.#opened && !this.#done && this.#error === undefined) {
      rememberRows(conn, this.#text, Number.POSITIVE_INFINITY)
    }
    // The cursor's own transaction ends next, and its COMMIT or ROLLBACK drops the portal: no
    // Close round trip for it.
    if (this.#opened && !this.#began && conn.transactionStatus !== 'E') {
      await conn
        .runBatch(this.#text, [], this.#trace ? { traceParent: this.#trace.id } : {}, (w) => {
          encodeClose(w, 'P', this.#portal)
          encodeSync(w)
        })
        .catch(() => {})
    }
    if (this.#began && !this.#detached) {
      this.#ownEnded = true
      if (!ownCommit || conn.transactionStatus === 'E') {
        await conn.exec('ROLLBACK').catch(() => {})
      } else if (conn.closed) {
        lost = conn.closeReason ?? new ConnectionClosed('connection closed')
      } else {
        await conn.exec('COMMIT').catch((err: unknown) => {
          lost = err
        })
      }
    }
    return lost
  }

  /** `await using cursor = session.cursor(...)` closes it at the end of the block. */
  [asyncDispose](): Promise<void> {
    return this.close()
  }

  /** Batches of rows; breaking out of the loop closes the cursor. */
  async *[Symbol.asyncIterator](): AsyncIterator<R[]> {
    try {
      for (;;) {
        const rows = await this.read()
        if (rows.length === 0 && (this.#done || this.#closed)) return
        if (rows.length > 0) yield rows
      }
    } finally {
      await this.close()
    }
  }

  /** Single rows; breaking out of the loop closes the cursor. */
  async *rows(): AsyncGenerator<R, void, undefined> {
    for await (const batch of this) yield* batch
  }

  /** A Readable in object mode (one row per chunk) with backpressure; destroying it closes the cursor. */
  stream(): Readable {
    const iterator = this.rows()
    return Readable.from(iterator, { objectMode: true, highWaterMark: this.#batchSize })
  }
}
