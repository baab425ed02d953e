/**
 * `Client`: one connection with `pg`'s surface — `connect`/`query`/`end` as promises or with
 * callbacks, queries queued before the connection is ready, submittables, and the events
 * `error`, `end`, `notice` and `notification` — over a @tusk/core session.
 */
import { EventEmitter } from 'node:events'
import { PassThrough, type Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { connect, type Notice, type Notification, type Session, type TuskError } from '@tusk/core'
import { type ClientConfig, type ResolvedConfig, resolveClientConfig } from './config.js'
import { ConnectionEvents } from './connection-events.js'
import { asLinkError, asPgError, MESSAGES, misuse } from './errors.js'
import { escapeIdentifier, escapeLiteral } from './escape.js'
import { execute, settle } from './execute.js'
import { Query, type QueryCallback, type QueryConfig } from './query.js'
import { RAW_TEXT_TYPES } from './raw-types.js'
import type { QueryResultRow, Result } from './result.js'
import type { QueryResult } from './result-types.js'
import { hostSession, isSessionSubmittable, type SessionSubmittable } from './session-host.js'
import { type ActiveSubmittable, SubmitBridge } from './submit-bridge.js'
import { TypeOverrides } from './type-overrides.js'
import type { TypeParser } from './type-parsers.js'
import type { TypeFormat } from './types.js'

/** A notification as `pg` emits it. */
export interface PgNotification {
  processId: number
  channel: string
  payload?: string | undefined
}

type State = 'new' | 'connecting' | 'connected' | 'ending' | 'ended'

interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => undefined)
  return { promise, resolve, reject }
}

/** Internal hooks the pool uses to hand a client its session; not part of the pg surface. */
export const ATTACH: unique symbol = Symbol('tusk.pg-compat.attach')
/** Internal: settles when every query issued so far on the client has settled. */
export const IDLE: unique symbol = Symbol('tusk.pg-compat.idle')
/** Internal: delivers an event that came from the pool's connection. */
export const DELIVER: unique symbol = Symbol('tusk.pg-compat.deliver')

function isSubmittable(value: unknown): value is ActiveSubmittable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ActiveSubmittable>).submit === 'function'
  )
}

/** One connection to PostgreSQL with the `pg` Client API. */
export class Client extends EventEmitter {
  /** User name from the config (undefined: libpq's rules decide). */
  user: string | undefined
  /** Database name from the config. */
  database: string | undefined
  /** Host from the config. */
  host: string | undefined
  /** Port from the config. */
  port: number | undefined
  /** The server process serving this client, once connected. */
  processID: number | null = null
  /** True while connected and able to take a query. */
  readyForQuery = false
  /**
   * `pg`'s low-level connection, as far as its events: `parameterStatus` for each server
   * parameter when the client connects (Sequelize listens for it). It sends nothing.
   */
  readonly connection: ConnectionEvents = new ConnectionEvents()
  /** The server's run-time parameters (`server_version`, `TimeZone`, …), once connected. */
  get parameters(): ReadonlyMap<string, string> | undefined {
    return this.#session?.parameters
  }

  #config: ResolvedConfig
  #types: TypeOverrides
  #state: State = 'new'
  #session: Session | undefined
  #ready: Deferred<Session> = deferred<Session>()
  #barrier: Promise<void> | undefined
  #pending = new Set<Promise<unknown>>()
  #ended: Promise<void> | undefined
  #pooled = false

  /** `config` is a connection string or pg's config object; unknown keys are ignored. */
  constructor(config?: string | ClientConfig) {
    super()
    this.#config = resolveClientConfig(config)
    this.#types = new TypeOverrides(this.#config.types)
    const c = typeof config === 'object' && config !== null ? config : {}
    this.user = typeof c.user === 'string' ? c.user : undefined
    this.database = typeof c.database === 'string' ? c.database : undefined
    this.host = typeof c.host === 'string' ? c.host : undefined
    this.port = c.port === undefined ? undefined : Number(c.port)
  }

  /** Subscribes to `notification` (LISTEN), `notice`, `error` (connection lost) or `end`. */
  override on(event: 'notification', listener: (message: PgNotification) => void): this
  override on(event: 'notice', listener: (notice: Notice) => void): this
  override on(event: 'error', listener: (err: Error) => void): this
  override on(event: 'end', listener: () => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void)
  }

  /** Connects; resolves with the client, or calls `callback(err)`. A client connects once. */
  connect(): Promise<this>
  connect(callback: (err: Error | null, client?: Client) => void): void
  connect(callback?: (err: Error | null, client?: Client) => void): Promise<this> | undefined {
    const done = this.#connect().then(() => this)
    if (callback === undefined) return done
    done.then(
      () => callback(null, this),
      (error: Error) => callback(error),
    )
    return undefined
  }

  async #connect(): Promise<void> {
    if (this.#state !== 'new' || this.#pooled) throw misuse(MESSAGES.alreadyConnected)
    this.#state = 'connecting'
    try {
      const session = await connect(this.#config.conninfo, {
        ...this.#config.options,
        types: RAW_TEXT_TYPES,
        onNotice: (notice) => this[DELIVER]('notice', notice),
        onNotification: (n) => this[DELIVER]('notification', n),
        onClose: (error) => this.#closed(error),
      })
      if (this.#state !== 'connecting') {
        await session.close()
        throw misuse(MESSAGES.notQueryable)
      }
      this.#attach(session)
      this.#state = 'connected'
      this.connection.announce(session.parameters)
    } catch (error) {
      this.#state = 'ended'
      this.#ready.reject(error)
      throw error
    }
  }

  #attach(session: Session): void {
    this.#session = session
    this.processID = session.processId
    this.readyForQuery = true
    this.#ready.resolve(session)
  }

  /** Internal: the pool hands this client the session it is checked out on (or none). */
  [ATTACH](session: Session | undefined): void {
    this.#pooled = true
    this.#state = session === undefined ? 'ended' : 'connected'
    if (session === undefined) {
      this.#session = undefined
      this.readyForQuery = false
      this.#ready = deferred<Session>()
      this.#ready.reject(misuse(MESSAGES.notQueryable))
      return
    }
    this.#ready = deferred<Session>()
    this.#attach(session)
  }

  /** Internal: settles once every query issued so far has settled. */
  async [IDLE](): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  /** Internal: emits a connection event (notice, notification) in pg's shape. */
  [DELIVER](event: 'notice' | 'notification', payload: Notice | Notification): void {
    if (event === 'notification') {
      const n = payload as Notification
      const message: PgNotification = {
        processId: n.processId,
        channel: n.channel,
        payload: n.payload,
      }
      this.emit('notification', message)
    } else {
      this.emit('notice', payload)
    }
  }

  #closed(error: TuskError | undefined): void {
    const unexpected = this.#state === 'connected' && error !== undefined
    this.#state = 'ended'
    this.readyForQuery = false
    // An unheard 'error' must not kill the process: emit only to listeners (pg throws).
    if (unexpected && this.listenerCount('error') > 0) this.emit('error', asLinkError(error))
    this.emit('end')
  }

  /**
   * Runs a statement. Text (or a config object) with optional values and callback: a promise of
   * the Result (an array for a multi-statement text) unless a callback is given. A submittable
   * (an object with `submit`) or a `Query` is returned as is.
   */
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig,
    values?: unknown[],
  ): Promise<QueryResult<R>>
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig,
    callback: QueryCallback<R>,
  ): void
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig,
    values: unknown[] | undefined,
    callback: QueryCallback<R>,
  ): void
  query<T extends Query>(query: T): T
  // Any object with `submit` (typed against pg's own Connection, as @types/pg-cursor does) is run
  // as a submittable: the connection it gets is ours (see Submittable).
  query<T extends { submit: (connection: never) => void }>(submittable: T, callback?: unknown): T
  query(config: unknown, values?: unknown, callback?: unknown): unknown {
    if (config === null || config === undefined) throw misuse(MESSAGES.nullQuery)
    if (config instanceof Query) {
      if (typeof values === 'function') config.callback = values as QueryCallback
      this.#enqueue(config)
      return config
    }
    if (isSubmittable(config)) {
      if (typeof values === 'function') config.callback = values
      this.#submit(config)
      return config
    }
    const query = new Query(
      config as string | QueryConfig,
      values as unknown[] | QueryCallback,
      callback as QueryCallback,
    )
    let promise: Promise<Result | Result[]> | undefined
    if (query.callback === undefined) {
      promise = new Promise((resolve, reject) => {
        query.callback = (err, result) => (err ? reject(err) : resolve(result as unknown as Result))
      })
    }
    this.#enqueue(query)
    return promise
  }

  #whenReady(): Promise<Session> {
    const barrier = this.#barrier
    if (barrier === undefined) return this.#ready.promise
    return Promise.all([this.#ready.promise, barrier]).then(([session]) => session)
  }

  #track(promise: Promise<unknown>): void {
    this.#pending.add(promise)
    void promise.finally(() => this.#pending.delete(promise))
  }

  #enqueue(query: Query): void {
    const types = this.#types
    const timeout = this.#config.queryTimeout
    const closed = this.#state === 'ending' || this.#state === 'ended'
    const run = (session: Session) => execute(session, query, types, timeout)
    const session = this.#session
    const started = closed
      ? Promise.reject(misuse(MESSAGES.notQueryable))
      : session !== undefined && this.#barrier === undefined
        ? run(session)
        : this.#whenReady().then(run)
    const finished = started.then(
      (result) => settle(query, undefined, result),
      (error: unknown) => settle(query, error),
    )
    this.#track(finished)
  }

  #submit(sub: ActiveSubmittable): void {
    if (isSessionSubmittable(sub)) {
      this.#lend(sub)
      return
    }
    if (sub._result !== undefined && sub._result._types === undefined)
      sub._result._types = this.#types
    if (this.#state === 'ending' || this.#state === 'ended') {
      const error = misuse(MESSAGES.notQueryable)
      process.nextTick(() =>
        sub.handleError?.(error, new SubmitBridge(this.#session as Session, sub, () => undefined)),
      )
      return
    }
    let release!: () => void
    const done = new Promise<void>((resolve) => {
      release = resolve
    })
    const start = this.#whenReady()
    this.#barrier = done
    void done.then(() => {
      if (this.#barrier === done) this.#barrier = undefined
    })
    this.#track(done)
    start.then(
      (session) => {
        const bridge = new SubmitBridge(session, sub, release)
        try {
          sub.submit(bridge)
        } catch (error) {
          sub.handleError?.(error as Error, bridge)
          release()
        }
      },
      (error: unknown) => {
        sub.handleError?.(
          error as Error,
          new SubmitBridge(this.#session as Session, sub, () => undefined),
        )
        release()
      },
    )
  }

  /**
   * Lends the session to a submittable that asked for it (see `hostSession`): at its turn, as
   * any query; the queries issued after it wait until it calls `done`.
   */
  #lend(sub: SessionSubmittable): void {
    if (this.#state === 'ending' || this.#state === 'ended') {
      const error = misuse(MESSAGES.notQueryable)
      process.nextTick(() => sub.handleError?.(error))
      return
    }
    let release!: () => void
    const done = new Promise<void>((resolve) => {
      release = resolve
    })
    const start = this.#whenReady()
    this.#barrier = done
    void done.then(() => {
      if (this.#barrier === done) this.#barrier = undefined
    })
    this.#track(done)
    const types = this.#types
    start.then(
      (session) => {
        try {
          sub[hostSession]({ session, types, done: release })
        } catch (error) {
          release()
          sub.handleError?.(error as Error)
        }
      },
      (error: unknown) => {
        release()
        sub.handleError?.(asPgError(error) as Error)
      },
    )
  }

  /** Closes the connection (after the queries already sent); `end` is emitted. Idempotent. */
  end(): Promise<void>
  end(callback: (err?: Error) => void): void
  end(callback?: (err?: Error) => void): Promise<void> | undefined {
    this.#ended ??= this.#end()
    if (callback === undefined) return this.#ended
    this.#ended.then(
      () => callback(),
      (error: Error) => callback(error),
    )
    return undefined
  }

  async #end(): Promise<void> {
    const state = this.#state
    if (state === 'new' || state === 'ended') {
      this.#state = 'ended'
      this.#ready.reject(misuse(MESSAGES.notQueryable))
      return
    }
    this.#state = 'ending'
    if (state === 'connecting') {
      await this.#ready.promise.catch(() => undefined)
    }
    const session = this.#session
    if (session !== undefined) {
      try {
        await session.close()
      } finally {
        this.#state = 'ended'
        this.readyForQuery = false
      }
    }
  }

  /** `I` idle, `T` in a transaction block, `E` in a failed one; null when not connected. */
  getTransactionStatus(): 'I' | 'T' | 'E' | null {
    return this.#session === undefined || this.#session.closed
      ? null
      : this.#session.transactionStatus
  }

  /** Accepted for compatibility: rows are never buffered past what a query holds. */
  pauseDrain(): void {}

  /** Accepted for compatibility (see pauseDrain). */
  resumeDrain(): void {}

  /**
   * `COPY … FROM STDIN` fed by the returned Writable; it emits `error` when the server refuses
   * the data, `finish` once everything written was handed over.
   */
  copyFrom(text: string): Writable {
    const input = new PassThrough()
    this.#whenReady()
      .then((session) => session.copyFrom(text, input))
      .catch((error: unknown) => input.destroy(asPgError(error) as Error))
    return input
  }

  /** `COPY … TO STDOUT` as a Readable of the server's chunks. */
  copyTo(text: string): Readable {
    const output = new PassThrough()
    this.#whenReady()
      .then((session) => pipeline(session.copyTo(text), output))
      .catch((error: unknown) => output.destroy(asPgError(error) as Error))
    return output
  }

  /** This client's parser of `oid` (its own, else the config's `types`, else `pg.types`). */
  getTypeParser(oid: number, format?: TypeFormat): TypeParser {
    return this.#types.getTypeParser(oid, format)
  }

  /** Sets a parser for this client only. */
  setTypeParser(oid: number, format: TypeFormat | TypeParser, parser?: TypeParser): void {
    this.#types.setTypeParser(oid, format, parser)
  }

  /** `"name"` quoted as an identifier (pg's). */
  escapeIdentifier(name: string): string {
    return escapeIdentifier(name)
  }

  /** `'value'` quoted as a literal (pg's). */
  escapeLiteral(value: string): string {
    return escapeLiteral(value)
  }

  /**
   * The @tusk/core session under this client (undefined before connect, and for a pooled client
   * between checkouts): the way to move code to @tusk/core's API one call at a time.
   */
  get session(): Session | undefined {
    return this.#session
  }
}
