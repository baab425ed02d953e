/**
 * The PostgreSQL pool: a ResourcePool of connections plus what only a PostgreSQL connection has —
 * connecting (password functions, registerTypes, init), the checkout ping, reset on release
 * (ROLLBACK, resetQuery), `pool.query` statements pipelined onto busy connections, hooks, events,
 * diagnostics channels, and the user API. Failures go to whoever awaits, never to an 'error' event.
 */

import type { Readable } from 'node:stream'
import { connectWithConfig } from '../connection/connect.js'
import type { Connection, ExecOptions } from '../connection/connection.js'
import type { QueryResult } from '../connection/extended-query.js'
import { log } from '../connection/logger.js'
import type { SimpleQueryResult } from '../connection/simple-query.js'
import type { ConnectionConfig } from '../conninfo/config.js'
import type { ConnectionOptions } from '../conninfo/options.js'
import { resolveConfig } from '../conninfo/resolve.js'
import type { CopyFromOptions, CopyResult, CopySource, CopyToOptions } from '../copy/copy.js'
import { type CopyToItem, CopyToIterable } from '../copy/copy-to-iterable.js'
import { copyToStream } from '../copy/copy-to-stream.js'
import { Cursor, type CursorOptions } from '../cursor/cursor.js'
import { DatabaseError, InterfaceError, type TuskError } from '../errors/base.js'
import { attachCallSite, type CallSite, captureCallSite } from '../errors/call-site.js'
import {
  AuthenticationError,
  ConfigError,
  ConnectionError,
  PoolClosedError,
  PoolTimeoutError,
  TlsError,
} from '../errors/client.js'
import { QueryCanceled } from '../errors/sqlstate.generated.js'
import { checkNotifyPayload, Listener, type NotificationHandler } from '../listen/listener.js'
import {
  checkCheckoutOptions,
  checkConninfoObject,
  checkCopyFromCall,
  checkCopyToCall,
  checkCursorCall,
  checkExecCall,
  checkHealthOptions,
  checkListenCall,
  checkNotifyOptions,
  checkPoolOptions,
  checkPoolQueryCall,
  checkTransactionCall,
} from '../options/validate.js'
import { CHANNELS, channel } from '../runtime/diagnostics.js'
import { type Runtime, runtimeOf } from '../runtime/runtime.js'
import { asyncDispose } from '../session/dispose.js'
import type { NotifyOptions } from '../session/queryable.js'
import { Session } from '../session/session.js'
import { anySignal, type Deadline, deadlineSignal } from '../session/signals.js'
import { isSqlFragment, type SqlFragment } from '../sql/fragment.js'
import { opensTransactionBlock } from '../sql/keyword.js'
import type { Transaction, TransactionOptions } from '../transaction/transaction.js'
import type { TypeRegistry } from '../types/index.js'
import { nothingListens } from './connect-failure.js'
import { PoolEventHub, type PoolEventName, type PoolEvents } from './events.js'
import type {
  AcquireOptions,
  PoolHealth,
  PoolOptions,
  PoolQueryOptions,
  PoolStats,
} from './options.js'
import { PoolClient } from './pool-client.js'
import type { PooledConnection, PoolSlot } from './pooled-connection.js'
import {
  beforeDeadline,
  type Connector,
  type DestroyReason,
  ResourcePool,
  type ResourcePoolHooks,
} from './resource-pool.js'

const acquireChannel = channel(CHANNELS.acquire)
const releaseChannel = channel(CHANNELS.release)
const destroyChannel = channel(CHANNELS.destroy)
const connectChannel = channel(CHANNELS.connect)

const RETRY_CODES = new Set(['53300', '57P03'])
const RESET_TIMEOUT_MS = 5_000

/** True for failures a retry cannot cure: authentication, configuration, unknown database. */
function fatalConnectError(err: unknown): boolean {
  if (err instanceof ConfigError || err instanceof AuthenticationError || err instanceof TlsError)
    return true
  if (err instanceof DatabaseError) {
    const code = err.code ?? ''
    if (RETRY_CODES.has(code)) return false
    return code.startsWith('28') || code === '3D000' || code.startsWith('42')
  }
  return err instanceof InterfaceError
}

/** The error of a checkout whose `signal` aborted the wait. */
function checkoutAborted(signal: AbortSignal): TuskError {
  return new ConnectionError('checking out a pooled connection was aborted', {
    phase: 'connect',
    safeToRetry: true,
    cause: signal.reason,
  })
}

/** The error of a `pool.query` statement whose `signal` aborted its wait for a connection. */
function queryAborted(signal: AbortSignal): TuskError {
  const err = new QueryCanceled('query canceled while waiting for a pooled connection', {
    phase: 'query',
    safeToRetry: true,
    cause: signal.reason,
  }) as QueryCanceled & { reason?: 'abort' }
  err.code = '57014'
  err.reason = 'abort'
  return err
}

/** The checkout ping: an empty query, answered within `timeoutMs` or the connection fails. */
function pingConnection(pooled: PooledConnection, timeoutMs: number): Promise<unknown> {
  const conn = pooled.conn
  // A link dropped silently (a middlebox) would leave the ping unanswered: bound it.
  const guard = setTimeout(
    () => conn.fail(`health check got no answer within ${Math.round(timeoutMs)} ms`),
    timeoutMs,
  )
  return conn.exec('').then(
    () => clearTimeout(guard),
    (err: unknown) => {
      clearTimeout(guard)
      throw err
    },
  )
}

/**
 * Closes a connection leaving the pool: at once when it failed, is dirty or (past end()'s
 * deadline) is still busy; else politely, but destroyed at `deadline` (Date.now()) if one is given.
 */
async function closeConnection(
  pooled: PooledConnection,
  reason: DestroyReason,
  deadline?: number,
): Promise<void> {
  const conn = pooled.conn
  if (conn.closed) return
  if (reason === 'error' || reason === 'dirty' || (deadline !== undefined && conn.pending > 0)) {
    conn.destroy()
    return
  }
  const closing = conn.close().catch(() => conn.destroy())
  if (deadline === undefined) return closing
  await beforeDeadline(closing, deadline)
  conn.destroy()
}

function isClosed(pooled: PooledConnection): boolean {
  return pooled.conn.closed
}

/**
 * A pool of PostgreSQL connections: FIFO checkouts, min kept warm, idle timeout, max lifetime
 * with jitter, max uses, health check after idle, connect retry with backoff, clean release
 * (rollback or destroy), `pool.query` pipelining, stats, resize, drain and end.
 */
export class Pool {
  readonly #config: ConnectionConfig
  readonly #options: PoolOptions
  readonly #runtime: Runtime
  readonly #rp: ResourcePool<PooledConnection, CallSite | undefined>
  /** Connections running `pool.query` statements that others may join (queries > 0). */
  readonly #shared: PoolSlot[] = []
  readonly #pipeline: number
  /** Capture callers' stacks when they call (eagerStacks, or leak detection needs them). */
  readonly #earlySites: boolean
  readonly #stallMs: number
  /** What a PoolClient calls on release (one function for the pool, not one per checkout). */
  readonly #releaseSlot = (slot: PoolSlot, error: unknown): void => this.#release(slot, error, true)
  readonly #events = new PoolEventHub()
  /** Aborts the connects in flight (end() past its deadline). */
  readonly #connecting = new Set<AbortController>()
  #pipelined = 0
  #listener: Listener | undefined
  /** The registry with `registerTypes` loaded, shared by every connection after the first. */
  #registry: TypeRegistry | undefined

  /** @internal Creates a pool (`createPool` calls it). */
  static create(config: ConnectionConfig, options: PoolOptions, runtime: Runtime): Pool {
    return new Pool(config, options, runtime)
  }

  /** Pools come from `createPool()`. */
  private constructor(config: ConnectionConfig, options: PoolOptions, runtime: Runtime) {
    this.#config = config
    this.#options = options
    this.#runtime = runtime
    // A reset between uses asks for isolation between statements: no pipelining unless asked.
    this.#pipeline = options.maxPipeline ?? (options.resetQuery ? 1 : 8)
    if (!Number.isInteger(this.#pipeline) || this.#pipeline < 1) {
      throw new ConfigError(`pool maxPipeline must be an integer ≥ 1, got ${options.maxPipeline}`, {
        parameter: 'maxPipeline',
      })
    }
    this.#earlySites = options.eagerStacks === true || options.leakDetectionThreshold !== undefined
    this.#stallMs = options.pipelineStallMs ?? 5
    if (!(this.#stallMs >= 0)) {
      throw new ConfigError(`pool pipelineStallMs must be ≥ 0, got ${options.pipelineStallMs}`, {
        parameter: 'pipelineStallMs',
      })
    }
    const connector: Connector<PooledConnection> = {
      create: () => this.#connect(),
      destroy: closeConnection,
      isBroken: isClosed,
      isFatal: fatalConnectError,
      failsWaitersWhileNew: nothingListens,
      abortCreates: () => {
        for (const stop of this.#connecting) stop.abort()
      },
      check: pingConnection,
    }
    if (options.allowExitOnIdle) {
      connector.ref = (pooled) => pooled.conn.ref()
      connector.unref = (pooled) => pooled.conn.unref()
    }
    const hooks: ResourcePoolHooks<PooledConnection, CallSite | undefined> = {
      created: (slot) => {
        const conn = slot.resource.conn
        if (connectChannel.hasSubscribers)
          connectChannel.publish({
            pool: this,
            processId: conn.processId,
            host: conn.host,
            createMs: slot.resource.createMs,
            ...(this.#runtime.name !== undefined ? { runtime: this.#runtime.name } : {}),
          })
        if (this.#events.has('connect'))
          this.#events.emit('connect', { processId: conn.processId, host: conn.host })
      },
      removed: (slot, reason) => {
        const processId = slot.resource.conn.processId
        if (destroyChannel.hasSubscribers) destroyChannel.publish({ pool: this, processId, reason })
        if (this.#events.has('remove')) this.#events.emit('remove', { processId, reason })
      },
      error: (err) => this.#backgroundError(err as TuskError),
      granted: (slot, waited, site, shared) => this.#granted(slot, waited, site, shared),
      handedToShared: (slot) => this.#feed(slot, 1),
      borrow: () => {
        const slot = this.#leastLoaded()
        if (slot) this.#pipelined++
        return slot
      },
    }
    this.#rp = new ResourcePool(connector, options, hooks)
  }

  /** Connections open now (idle, busy and being opened). */
  get total(): number {
    return this.#rp.total
  }

  /** True once `end()` was called. */
  get closed(): boolean {
    return this.#rp.closed
  }

  /**
   * Subscribes to a pool event (connect, acquire, release, remove, error); returns the function
   * that unsubscribes. Listeners run synchronously and a throw in one is ignored.
   */
  on<K extends PoolEventName>(event: K, listener: (event: PoolEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  /**
   * A readiness probe: runs `SELECT 1` through the pool (a checkout, or a busy connection it may
   * join), bounded by `timeout` ms (default 1 000), wait included. Never rejects: `ok` says
   * whether it answered, `error` why not.
   */
  async health(options?: { timeout?: number }): Promise<PoolHealth> {
    try {
      checkHealthOptions(options)
    } catch (err) {
      return Promise.reject(err)
    }
    if (this.#rp.closed) {
      return {
        ok: false,
        closed: true,
        error: new PoolClosedError('the pool is closed'),
        stats: this.stats(),
      }
    }
    const timeout = options?.timeout ?? 1_000
    const started = performance.now()
    try {
      await this.query('select 1', [], { signal: AbortSignal.timeout(timeout), timeout })
      return {
        ok: true,
        closed: false,
        roundTripMs: performance.now() - started,
        stats: this.stats(),
      }
    } catch (err) {
      return { ok: false, closed: this.#rp.closed, error: err as TuskError, stats: this.stats() }
    }
  }

  /** The pool's numbers; see PoolStats. */
  stats(): PoolStats {
    return { ...this.#rp.stats(), pipelined: this.#pipelined, max: this.#rp.max }
  }

  /**
   * Runs one statement in autocommit on a connection used for exactly its duration. When every
   * connection is busy and the pool is at `max`, it is pipelined onto a busy one (`maxPipeline`).
   */
  query<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    params: readonly unknown[] | undefined,
    options: PoolQueryOptions & { rowMode: 'array' },
  ): Promise<QueryResult<R>>
  query<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    options: PoolQueryOptions & { rowMode: 'array' },
  ): Promise<QueryResult<R>>
  query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | PoolQueryOptions,
    options?: PoolQueryOptions,
  ): Promise<QueryResult<R>>
  async query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | PoolQueryOptions,
    options?: PoolQueryOptions,
  ): Promise<QueryResult<R>> {
    checkPoolQueryCall(text, params, options)
    const site = this.#earlySites ? captureCallSite(this.query) : undefined
    const opts = Array.isArray(params) ? options : (params as PoolQueryOptions | undefined)
    let shared = false
    if (this.#pipeline > 1 && opts?.pipeline !== false) {
      try {
        shared = !opensTransactionBlock(isSqlFragment(text) ? text.text : text)
      } catch {
        // A malformed fragment: the connection reports it below, on a connection of its own.
      }
    }
    let slot: PoolSlot
    try {
      const pending = this.#rp.acquire(site, opts?.signal, queryAborted, shared)
      slot = pending instanceof Promise ? await pending : pending
    } catch (err) {
      throw attachCallSite(err, site ?? captureCallSite(this.query))
    }
    try {
      // Call sites are attached here (captured after the await unless captured early).
      const result = await slot.resource.conn.queryFrom<R>(site, text, params, options)
      if (shared) this.#queryDone(slot, undefined)
      else this.#release(slot, undefined)
      return result
    } catch (err) {
      const lost = slot.resource.conn.closed ? err : undefined
      if (shared) this.#queryDone(slot, lost)
      else this.#release(slot, lost)
      throw attachCallSite(err, site ?? captureCallSite(this.query))
    }
  }

  /** The first row of `query(...)`, or undefined. */
  queryOne<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    params: readonly unknown[] | undefined,
    options: PoolQueryOptions & { rowMode: 'array' },
  ): Promise<R | undefined>
  queryOne<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    options: PoolQueryOptions & { rowMode: 'array' },
  ): Promise<R | undefined>
  queryOne<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | PoolQueryOptions,
    options?: PoolQueryOptions,
  ): Promise<R | undefined>
  async queryOne<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | PoolQueryOptions,
    options?: PoolQueryOptions,
  ): Promise<R | undefined> {
    return (await this.query<R>(text, params, options)).rows[0]
  }

  /** Runs a multi-statement script (simple protocol) on one connection. */
  async exec<R = (string | null)[]>(
    sql: string,
    options?: ExecOptions<R>,
  ): Promise<SimpleQueryResult<R>[]> {
    checkExecCall(sql, options)
    // The wait for a connection takes the script's signal and time limit, nothing else.
    let acquire: AcquireOptions | undefined = options
    if (options?.rowBuilder !== undefined) {
      acquire = {}
      if (options.signal !== undefined) acquire.signal = options.signal
      if (options.timeout !== undefined) acquire.timeout = options.timeout
    }
    const client = await this.connect(acquire)
    let failure: unknown
    try {
      return await client.exec(sql, options)
    } catch (err) {
      failure = err
      throw err
    } finally {
      await client.release(client.closed ? failure : undefined)
    }
  }

  /**
   * Runs `fn` in a transaction on one connection (see Session.transaction); the connection goes
   * back to the pool when it ends, and the handle `fn` got refuses every later call.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** The same, with isolation level, access mode, deferrable, retry, signal or timeout. */
  transaction<T>(options: TransactionOptions, fn: (tx: Transaction) => Promise<T>): Promise<T>
  async transaction<T>(
    a: TransactionOptions | ((tx: Transaction) => Promise<T>),
    b?: (tx: Transaction) => Promise<T>,
  ): Promise<T> {
    checkTransactionCall(a, b)
    const [options, fn] = typeof a === 'function' ? [{}, a] : [a ?? {}, b!]
    const client = await this.connect(options.signal ? { signal: options.signal } : undefined)
    let failure: unknown
    try {
      return await client.transaction(options, fn)
    } catch (err) {
      failure = err
      throw err
    } finally {
      await client.release(client.state === 'closed' ? failure : undefined)
    }
  }

  /**
   * A cursor on a connection held for the cursor's life: checked out at the first read,
   * released when it closes. Returned at once, like a session's cursor.
   */
  cursor<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    params: readonly unknown[] | undefined,
    options: CursorOptions & { rowMode: 'array' },
  ): Cursor<R>
  cursor<R extends readonly unknown[] = unknown[]>(
    text: string | SqlFragment,
    options: CursorOptions & { rowMode: 'array' },
  ): Cursor<R>
  cursor<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | CursorOptions,
    options?: CursorOptions,
  ): Cursor<R>
  cursor<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | CursorOptions,
    options?: CursorOptions,
  ): Cursor<R> {
    checkCursorCall(text, params, options)
    const site = this.#earlySites ? captureCallSite(this.cursor) : undefined
    const [values, opts] = Array.isArray(params)
      ? [params, options ?? {}]
      : [undefined, (params as CursorOptions | undefined) ?? {}]
    let slot: PoolSlot | undefined
    const acquire = async (): Promise<Connection> => {
      try {
        const pending = this.#rp.acquire(site, opts.signal, checkoutAborted)
        slot = pending instanceof Promise ? await pending : pending
        return slot.resource.conn
      } catch (err) {
        throw attachCallSite(err, site ?? captureCallSite(this.cursor))
      }
    }
    return Cursor.open<R>(acquire, text, values, opts, () => {
      if (slot === undefined) return
      const conn = slot.resource.conn
      this.#release(slot, conn.closed ? conn.closeReason : undefined)
    })
  }

  /** `COPY … FROM STDIN` on one connection (see Session.copyFrom). */
  async copyFrom(sql: string, source: CopySource, options?: CopyFromOptions): Promise<CopyResult> {
    checkCopyFromCall(sql, source, options)
    const client = await this.connect(options?.signal ? { signal: options.signal } : undefined)
    let failure: unknown
    try {
      return await client.copyFrom(sql, source, options)
    } catch (err) {
      failure = err
      throw err
    } finally {
      await client.release(client.state === 'closed' ? failure : undefined)
    }
  }

  /**
   * `COPY … TO STDOUT` as a Readable (see Session.copyTo) on a connection checked out at once and
   * given back when the COPY ends: read to the end, failed, or the stream destroyed (as leaving a
   * `for await` loop early does), which cancels a COPY still running.
   */
  copyTo(sql: string, options?: CopyToOptions): Readable & { rowCount?: number } {
    checkCopyToCall(sql, options)
    return copyToStream(options?.output === 'rows', () =>
      this.#copyToIterable<Uint8Array | (string | null)[]>(sql, options, this.copyTo),
    )
  }

  /**
   * `COPY … TO STDOUT` as an async iterable (see Session.copyToIterable) on a connection checked
   * out at once and released when the COPY ends (read to the end, failed, broken out of or closed).
   */
  copyToIterable<O extends CopyToOptions | undefined = undefined>(
    sql: string,
    options?: O,
  ): CopyToIterable<CopyToItem<O>> {
    checkCopyToCall(sql, options, 'copyToIterable')
    return this.#copyToIterable<CopyToItem<O>>(sql, options, this.copyToIterable)
  }

  /** The COPY of `copyTo`/`copyToIterable`; errors carry the frames below `method`. */
  #copyToIterable<T>(
    sql: string,
    options: CopyToOptions | undefined,
    method: (...args: never[]) => unknown,
  ): CopyToIterable<T> {
    const site = this.#earlySites ? captureCallSite(method) : undefined
    let slot: PoolSlot | undefined
    const acquire = async (): Promise<Connection> => {
      try {
        const pending = this.#rp.acquire(site, options?.signal, checkoutAborted)
        slot = pending instanceof Promise ? await pending : pending
        return slot.resource.conn
      } catch (err) {
        throw attachCallSite(err, site ?? captureCallSite(method))
      }
    }
    return CopyToIterable.open(acquire(), sql, options ?? {}, () => {
      if (slot === undefined) return
      const held = slot
      slot = undefined
      const conn = held.resource.conn
      this.#release(held, conn.closed ? conn.closeReason : undefined)
    })
  }

  /**
   * Subscribes `handler` to `channel` on the pool's dedicated listening connection (one for all
   * channels, outside `max`). Resolves once LISTEN is in effect, with the unsubscribe function.
   * The connection reconnects by itself; `onListenReconnect` says when notifications may have
   * been missed.
   */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    try {
      checkListenCall(channel, handler)
    } catch (err) {
      return Promise.reject(err)
    }
    if (this.#rp.closed) return Promise.reject(new PoolClosedError('the pool is closed'))
    if (this.#options.pooler === 'transaction') {
      return Promise.reject(
        new ConfigError(
          "listen() does not work with pooler: 'transaction': LISTEN belongs to a server session, which the pooler hands to other clients between transactions; listen through a direct or session-mode connection",
          { parameter: 'pooler' },
        ),
      )
    }
    this.#listener ??= new Listener({
      open: async (onNotification, onClose) => {
        const pw = this.#options.password
        const password = typeof pw === 'function' ? await pw() : pw
        return connectWithConfig(
          this.#config,
          { ...this.#options, onNotification, onClose },
          this.#runtime,
          password,
        )
      },
      onReconnect: this.#options.onListenReconnect,
      onError: (err) => this.#backgroundError(err),
      logger: this.#options.logger,
      retryBackoff: this.#options.retryBackoff,
    })
    return this.#listener.listen(channel, handler)
  }

  /** Sends a notification through a pooled connection (payload limit checked first). */
  async notify(channel: string, payload = '', options?: NotifyOptions): Promise<void> {
    checkNotifyOptions(options)
    checkNotifyPayload(channel, payload)
    await this.query('select pg_catalog.pg_notify($1, $2)', [channel, payload], {
      ...options,
      prepare: false,
    })
  }

  /**
   * Checks out a connection; release it with `client.release()` or `await using`. A `signal`
   * aborts the wait (ConnectionError, its reason as `cause`); `timeout` bounds this wait
   * (PoolTimeoutError), in place of `acquireTimeout`.
   */
  async connect(options?: AcquireOptions): Promise<PoolClient> {
    const site = this.#earlySites ? captureCallSite(this.connect) : undefined
    let deadline: Deadline | undefined
    try {
      if (options !== undefined) {
        checkCheckoutOptions(options)
        deadline = deadlineSignal(options.signal, options.timeout)
      }
      const signal = deadline?.signal
      if (signal?.aborted) throw this.#abortedCheckout(signal, options)
      const pending = this.#rp.acquire(site, signal, checkoutAborted)
      let slot: PoolSlot
      if (pending instanceof Promise) {
        try {
          slot = await pending
        } catch (err) {
          if (signal?.aborted && options?.signal?.aborted !== true)
            throw this.#abortedCheckout(signal, options)
          throw err
        }
      } else slot = pending
      if (this.#options.beforeAcquire === undefined)
        return PoolClient.checkout(slot, this.#releaseSlot)
      return await this.#handOut(slot)
    } catch (err) {
      // Captured after the await (unless early): the async functions awaiting this checkout.
      throw attachCallSite(err, site ?? captureCallSite(this.connect))
    } finally {
      deadline?.dispose()
    }
  }

  /** A checkout that hit `options.timeout` (PoolTimeoutError) or was aborted (ConnectionError). */
  #abortedCheckout(signal: AbortSignal, options: AcquireOptions | undefined): TuskError {
    if (options?.signal?.aborted) return checkoutAborted(options.signal)
    return new PoolTimeoutError(
      `no connection became free within the checkout's timeout of ${options?.timeout} ms (${this.#rp.describe()})`,
      { phase: 'connect', cause: signal.reason },
    )
  }

  /** Wraps a checked-out slot in a client, after the `beforeAcquire` hook agreed. */
  async #handOut(slot: PoolSlot): Promise<PoolClient> {
    const client = PoolClient.checkout(slot, this.#releaseSlot)
    const hook = this.#options.beforeAcquire
    if (hook === undefined) return client
    let ok: boolean
    try {
      ok = (await hook(client)) !== false
    } catch (err) {
      await client.release(err ?? true)
      throw err
    }
    if (ok) return client
    // Refused: drop this connection and check out another.
    await client.release(true)
    const next = this.#rp.acquire(undefined, undefined, checkoutAborted)
    return this.#handOut(next instanceof Promise ? await next : next)
  }

  /** Changes the bounds; extra idle connections close now, busy ones when released. */
  resize(min: number, max: number): void {
    this.#rp.resize(min, max)
  }

  /**
   * Replaces every connection gracefully (after a failover or a credentials rotation): idle ones
   * close now, busy ones when released, and ones still connecting are closed unused.
   */
  drain(): Promise<void> {
    return this.#rp.drain()
  }

  /**
   * Stops new checkouts (PoolClosedError), waits up to `timeout` ms (default 30 000) for
   * checked-out clients, then closes everything. Idempotent.
   */
  end(options: { timeout?: number } = {}): Promise<void> {
    const listener = this.#listener
    this.#listener = undefined
    return this.#rp.end(options.timeout ?? 30_000, listener && (() => listener.close()))
  }

  /** `await using pool = createPool(...)` ends the pool. */
  [asyncDispose](): Promise<void> {
    return this.end()
  }

  // ---- internals ----

  /** Opens one connection for the resource pool: password, connect, registerTypes, init. */
  async #connect(): Promise<PooledConnection> {
    const began = performance.now()
    const pw = this.#options.password
    const password = typeof pw === 'function' ? await pw() : pw
    // Without a connect timeout a connect could hang and hold a slot forever: bound it. end()
    // past its deadline aborts connects still in flight.
    const stop = new AbortController()
    const bound =
      this.#config.connectTimeoutMs === undefined && this.#options.connectTimeout === undefined
        ? AbortSignal.timeout(this.#options.acquireTimeout ?? 30_000)
        : undefined
    let signal = anySignal(stop.signal, bound ?? stop.signal)
    if (this.#options.signal) signal = anySignal(signal, this.#options.signal)
    let pooled: PooledConnection | undefined
    this.#connecting.add(stop)
    let conn: Connection
    try {
      conn = await connectWithConfig(
        this.#config,
        {
          ...this.#options,
          signal,
          // An idle connection that closes leaves the pool (a busy one is seen on release).
          onClose: (err) => {
            if (pooled !== undefined) this.#rp.lost(pooled, err)
          },
        },
        this.#runtime,
        password,
      )
    } finally {
      this.#connecting.delete(stop)
    }
    const names = this.#options.registerTypes
    if (names && names.length > 0) {
      try {
        if (this.#registry) conn.setTypes(this.#registry)
        else {
          await conn.registerTypes(names)
          this.#registry = conn.types
        }
      } catch (err) {
        conn.destroy()
        throw err
      }
    }
    if (this.#options.init) {
      const session = Session.wrap(conn)
      try {
        await this.#options.init(session)
        session.revoke('the session given to the pool init hook cannot be used after it returned')
      } catch (err) {
        conn.destroy()
        throw err
      }
    }
    pooled = {
      conn,
      queries: 0,
      progressAt: 0,
      leakTimer: undefined,
      createMs: performance.now() - began,
    }
    return pooled
  }

  /**
   * A use of `slot` was booked for the caller whose stack is `site`: events, then a share of it
   * (`shared`, the first one checks it out) or a checkout, with its leak timer.
   */
  #granted(slot: PoolSlot, waited: number, site: CallSite | undefined, shared: boolean): void {
    const pooled = slot.resource
    const slow = this.#options.slowCheckoutThreshold
    if (slow !== undefined && waited >= slow) {
      log(
        this.#options.logger,
        'warn',
        `a pool checkout waited ${Math.round(waited)} ms for a connection (pool: ${this.#rp.describe()})`,
        { waitMs: waited, stats: this.stats() },
      )
    }
    if (acquireChannel.hasSubscribers)
      acquireChannel.publish({ pool: this, processId: pooled.conn.processId, waitMs: waited })
    if (this.#events.has('acquire'))
      this.#events.emit('acquire', { processId: pooled.conn.processId, waitMs: waited })
    if (shared) {
      if (pooled.queries++ > 0) return
      pooled.progressAt = Date.now()
      this.#shared.push(slot)
    }
    const leak = this.#options.leakDetectionThreshold
    if (leak !== undefined) {
      // The checkout may complete in a callback (a connection opened for it): name the caller.
      const stack = attachCallSite(new Error('checkout acquired here'), site).stack
      pooled.leakTimer = setTimeout(() => {
        const status = pooled.conn.transactionStatus
        const inTx =
          status === 'T'
            ? '; its session is idle inside an open transaction, holding its locks'
            : status === 'E'
              ? '; its session is inside a failed transaction'
              : ''
        log(
          this.#options.logger,
          'warn',
          `a pool checkout has been held for more than ${leak} ms (possible leak${inTx})`,
          {
            processId: pooled.conn.processId,
            transactionStatus: status,
            stack,
          },
        )
      }, leak)
      pooled.leakTimer.unref?.()
    }
  }

  /** True when `slot` may take one more pipelined statement at `now` (Date.now()). */
  #canTake(slot: PoolSlot, now: number): boolean {
    const maxUses = this.#options.maxUses
    const pooled = slot.resource
    return (
      pooled.queries < this.#pipeline &&
      slot.retire === undefined &&
      !pooled.conn.closed &&
      now - pooled.progressAt <= this.#stallMs &&
      now < slot.expiresAt &&
      (maxUses === undefined || slot.uses < maxUses)
    )
  }

  /** The shared connection with the fewest statements in flight that can take one more. */
  #leastLoaded(): PoolSlot | undefined {
    const now = Date.now()
    let best: PoolSlot | undefined
    for (const slot of this.#shared) {
      const queries = slot.resource.queries
      if ((best === undefined || queries < best.resource.queries) && this.#canTake(slot, now)) {
        best = slot
        if (queries === 1) break
      }
    }
    return best
  }

  /**
   * Hands queued `pool.query` statements at the head of the queue to the shared `slot`: its fair
   * part of them when other connections are still opening (`given`: handed to it just now).
   */
  #feed(slot: PoolSlot, given: number): void {
    const rp = this.#rp
    let n = Math.ceil((rp.waiting + given) / (rp.pendingConnects + 1)) - given
    const now = Date.now()
    while (n-- > 0 && rp.headIsShared() && this.#canTake(slot, now)) {
      this.#pipelined++
      rp.serveHead(slot)
    }
  }

  /** One `pool.query` statement on a shared `slot` ended; the last one gives the slot back. */
  #queryDone(slot: PoolSlot, error: unknown): void {
    const pooled = slot.resource
    pooled.progressAt = Date.now()
    if (--pooled.queries > 0) {
      if (this.#rp.waiting > 0) this.#feed(slot, 0)
      if (slot.heldSince >= 0) {
        // Shared, the checkout is as old as its last answer: a busy pipeline is not a leak.
        slot.heldSince = pooled.progressAt
        pooled.leakTimer?.refresh()
      }
      return
    }
    const i = this.#shared.indexOf(slot)
    if (i >= 0) this.#shared.splice(i, 1)
    this.#release(slot, error)
  }

  #backgroundError(err: TuskError): void {
    log(this.#options.logger, 'warn', `pool: ${err.message}`, { error: err })
    this.#events.emit('error', err)
    if (this.#options.onError) {
      try {
        this.#options.onError(err)
      } catch {}
    }
  }

  /** Takes a connection back: reset it if dirty, retire it if due, else reuse it. */
  #release(slot: PoolSlot, error: unknown, client = false): void {
    const rp = this.#rp
    if (!rp.holds(slot)) return
    const pooled = slot.resource
    if (pooled.leakTimer !== undefined) {
      clearTimeout(pooled.leakTimer)
      pooled.leakTimer = undefined
    }
    const heldSince = slot.heldSince
    slot.heldSince = -1
    const conn = pooled.conn
    if (releaseChannel.hasSubscribers) {
      const heldMs = heldSince >= 0 ? Date.now() - heldSince : undefined
      releaseChannel.publish({ pool: this, processId: conn.processId, error, heldMs })
    }
    if (this.#events.has('release'))
      this.#events.emit('release', { processId: conn.processId, error })
    const reason = rp.dueReason(
      slot,
      conn.closed || error !== undefined ? 'error' : conn.pending > 0 ? 'dirty' : undefined,
    )
    if (reason) {
      rp.discard(slot, reason)
      return
    }
    const reset = conn.transactionStatus !== 'I' || this.#options.resetQuery
    if (!reset) {
      this.#reuse(slot, client)
      return
    }
    const sqlText = [
      conn.transactionStatus !== 'I' ? 'ROLLBACK' : '',
      this.#options.resetQuery ?? '',
    ]
      .filter(Boolean)
      .join('; ')
    const guard = setTimeout(() => conn.destroy(), RESET_TIMEOUT_MS)
    conn.exec(sqlText).then(
      () => {
        clearTimeout(guard)
        if (conn.transactionStatus !== 'I' || conn.closed) rp.discard(slot, 'dirty')
        else this.#reuse(slot, client)
      },
      () => {
        clearTimeout(guard)
        rp.discard(slot, 'dirty')
      },
    )
  }

  /**
   * A clean connection back from its user: to the next waiter or idle, after the `afterRelease`
   * hook (checkouts only) agreed; refused or failing, it is destroyed.
   */
  #reuse(slot: PoolSlot, client: boolean): void {
    const hook = client ? this.#options.afterRelease : undefined
    if (hook === undefined) {
      this.#rp.restore(slot)
      return
    }
    const session = Session.wrap(slot.resource.conn)
    const settle = (keep: boolean): void => {
      session.revoke('the session given to afterRelease cannot be used after it returned')
      const conn = slot.resource.conn
      if (keep && !conn.closed && conn.transactionStatus === 'I') this.#rp.restore(slot)
      else this.#rp.discard(slot, 'dirty')
    }
    Promise.resolve()
      .then(() => hook(session))
      .then(
        (keep) => settle(keep !== false),
        (err: unknown) => {
          log(this.#options.logger, 'warn', 'pool: afterRelease failed; connection dropped', {
            error: err,
          })
          settle(false)
        },
      )
  }
}

/** Creates a pool on `defaults()`'s runtime (pieces from `options.runtime` win); see the entry's `createPool`. */
export function createPoolOn(
  conninfo: string | ConnectionOptions | undefined,
  options: PoolOptions,
  defaults: () => Runtime,
): Pool {
  checkConninfoObject(conninfo, 'pool')
  checkPoolOptions(options)
  const runtime = runtimeOf(options.runtime, defaults)
  // `options.connectTimeout` (ms) is applied per attempt by connect, exactly; see ConnectOptions.
  const config = resolveConfig(conninfo, runtime.context)
  for (const warning of config.warnings) log(options.logger, 'warn', warning)
  return Pool.create(config, options, runtime)
}
