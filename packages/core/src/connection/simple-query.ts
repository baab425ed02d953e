/**
 * The simple-query protocol (`Query` message): one or many statements in one string, text
 * results, one result per statement. Used for multi-statement scripts and internal commands.
 */
import type { DatabaseError, TuskError } from '../errors/base.js'
import { InterfaceError } from '../errors/base.js'
import { fromServerError } from '../errors/server-error.js'
import type { BackendMessage, FieldDescription } from '../protocol/backend.js'
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

/** The result of one statement of a simple query; values are the server's text, or null. */
export interface SimpleQueryResult {
  /** The command tag's verb, e.g. `SELECT`, `INSERT`, `CREATE TABLE`; empty for an empty query. */
  command: string
  /** Rows affected or returned, when the tag says; null otherwise. */
  rowCount: number | null
  fields: FieldInfo[]
  rows: (string | null)[][]
}

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
export class SimpleQueryOperation implements Operation {
  sent = false
  readonly query: string
  readonly #ctx: SimpleQueryContext
  readonly #resolve: (results: SimpleQueryResult[]) => void
  readonly #reject: (error: TuskError) => void
  #results: SimpleQueryResult[] = []
  #current: SimpleQueryResult | undefined
  #error: TuskError | undefined

  constructor(
    query: string,
    ctx: SimpleQueryContext,
    resolve: (results: SimpleQueryResult[]) => void,
    reject: (error: TuskError) => void,
  ) {
    this.query = query
    this.#ctx = ctx
    this.#resolve = resolve
    this.#reject = reject
  }

  handle(m: BackendMessage): boolean {
    switch (m.type) {
      case 'RowDescription':
        this.#current = { command: '', rowCount: null, fields: toFieldInfo(m.fields), rows: [] }
        return false
      case 'DataRow': {
        const row = new Array<string | null>(m.values.length)
        for (let i = 0; i < m.values.length; i++) {
          const v = m.values[i]
          row[i] = v == null ? null : decodeUtf8(v, 0, v.length)
        }
        this.#current ??= { command: '', rowCount: null, fields: [], rows: [] }
        this.#current.rows.push(row)
        return false
      }
      case 'CommandComplete': {
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
