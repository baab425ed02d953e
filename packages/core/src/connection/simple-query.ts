/**
 * The simple-query protocol (`Query` message): one or many statements in one string, text
 * results, one result per statement. Used for multi-statement scripts and internal commands.
 */
import type { DatabaseError, TuskError } from '../errors/base.js'
import { InterfaceError } from '../errors/base.js'
import { fromServerError } from '../errors/server-error.js'
import type { BackendMessage, FieldDescription } from '../protocol/backend.js'
import type { DataRowSink } from '../protocol/decoder.js'
import { decodeUtf8 } from '../protocol/reader.js'
import type { Operation } from './operation.js'

/** One column of a result. */
export interface FieldInfo {
  name: string
  /** OID of the source table, or 0. */
  tableOid: number
  /** Column number in the source table, or 0. */
  columnId: number
  dataTypeOid: number
  dataTypeSize: number
  dataTypeModifier: number
  /** 0 = text, 1 = binary. */
  format: number
}

/**
 * The result of one statement of a simple query. Rows are arrays of the server's texts (null for
 * NULL), or what the `rowBuilder` option built from them (`R`).
 */
export interface SimpleQueryResult<R = (string | null)[]> {
  /** The command tag's verb, e.g. `SELECT`, `INSERT`, `CREATE TABLE`; empty for an empty query. */
  command: string
  /** Rows affected or returned, when the tag says; null otherwise. */
  rowCount: number | null
  fields: FieldInfo[]
  rows: R[]
}

/**
 * Builds the rows of one result: called once per result that describes its columns, before its
 * first row, with the `fields` array the result then carries (the same array, so a caller can
 * tell results apart by it); returns the function that turns one row's values (in column order,
 * null for NULL) into the row kept in `rows`. `values` is only valid during that call: it is
 * reused for the next row, so copy what you keep. An error thrown by either function fails the
 * query with that error.
 */
export type RowBuilder<R = unknown> = (
  fields: readonly FieldInfo[],
) => (values: readonly unknown[]) => R

/** Splits a CommandComplete tag into its verb and row count (`INSERT 0 5` → INSERT, 5). */
export function parseCommandTag(tag: string): { command: string; rowCount: number | null } {
  const space = tag.lastIndexOf(' ')
  if (space >= 0 && space < tag.length - 1) {
    let digits = true
    for (let i = space + 1; i < tag.length; i++) {
      const c = tag.charCodeAt(i)
      if (c < 0x30 || c > 0x39) {
        digits = false
        break
      }
    }
    if (digits) {
      const verb = tag.startsWith('INSERT ') ? 'INSERT' : tag.slice(0, space)
      return { command: verb, rowCount: Number(tag.slice(space + 1)) }
    }
  }
  return { command: tag, rowCount: null }
}

/** Maps protocol column descriptions to the public field shape. */
export function toFieldInfo(
  fields: readonly FieldDescription[],
  formats?: readonly (0 | 1)[],
): FieldInfo[] {
  return fields.map((f, i) => ({
    name: f.name,
    tableOid: f.tableOid,
    columnId: f.columnAttr,
    dataTypeOid: f.typeOid,
    dataTypeSize: f.typeSize,
    dataTypeModifier: f.typeModifier,
    format: formats?.[i] ?? f.format,
  }))
}

/** Context the operation needs from its connection. */
export interface SimpleQueryContext {
  host: string
  /** Sends CopyFail: a COPY FROM STDIN reached through the simple protocol is refused. */
  refuseCopyIn(message: string): void
}

/** A pending simple query: collects results until ReadyForQuery. */
export class SimpleQueryOperation<R = (string | null)[]> implements Operation, DataRowSink {
  sent = false
  readonly query: string
  readonly rowSink: DataRowSink = this
  readonly #ctx: SimpleQueryContext
  readonly #resolve: (results: SimpleQueryResult<R>[]) => void
  readonly #reject: (error: TuskError) => void
  readonly #rowBuilder: RowBuilder<R> | undefined
  #results: SimpleQueryResult<R>[] = []
  #current: SimpleQueryResult<R> | undefined
  /** The current result's row function (from `rowBuilder`), when one was given. */
  #build: ((values: readonly unknown[]) => R) | undefined
  /** The values of the row being built, reused from row to row (with a row builder only). */
  readonly #values: (string | null)[] = []
  #error: TuskError | undefined

  constructor(
    query: string,
    ctx: SimpleQueryContext,
    resolve: (results: SimpleQueryResult<R>[]) => void,
    reject: (error: TuskError) => void,
    rowBuilder?: RowBuilder<R>,
  ) {
    this.query = query
    this.#ctx = ctx
    this.#resolve = resolve
    this.#reject = reject
    this.#rowBuilder = rowBuilder
  }

  /** A DataRow read in place by the decoder (the connection's fast path; same as `handle`). */
  dataRow(bytes: Uint8Array, fields: Int32Array, count: number): void {
    if (this.#error) return
    const build = this.#build
    const row = build === undefined ? new Array<string | null>(count) : this.#values
    if (build !== undefined && row.length !== count) row.length = count
    for (let i = 0; i < count; i++) {
      const n = fields[2 * i + 1]!
      if (n < 0) row[i] = null
      else {
        const start = fields[2 * i]!
        row[i] = decodeUtf8(bytes, start, start + n)
      }
    }
    this.#push(row)
  }

  #push(row: (string | null)[]): void {
    this.#current ??= { command: '', rowCount: null, fields: [], rows: [] }
    const build = this.#build
    if (build === undefined) {
      this.#current.rows.push(row as R)
      return
    }
    try {
      this.#current.rows.push(build(row))
    } catch (err) {
      this.#fail(err)
    }
  }

  #fail(err: unknown): void {
    if (this.#error) return
    const e = (
      err instanceof Error ? err : new InterfaceError(`rowBuilder threw ${String(err)}`)
    ) as TuskError
    e.query ??= this.query
    this.#error = e
    this.#current = undefined
  }

  handle(m: BackendMessage): boolean {
    switch (m.type) {
      case 'RowDescription': {
        const fields = toFieldInfo(m.fields)
        this.#current = { command: '', rowCount: null, fields, rows: [] }
        this.#build = undefined
        if (this.#rowBuilder !== undefined && !this.#error) {
          try {
            this.#build = this.#rowBuilder(fields)
          } catch (err) {
            this.#fail(err)
          }
        }
        return false
      }
      case 'DataRow': {
        if (this.#error) return false
        const build = this.#build
        const row = build === undefined ? new Array<string | null>(m.values.length) : this.#values
        if (build !== undefined && row.length !== m.values.length) row.length = m.values.length
        for (let i = 0; i < m.values.length; i++) {
          const v = m.values[i]
          row[i] = v == null ? null : decodeUtf8(v, 0, v.length)
        }
        this.#push(row)
        return false
      }
      case 'CommandComplete': {
        this.#build = undefined
        if (this.#error) return false
        const r = this.#current ?? { command: '', rowCount: null, fields: [], rows: [] }
        Object.assign(r, parseCommandTag(m.tag))
        this.#results.push(r)
        this.#current = undefined
        return false
      }
      case 'EmptyQueryResponse':
        this.#results.push({ command: '', rowCount: null, fields: [], rows: [] })
        return false
      case 'ErrorResponse':
        this.#error ??= fromServerError(m.fields, {
          query: this.query,
          host: this.#ctx.host,
          phase: 'query',
        }) as DatabaseError
        return false
      case 'CopyInResponse':
        this.#ctx.refuseCopyIn('COPY FROM STDIN is not supported through simpleQuery; use copyFrom')
        return false
      case 'CopyOutResponse':
        this.#error ??= new InterfaceError(
          'COPY TO STDOUT is not supported through simpleQuery; use copyTo',
          { query: this.query, host: this.#ctx.host, phase: 'query' },
        )
        return false
      case 'CopyData':
      case 'CopyDone':
        return false
      case 'ReadyForQuery':
        if (this.#error) this.#reject(this.#error)
        else this.#resolve(this.#results)
        return true
      default:
        return false
    }
  }

  fail(error: TuskError): void {
    this.#reject(error)
  }
}
