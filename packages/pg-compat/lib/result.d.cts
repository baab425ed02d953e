// `pg/lib/result.js`: the package's Result class (see ../dist/index.d.cts).
import { Result as PgResult, type QueryResultRow } from '../dist/index.cjs'

declare class Result<R extends QueryResultRow = QueryResultRow> extends PgResult<R> {}
declare namespace Result {}
export = Result
