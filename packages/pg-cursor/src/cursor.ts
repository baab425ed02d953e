/**
 * `Cursor`: `pg-cursor`'s API — `client.query(new Cursor(text, values, config))`, then
 * `read(n)` and `close()` as promises or with callbacks, and the events `row`, `end` and `error` —
 * read from a @tusk/core server-side cursor on the session a @tusk/pg-compat client lends it.
 * Values are parsed with `pg`'s parsers (the cursor's `types`, else the client's).
 */
import { EventEmitter } from 'node:events'
import { InterfaceError } from '@tusk/core'
import {
  type Connection,
  type CustomTypesConfig,
  type FieldDef,
  hostSession,
  type PreparedValue,
  prepareValue,
  type QueryResultRow,
  Result,
  type SessionLoan,
} from '@tusk/pg-compat'
import { asPgError } from './errors.js'

/** The options of a cursor, as `pg-cursor` takes them. */
export interface CursorQueryConfig {
  /** `'array'`: each row is an array of values instead of an object keyed by column name. */
  rowMode?: 'array' | undefined
  /** Parsers for this cursor's values (default: the client's, then `pg.types`). */
  types?: CustomTypesConfig | undefined
}

/**
 * What `read(n, callback)` calls: `(undefined, rows, result)` with up to `n` rows (fewer only
 * at the end; none after it), or `(err)` when the query failed.
 */
export type ResultCallback<Row> = (err: Error | undefined, rows: Row[], result: Result) => void

/**
 * Where a cursor is: `initialized` (not yet run by a client), `submitted` (its turn came),
 * `idle` (between reads), `busy` (a read is running), `done` (read to the end or closed),
 * `error` (the query failed).
 */
export type CursorState = 'initialized' | 'submitted' | 'idle' | 'busy' | 'done' | 'error'

/**
 * The @tusk/core cursor, as the lent session's `cursor()` returns it (named through the session
 * so that it is the same declaration @tusk/pg-compat was built against). Rows are read as arrays
 * of the server's text.
 */
type CoreCursor = ReturnType<SessionLoan['session']['cursor']>

/** Rows per server round trip when the first read asks for all rows (`read(0)`). */
const DEFAULT_BATCH = 1_000

/** The server's text of one row, column by column (null for NULL). */
type RawRow = (string | null)[]

interface PendingRead<Row> {
  rows: number
  callback: ResultCallback<Row>
}

/**
 * A server-side cursor with `pg-cursor`'s API. Pass it to `client.query()` of a @tusk/pg-compat
 * client (or of a pool client); the client runs it at its turn and holds its later queries until
 * the cursor is read to the end, fails, or is closed.
 *
 * The rows come from a @tusk/core portal read in batches of the first read's size: at most that
 * batch, one prefetched batch and what a read asked for are in memory at once. Outside a
 * transaction the cursor runs in one of its own, committed when it closes.
 */
export class Cursor<Row = QueryResultRow> extends EventEmitter {
  /** The statement text. */
  readonly text: string
  /** The parameters, prepared as `pg` prepares them; null when none were given. */
  readonly values: PreparedValue[] | null
  /** Where the cursor is (see {@link CursorState}). */
  state: CursorState = 'initialized'

  readonly #config: CursorQueryConfig
  readonly #result: Result
  #loan: SessionLoan | undefined
  #core: CoreCursor | undefined
  #described = false
  #buffer: RawRow[] = []
  #exhausted = false
  #delivered = 0
  #queue: PendingRead<Row>[] = []
  #pump: Promise<void> | undefined
  #error: Error | undefined
  #closing: Promise<void> | undefined
  #stopping = false
  #released = false

  /**
   * `text` with `$1`… placeholders, `values` for them (prepared at once with `pg`'s rules:
   * Dates, Buffers, arrays, `toPostgres()`, JSON), and `config` (`rowMode`, `types`).
   */
  constructor(text: string, values?: readonly unknown[] | null, config?: CursorQueryConfig) {
    super()
    this.text = text
    this.values = values ? values.map(prepareValue) : null
    this.#config = { ...config }
    this.#result = new Result(this.#config.rowMode, this.#config.types)
  }

  /** Subscribes to `row` (each row as a read hands it out), `end` (done) or `error`. */
  override on(event: 'row', listener: (row: Row, result: Result) => void): this
  override on(event: 'end', listener: (result: Result) => void): this
  override on(event: 'error', listener: (err: Error) => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void)
  }

  /**
   * Called by a client that speaks `pg`'s protocol (the real `pg`): this cursor needs a
   * @tusk/pg-compat client, so it fails with an `InterfaceError` and lets the client go on.
   */
  submit(connection: Connection): void {
    connection.sync()
    this.handleError(
      new InterfaceError(
        '@tusk/pg-cursor runs on a @tusk/pg-compat client: install `pg` as `npm:@tusk/pg-compat`, or use the `pg-cursor` package with `pg`',
      ),
    )
  }

  /** Called by a `pg` client when the ReadyForQuery that ends this cursor's turn arrives. */
  handleReadyForQuery(): void {}

  /**
   * Called by the client when it cannot run the cursor (it was closed, or could not connect):
   * every pending read gets `error`, as do later reads.
   */
  handleError(error: Error): void {
    if (this.state === 'done' || this.state === 'error') return
    void this.#failed(error)
  }

  /** Called by a @tusk/pg-compat client at this cursor's turn (see `hostSession`). */
  [hostSession](loan: SessionLoan): void {
    if (this.#loan !== undefined) {
      loan.done()
      throw new InterfaceError('this cursor was already submitted to a client')
    }
    this.#loan = loan
    if (this.state !== 'initialized') {
      // Closed (or failed) before its turn came: nothing to run.
      this.#release()
      return
    }
    if (this.#config.types === undefined) this.#result._types = loan.types
    this.state = 'idle'
    this.#schedule()
  }

  /**
   * Reads up to `rows` rows (all the remaining ones for 0): exactly `rows` unless the end comes
   * first, then `[]` on every later read. A promise of the rows, or — with `callback` — undefined
   * and `callback(err, rows, result)`. Reads issued together run one after the other.
   */
  read(rows: number): Promise<Row[]>
  read(rows: number, callback: ResultCallback<Row>): undefined
  read(rows: number, callback?: ResultCallback<Row>): Promise<Row[]> | undefined
  read(rows: number, callback?: ResultCallback<Row>): Promise<Row[]> | undefined {
    let promise: Promise<Row[]> | undefined
    let cb = callback
    if (cb === undefined) {
      promise = new Promise<Row[]>((resolve, reject) => {
        cb = (err, batch) => (err ? reject(err) : resolve(batch))
      })
    }
    const done = cb as ResultCallback<Row>
    if (this.state === 'error') {
      const error = this.#error as Error
      setImmediate(() => done(error, [], this.#result))
    } else if (this.state === 'done') {
      setImmediate(() => done(undefined, [], this.#result))
    } else {
      this.#queue.push({ rows: Math.max(0, Math.floor(Number(rows) || 0)), callback: done })
      this.#schedule()
    }
    return promise
  }

  /**
   * Closes the cursor and gives the client back for its next query. A promise, or — with
   * `callback` — undefined and `callback(err)`. Closing twice, or after the end, is harmless.
   */
  close(): Promise<void>
  close(callback: (err?: Error) => void): undefined
  close(callback?: (err?: Error) => void): Promise<void> | undefined
  close(callback?: (err?: Error) => void): Promise<void> | undefined {
    let promise: Promise<void> | undefined
    let cb = callback
    if (cb === undefined) {
      promise = new Promise<void>((resolve, reject) => {
        cb = (err) => (err ? reject(err) : resolve())
      })
    }
    const done = cb as (err?: Error) => void
    if (this.state === 'initialized') {
      // Not run yet: it never will be; its turn, when it comes, is handed straight on.
      this.state = 'done'
      this.#settleQueue()
      setImmediate(() => done())
    } else if (this.state === 'error' || (this.state === 'done' && this.#closing === undefined)) {
      setImmediate(() => done())
    } else {
      // Reads queued behind the one in flight are not run: they get [] once the cursor closed.
      this.#stopping = true
      this.#closing ??= this.#close()
      this.#closing.then(
        () => done(),
        (error: Error) => done(error),
      )
    }
    return promise
  }

  /**
   * @deprecated As with `pg-cursor`: end the client instead. Closes the cursor, then the
   * client's connection, then calls `callback`.
   */
  end(callback: () => void): void {
    const session = this.#loan?.session
    this.close()
      .catch(() => undefined)
      .then(() => session?.close())
      .catch(() => undefined)
      .then(() => callback())
  }

  #schedule(): void {
    if (this.#pump !== undefined || this.#loan === undefined) return
    if (this.state !== 'idle' || this.#queue.length === 0) return
    this.#pump = this.#drain().finally(() => {
      this.#pump = undefined
      this.#schedule()
    })
  }

  /** Runs the queued reads, one at a time, while the cursor is open. */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && this.state === 'idle' && !this.#stopping) {
      const read = this.#queue[0] as PendingRead<Row>
      this.state = 'busy'
      let rows: Row[]
      try {
        rows = await this.#take(read.rows)
      } catch (error) {
        await this.#failed(error)
        return
      }
      this.#queue.shift()
      const result = this.#result
      if (this.#exhausted && this.#buffer.length === 0) {
        if (this.#described) result.addCommandComplete({ text: `SELECT ${this.#delivered}` })
        await this.#finish()
      } else if (this.state === 'busy') {
        this.state = 'idle'
      }
      result.rows = rows as unknown as QueryResultRow[]
      setImmediate(() => read.callback(undefined, rows, result))
    }
  }

  /** Up to `wanted` rows (0: all), parsed; `row` is emitted for each. */
  async #take(wanted: number): Promise<Row[]> {
    const core = this.#open(wanted)
    while (!this.#exhausted && (wanted === 0 || this.#buffer.length < wanted)) {
      const batch = (await core.read()) as unknown as RawRow[]
      if (!this.#described && core.fields !== undefined) this.#describe(core)
      if (batch.length === 0) this.#exhausted = true
      else for (const row of batch) this.#buffer.push(row)
    }
    const raw = wanted === 0 ? this.#buffer.splice(0) : this.#buffer.splice(0, wanted)
    const result = this.#result
    const rows = new Array<Row>(raw.length)
    for (let i = 0; i < raw.length; i++) {
      const row = result.parseRow(raw[i] as RawRow) as Row
      this.emit('row', row, result)
      rows[i] = row
    }
    this.#delivered += rows.length
    return rows
  }

  /** The core cursor, opened at the first read with that read's size as its batch size. */
  #open(wanted: number): CoreCursor {
    if (this.#core !== undefined) return this.#core
    const session = (this.#loan as SessionLoan).session
    const core: CoreCursor = session.cursor(this.text, this.values ?? [], {
      batchSize: wanted > 0 ? wanted : DEFAULT_BATCH,
      rowMode: 'array',
    })
    this.#core = core
    return core
  }

  #describe(core: CoreCursor): void {
    this.#described = true
    const fields: FieldDef[] = (core.fields ?? []).map((f) => ({
      name: f.name,
      tableID: f.tableOid,
      columnID: f.columnAttr,
      dataTypeID: f.typeOid,
      dataTypeSize: f.typeSize,
      dataTypeModifier: f.typeModifier,
      format: f.format === 1 ? 'binary' : 'text',
    }))
    this.#result.addFields(fields)
  }

  /** Read to the end: the portal is closed, the client goes on, `end` is emitted. */
  async #finish(): Promise<void> {
    this.state = 'done'
    try {
      await this.#core?.close()
    } finally {
      this.#release()
      this.#settleQueue()
      this.emit('end', this.#result)
    }
  }

  async #close(): Promise<void> {
    // A read in flight finishes first (its caller gets its rows); then the portal is closed.
    await this.#pump?.catch(() => undefined)
    if (this.state === 'done' || this.state === 'error') {
      this.#settleQueue()
      return
    }
    this.state = 'done'
    this.#settleQueue()
    try {
      await this.#core?.close()
    } finally {
      this.#release()
      this.emit('end', this.#result)
    }
  }

  /** The query failed: the portal is gone, the client goes on, every waiting read gets the error. */
  async #failed(error: unknown): Promise<void> {
    const err = asPgError(error)
    this.state = 'error'
    this.#error = err
    await this.#core?.close().catch(() => undefined)
    this.#release()
    const queue = this.#queue.splice(0)
    for (const read of queue) read.callback(err, [], this.#result)
    if (this.listenerCount('error') > 0) this.emit('error', err)
  }

  /** Reads still queued when the cursor closed get `[]`, as reads after the end do. */
  #settleQueue(): void {
    const queue = this.#queue.splice(0)
    for (const read of queue) setImmediate(() => read.callback(undefined, [], this.#result))
  }

  #release(): void {
    if (this.#released || this.#loan === undefined) return
    this.#released = true
    this.#loan.done()
  }
}
