/**
 * `Query`: one statement to run (text, values, name, rowMode, types, callback), and the events
 * `pg` emits for it: `row` per row, `end` with the result, `error`.
 */
import { EventEmitter } from 'node:events'
import type { QueryResultRow } from './result.js'
import type { QueryResult } from './result-types.js'
import type { CustomTypesConfig } from './types.js'

/**
 * A query callback: an error, or the result (at run time an array of results for a
 * multi-statement text without values; typed as one result, as `@types/pg` types it).
 */
export type QueryCallback<R extends QueryResultRow = QueryResultRow> = (
  err: Error,
  result: QueryResult<R>,
) => void

/** What `query()` takes as its first argument when it is an object. */
export interface QueryConfig<I = unknown[]> {
  /** The SQL text. */
  text: string
  /** Parameter values for `$1`…`$n`. */
  values?: I | undefined
  /** A prepared statement name (the extended protocol is then used even without values). */
  name?: string | undefined
  /** `array`: rows as arrays. */
  rowMode?: 'array' | undefined
  /** Type parsers for this query's results. */
  types?: CustomTypesConfig | undefined
  /** Accepted for compatibility; results are always text here. */
  binary?: boolean | undefined
  /** Client-side time limit in ms; it cancels the statement on the server. */
  query_timeout?: number | undefined
  /** Called with the error or the result (instead of a promise). */
  callback?: QueryCallback | undefined
}

/** A query with `rowMode: 'array'`. */
export interface QueryArrayConfig<I = unknown[]> extends QueryConfig<I> {
  rowMode: 'array'
}

/** One statement to run, emitting `row`, `end` and `error`. */
export class Query<R extends QueryResultRow = QueryResultRow> extends EventEmitter {
  /** The SQL text. */
  text: string
  /** Parameter values, or undefined (the simple protocol: several statements allowed). */
  values: unknown[] | undefined
  /** The prepared statement name, when given. */
  name: string | undefined
  /** `array` for rows as arrays. */
  rowMode: string | undefined
  /** Type parsers for this query. */
  types: CustomTypesConfig | undefined
  /** Client-side time limit in ms. */
  query_timeout: number | undefined
  /** Called once with the error or the result. */
  callback: QueryCallback<R> | undefined

  /** Same arguments as `client.query(config, values, callback)`. */
  constructor(
    config?: string | QueryConfig,
    values?: unknown[] | QueryCallback<R>,
    callback?: QueryCallback<R>,
  ) {
    super()
    const c: Partial<QueryConfig> = typeof config === 'string' ? { text: config } : { ...config }
    if (typeof values === 'function') c.callback = values as QueryCallback
    else if (values !== undefined) c.values = values
    if (callback !== undefined) c.callback = callback as QueryCallback
    this.text = c.text as string
    this.values = (c.values ?? undefined) as unknown[] | undefined
    this.name = c.name
    this.rowMode = c.rowMode
    this.types = c.types
    this.query_timeout = c.query_timeout
    this.callback = c.callback as QueryCallback<R> | undefined
  }
}
