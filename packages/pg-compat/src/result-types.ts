/** The result types `@types/pg` users name (`QueryResult<Row>`, `QueryArrayResult<Row>`). */
import type { FieldDef, QueryResultRow } from './result.js'

/** What a query resolves to, typed by row. */
export interface QueryResult<R extends QueryResultRow = QueryResultRow> {
  command: string
  rowCount: number | null
  oid: number
  fields: FieldDef[]
  rows: R[]
}

/** What a `rowMode: 'array'` query resolves to. */
export interface QueryArrayResult<R extends unknown[] = unknown[]> {
  command: string
  rowCount: number | null
  oid: number
  fields: FieldDef[]
  rows: R[]
}
