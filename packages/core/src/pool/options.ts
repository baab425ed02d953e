/**
 * The pool's public option and stat types: what `createPool` accepts, what `pool.connect()` and
 * `pool.query` take, and what `pool.stats()` returns.
 */
import type { ConnectOptions } from '../connection/connect.js'
import type { QueryOptions } from '../connection/connection.js'
import type { TuskError } from '../errors/base.js'
import type { Session } from '../session/session.js'
import type { DestroyReason } from './resource-pool.js'

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
  /**
   * Log (warn) a checkout that waited at least this many ms for a connection, with the pool's
   * state at that moment (max, busy, idle, waiting, the oldest checkout's age).
   */
  slowCheckoutThreshold?: number
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

/** What `pool.health()` reports. */
export interface PoolHealth {
  /** True when the pool is open and a connection answered `SELECT 1` within the timeout. */
  ok: boolean
  /** True once `end()` was called. */
  closed: boolean
  /** How long the probe took, checkout included (ms), when it answered. */
  roundTripMs?: number
  /** Why it is not ok: the checkout's or the probe's error. */
  error?: TuskError
  /** The pool's numbers right after the probe. */
  stats: PoolStats
}

/** Numbers that describe the pool now and since it was created. */
export interface PoolStats {
  /** Connections open or being opened. */
  total: number
  /** The most connections the pool may open now (`max`, or what `resize` set). */
  max: number
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
