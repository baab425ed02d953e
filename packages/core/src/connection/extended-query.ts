/**
 * One query through the extended protocol, as an Operation: takes the server's answers to its
 * Parse/Bind/Describe/Execute/Sync batch and builds `{ rows, rowCount, command, fields }`.
 */
import type { DatabaseError, TuskError } from '../errors/base.js'
import { ResultTooLarge } from '../errors/client.js'
import { fromServerError } from '../errors/server-error.js'
import type { BackendMessage, FieldDescription, TransactionStatus } from '../protocol/backend.js'
import type { Operation } from './operation.js'
import { type FieldInfo, parseCommandTag, toFieldInfo } from './simple-query.js'
import type { CachedStatement } from './statement-cache.js'

/** A decoder for one column: gets a view of the value's bytes, valid during the call only. */
export type ValueDecoder = (bytes: Uint8Array) => unknown

/** What the engine needs from the type registry. */
export interface ValueCodecs {
  decoder(typeOid: number, format: 0 | 1, context?: string): ValueDecoder
  prefersBinary(typeOid: number): boolean
}

/** The result of one statement. */
export interface QueryResult<R = Record<string, unknown>> {
  /** The command tag's verb: `SELECT`, `INSERT`, `UPDATE`, … (empty for an empty query). */
  command: string
  /** Rows returned or affected, when the command reports it; null otherwise. */
  rowCount: number | null
  rows: R[]
  fields: FieldInfo[]
}

/** How rows are shaped: objects keyed by column name (default) or arrays in column order. */
export type RowMode = 'object' | 'array'

/** What an ExtendedQueryOperation needs to know about its batch. */
export interface ExtendedQueryPlan {
  text: string
  rowMode: RowMode
  codecs: ValueCodecs
  /** The prepared statement this run prepares or uses; undefined for an unnamed statement. */
  statement: CachedStatement | undefined
  /** True when the batch carries Parse+Describe(S) for `statement`. */
  preparing: boolean
  /** Result format per column, when known before the run (cached statements); else all text. */
  formats: readonly (0 | 1)[] | undefined
  /** Statements sent before the main one in the same batch (per-query settings). */
  prelude: number
  host: string
  /** Parameter values, kept out of messages unless a debug option asks (errors module rule). */
  parameters: readonly unknown[]
  /** Columns known in advance (a cursor's later batches send Execute only). */
  fields?: readonly FieldDescription[] | undefined
  /** Result-size guard: fail with ResultTooLarge past this many rows. */
  maxRows?: number | undefined
  /** Result-size guard: fail with ResultTooLarge past this many bytes of row data. */
  maxBytes?: number | undefined
}

/** What a finished run saw besides its rows (cursors need it). */
export interface RunInfo {
  /** Execute stopped at its row limit (PortalSuspended): the portal has more rows. */
  suspended: boolean
  fields: readonly FieldDescription[] | undefined
}

/** Callbacks of an operation. */
export interface ExtendedQueryCallbacks<R> {
  resolve(result: QueryResult<R>): void
  reject(error: TuskError): void
  /** Called with the server's error and the transaction status after it; true = retried. */
  retry?(error: DatabaseError, status: TransactionStatus): boolean
  /** The statement's Parse/Describe completed (cache it as ready). */
  prepared?(statement: CachedStatement): void
  /** The query failed while preparing (forget the statement). */
  prepareFailed?(statement: CachedStatement): void
  /** Called before resolve with facts cursors need. */
  info?(info: RunInfo): void
  /** The result crossed maxRows/maxBytes: the caller should cancel the rest. */
  limitExceeded?(): void
}

/** Per-statement memo of decoders, so cached runs build nothing per execution. */
const decoderMemo = new WeakMap<
  CachedStatement,
  { codecs: ValueCodecs; decoders: ValueDecoder[] }
>()

/** Builds the decoders for `fields` with the formats given (text when absent). */
export function decodersFor(
  codecs: ValueCodecs,
  fields: readonly FieldDescription[],
  formats: readonly (0 | 1)[] | undefined,
): ValueDecoder[] {
  return fields.map((f, i) => codecs.decoder(f.typeOid, formats?.[i] ?? 0, `column "${f.name}"`))
}

/** Result formats per column: binary where the registry says its binary decoder is faster. */
export function preferredFormats(
  codecs: ValueCodecs,
  fields: readonly FieldDescription[],
): (0 | 1)[] {
  return fields.map((f) => (codecs.prefersBinary(f.typeOid) ? 1 : 0))
}

/** Collects one extended-protocol query's answers. */
export class ExtendedQueryOperation<R> implements Operation {
  sent = false
  readonly query: string
  readonly #plan: ExtendedQueryPlan
  readonly #cb: ExtendedQueryCallbacks<R>
  #preludeLeft: number
  #fields: readonly FieldDescription[] | undefined
  #decoders: ValueDecoder[] | undefined
  #names: string[] | undefined
  #unsafeNames = false
  readonly #rows: R[] = []
  #command = ''
  #rowCount: number | null = null
  #mainDone = false
  #error: TuskError | undefined
  #paramOids: readonly number[] | undefined
  /** Set by the connection when a cancel was requested for this query. */
  cancelReason: 'abort' | 'timeout' | undefined

  constructor(plan: ExtendedQueryPlan, callbacks: ExtendedQueryCallbacks<R>) {
    this.#plan = plan
    this.#cb = callbacks
    this.query = plan.text
    this.#preludeLeft = plan.prelude
    const s = plan.statement
    if (plan.fields) this.#setFields(plan.fields, plan.formats)
    else if (s && !plan.preparing && s.state === 'ready' && s.fields)
      this.#setFields(s.fields, plan.formats, s)
  }

  #suspended = false
  #rowsSeen = 0
  #bytesSeen = 0

  #setFields(
    fields: readonly FieldDescription[],
    formats: readonly (0 | 1)[] | undefined,
    memoKey?: CachedStatement,
  ): void {
    this.#fields = fields
    const memo = memoKey ? decoderMemo.get(memoKey) : undefined
    if (memo && memo.codecs === this.#plan.codecs && memo.decoders.length === fields.length) {
      this.#decoders = memo.decoders
    } else {
      this.#decoders = decodersFor(this.#plan.codecs, fields, formats)
      if (memoKey) decoderMemo.set(memoKey, { codecs: this.#plan.codecs, decoders: this.#decoders })
    }
    if (this.#plan.rowMode === 'object') {
      this.#names = fields.map((f) => f.name)
      this.#unsafeNames = this.#names.includes('__proto__')
    }
  }

  /** Sets how many statements precede the main one (known once the batch is encoded). */
  setPrelude(count: number): void {
    this.#preludeLeft = count
  }

  handle(m: BackendMessage): boolean {
    switch (m.type) {
      case 'DataRow':
        if (this.#preludeLeft > 0 || this.#mainDone || this.#error) return false
        if (this.#plan.maxRows !== undefined || this.#plan.maxBytes !== undefined) {
          if (this.#overLimit(m.values)) return false
        }
        this.#row(m.values)
        return false
      case 'PortalSuspended':
        if (this.#preludeLeft === 0) {
          this.#suspended = true
          this.#mainDone = true
        }
        return false
      case 'CommandComplete':
        if (this.#preludeLeft > 0) this.#preludeLeft--
        else if (!this.#mainDone) {
          const { command, rowCount } = parseCommandTag(m.tag)
          this.#command = command
          this.#rowCount = rowCount
          this.#mainDone = true
        }
        return false
      case 'RowDescription':
        if (this.#preludeLeft > 0 || this.#mainDone) return false
        // A Describe(S) reports text formats; the formats that count are the ones we bound.
        this.#setFields(m.fields, this.#plan.formats)
        return false
      case 'NoData':
        if (this.#preludeLeft === 0 && !this.#fields) this.#setFields([], undefined)
        return false
      case 'ParameterDescription':
        this.#paramOids = m.typeOids
        return false
      case 'EmptyQueryResponse':
        if (this.#preludeLeft === 0) this.#mainDone = true
        return false
      case 'ErrorResponse':
        this.#error ??= fromServerError(m.fields, {
          query: this.query,
          host: this.#plan.host,
          phase: 'query',
          parameters: this.#plan.parameters,
        })
        return false
      case 'ReadyForQuery':
        this.#finish(m.status)
        return true
      default:
        return false
    }
  }

  /** Counts the row against the guard; true (and the error set) once a limit is crossed. */
  #overLimit(values: readonly (Uint8Array | null)[]): boolean {
    this.#rowsSeen++
    for (const v of values) if (v) this.#bytesSeen += v.length
    const { maxRows, maxBytes } = this.#plan
    const rows = maxRows !== undefined && this.#rowsSeen > maxRows
    const bytes = maxBytes !== undefined && this.#bytesSeen > maxBytes
    if (!rows && !bytes) return false
    this.#rows.length = 0
    this.#error = new ResultTooLarge(
      rows
        ? `result has more than maxRows=${maxRows} rows (stopped at row ${this.#rowsSeen}, ${this.#bytesSeen} bytes); use cursor() to stream large results`
        : `result has more than maxBytes=${maxBytes} bytes of row data (${this.#rowsSeen} rows so far); use cursor() to stream large results`,
      {
        query: this.query,
        host: this.#plan.host,
        phase: 'query',
        limit: rows ? 'maxRows' : 'maxBytes',
        rowsSeen: this.#rowsSeen,
        bytesSeen: this.#bytesSeen,
      },
    )
    this.#cb.limitExceeded?.()
    return true
  }

  #row(values: readonly (Uint8Array | null)[]): void {
    const decoders = this.#decoders
    if (!decoders || decoders.length !== values.length) {
      this.#error = fromServerError(
        {
          code: '08P01',
          message: `DataRow has ${values.length} columns, RowDescription ${decoders?.length ?? 'none'}`,
        },
        { query: this.query, host: this.#plan.host, phase: 'query' },
      )
      return
    }
    try {
      if (this.#plan.rowMode === 'array') {
        const row = new Array<unknown>(values.length)
        for (let i = 0; i < values.length; i++) {
          const v = values[i]
          row[i] = v == null ? null : decoders[i]!(v)
        }
        this.#rows.push(row as R)
      } else {
        const names = this.#names!
        const row: Record<string, unknown> = {}
        for (let i = 0; i < values.length; i++) {
          const v = values[i]
          const value = v == null ? null : decoders[i]!(v)
          if (this.#unsafeNames && names[i] === '__proto__') {
            Object.defineProperty(row, '__proto__', {
              value,
              enumerable: true,
              writable: true,
              configurable: true,
            })
          } else row[names[i]!] = value
        }
        this.#rows.push(row as R)
      }
    } catch (err) {
      const e = err as TuskError
      e.query ??= this.query
      this.#error = e
    }
  }

  #finish(status: TransactionStatus): void {
    const s = this.#plan.statement
    if (this.#error) {
      if (this.#error instanceof ResultTooLarge) {
        this.#cb.reject(this.#error)
        return
      }
      if (s && this.#plan.preparing) this.#cb.prepareFailed?.(s)
      const db = this.#error as DatabaseError
      if ('code' in db && this.#cb.retry?.(db, status)) return
      this.#cb.reject(this.#error)
      return
    }
    if (s && this.#plan.preparing) {
      s.paramOids = this.#paramOids ?? []
      s.fields = this.#fields ?? []
      s.state = 'ready'
      this.#cb.prepared?.(s)
    }
    this.#cb.info?.({ suspended: this.#suspended, fields: this.#fields })
    this.#cb.resolve({
      command: this.#command,
      rowCount: this.#rowCount,
      rows: this.#rows,
      fields: this.#fields ? toFieldInfo(this.#fields, this.#plan.formats) : [],
    })
  }

  fail(error: TuskError): void {
    const s = this.#plan.statement
    if (s && this.#plan.preparing) this.#cb.prepareFailed?.(s)
    this.#cb.reject(error)
  }
}
