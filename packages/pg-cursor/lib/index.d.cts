// The package's main export is the Cursor class itself, as `pg-cursor`'s is (see ../dist/index.d.cts).
import type { QueryResultRow } from '@tusk/pg-compat'
import {
  Cursor as TuskCursor,
  type CursorQueryConfig as TuskCursorQueryConfig,
  type CursorState as TuskCursorState,
  type ResultCallback as TuskResultCallback,
} from '../dist/index.cjs'

declare class Cursor<Row = QueryResultRow> extends TuskCursor<Row> {}
declare namespace Cursor {
  /** The options of a cursor: `rowMode`, `types`. */
  type CursorQueryConfig = TuskCursorQueryConfig
  /** What `read(n, callback)` calls. */
  type ResultCallback<Row> = TuskResultCallback<Row>
  /** Where a cursor is. */
  type CursorState = TuskCursorState
}
export = Cursor
