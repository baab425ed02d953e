/**
 * One query through the extended protocol, as an Operation: takes the server's answers to its
 * Parse/Bind/Describe/Execute/Sync batch and builds `{ rows, rowCount, command, fields }`.
 */
import { type DatabaseError, InterfaceError, type TuskError } from '../errors/base.js'
import { ResultTooLarge } from '../errors/client.js'
import { fromServerError } from '../errors/server-error.js'
import type { BackendMessage, FieldDescription, TransactionStatus } from '../protocol/backend.js'
import type { DataRowSink } from '../protocol/decoder.js'
import { type ColumnDecoder, withDecodeContext } from '../types/index.js'
import type { Operation } from './operation.js'
import { type RowShape, rowShape } from './row-shape.js'
import { type FieldInfo, parseCommandTag, type RowBuilder, toFieldInfo } from './simple-query.js'
import type { CachedStatement } from './statement-cache.js'

/** What the engine needs from the type registry. */
export interface ValueCodecs {
  /** The decoder of a result column (see TypeRegistry.columnDecoder). */
  columnDecoder(typeOid: number, format: 0 | 1): ColumnDecoder
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
  /** Builds each row from its decoded values instead of `rowMode` (see RowBuilder). */
  rowBuilder?: RowBuilder | undefined
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
  /** The server waits for COPY data (a COPY … FROM STDIN): the caller must refuse it. */
  copyIn?(): void
}

/** Per-statement memo of column decoders and row shape, so cached runs build nothing per run. */
const decoderMemo = new WeakMap<
  CachedStatement,
  { codecs: ValueCodecs; columns: ColumnDecoder[]; shape: RowShape }
>()

/** The column decoders for `fields` with the formats given (text when absent). */
export function decodersFor(
  codecs: ValueCodecs,
  fields: readonly FieldDescription[],
  formats: readonly (0 | 1)[] | undefined,
): ColumnDecoder[] {
  return fields.map((f, i) => codecs.columnDecoder(f.typeOid, formats?.[i] ?? 0))
}

/** Result formats per column: binary where the registry says its binary decoder is faster. */
export function preferredFormats(
  codecs: ValueCodecs,
  fields: readonly FieldDescription[],
): (0 | 1)[] {
  return fields.map((f) => (codecs.prefersBinary(f.typeOid) ? 1 : 0))
}

/** Collects one extended-protocol query's answers. */
export class ExtendedQueryOperation<R> implements Operation, DataRowSink {
  sent = false
  readonly query: string
  readonly rowSink: DataRowSink = this
  readonly #plan: ExtendedQueryPlan
  readonly #cb: ExtendedQueryCallbacks<R>
  #preludeLeft: number
  #fields: readonly FieldDescription[] | undefined
  #columns: ColumnDecoder[] | undefined
  /** Builds object rows from decoded values (array rows need none). */
  #shape: RowShape | undefined
  /** Decoded values of the row being built (object rows only), reused from row to row. */
  #values: unknown[] = []
  /** The row function `plan.rowBuilder` returned for the current columns. */
  #build: ((values: readonly unknown[]) => unknown) | undefined
  /** The public columns handed to `plan.rowBuilder` (and then returned with the result). */
  #fieldInfo: FieldInfo[] | undefined
  readonly #rows: R[] = []
  #command = ''
  #rowCount: number | null = null
  #mainDone = false
  #error: TuskError | undefined
  #paramOids: readonly number[] | undefined
  /** Set by the connection when a cancel was requested for this query. */
  cancelReason: 'abort' | 'timeout' | undefined
  /** Set for a COPY statement: nothing may be sent behind it until it completes. */
  barrier = false

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
    const builder = this.#plan.rowBuilder
    if (builder !== undefined) {
      this.#fieldInfo = toFieldInfo(fields, formats)
      try {
        this.#build = builder(this.#fieldInfo)
      } catch (err) {
        this.#builderFailed(err)
      }
    }
    const memo = memoKey ? decoderMemo.get(memoKey) : undefined
    if (memo && memo.codecs === this.#plan.codecs && memo.columns.length === fields.length) {
      this.#columns = memo.columns
      this.#shape = memo.shape
    } else {
      this.#columns = decodersFor(this.#plan.codecs, fields, formats)
      this.#shape = rowShape(fields.map((f) => f.name))
      if (memoKey) {
        decoderMemo.set(memoKey, {
          codecs: this.#plan.codecs,
          columns: this.#columns,
          shape: this.#shape,
        })
      }
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
          let size = 0
          for (const v of m.values) if (v) size += v.length
          if (this.#overLimit(size)) return false
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
      case 'CopyInResponse':
        this.#error ??= new InterfaceError(
          'COPY … FROM STDIN cannot run through query(): use copyFrom() to send the data',
          { query: this.query, phase: 'query', safeToRetry: true },
        )
        this.#cb.copyIn?.()
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

  /** A DataRow read in place by the decoder (the connection's fast path; same as `handle`). */
  dataRow(bytes: Uint8Array, fields: Int32Array, count: number): void {
    if (this.#preludeLeft > 0 || this.#mainDone || this.#error) return
    if (this.#plan.maxRows !== undefined || this.#plan.maxBytes !== undefined) {
      let size = 0
      for (let i = 0; i < count; i++) if (fields[2 * i + 1]! > 0) size += fields[2 * i + 1]!
      if (this.#overLimit(size)) return
    }
    this.#rowAt(bytes, fields, count)
  }

  /** Counts a row of `size` bytes against the guard; true (and the error set) past a limit. */
  #overLimit(size: number): boolean {
    this.#rowsSeen++
    this.#bytesSeen += size
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

  /** A row from a DataRow message: as `#rowAt` does, each value from its own view. */
  #row(values: readonly (Uint8Array | null)[]): void {
    const count = values.length
    if (!this.#checkWidth(count)) return
    const columns = this.#columns!
    const build = this.#build
    const array = build === undefined && this.#plan.rowMode === 'array'
    const out = array ? new Array<unknown>(count) : this.#values
    let i = 0
    try {
      for (; i < count; i++) {
        const v = values[i]
        out[i] = v == null ? null : columns[i]!.decode(v, 0, v.length)
      }
    } catch (err) {
      this.#decodeFailed(err, i)
      return
    }
    this.#keep(out, array, build)
  }

  /** Keeps one row of decoded values: as built by the row builder, as an array, or as an object. */
  #keep(
    values: unknown[],
    array: boolean,
    build: ((values: readonly unknown[]) => unknown) | undefined,
  ): void {
    if (build === undefined) {
      this.#rows.push(array ? (values as R) : (this.#shape!.build(values) as R))
      return
    }
    if (values.length !== this.#columns!.length) values.length = this.#columns!.length
    try {
      this.#rows.push(build(values) as R)
    } catch (err) {
      this.#builderFailed(err)
    }
  }

  /** Records an error the row builder threw: the query fails with it, rows are dropped. */
  #builderFailed(err: unknown): void {
    this.#build = undefined
    this.#rows.length = 0
    if (this.#error) return
    const e =
      err instanceof Error
        ? err
        : new InterfaceError(`rowBuilder threw ${String(err)}`, { query: this.query })
    this.#error = e as TuskError
  }

  /** True when a row of `count` values matches the RowDescription; else sets the error. */
  #checkWidth(count: number): boolean {
    const columns = this.#columns
    if (columns && columns.length === count) return true
    this.#error = fromServerError(
      {
        code: '08P01',
        message: `DataRow has ${count} columns, RowDescription ${columns?.length ?? 'none'}`,
      },
      { query: this.query, host: this.#plan.host, phase: 'query' },
    )
    return false
  }

  /** Decodes a row whose field i is `bytes[fields[2i], +fields[2i+1])` (length -1: NULL). */
  #rowAt(bytes: Uint8Array, fields: Int32Array, count: number): void {
    if (!this.#checkWidth(count)) return
    const columns = this.#columns!
    const build = this.#build
    const array = build === undefined && this.#plan.rowMode === 'array'
    const values = array ? new Array<unknown>(count) : this.#values
    let i = 0
    try {
      for (; i < count; i++) {
        const n = fields[2 * i + 1]!
        if (n < 0) values[i] = null
        else {
          const start = fields[2 * i]!
          values[i] = columns[i]!.decode(bytes, start, start + n)
        }
      }
    } catch (err) {
      this.#decodeFailed(err, i)
      return
    }
    this.#keep(values, array, build)
  }

  /** Records the error that decoding column `i` threw, with the column named. */
  #decodeFailed(err: unknown, i: number): void {
    const e = withDecodeContext(
      err,
      this.#columns![i]!.typeName,
      `column "${this.#fields![i]!.name}"`,
    ) as TuskError
    e.query ??= this.query
    this.#error = e
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
      fields:
        this.#fieldInfo ?? (this.#fields ? toFieldInfo(this.#fields, this.#plan.formats) : []),
    })
  }

  fail(error: TuskError): void {
    const s = this.#plan.statement
    if (s && this.#plan.preparing) this.#cb.prepareFailed?.(s)
    this.#cb.reject(error)
  }
}
