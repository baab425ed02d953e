/**
 * `Pool`: `pg`'s pool API (`query`, `connect` with `release`, `end`, the counters and the
 * events `connect`, `acquire`, `release`, `remove`, `error`) over a @tusk/core pool, which does
 * the pooling: FIFO waiters, idle and lifetime limits, and a client released dirty is rolled back
 * or destroyed rather than handed on.
 */
import { EventEmitter } from 'node:events'
import {
  type Pool as CorePool,
  type PoolClient as CorePoolClient,
  createPool,
  type Session,
} from '@tusk/core'
import { ATTACH, Client, DELIVER, IDLE } from './client.js'
import { type PoolConfig, resolvePoolConfig } from './config.js'
import { asLinkError, MESSAGES, misuse } from './errors.js'
import { execute, settle } from './execute.js'
import { Query, type QueryCallback, type QueryConfig } from './query.js'
import { RAW_TEXT_TYPES } from './raw-types.js'
import type { QueryResultRow, Result } from './result.js'
import type { QueryResult } from './result-types.js'
import { TypeOverrides } from './type-overrides.js'

/** A client checked out of a Pool: a Client plus `release()`. */
export class PoolClient extends Client {
  #handle: CorePoolClient | undefined

  /** Internal: the pool's view of this client's checkout. */
  override [ATTACH](session: Session | undefined): void {
    this.#handle = session as CorePoolClient | undefined
    super[ATTACH](session)
  }

  /**
   * Gives the client back to its pool. With an error (or `true`) the connection is destroyed
   * instead of reused. Calling it twice throws, as with `pg`.
   */
  release(err?: Error | boolean): void {
    const handle = this.#handle
    if (handle === undefined) throw misuse(MESSAGES.releasedTwice)
    this[ATTACH](undefined)
    void handle.release(err ? true : undefined).catch(() => undefined)
  }
}

type ConnectCallback = (
  err: Error | undefined,
  client: PoolClient | undefined,
  done: (release?: Error | boolean) => void,
) => void

/** A pool of clients with the `pg` (pg-pool) API. */
export class Pool extends EventEmitter {
  /** The config the pool was made with. */
  readonly options: PoolConfig
  /** The client class of this pool (as pg-pool's `pool.Client`). */
  readonly Client: typeof Client = Client
  #core: CorePool
  #config: ReturnType<typeof resolvePoolConfig>
  #types: TypeOverrides
  #clients = new Map<number, PoolClient>()
  #ending = false
  #ended = false

  /** `config` is a connection string or pg's pool config; unknown keys are ignored. */
  constructor(config?: string | PoolConfig) {
    super()
    this.options = typeof config === 'string' ? { connectionString: config } : { ...config }
    this.#config = resolvePoolConfig(config)
    this.#types = new TypeOverrides(this.#config.client.types)
    const core = createPool(this.#config.client.conninfo, {
      ...this.#config.pool,
      types: RAW_TEXT_TYPES,
      init: (session) => this.#init(session),
      onNotification: (n, source) =>
        this.#clients.get(source.processId)?.[DELIVER]('notification', n),
      onNotice: (n, source) => this.#clients.get(source.processId)?.[DELIVER]('notice', n),
    })
    this.#core = core
    core.on('acquire', (e) => this.#emitWith('acquire', e.processId))
    core.on('release', (e) => {
      const client = this.#clients.get(e.processId)
      if (client !== undefined) this.emit('release', e.error ?? undefined, client)
    })
    core.on('remove', (e) => {
      const client = this.#clients.get(e.processId)
      this.#clients.delete(e.processId)
      if (client !== undefined) this.emit('remove', client)
    })
    core.on('error', (error) => {
      // An unheard 'error' must not kill the process: emit only to listeners (pg throws).
      if (this.listenerCount('error') > 0) this.emit('error', asLinkError(error))
    })
  }

  #emitWith(event: 'acquire', processId: number): void {
    const client = this.#clients.get(processId)
    if (client !== undefined) this.emit(event, client)
  }

  async #init(session: Session): Promise<void> {
    const client = new PoolClient(this.options)
    client[ATTACH](session)
    this.#clients.set(session.processId, client)
    try {
      this.emit('connect', client)
      const { onConnect, verify } = this.options
      if (onConnect) await onConnect(client)
      if (verify) {
        await new Promise<void>((resolve, reject) =>
          verify(client as never, (err) => (err ? reject(err) : resolve())),
        )
      }
      // Queries a 'connect' listener issued run before the client is handed out.
      await client[IDLE]()
    } finally {
      client[ATTACH](undefined)
    }
  }

  /**
   * Subscribes to `connect` (a new client, before first use), `acquire`, `release`, `remove`
   * or `error` (an idle client failed; never thrown when nobody listens).
   */
  override on(event: 'connect' | 'acquire' | 'remove', listener: (client: PoolClient) => void): this
  override on(
    event: 'release',
    listener: (err: Error | undefined, client: PoolClient) => void,
  ): this
  override on(event: 'error', listener: (err: Error, client: PoolClient | undefined) => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void)
  }

  /** Clients open (idle, busy and connecting). */
  get totalCount(): number {
    return this.#core.stats().total
  }

  /** Clients open and unused. */
  get idleCount(): number {
    return this.#core.stats().idle
  }

  /** Callers waiting for a client. */
  get waitingCount(): number {
    return this.#core.stats().waiting
  }

  /** Clients past their lifetime waiting to be closed (closed at once here: always 0). */
  get expiredCount(): number {
    return 0
  }

  /** True once `end()` was called. */
  get ending(): boolean {
    return this.#ending
  }

  /** True once `end()` finished. */
  get ended(): boolean {
    return this.#ended
  }

  /**
   * The @tusk/core pool under this one: the way to move code to @tusk/core's API one call at a
   * time (transactions with retry, cursors, COPY, LISTEN with reconnects).
   */
  get core(): CorePool {
    return this.#core
  }

  /** Checks out a client: a promise of it, or `callback(err, client, release)`. */
  connect(): Promise<PoolClient>
  connect(callback: ConnectCallback): void
  connect(callback?: ConnectCallback): Promise<PoolClient> | undefined {
    const checkout = this.#checkout()
    if (callback === undefined) return checkout
    checkout.then(
      (client) => callback(undefined, client, (err) => client.release(err)),
      (error: Error) => callback(error, undefined, () => undefined),
    )
    return undefined
  }

  async #checkout(): Promise<PoolClient> {
    if (this.#ending) throw misuse(MESSAGES.poolEnded)
    const handle = await this.#core.connect()
    let client = this.#clients.get(handle.processId)
    if (client === undefined) {
      client = new PoolClient(this.options)
      this.#clients.set(handle.processId, client)
    }
    client[ATTACH](handle)
    return client
  }

  /**
   * Runs one statement on a pooled connection: a promise of the Result, or the callback. Values
   * and config objects as `client.query`; submittables need a checked-out client.
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
  query(config: unknown, values?: unknown, callback?: unknown): unknown {
    const cb =
      typeof values === 'function'
        ? (values as QueryCallback)
        : (callback as QueryCallback | undefined)
    let promise: Promise<Result | Result[]> | undefined
    let deliver: QueryCallback
    if (cb === undefined) {
      promise = new Promise((resolve, reject) => {
        deliver = (err, result) => (err ? reject(err) : resolve(result as unknown as Result))
      })
    } else {
      deliver = cb
    }
    const fail = (error: Error) =>
      process.nextTick(() => deliver(error, undefined as unknown as Result))
    if (this.#ending) {
      fail(misuse(MESSAGES.poolEnded))
      return promise
    }
    if (config === null || config === undefined) {
      fail(misuse(MESSAGES.nullQuery))
      return promise
    }
    if (typeof (config as { submit?: unknown }).submit === 'function') {
      fail(misuse('pool.query does not take a submittable: check out a client with pool.connect()'))
      return promise
    }
    const query = new Query(
      config as string | QueryConfig,
      typeof values === 'function' ? undefined : (values as unknown[] | undefined),
    )
    query.callback = (err, result) => deliver(err, result)
    execute(this.#core, query, this.#types, this.#config.client.queryTimeout).then(
      (result) => settle(query, undefined, result),
      (error: unknown) => settle(query, error),
    )
    return promise
  }

  /** Closes every client (after the checked-out ones are released); a second call fails. */
  end(): Promise<void>
  end(callback: (err?: Error) => void): void
  end(callback?: (err?: Error) => void): Promise<void> | undefined {
    const done = this.#end()
    if (callback === undefined) return done
    done.then(
      () => callback(),
      (error: Error) => callback(error),
    )
    return undefined
  }

  async #end(): Promise<void> {
    if (this.#ending) throw misuse(MESSAGES.poolEndedTwice)
    this.#ending = true
    await this.#core.end()
    this.#ended = true
  }
}
