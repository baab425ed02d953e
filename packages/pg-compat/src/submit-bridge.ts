/**
 * The connection a submittable (the real `pg-cursor`, `pg-query-stream`) is handed: it records
 * the protocol steps the submittable asks for (parse, bind, describe, execute, close, sync,
 * flush) and plays them on a @tusk/core cursor, answering through the submittable's `handle*`
 * methods and this object's events as a `pg` connection would. Rows go over as the server's text
 * for the submittable's own Result to parse.
 */
import { EventEmitter } from 'node:events'
import type { Cursor, Session } from '@tusk/core'
import { asPgError } from './errors.js'
import { toFieldDef } from './execute.js'
import type { FieldDef } from './result.js'

/**
 * The connection a submittable's `submit` gets: the protocol steps it may ask for, and the events
 * (`rowDescription`, `noData`, `portalSuspended`, `readyForQuery`, `end`) it may listen to.
 */
export interface Connection extends EventEmitter {
  /** Parse: the statement text. */
  parse(message: { text: string }, more?: boolean): void
  /** Bind: the prepared values. */
  bind(message: { portal?: string; values?: readonly unknown[] | null }, more?: boolean): void
  /** Describe the portal. */
  describe(message?: { type?: string; name?: string }, more?: boolean): void
  /** Execute: up to `rows` rows (0: all). */
  execute(message: { portal?: string; rows?: number }, more?: boolean): void
  /** Close the portal. */
  close(message?: { type?: string; name?: string }, more?: boolean): void
  /** Sync: ReadyForQuery follows. */
  sync(): void
  /** Flush: run what was asked so far. */
  flush(): void
  /** End (pg-cursor's deprecated `end`). */
  end(): void
}

/** What `client.query` treats as a submittable: an object with `submit`, returned as is. */
export interface Submittable {
  /** Called once with the connection when it is this submittable's turn. */
  submit: (connection: Connection) => void
}

/** The methods `pg` calls on an active submittable, each optional. */
interface Handlers {
  handleRowDescription?(message: { fields: FieldDef[] }): void
  handleDataRow?(message: { fields: (string | null)[] }): void
  handlePortalSuspended?(connection: Connection): void
  handleCommandComplete?(message: { text: string }, connection: Connection): void
  handleReadyForQuery?(connection: Connection): void
  handleError?(error: Error, connection: Connection): void
  callback?: unknown
  _result?: { _types?: unknown }
}

/** A submittable as the bridge drives it. */
export type ActiveSubmittable = Submittable & Handlers

/** Rows the bridge asks the core cursor for at a time. */
const BATCH = 100

type Step = () => Promise<void>

/** The pg-style connection one submittable drives, over one session. */
export class SubmitBridge extends EventEmitter implements Connection {
  #session: Session
  #sub: ActiveSubmittable
  #done: () => void
  #text = ''
  #values: readonly unknown[] = []
  #cursor: Cursor<unknown[]> | undefined
  #buffer: unknown[][] = []
  #exhausted = false
  #delivered = 0
  #failed = false
  #finished = false
  #steps: Step[] = []
  #running = false

  /** `done` is called once the submittable got its ReadyForQuery. */
  constructor(session: Session, submittable: ActiveSubmittable, done: () => void) {
    super()
    this.#session = session
    this.#sub = submittable
    this.#done = done
  }

  /** Parse: remembers the text. */
  parse(message: { text: string }): void {
    this.#text = message.text
  }

  /** Bind: remembers the (already prepared) values. */
  bind(message: { values?: readonly unknown[] | null }): void {
    this.#values = message.values ?? []
  }

  /** Describe: opens the cursor and reports its columns. */
  describe(): void {
    this.#push(() => this.#open())
  }

  /** Execute: delivers up to `rows` rows (0: all). */
  execute(message: { rows?: number }): void {
    const rows = message.rows ?? 0
    this.#push(() => this.#execute(rows))
  }

  /** Close (of the portal): closes the cursor. */
  close(): void {
    this.#push(() => this.#close())
  }

  /** Sync: answers with ReadyForQuery. */
  sync(): void {
    this.#push(async () => this.#ready())
  }

  /** Flush: runs the steps asked for so far. */
  flush(): void {
    void this.#run()
  }

  /** End: the submittable asked for the whole connection to end; only the cursor is closed. */
  end(): void {
    this.#push(async () => {
      await this.#close()
      this.emit('end')
    })
  }

  #push(step: Step): void {
    this.#steps.push(step)
    queueMicrotask(() => void this.#run())
  }

  async #run(): Promise<void> {
    if (this.#running) return
    this.#running = true
    try {
      while (this.#steps.length > 0) {
        const step = this.#steps.shift() as Step
        try {
          await step()
        } catch (error) {
          this.#fail(error)
        }
      }
    } finally {
      this.#running = false
    }
  }

  #fail(error: unknown): void {
    if (this.#failed || this.#finished) return
    this.#failed = true
    // Steps queued before the error (reads) are dropped; the Sync the handler sends answers.
    this.#steps = []
    const cursor = this.#cursor
    this.#cursor = undefined
    void cursor?.close().catch(() => undefined)
    this.#sub.handleError?.(asPgError(error) as Error, this)
    this.emit('errorMessage', error)
  }

  async #fill(wanted: number): Promise<void> {
    while (!this.#exhausted && (wanted === 0 || this.#buffer.length < wanted)) {
      const rows = await (this.#cursor as Cursor<unknown[]>).read()
      if (rows.length === 0) this.#exhausted = true
      else for (const row of rows) this.#buffer.push(row)
    }
  }

  async #open(): Promise<void> {
    if (this.#failed) return
    this.#cursor = this.#session.cursor<unknown[]>(this.#text, this.#values, {
      batchSize: BATCH,
      rowMode: 'array',
    })
    await this.#fill(1)
    const fields = (this.#cursor.fields ?? []).map((f) =>
      toFieldDef({
        name: f.name,
        tableOid: f.tableOid,
        columnId: f.columnAttr,
        dataTypeOid: f.typeOid,
        dataTypeSize: f.typeSize,
        dataTypeModifier: f.typeModifier,
        format: f.format,
      }),
    )
    if (fields.length === 0) {
      this.emit('noData')
      return
    }
    const message = { fields }
    this.#sub.handleRowDescription?.(message)
    this.emit('rowDescription', message)
  }

  async #execute(rows: number): Promise<void> {
    if (this.#failed || this.#cursor === undefined) return
    await this.#fill(rows)
    const count = rows === 0 ? this.#buffer.length : Math.min(rows, this.#buffer.length)
    const batch = this.#buffer.splice(0, count)
    for (const row of batch) this.#sub.handleDataRow?.({ fields: row as (string | null)[] })
    this.#delivered += batch.length
    if (this.#exhausted && this.#buffer.length === 0) {
      this.#sub.handleCommandComplete?.({ text: `SELECT ${this.#delivered}` }, this)
    } else {
      this.#sub.handlePortalSuspended?.(this)
      this.emit('portalSuspended')
    }
  }

  async #close(): Promise<void> {
    const cursor = this.#cursor
    this.#cursor = undefined
    if (cursor !== undefined) await cursor.close()
  }

  #ready(): void {
    if (this.#finished) return
    this.#finished = true
    this.#sub.handleReadyForQuery?.(this)
    this.emit('readyForQuery')
    this.#done()
  }
}
