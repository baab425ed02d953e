/**
 * The connection pool: FIFO waiters, min kept warm, idle timeout, max lifetime with jitter,
 * max uses, health check after idle, connect retry with backoff, clean release (rollback or
 * destroy), stats, resize, drain and end. Failures go to whoever awaits, never to an 'error' event.
 */

import { PassThrough, type Readable } from 'node:stream'
import { type ConnectOptions, connectWithConfig } from '../connection/connect.js'
import type { Connection, ExecOptions, QueryOptions } from '../connection/connection.js'
import type { QueryResult } from '../connection/extended-query.js'
import { log } from '../connection/logger.js'
import type { SimpleQueryResult } from '../connection/simple-query.js'
import type { ConnectionConfig } from '../conninfo/config.js'
import type { ConnectionOptions } from '../conninfo/options.js'
import { resolveConfig } from '../conninfo/resolve.js'
import type { CopyFromOptions, CopyResult, CopySource, CopyToOptions } from '../copy/copy.js'
import { Cursor, type CursorOptions } from '../cursor/cursor.js'
import { DatabaseError, InterfaceError, type TuskError } from '../errors/base.js'
import { attachCallSite, type CallSite, captureCallSite } from '../errors/call-site.js'
import {
  AuthenticationError,
  ConfigError,
  ConnectionError,
  PoolClosedError,
  PoolTimeoutError,
  PoolTooBusyError,
  TlsError,
} from '../errors/client.js'
import { QueryCanceled } from '../errors/sqlstate.generated.js'
import { checkNotifyPayload, Listener, type NotificationHandler } from '../listen/listener.js'
import {
  checkCheckoutOptions,
  checkCopyFromCall,
  checkCopyToCall,
  checkCursorCall,
  checkExecCall,
  checkPoolOptions,
  checkPoolQueryCall,
  checkTransactionCall,
} from '../options/validate.js'
import { CHANNELS, channel } from '../runtime/diagnostics.js'
import { type Runtime, runtimeOf } from '../runtime/runtime.js'
import type { NotifyOptions } from '../session/queryable.js'
import { Session } from '../session/session.js'
import { anySignal, type Deadline, deadlineSignal } from '../session/signals.js'
import { isSqlFragment, type SqlFragment } from '../sql/fragment.js'
import { opensTransactionBlock } from '../sql/keyword.js'
import type { Transaction, TransactionOptions } from '../transaction/transaction.js'
import { nothingListens } from './connect-failure.js'
import { type DestroyReason, PoolEventHub, type PoolEventName, type PoolEvents } from './events.js'
import { lifetimeExpiry } from './lifetime.js'

/** Options of a pool, on top of every connection option. */
export interface PoolOptions extends ConnectOptions {
  /** Connections kept open even when idle (default 0). */
  min?: number
  /** Most connections open at once (default 10). */
  max?: number
  /** Close a connection idle this long, down to `min` (ms, default 30 000; 0 = never). */
  idleTimeout?: number
  /** Close a connection this old when it is next idle (ms, default 30 min, ±10 % jitter; 0 = never). */
  maxLifetime?: number
  /** How long a checkout may wait in total, connecting included (ms, default 30 000). */
  acquireTimeout?: number
  /** Retire a connection after this many checkouts (default: unlimited). */
  maxUses?: number
  /**
   * How long the checkout ping may take before the connection is dropped as dead and the next
   * one tried (ms, default 5 000, and never past `acquireTimeout`).
   */
  healthCheckTimeout?: number
  /**
   * Ping a connection on checkout when it has been idle longer than this (ms, default 30 000;
   * 0 = every checkout, `false` = never). A dead socket is detected without a ping.
   */
  healthCheck?: number | false
  /** More waiters than this get PoolTooBusyError at once (default: unlimited). */
  maxWaiting?: number
  /** Warn (through `logger`) with the acquiring stack when a checkout is held longer (ms). */
  leakDetectionThreshold?: number
  /** Runs once on each new connection before first use (set search_path, register types…). */
  init?: (session: Session) => Promise<void>
  /**
   * Runs before a checkout hands a connection out (`pool.connect()`, `pool.transaction()`, COPY,
   * cursors): return false to destroy it and take another. A throw fails the checkout.
   */
  beforeAcquire?: (session: Session) => boolean | Promise<boolean>
  /**
   * Runs when a checked-out connection comes back clean, before it is reused: return false (or
   * throw) to destroy it instead. Not called for `pool.query` statements.
   */
  afterRelease?: (session: Session) => boolean | Promise<boolean>
  /** Errors that happen in the background (idle connection lost, refill failed). */
  onError?: (error: TuskError) => void
  /** Let the process exit while every connection is idle. */
  allowExitOnIdle?: boolean
  /** A password, or a function called for each new connection (e.g. a cloud IAM token). */
  password?: string | (() => string | Promise<string>)
  /** Connect retry backoff: first delay and cap in ms (defaults 50 and 2 000). */
  retryBackoff?: { baseDelayMs?: number; maxDelayMs?: number }
  /** A statement run on release to reset session state (e.g. `DISCARD ALL`); default none. */
  resetQuery?: string
  /** User types (enums, composites, domains, ranges, extension types) to look up once per pool. */
  registerTypes?: readonly string[]
  /** The listening connection reconnected: notifications on these channels may have been missed. */
  onListenReconnect?: (channels: string[]) => void
  /**
   * When every connection is busy and the pool is at `max`, `pool.query` statements are
   * pipelined onto the least-loaded connection already running `pool.query` statements, up to
   * this many in flight on one (default 8, or 1 with `resetQuery`; 1 turns pipelining off).
   * Statements that open a transaction block (`BEGIN`, `START TRANSACTION`) are never pipelined.
   */
  maxPipeline?: number
  /**
   * A busy connection whose last answer is older than this (ms, default 5) takes no more
   * pipelined statements: a slow query does not hold up the queries queued behind it.
   */
  pipelineStallMs?: number
}

/** Options of `pool.connect()`. */
export interface AcquireOptions {
  /** Abort the wait: ConnectionError with the signal's reason as `cause`. */
  signal?: AbortSignal
  /** Most ms this checkout may wait (PoolTimeoutError past it); `acquireTimeout` still applies. */
  timeout?: number
}

/** Options of `pool.query`: a query's options, and whether it may share its connection. */
export interface PoolQueryOptions extends QueryOptions {
  /**
   * `false`: run on a connection of its own, with nothing pipelined alongside (a long report
   * that should not hold up other statements). Default: pipelined when the pool is saturated.
   */
  pipeline?: boolean
}

/** Numbers that describe the pool now and since it was created. */
export interface PoolStats {
  /** Connections open or being opened. */
  total: number
  /** Connections open and unused. */
  idle: number
  /** Connections checked out or running `pool.query` statements. */
  busy: number
  /** Callers queued for a connection. */
  waiting: number
  /** Connections being opened. */
  pendingConnects: number
  /** Connections opened since the pool was created. */
  created: number
  /** Connections closed since the pool was created, by reason. */
  destroyed: Record<DestroyReason, number>
  /** Checkouts and `pool.query` statements served. */
  acquires: number
  /** Statements `pool.query` pipelined onto a busy connection instead of waiting. */
  pipelined: number
  /** Waits that ended in PoolTimeoutError. */
  timeouts: number
  /** Percentiles of recent acquire waits, in ms. */
  waitMs: { p50: number; p95: number; p99: number; max: number }
}

interface Slot {
  conn: Connection
  createdAt: number
  expiresAt: number
  lastUsedAt: number
  uses: number
  retire: DestroyReason | undefined
  /** `pool.query` statements in flight on this connection while shared (0: idle or exclusive). */
  queries: number
  /** Date.now() of the last answer while shared: a connection that stalls gets no more. */
  progressAt: number
  checkout:
    | {
        at: number
        stack: string | undefined
        leakTimer: ReturnType<typeof setTimeout> | undefined
      }
    | undefined
}

interface Waiter {
  /** `query`: a `pool.query` statement that may share its connection with others. */
  kind: 'query' | 'exclusive'
  resolve(slot: Slot): void
  reject(error: TuskError): void
  /** performance.now() when the checkout was asked for. */
  started: number
  /** performance.now() past which the wait fails (acquireTimeout). */
  deadline: number
}

const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ??
  (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose)

const acquireChannel = channel(CHANNELS.acquire)
const releaseChannel = channel(CHANNELS.release)
const destroyChannel = channel(CHANNELS.destroy)
const connectChannel = channel(CHANNELS.connect)

const RETRY_CODES = new Set(['53300', '57P03'])
const RESET_TIMEOUT_MS = 5_000
const WAIT_SAMPLES = 1024

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

/** What waited for a connection: a checkout, or a query (which rejects as QueryCanceled). */
type AbortedWait = 'checkout' | 'query'

/** The error of a wait for a connection that `signal` aborted. */
function abortedWait(what: AbortedWait, signal: AbortSignal): TuskError {
  if (what === 'checkout') {
    return new ConnectionError('checking out a pooled connection was aborted', {
      phase: 'connect',
      safeToRetry: true,
      cause: signal.reason,
    })
  }
  const err = new QueryCanceled('query canceled while waiting for a pooled connection', {
    phase: 'query',
    safeToRetry: true,
    cause: signal.reason,
  }) as QueryCanceled & { reason?: 'abort' }
  err.code = '57014'
  err.reason = 'abort'
  return err
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

const RESOLVED: Promise<void> = Promise.resolve()

/** Waits for `work`, but not past `deadline` (Date.now()); `work` keeps running after that. */
async function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    work.catch(() => {}),
    new Promise<void>((r) => {
      timer = setTimeout(r, Math.max(0, deadline - Date.now()))
    }),
  ])
  clearTimeout(timer)
}

/**
 * A checked-out connection: the whole session surface (see Session). Give it back with
 * `release()` (or `await using`); every call after that throws HandleClosed and never touches
 * the connection's next user.
 */
export class PoolClient extends Session {
  #slot: Slot | undefined
  readonly #give: (slot: Slot, error: unknown) => void

  /** @internal Use `pool.connect()`. */
  constructor(slot: Slot, give: (slot: Slot, error: unknown) => void) {
    super(slot.conn)
    this.#slot = slot
    this.#give = give
  }

  /**
   * Returns the connection. With an error (or when the session is not idle) the pool rolls it
   * back and resets it, or destroys it when that cannot be done safely; `release(true)` destroys
   * it. Idempotent.
   */
  release(error?: unknown): Promise<void> {
    const slot = this.#slot
    if (slot !== undefined) {
      this.#slot = undefined
      this.revoke('this pool client was released; check out another with pool.connect()')
      this.#give(slot, error === false ? undefined : error)
    }
    return RESOLVED
  }

  /** Destroys the connection and gives its slot back (same as `release(true)`). */
  override close(): Promise<void> {
    return this.release(true)
  }

  /** Same as `close()`: the connection is destroyed, not reused. */
  override destroy(): void {
    void this.release(true)
  }

  /** `await using client = await pool.connect()` releases it at the end of the block. */
  override [asyncDispose](): Promise<void> {
    return this.release()
  }
}

export class Pool {
  readonly #config: ConnectionConfig
  readonly #options: PoolOptions
  readonly #runtime: Runtime
  #min: number
  #max: number
  readonly #idle: Slot[] = []
  readonly #busy = new Set<Slot>()
  readonly #waiters: Waiter[] = []
  /** Connections running `pool.query` statements that others may join (queries > 0). */
  readonly #shared: Slot[] = []
  readonly #pipeline: number
  /** Capture callers' stacks when they call (eagerStacks, or leak detection needs them). */
  readonly #earlySites: boolean
  readonly #stallMs: number
  #pendingConnects = 0
  /** Aborts the connects in flight (end() past its deadline). */
  readonly #connecting = new Set<AbortController>()
  /** drain() calls so far: a connection whose connect began before the last one is not used. */
  #drains = 0
  /** What a PooledClient calls on release (one function for the pool, not one per checkout). */
  readonly #releaseSlot = (slot: Slot, error: unknown): void => this.#release(slot, error, true)
  #closed = false
  #ending: Promise<void> | undefined
  readonly #events = new PoolEventHub()
  #created = 0
  readonly #destroyed: Record<DestroyReason, number> = {
    error: 0,
    idle: 0,
    lifetime: 0,
    uses: 0,
    dirty: 0,
    drain: 0,
    end: 0,
    resize: 0,
  }
  #acquires = 0
  #pipelined = 0
  #timeouts = 0
  /** The last WAIT_SAMPLES acquire waits (ms), a ring: `#waitNext` is the oldest once full. */
  readonly #waits = new Float64Array(WAIT_SAMPLES)
  #waitNext = 0
  #waitCount = 0
  #connectFailures = 0
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #sweepTimer: ReturnType<typeof setInterval> | undefined
  #waitTimer: ReturnType<typeof setTimeout> | undefined
  #lastConnectError: TuskError | undefined
  #listener: Listener | undefined
  /** The registry with `registerTypes` loaded, shared by every connection after the first. */
  #registry: import('../types/index.js').TypeRegistry | undefined

  /** Use {@link createPool}. */
  constructor(config: ConnectionConfig, options: PoolOptions, runtime: Runtime) {
    this.#config = config
    this.#options = options
    this.#runtime = runtime
    this.#min = Math.max(0, options.min ?? 0)
    this.#max = Math.max(1, options.max ?? 10)
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
    if (this.#min > this.#max) {
      throw new ConfigError(`pool min (${this.#min}) is larger than max (${this.#max})`, {
        parameter: 'min',
      })
    }
    this.#fill()
  }

  /** Connections open now (idle, busy and being opened). */
  get total(): number {
    return this.#idle.length + this.#busy.size + this.#pendingConnects
  }

  /** True once `end()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Subscribes to a pool event (connect, acquire, release, remove, error); returns the function
   * that unsubscribes. Listeners run synchronously and a throw in one is ignored.
   */
  on<K extends PoolEventName>(event: K, listener: (event: PoolEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  /** The pool's numbers; see PoolStats. */
  stats(): PoolStats {
    const sorted = Array.from(this.#waits.subarray(0, this.#waitCount)).sort((a, b) => a - b)
    return {
      total: this.total,
      idle: this.#idle.length,
      busy: this.#busy.size,
      waiting: this.#waiters.length,
      pendingConnects: this.#pendingConnects,
      created: this.#created,
      destroyed: { ...this.#destroyed },
      acquires: this.#acquires,
      pipelined: this.#pipelined,
      timeouts: this.#timeouts,
      waitMs: {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? 0,
      },
    }
  }

  /**
   * Runs one statement in autocommit on a connection used for exactly its duration. When every
   * connection is busy and the pool is at `max`, it is pipelined onto a busy one (`maxPipeline`).
   */
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
    let slot: Slot
    try {
      const signal = opts?.signal
      const pending = shared ? this.#forQuery(site, signal) : this.#acquire(site, signal, 'query')
      slot = pending instanceof Promise ? await pending : pending
    } catch (err) {
      throw attachCallSite(err, site ?? captureCallSite(this.query))
    }
    try {
      // Call sites are attached here (captured after the await unless captured early).
      const result = await slot.conn.queryFrom<R>(site, text, params, options)
      if (shared) this.#queryDone(slot, undefined)
      else this.#release(slot, undefined)
      return result
    } catch (err) {
      const lost = slot.conn.closed ? err : undefined
      if (shared) this.#queryDone(slot, lost)
      else this.#release(slot, lost)
      throw attachCallSite(err, site ?? captureCallSite(this.query))
    }
  }

  /** The first row of `query(...)`, or undefined. */
  async queryOne<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | PoolQueryOptions,
    options?: PoolQueryOptions,
  ): Promise<R | undefined> {
    return (await this.query<R>(text, params, options)).rows[0]
  }

  /** Runs a multi-statement script (simple protocol) on one connection. */
  async exec(sql: string, options?: ExecOptions): Promise<SimpleQueryResult[]> {
    checkExecCall(sql, options)
    const client = await this.connect(options)
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
    let slot: Slot | undefined
    const acquire = async (): Promise<Connection> => {
      try {
        const pending = this.#acquire(site, opts.signal)
        slot = pending instanceof Promise ? await pending : pending
        return slot.conn
      } catch (err) {
        throw attachCallSite(err, site ?? captureCallSite(this.cursor))
      }
    }
    return new Cursor<R>(acquire, text, values, opts, () => {
      if (slot !== undefined)
        this.#release(slot, slot.conn.closed ? slot.conn.closeReason : undefined)
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

  /** `COPY … TO STDOUT` on one connection, held until the stream ends (see Session.copyTo). */
  copyTo(sql: string, options?: CopyToOptions): Readable & { rowCount?: number } {
    checkCopyToCall(sql, options)
    const out: PassThrough & { rowCount?: number } = new PassThrough({
      objectMode: options?.output === 'rows',
    })
    this.connect(options?.signal ? { signal: options.signal } : undefined).then(
      (client) => {
        const src = client.copyTo(sql, options)
        const done = (err?: unknown): void => {
          out.rowCount = src.rowCount
          void client.release(client.state === 'closed' ? err : undefined)
        }
        src.on('end', () => done())
        src.on('error', (err) => {
          done(err)
          out.destroy(err)
        })
        out.on('close', () => {
          if (!src.readableEnded) src.destroy()
        })
        src.pipe(out)
      },
      (err) => out.destroy(err),
    )
    return out
  }

  /**
   * Subscribes `handler` to `channel` on the pool's dedicated listening connection (one for all
   * channels, outside `max`). Resolves once LISTEN is in effect, with the unsubscribe function.
   * The connection reconnects by itself; `onListenReconnect` says when notifications may have
   * been missed.
   */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (this.#closed) return Promise.reject(new PoolClosedError('the pool is closed'))
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
      const pending = this.#acquire(site, signal)
      let slot: Slot
      if (pending instanceof Promise) {
        try {
          slot = await pending
        } catch (err) {
          if (signal?.aborted && options?.signal?.aborted !== true)
            throw this.#abortedCheckout(signal, options)
          throw err
        }
      } else slot = pending
      if (this.#options.beforeAcquire === undefined) return new PoolClient(slot, this.#releaseSlot)
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
    if (options?.signal?.aborted) return abortedWait('checkout', options.signal)
    return new PoolTimeoutError(
      `no connection became free within the checkout's timeout of ${options?.timeout} ms (${this.#describe()})`,
      { phase: 'connect', cause: signal.reason },
    )
  }

  /** Wraps a checked-out slot in a client, after the `beforeAcquire` hook agreed. */
  async #handOut(slot: Slot): Promise<PoolClient> {
    const client = new PoolClient(slot, this.#releaseSlot)
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
    const next = this.#acquire(undefined)
    return this.#handOut(next instanceof Promise ? await next : next)
  }

  /** Changes the bounds; extra idle connections close now, busy ones when released. */
  resize(min: number, max: number): void {
    if (min > max || max < 1)
      throw new ConfigError(`pool resize(${min}, ${max}): need 0 ≤ min ≤ max, max ≥ 1`)
    this.#min = min
    this.#max = max
    while (this.total > this.#max && this.#idle.length > 0)
      this.#destroy(this.#idle.shift()!, 'resize')
    for (const s of this.#busy) if (this.total > this.#max) s.retire ??= 'resize'
    this.#fill()
    this.#serveWaiters()
  }

  /**
   * Replaces every connection gracefully (after a failover or a credentials rotation): idle ones
   * close now, busy ones when released, and ones still connecting are closed unused.
   */
  async drain(): Promise<void> {
    this.#drains++
    for (const s of this.#busy) s.retire = 'drain'
    const idle = this.#idle.splice(0)
    await Promise.all(idle.map((s) => this.#destroy(s, 'drain')))
    this.#fill()
  }

  /**
   * Stops new checkouts (PoolClosedError), waits up to `timeout` ms (default 30 000) for
   * checked-out clients and running queries, then closes everything: connections still busy at
   * the deadline are destroyed (their requests reject with ConnectionClosed) and connects in
   * flight are aborted, so the returned promise settles at about the deadline. Idempotent.
   */
  end(options: { timeout?: number } = {}): Promise<void> {
    if (this.#ending) return this.#ending
    this.#closed = true
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    if (this.#sweepTimer) clearInterval(this.#sweepTimer)
    this.#sweepTimer = undefined
    if (this.#waitTimer) clearTimeout(this.#waitTimer)
    this.#waitTimer = undefined
    const listener = this.#listener
    this.#listener = undefined
    for (const w of this.#waiters.splice(0)) {
      w.reject(new PoolClosedError('the pool was closed while waiting for a connection'))
    }
    this.#ending = (async () => {
      const deadline = Date.now() + (options.timeout ?? 30_000)
      if (listener) await beforeDeadline(listener.close(), deadline)
      while ((this.#busy.size > 0 || this.#pendingConnects > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10))
      }
      for (const stop of this.#connecting) stop.abort()
      const all = [...this.#idle.splice(0), ...this.#busy]
      this.#busy.clear()
      await Promise.all(all.map((s) => this.#destroy(s, 'end', deadline)))
      while (this.#pendingConnects > 0) await new Promise((r) => setTimeout(r, 10))
    })()
    return this.#ending
  }

  /** `await using pool = createPool(...)` ends the pool. */
  [asyncDispose](): Promise<void> {
    return this.end()
  }

  // ---- internals ----

  /**
   * A checkout: an idle connection at once when there is one, else a promise of one. `site` is
   * the caller's stack when captured early (eagerStacks, leak detection); else the caller
   * attaches one to whatever error comes out.
   */
  #acquire(
    site: CallSite | undefined,
    signal?: AbortSignal,
    abortAs: AbortedWait = 'checkout',
  ): Slot | Promise<Slot> {
    if (this.#closed) return Promise.reject(new PoolClosedError('the pool is closed'))
    const started = performance.now()
    const ready = this.#takeIdle(started)
    if (ready instanceof Promise) return ready.then((slot) => this.#checkedOut(slot, started, site))
    if (ready) return this.#checkedOut(ready, started, site)
    return this.#wait(site, started, 'exclusive', signal, abortAs)
  }

  /**
   * A connection for one `pool.query` statement: an idle one, else a share of a busy one when
   * the pool cannot grow and nobody is waiting, else a place in the queue.
   */
  #forQuery(site: CallSite | undefined, signal: AbortSignal | undefined): Slot | Promise<Slot> {
    if (this.#closed) return Promise.reject(new PoolClosedError('the pool is closed'))
    const started = performance.now()
    const ready = this.#takeIdle(started)
    if (ready instanceof Promise) return ready.then((slot) => this.#share(slot, started, site))
    if (ready) return this.#share(ready, started, site)
    if (this.#waiters.length === 0 && this.total >= this.#max) {
      const slot = this.#leastLoaded()
      if (slot) {
        this.#pipelined++
        return this.#share(slot, started, site)
      }
    }
    return this.#wait(site, started, 'query', signal, 'query')
  }

  /** Queues the caller (FIFO) until a connection is free, within `acquireTimeout`. */
  #wait(
    site: CallSite | undefined,
    started: number,
    kind: Waiter['kind'],
    signal: AbortSignal | undefined,
    abortAs: AbortedWait,
  ): Promise<Slot> {
    if (signal?.aborted) return Promise.reject(abortedWait(abortAs, signal))
    if (
      this.#options.maxWaiting !== undefined &&
      this.#waiters.length >= this.#options.maxWaiting
    ) {
      return Promise.reject(
        attachCallSite(
          new PoolTooBusyError(
            `pool too busy: ${this.#waiters.length} callers already waiting (maxWaiting ${this.#options.maxWaiting}); ${this.#describe()}`,
          ),
          site,
        ),
      )
    }
    const self = this
    return new Promise<Slot>((resolve, reject) => {
      // Methods, not arrow-function properties: no Object.defineProperty per checkout (keepNames).
      let onAbort: (() => void) | undefined
      const waiter: Waiter = {
        kind,
        resolve(slot) {
          if (onAbort) signal!.removeEventListener('abort', onAbort)
          resolve(
            kind === 'query'
              ? self.#share(slot, started, site)
              : self.#checkedOut(slot, started, site),
          )
        },
        reject(err) {
          if (onAbort) signal!.removeEventListener('abort', onAbort)
          reject(attachCallSite(err, site))
        },
        started,
        deadline: started + (this.#options.acquireTimeout ?? 30_000),
      }
      if (signal) {
        onAbort = () => {
          const i = this.#waiters.indexOf(waiter)
          if (i < 0) return
          this.#waiters.splice(i, 1)
          this.#stopWaitTimerIfIdle()
          waiter.reject(abortedWait(abortAs, signal))
        }
        signal.addEventListener('abort', onAbort, { once: true })
      }
      this.#waiters.push(waiter)
      if (this.#waitTimer === undefined) this.#armWaitTimer()
      this.#grow()
    })
  }

  /** Clears the acquireTimeout timer once nobody waits (it would keep the process alive). */
  #stopWaitTimerIfIdle(): void {
    if (this.#waiters.length === 0 && this.#waitTimer !== undefined) {
      clearTimeout(this.#waitTimer)
      this.#waitTimer = undefined
    }
  }

  /**
   * One timer for every waiter's acquireTimeout, set for the earliest deadline, so a checkout
   * sets and clears no timer of its own. When it fires it fails the
   * waiters past their deadline and sets itself for the next one.
   */
  #armWaitTimer(): void {
    let next = Number.POSITIVE_INFINITY
    for (const w of this.#waiters) if (w.deadline < next) next = w.deadline
    if (next === Number.POSITIVE_INFINITY) return
    const timer = setTimeout(
      () => {
        this.#waitTimer = undefined
        const now = performance.now()
        const timeout = this.#options.acquireTimeout ?? 30_000
        const expired = this.#waiters.filter((w) => w.deadline <= now)
        if (expired.length > 0) {
          const left = this.#waiters.filter((w) => w.deadline > now)
          this.#waiters.splice(0, this.#waiters.length, ...left)
        }
        for (const waiter of expired) {
          this.#timeouts++
          const last = this.#lastConnectError
          waiter.reject(
            new PoolTimeoutError(
              `timed out after ${timeout} ms waiting for a connection: ${this.#describe()}${last && this.#busy.size === 0 ? `; last connect error: ${last.message}` : ''}`,
              last && this.#busy.size === 0 ? { cause: last } : {},
            ),
          )
        }
        if (this.#waiters.length > 0) this.#armWaitTimer()
      },
      Math.max(0, Math.ceil(next - performance.now())),
    )
    this.#waitTimer = timer
  }

  /** Books one more `pool.query` statement on `slot` (the first one checks it out). */
  #share(slot: Slot, started: number, site: CallSite | undefined): Slot {
    if (slot.queries++ > 0) return this.#book(slot, started)
    slot.progressAt = Date.now()
    this.#shared.push(slot)
    return this.#checkedOut(slot, started, site)
  }

  /** True when `slot` may take one more pipelined statement at `now` (Date.now()). */
  #canTake(slot: Slot, now: number): boolean {
    const maxUses = this.#options.maxUses
    return (
      slot.queries < this.#pipeline &&
      slot.retire === undefined &&
      !slot.conn.closed &&
      now - slot.progressAt <= this.#stallMs &&
      now < slot.expiresAt &&
      (maxUses === undefined || slot.uses < maxUses)
    )
  }

  /** The shared connection with the fewest statements in flight that can take one more. */
  #leastLoaded(): Slot | undefined {
    const now = Date.now()
    let best: Slot | undefined
    for (const slot of this.#shared) {
      if ((best === undefined || slot.queries < best.queries) && this.#canTake(slot, now)) {
        best = slot
        if (slot.queries === 1) break
      }
    }
    return best
  }

  /**
   * Hands queued `pool.query` statements at the head of the queue to the shared `slot`: its fair
   * part of them when other connections are still opening (`given`: handed to it just now).
   */
  #feed(slot: Slot, given: number): void {
    let n = Math.ceil((this.#waiters.length + given) / (this.#pendingConnects + 1)) - given
    const now = Date.now()
    while (n-- > 0 && this.#waiters[0]?.kind === 'query' && this.#canTake(slot, now)) {
      const waiter = this.#waiters.shift()!
      this.#pipelined++
      waiter.resolve(slot)
    }
    this.#stopWaitTimerIfIdle()
  }

  /** One `pool.query` statement on a shared `slot` ended; the last one gives the slot back. */
  #queryDone(slot: Slot, error: unknown): void {
    slot.progressAt = Date.now()
    if (--slot.queries > 0) {
      if (this.#waiters.length > 0) this.#feed(slot, 0)
      const checkout = slot.checkout
      if (checkout) {
        // Shared, the checkout is as old as its last answer: a busy pipeline is not a leak.
        checkout.at = slot.progressAt
        checkout.leakTimer?.refresh()
      }
      return
    }
    const i = this.#shared.indexOf(slot)
    if (i >= 0) this.#shared.splice(i, 1)
    this.#release(slot, error)
  }

  /**
   * Books a checkout of `slot` asked for at `started` (performance.now()) by the caller whose
   * stack is `site`.
   */
  #checkedOut(slot: Slot, started: number, site: CallSite | undefined): Slot {
    this.#book(slot, started)
    slot.checkout = { at: Date.now(), stack: undefined, leakTimer: undefined }
    const leak = this.#options.leakDetectionThreshold
    if (leak !== undefined) {
      // The checkout may complete in a callback (a connection opened for it): name the caller.
      const stack = attachCallSite(new Error('checkout acquired here'), site).stack
      slot.checkout.stack = stack
      slot.checkout.leakTimer = setTimeout(() => {
        log(
          this.#options.logger,
          'warn',
          `a pool checkout has been held for more than ${leak} ms (possible leak)`,
          {
            processId: slot.conn.processId,
            stack,
          },
        )
      }, leak)
      slot.checkout.leakTimer.unref?.()
    }
    return slot
  }

  /** Counts one use of `slot` asked for at `started` (performance.now()): stats and events. */
  #book(slot: Slot, started: number): Slot {
    this.#acquires++
    const waited = performance.now() - started
    this.#waits[this.#waitNext] = waited
    this.#waitNext = (this.#waitNext + 1) % WAIT_SAMPLES
    if (this.#waitCount < WAIT_SAMPLES) this.#waitCount++
    slot.uses++
    if (acquireChannel.hasSubscribers)
      acquireChannel.publish({ processId: slot.conn.processId, waitMs: waited })
    if (this.#events.has('acquire'))
      this.#events.emit('acquire', { processId: slot.conn.processId, waitMs: waited })
    return slot
  }

  #describe(): string {
    let oldest = 0
    const now = Date.now()
    for (const s of this.#busy) if (s.checkout) oldest = Math.max(oldest, now - s.checkout.at)
    return `max ${this.#max}, busy ${this.#busy.size}, idle ${this.#idle.length}, waiting ${this.#waiters.length}, connecting ${this.#pendingConnects}${this.#busy.size ? `; the oldest checkout has been held for ${(oldest / 1000).toFixed(1)} s (a leak?)` : ''}`
  }

  /** An idle connection ready for use (health-checked when it idled long), or undefined. */
  #takeIdle(started: number): Slot | Promise<Slot> | undefined {
    while (this.#idle.length > 0) {
      const slot = this.#idle.pop()!
      if (slot.conn.closed) {
        this.#destroy(slot, 'error')
        continue
      }
      if (this.#options.allowExitOnIdle) slot.conn.ref()
      this.#busy.add(slot)
      const check = this.#options.healthCheck ?? 30_000
      if (check !== false && Date.now() - slot.lastUsedAt >= check) {
        // A link dropped silently (a middlebox) would leave the ping unanswered: bound it.
        const deadline = started + (this.#options.acquireTimeout ?? 30_000)
        const limit = Math.min(
          this.#options.healthCheckTimeout ?? 5_000,
          Math.max(1, deadline - performance.now()),
        )
        const guard = setTimeout(
          () => slot.conn.fail(`health check got no answer within ${Math.round(limit)} ms`),
          limit,
        )
        return slot.conn.exec('').then(
          () => {
            clearTimeout(guard)
            return slot
          },
          (err: TuskError) => {
            clearTimeout(guard)
            this.#busy.delete(slot)
            this.#destroy(slot, 'error')
            this.#backgroundError(err)
            const next = this.#takeIdle(started)
            if (next) return next
            return new Promise<Slot>((resolve, reject) => {
              this.#waiters.unshift({ kind: 'exclusive', resolve, reject, started, deadline })
              if (this.#waitTimer === undefined) this.#armWaitTimer()
              this.#grow()
            })
          },
        )
      }
      return slot
    }
    return undefined
  }

  /** Opens connections for waiters, within max. */
  #grow(): void {
    while (
      !this.#closed &&
      this.#waiters.length > this.#pendingConnects &&
      this.total < this.#max
    ) {
      if (this.#retryTimer) return
      void this.#open()
    }
  }

  /** Keeps `min` connections open in the background. */
  #fill(): void {
    while (!this.#closed && this.total < this.#min && !this.#retryTimer) void this.#open()
  }

  async #open(): Promise<void> {
    this.#pendingConnects++
    const drains = this.#drains
    let slot: Slot | undefined
    const stop = new AbortController()
    this.#connecting.add(stop)
    try {
      const pw = this.#options.password
      const password = typeof pw === 'function' ? await pw() : pw
      // Without a connect timeout a connect could hang and hold a slot forever: bound it.
      const ms = this.#options.connectTimeout
      const unbounded = ms === undefined ? this.#config.connectTimeoutMs === undefined : !(ms > 0)
      const bound = unbounded
        ? AbortSignal.timeout(this.#options.acquireTimeout ?? 30_000)
        : undefined
      let signal = stop.signal
      if (bound) signal = anySignal(signal, bound)
      if (this.#options.signal) signal = anySignal(signal, this.#options.signal)
      const conn = await connectWithConfig(
        this.#config,
        {
          ...this.#options,
          ...(signal ? { signal } : {}),
          onClose: (err) => this.#onConnectionClose(conn, err),
        },
        this.#runtime,
        password,
      )
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
        const session = new Session(conn)
        try {
          await this.#options.init(session)
          session.revoke('the session given to the pool init hook cannot be used after it returned')
        } catch (err) {
          conn.destroy()
          throw err
        }
      }
      const life = this.#options.maxLifetime ?? 30 * 60_000
      const now = Date.now()
      slot = {
        conn,
        createdAt: now,
        expiresAt: lifetimeExpiry(now, life),
        lastUsedAt: now,
        uses: 0,
        retire: undefined,
        queries: 0,
        progressAt: 0,
        checkout: undefined,
      }
      this.#created++
      this.#connectFailures = 0
      this.#lastConnectError = undefined
      if (connectChannel.hasSubscribers)
        connectChannel.publish({ processId: conn.processId, host: conn.host })
      if (this.#events.has('connect'))
        this.#events.emit('connect', { processId: conn.processId, host: conn.host })
    } catch (err) {
      this.#connecting.delete(stop)
      this.#pendingConnects--
      // end() aborted it: not a failure worth reporting.
      if (!stop.signal.aborted) this.#connectFailed(err as TuskError)
      return
    }
    this.#connecting.delete(stop)
    this.#pendingConnects--
    if (this.#closed) {
      this.#destroy(slot, 'end')
      return
    }
    if (drains !== this.#drains) {
      // Opened across a drain() (old credentials, the old primary): never used; open anew.
      this.#destroy(slot, 'drain')
      this.#grow()
      this.#fill()
      return
    }
    if (this.total >= this.#max) {
      // resize() lowered max while this one was connecting.
      this.#destroy(slot, 'resize')
      return
    }
    this.#toIdleOrWaiter(slot)
    this.#fill()
  }

  #connectFailed(err: TuskError): void {
    this.#lastConnectError = err
    this.#connectFailures++
    if (fatalConnectError(err)) {
      this.#failWaiters(err)
      this.#backgroundError(err)
      return
    }
    this.#backgroundError(err)
    // Never connected and nothing listens: fail the waiters now; later calls still retry.
    if (this.#created === 0 && nothingListens(err)) this.#failWaiters(err)
    if (this.#closed || (this.#waiters.length === 0 && this.total >= this.#min)) return
    const base = this.#options.retryBackoff?.baseDelayMs ?? 50
    const cap = this.#options.retryBackoff?.maxDelayMs ?? 2_000
    const delay = Math.random() * Math.min(cap, base * 2 ** Math.min(this.#connectFailures, 16))
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#grow()
      this.#fill()
    }, delay)
    this.#retryTimer.unref?.()
  }

  /** Rejects every waiting checkout with `err`. */
  #failWaiters(err: TuskError): void {
    const failed = this.#waiters.splice(0)
    this.#stopWaitTimerIfIdle()
    for (const w of failed) w.reject(err)
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

  #onConnectionClose(conn: Connection, err: TuskError | undefined): void {
    const i = this.#idle.findIndex((s) => s.conn === conn)
    if (i >= 0) {
      const [slot] = this.#idle.splice(i, 1)
      this.#count('error', slot!)
      if (err) this.#backgroundError(err)
      this.#fill()
      this.#grow()
    }
  }

  /** Gives a healthy connection to the first waiter, or parks it idle. */
  #toIdleOrWaiter(slot: Slot): void {
    const waiter = this.#waiters.shift()
    if (waiter) {
      this.#stopWaitTimerIfIdle()
      this.#busy.add(slot)
      waiter.resolve(slot)
      if (waiter.kind === 'query') this.#feed(slot, 1)
      return
    }
    slot.lastUsedAt = Date.now()
    this.#idle.push(slot)
    if (this.#options.allowExitOnIdle) slot.conn.unref()
    if (this.#sweepTimer === undefined) this.#startSweep()
  }

  /**
   * Closes connections idle longer than `idleTimeout`, down to `min`: one timer for the pool,
   * not one per idle connection, so a checkout sets and clears no timer. `#idle` is a stack, so
   * its bottom holds the connections idle longest.
   */
  #startSweep(): void {
    const idleTimeout = this.#options.idleTimeout ?? 30_000
    if (idleTimeout <= 0 || this.#closed) return
    const timer = setInterval(
      () => {
        const now = Date.now()
        while (
          this.#idle.length > 0 &&
          this.total > this.#min &&
          now - this.#idle[0]!.lastUsedAt >= idleTimeout
        ) {
          this.#destroy(this.#idle.shift()!, 'idle')
        }
        if (this.#idle.length === 0 || this.#closed) {
          clearInterval(timer)
          this.#sweepTimer = undefined
        }
      },
      Math.max(10, Math.min(idleTimeout / 4, 5_000)),
    )
    timer.unref?.()
    this.#sweepTimer = timer
  }

  #serveWaiters(): void {
    while (this.#waiters.length > 0) {
      const next = this.#takeIdle(this.#waiters[0]!.started)
      if (!next) break
      if (next instanceof Promise) {
        const waiter = this.#waiters.shift()!
        this.#stopWaitTimerIfIdle()
        next.then(waiter.resolve, waiter.reject)
      } else this.#toIdleOrWaiter(next)
    }
    this.#grow()
  }

  /** Takes a connection back: reset it if dirty, retire it if due, else reuse it. */
  #release(slot: Slot, error: unknown, client = false): void {
    if (!this.#busy.has(slot)) return
    if (slot.checkout?.leakTimer) clearTimeout(slot.checkout.leakTimer)
    slot.checkout = undefined
    if (releaseChannel.hasSubscribers)
      releaseChannel.publish({ processId: slot.conn.processId, error })
    if (this.#events.has('release'))
      this.#events.emit('release', { processId: slot.conn.processId, error })
    const conn = slot.conn
    const now = Date.now()
    let reason: DestroyReason | undefined = slot.retire
    if (conn.closed || error !== undefined) reason ??= 'error'
    else if (conn.pending > 0) reason ??= 'dirty'
    else if (now >= slot.expiresAt) reason ??= 'lifetime'
    else if (this.#options.maxUses !== undefined && slot.uses >= this.#options.maxUses)
      reason ??= 'uses'
    else if (this.#closed) reason ??= 'end'
    else if (this.total > this.#max) reason ??= 'resize'
    if (reason) {
      this.#busy.delete(slot)
      this.#destroy(slot, reason)
      this.#fill()
      this.#grow()
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
        if (conn.transactionStatus !== 'I' || conn.closed) {
          this.#busy.delete(slot)
          this.#destroy(slot, 'dirty')
          this.#fill()
          this.#grow()
        } else this.#reuse(slot, client)
      },
      () => {
        clearTimeout(guard)
        this.#busy.delete(slot)
        this.#destroy(slot, 'dirty')
        this.#fill()
        this.#grow()
      },
    )
  }

  /**
   * A clean connection back from its user: to the next waiter or idle, after the `afterRelease`
   * hook (checkouts only) agreed; refused or failing, it is destroyed.
   */
  #reuse(slot: Slot, client: boolean): void {
    const hook = client ? this.#options.afterRelease : undefined
    if (hook === undefined) {
      this.#busy.delete(slot)
      this.#toIdleOrWaiter(slot)
      return
    }
    const session = new Session(slot.conn)
    const settle = (keep: boolean): void => {
      session.revoke('the session given to afterRelease cannot be used after it returned')
      this.#busy.delete(slot)
      if (keep && !slot.conn.closed && slot.conn.transactionStatus === 'I') {
        this.#toIdleOrWaiter(slot)
        return
      }
      this.#destroy(slot, 'dirty')
      this.#fill()
      this.#grow()
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

  #count(reason: DestroyReason, slot: Slot): void {
    this.#destroyed[reason]++
    if (destroyChannel.hasSubscribers)
      destroyChannel.publish({ processId: slot.conn.processId, reason })
    if (this.#events.has('remove'))
      this.#events.emit('remove', { processId: slot.conn.processId, reason })
  }

  /**
   * Closes `slot`'s connection: destroyed at once when broken, dirty or (past end()'s deadline)
   * still busy; else closed gracefully, but destroyed at `deadline` (Date.now()) if one is given.
   */
  async #destroy(slot: Slot, reason: DestroyReason, deadline?: number): Promise<void> {
    this.#count(reason, slot)
    const conn = slot.conn
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
}

/** Creates a pool on `defaults()`'s runtime (pieces from `options.runtime` win); see the entry's `createPool`. */
export function createPoolOn(
  conninfo: string | ConnectionOptions | undefined,
  options: PoolOptions,
  defaults: () => Runtime,
): Pool {
  checkPoolOptions(options)
  const runtime = runtimeOf(options.runtime, defaults)
  // `options.connectTimeout` (ms) is applied per attempt by connect, exactly; see ConnectOptions.
  const config = resolveConfig(conninfo, runtime.context)
  return new Pool(config, options, runtime)
}
