// The package's main export is the QueryStream class itself, as `pg-query-stream`'s is (see
// ../dist/index.d.cts).
import type { QueryResultRow } from '@tusk/pg-compat'
import {
  QueryStream as TuskQueryStream,
  type QueryStreamConfig as TuskQueryStreamConfig,
} from '../dist/index.cjs'

declare class QueryStream<Row = QueryResultRow> extends TuskQueryStream<Row> {}
declare namespace QueryStream {
  /** The options of a stream: `batchSize`, `highWaterMark`, `rowMode`, `types`. */
  type Config = TuskQueryStreamConfig
}
export = QueryStream
