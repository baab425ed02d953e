/**
 * `QueryStream`: `pg-query-stream`'s API — `client.query(new QueryStream(text, values, config))`
 * is a Readable in object mode, one row per chunk, with backpressure — over a `@tusk/pg-cursor`
 * Cursor, so the rows come from a @tusk/core server-side cursor. Destroying the stream closes the
 * cursor and hands the client on to its next query.
 */
import { Readable } from 'node:stream'
import {
  type Connection,
  type CustomTypesConfig,
  hostSession,
  type QueryResultRow,
  type Result,
  type SessionLoan,
} from '@tusk/pg-compat'
import Cursor from '@tusk/pg-cursor'

/** The options of a stream, as `pg-query-stream` takes them. */
export interface QueryStreamConfig {
  /** Rows read from the server at a time; also the stream's highWaterMark (wins over it). */
  batchSize?: number | undefined
  /** Rows buffered by the stream before reading pauses (default 100). */
  highWaterMark?: number | undefined
  /** `'array'`: each row is an array of values instead of an object keyed by column name. */
  rowMode?: 'array' | undefined
  /** Parsers for this stream's values (default: the client's, then `pg.types`). */
  types?: CustomTypesConfig | undefined
}

/** Rows buffered by default, as with `pg-query-stream`. */
const DEFAULT_HIGH_WATER_MARK = 100

/**
 * A Readable of the rows of one query, read through a server-side cursor in batches of the
 * highWaterMark: at most about two batches of rows are in memory however slow the consumer.
 * Pass it to `client.query()` of a @tusk/pg-compat client; iterate it (`for await`), pipe it,
 * or listen for `data`. It ends after the last row; an error of the query destroys it with that
 * error; destroying it early (or `break` in `for await`) closes the cursor.
 */
export class QueryStream<Row = QueryResultRow> extends Readable {
  /** The cursor the rows come from. */
  readonly cursor: Cursor<Row>
  /**
   * Set by the client when the stream is passed with a callback (`client.query(stream, cb)`):
   * called with the result once the rows are all read, or with the query's error.
   */
  callback: ((err: Error | null, result?: Result) => void) | undefined

  /**
   * `text` with `$1`… placeholders, `values` for them (prepared with `pg`'s rules), and `config`
   * (`batchSize`, `highWaterMark`, `rowMode`, `types`).
   */
  constructor(text: string, values?: readonly unknown[] | null, config: QueryStreamConfig = {}) {
    const { batchSize, highWaterMark = DEFAULT_HIGH_WATER_MARK } = config
    super({ objectMode: true, autoDestroy: true, highWaterMark: batchSize || highWaterMark })
    this.cursor = new Cursor<Row>(text, values, { rowMode: config.rowMode, types: config.types })
    this.cursor.on('end', (result) => this.callback?.(null, result))
    this.cursor.on('error', (err) => this.callback?.(err))
  }

  /** Called by a client that speaks `pg`'s protocol (the real `pg`): fails (see the Cursor). */
  submit(connection: Connection): void {
    this.cursor.submit(connection)
  }

  /** Called by a `pg` client when this stream's turn ends. */
  handleReadyForQuery(): void {}

  /** Called by the client when it cannot run the query: the stream is destroyed with `error`. */
  handleError(error: Error): void {
    this.cursor.handleError(error)
  }

  /** Called by a @tusk/pg-compat client at this stream's turn (see `hostSession`). */
  [hostSession](loan: SessionLoan): void {
    this.cursor[hostSession](loan)
  }

  /** Closes the cursor, then finishes destroying the stream (with `err`, or the close's error). */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.cursor.close((closeError) => callback(err ?? closeError ?? null))
  }

  /** Reads `size` more rows; fewer means the end. */
  override _read(size: number): void {
    this.cursor.read(size, (err, rows) => {
      if (err) {
        this.destroy(err)
        return
      }
      for (const row of rows) this.push(row)
      if (rows.length < size) this.push(null)
    })
  }
}
