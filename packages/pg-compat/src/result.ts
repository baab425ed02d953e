/**
 * `Result`: what `query()` resolves to, shaped as `pg` shapes it — own properties `command`,
 * `rowCount`, `oid`, `rows`, `fields`, `rowAsArray` — and the methods `pg-cursor` drives through
 * `pg/lib/result.js` (`addCommandComplete`, `addFields`, `parseRow`, `addRow`).
 */
import type { TypeParser } from './type-parsers.js'
import { type CustomTypesConfig, getTypeParser, type TypeFormat } from './types.js'

/** One column of a result, with `pg`'s field names. */
export interface FieldDef {
  /** Column name. */
  name: string
  /** OID of the source table, or 0. */
  tableID: number
  /** Column number in the source table, or 0. */
  columnID: number
  /** OID of the column's type. */
  dataTypeID: number
  /** pg_type.typlen: negative for variable-width types. */
  dataTypeSize: number
  /** pg_attribute.atttypmod, -1 when none. */
  dataTypeModifier: number
  /** `text` or `binary`. */
  format: string
}

/**
 * A row object: column name → parsed value. Values are `any`, as `@types/pg` declares them, so
 * code written against `pg`'s types compiles unchanged (`rows[0].id.toFixed()`).
 */
// biome-ignore lint/suspicious/noExplicitAny: @types/pg compatibility (see above).
export type QueryResultRow = Record<string, any>

/** The command tag `SELECT 3`, `INSERT 0 1`, `CREATE` as its verb and counts. */
const COMMAND_TAG = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/

type RowValues = readonly (string | null | undefined)[]

/** The result of one statement. */
export class Result<R extends QueryResultRow = QueryResultRow> {
  /**
   * The command tag's first word (`SELECT`, `INSERT`, `CREATE`, …); null until a command
   * completed (an empty query). Typed `string`, as `@types/pg` types it.
   */
  command: string = null as unknown as string
  /** Rows returned or affected, when the command reports it; null otherwise. */
  rowCount: number | null = null
  /**
   * The OID of an inserted row (0 on any server since 12); null for other commands. Typed
   * `number`, as `@types/pg` types it.
   */
  oid: number = null as unknown as number
  /** The rows, objects by column name or arrays with `rowMode: 'array'`. */
  rows: R[] = []
  /** The columns. */
  fields: FieldDef[] = []
  /** Whether rows are arrays. */
  rowAsArray: boolean
  #getTypeParser: (oid: number, format?: TypeFormat) => TypeParser = getTypeParser
  #types: CustomTypesConfig | undefined
  #parsers: TypeParser[] = []

  // Accessors, not own properties: kept out of the enumerable shape without defineProperty per
  // Result (which cost a few percent of a one-row query).
  /** The parser source `pg-cursor` sets (older pg API); `_types` wins when set. */
  get _getTypeParser(): (oid: number, format?: TypeFormat) => TypeParser {
    return this.#getTypeParser
  }
  set _getTypeParser(value: (oid: number, format?: TypeFormat) => TypeParser) {
    this.#getTypeParser = value
  }
  /** The parser source a client sets on a submittable's result when it has none. */
  get _types(): CustomTypesConfig | undefined {
    return this.#types
  }
  set _types(value: CustomTypesConfig | undefined) {
    this.#types = value
  }

  /** `rowMode` `array` gives rows as arrays; `types` supplies the parsers (default `pg.types`). */
  constructor(rowMode?: string, types?: CustomTypesConfig) {
    this.rowAsArray = rowMode === 'array'
    this.#types = types
  }

  /** Reads the command tag (`{ text: 'INSERT 0 1' }`) into `command`, `oid` and `rowCount`. */
  addCommandComplete(message: { text?: string; command?: string }): void {
    const match = COMMAND_TAG.exec(message.text ?? message.command ?? '')
    if (match === null) return
    this.command = match[1] as string
    if (match[3] !== undefined) {
      this.oid = Number.parseInt(match[2] ?? '0', 10)
      this.rowCount = Number.parseInt(match[3], 10)
    } else if (match[2] !== undefined) {
      this.rowCount = Number.parseInt(match[2], 10)
    }
  }

  /** Sets the columns and picks each one's parser. */
  addFields(fields: readonly FieldDef[]): void {
    this.fields = [...fields]
    const types = this._types
    this.#parsers = fields.map((f) => {
      const format = f.format === 'binary' ? 'binary' : 'text'
      return types
        ? types.getTypeParser(f.dataTypeID, format)
        : this._getTypeParser(f.dataTypeID, format)
    })
  }

  /** One row of column texts (null for NULL) parsed into a row object or array. */
  parseRow(values: RowValues): R {
    const parsers = this.#parsers
    if (this.rowAsArray) {
      const row = new Array<unknown>(values.length)
      for (let i = 0; i < values.length; i++) {
        const v = values[i]
        row[i] = v === null || v === undefined ? null : (parsers[i] ?? String)(v)
      }
      return row as unknown as R
    }
    const row: Record<string, unknown> = {}
    const fields = this.fields
    for (let i = 0; i < fields.length; i++) {
      const v = values[i]
      row[(fields[i] as FieldDef).name] =
        v === null || v === undefined ? null : (parsers[i] ?? String)(v)
    }
    return row as R
  }

  /** Appends a parsed row. */
  addRow(row: R): void {
    this.rows.push(row)
  }
}
