/**
 * A generic resource pool: slots within min and max, FIFO waiters under one acquire-timeout
 * timer, min kept warm, growth for waiters, create retry with backoff (fatal failures fail every
 * waiter at once), one idle sweep, max lifetime with jitter, max uses, retirement for drain,
 * resize and end, stats and wait percentiles. It knows nothing of PostgreSQL: what a resource is,
 * how it opens, closes and is checked comes from its Connector.
 */

import {
  ConfigError,
  ConnectionError,
  PoolClosedError,
  PoolTimeoutError,
  PoolTooBusyError,
} from '../errors/client.js'
import { lifetimeExpiry } from './lifetime.js'

/** Why a resource left the pool. */
export type DestroyReason =
  | 'error'
  | 'idle'
  | 'lifetime'
  | 'uses'
  | 'dirty'
  | 'drain'
  | 'end'
  | 'resize'

/** Waits for `work`, but not past `deadline` (Date.now()); `work` keeps running after that. */
export async function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    work.catch(() => {}),
    new Promise<void>((r) => {
      timer = setTimeout(r, Math.max(0, deadline - Date.now()))
    }),
  ])
  clearTimeout(timer)
}

/** How a ResourcePool opens, closes and checks its resources. */
export interface Connector<R> {
  /** Opens a resource. A rejection counts as a failed connect (retried unless `isFatal`). */
  create(): Promise<R>
  /**
   * Closes a resource leaving the pool; a rejection or throw is ignored. With `deadline`
   * (Date.now(), end() only) a graceful close is cut at that time and a busy one is not waited for.
   */
  destroy(resource: R, reason: DestroyReason, deadline?: number): Promise<void> | void
  /** True when the resource is known dead without asking it (a closed socket). */
  isBroken?(resource: R): boolean
  /** True for a create failure no retry can cure: every waiter fails with it at once. */
  isFatal?(error: unknown): boolean
  /**
   * True for a create failure that should fail the waiters at once while the pool has never
   * created a resource (nothing is there yet); unlike `isFatal`, retries go on for later calls.
   */
  failsWaitersWhileNew?(error: unknown): boolean
  /** Aborts the creates in flight (end() reached its deadline). */
  abortCreates?(): void
  /**
   * Checks a resource idle longer than `healthCheck` before it is handed out, within `timeoutMs`
   * (the connector enforces it); a rejection destroys it and the next one is tried.
   */
  check?(resource: R, timeoutMs: number): Promise<unknown>
  /** The resource left the idle set for a user (e.g. ref its socket again). */
  ref?(resource: R): void
  /** The resource went idle (e.g. unref its socket so the process may exit). */
  unref?(resource: R): void
}

/**
 * What the pool tells its owner as it works, and the one thing it asks (`borrow`). `C` is the
 * context an `acquire` carries through to `granted` (e.g. the caller's stack).
 */
export interface ResourcePoolHooks<R, C> {
  /** A resource was created and counted (before it is handed out or parked idle). */
  created?(slot: Slot<R>): void
  /** A resource left the pool, counted under `reason` (before it is destroyed). */
  removed?(slot: Slot<R>, reason: DestroyReason): void
  /** A failure in the background: a create that failed, a health check, a resource lost idle. */
  error?(error: unknown): void
  /**
   * A use of `slot` was booked for an acquire that waited `waitedMs`; `shared` says the acquire
   * asked for a shareable use. Runs synchronously before the acquirer gets the slot.
   */
  granted?(slot: Slot<R>, waitedMs: number, context: C, shared: boolean): void
  /** `slot` went to a shared waiter at the head of the queue: more may follow it (`serveHead`). */
  handedToShared?(slot: Slot<R>): void
  /**
   * A shared acquire found nothing idle, the pool at max and nobody waiting: a busy slot that
   * may take one more use, or undefined to queue.
   */
  borrow?(): Slot<R> | undefined
}

/** Bounds and timings of a ResourcePool; every time is in ms. */
export interface ResourcePoolOptions {
  /** Resources kept open even when idle (default 0). */
  min?: number
  /** Most resources open at once, being created included (default 10). */
  max?: number
  /** How long an acquire may wait in total, creation included (default 30 000). */
  acquireTimeout?: number
  /** Close a resource idle this long, down to `min` (default 30 000; 0 = never). */
  idleTimeout?: number
  /** Retire a resource this old when it is next released (default 30 min, ±10 % jitter; 0 = never). */
  maxLifetime?: number
  /** Retire a resource after this many uses (default: unlimited). */
  maxUses?: number
  /** More waiters than this get PoolTooBusyError at once (default: unlimited). */
  maxWaiting?: number
  /** Run `connector.check` on a resource idle longer than this (default 30 000; 0 = always, false = never). */
  healthCheck?: number | false
  /** Most time `connector.check` is given (default 5 000, and never past the acquire's deadline). */
  healthCheckTimeout?: number
  /** Create retry backoff: first delay and cap (defaults 50 and 2 000), full jitter. */
  retryBackoff?: { baseDelayMs?: number; maxDelayMs?: number }
  /** Uniform in [0, 1): lifetime jitter and retry backoff (default Math.random; tests inject one). */
  random?: () => number
}

/** Counts that describe a ResourcePool now and since it was created. */
export interface ResourcePoolStats {
  /** Resources open or being opened. */
  total: number
  /** Resources open and unused. */
  idle: number
  /** Resources in use. */
  busy: number
  /** Acquires queued for a resource. */
  waiting: number
  /** Resources being opened. */
  pendingConnects: number
  /** Resources opened since the pool was created. */
  created: number
  /** Resources closed since the pool was created, by reason. */
  destroyed: Record<DestroyReason, number>
  /** Uses handed out. */
  acquires: number
  /** Waits that ended in PoolTimeoutError. */
  timeouts: number
  /** Percentiles of recent acquire waits, in ms. */
  waitMs: { p50: number; p95: number; p99: number; max: number }
}

/**
 * One resource in the pool and its bookkeeping; acquire hands out the slot itself (no wrapper
 * per use). Owners read it; they write only `heldSince` (a shared use that made progress).
 */
export interface Slot<R> {
  readonly resource: R
  /** Date.now() when it was opened. */
  readonly createdAt: number
  /** Date.now() past which it retires on release (max lifetime with jitter; Infinity: never). */
  readonly expiresAt: number
  /** Date.now() when it last went idle. */
  lastUsedAt: number
  /** Uses handed out so far. */
  uses: number
  /** Set when it must leave on its next release (drain, resize). */
  retire: DestroyReason | undefined
  /** Date.now() since which it has been held (−1: not held); the oldest is named on a timeout. */
  heldSince: number
}

/** A queued acquire. */
interface Waiter<R> {
  /** The acquire may share its resource with other shared acquires. */
  shared: boolean
  resolve(slot: Slot<R>): void
  reject(error: unknown): void
  /** performance.now() when the acquire was asked for. */
  started: number
  /** performance.now() past which the wait fails (acquireTimeout). */
  deadline: number
}

const WAIT_SAMPLES = 1024

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

function ignore(): void {}

const RESOLVED: Promise<void> = Promise.resolve()

/** A ResourcePool's default error for an acquire whose signal aborted. */
function abortedAcquire(signal: AbortSignal): ConnectionError {
  return new ConnectionError('acquiring a pooled resource was aborted', {
    safeToRetry: true,
    cause: signal.reason,
  })
}

/**
 * A pool of resources of type `R`, handed out FIFO. `acquire` returns a slot synchronously when
 * one is idle (and needs no check), else a promise; give it back with `release`, or with
 * `restore`/`discard` after deciding with `dueReason` (an owner that resets resources between
 * uses). Failures go to whoever awaits; background ones to `hooks.error`.
 */
export class ResourcePool<R, C = undefined> {
  readonly #connector: Connector<R>
  readonly #hooks: ResourcePoolHooks<R, C>
  readonly #random: () => number
  readonly #acquireTimeout: number
  readonly #idleTimeout: number
  readonly #maxLifetime: number
  readonly #maxUses: number | undefined
  readonly #maxWaiting: number | undefined
  readonly #healthCheck: number | false
  readonly #healthCheckTimeout: number
  readonly #retryBase: number
  readonly #retryCap: number
  #min: number
  #max: number
  /** A stack: its top is the resource idle the shortest, its bottom the one idle longest. */
  readonly #idle: Slot<R>[] = []
  readonly #busy = new Set<Slot<R>>()
  readonly #waiters: Waiter<R>[] = []
  #pendingConnects = 0
  /** drain() calls so far: a resource whose create began before the last one is not used. */
  #drains = 0
  #closed = false
  #ending: Promise<void> | undefined
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
  #timeouts = 0
  /** The last WAIT_SAMPLES acquire waits (ms), a ring: `#waitNext` is the oldest once full. */
  readonly #waits = new Float64Array(WAIT_SAMPLES)
  #waitNext = 0
  #waitCount = 0
  #connectFailures = 0
  #lastConnectError: unknown
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #sweepTimer: ReturnType<typeof setInterval> | undefined
  #waitTimer: ReturnType<typeof setTimeout> | undefined

  /** Starts opening `min` resources at once (`connector.create` is called synchronously). */
  constructor(
    connector: Connector<R>,
    options: ResourcePoolOptions = {},
    hooks: ResourcePoolHooks<R, C> = {},
  ) {
    this.#connector = connector
    this.#hooks = hooks
    this.#random = options.random ?? Math.random
    this.#acquireTimeout = options.acquireTimeout ?? 30_000
    this.#idleTimeout = options.idleTimeout ?? 30_000
    this.#maxLifetime = options.maxLifetime ?? 30 * 60_000
    this.#maxUses = options.maxUses
    this.#maxWaiting = options.maxWaiting
    this.#healthCheck = connector.check === undefined ? false : (options.healthCheck ?? 30_000)
    this.#healthCheckTimeout = options.healthCheckTimeout ?? 5_000
    this.#retryBase = options.retryBackoff?.baseDelayMs ?? 50
    this.#retryCap = options.retryBackoff?.maxDelayMs ?? 2_000
    this.#min = Math.max(0, options.min ?? 0)
    this.#max = Math.max(1, options.max ?? 10)
    if (this.#min > this.#max) {
      throw new ConfigError(`pool min (${this.#min}) is larger than max (${this.#max})`, {
        parameter: 'min',
      })
    }
    this.#fill()
  }

  /** Resources open now (idle, busy and being opened). */
  get total(): number {
    return this.#idle.length + this.#busy.size + this.#pendingConnects
  }

  /** The current upper bound. */
  get max(): number {
    return this.#max
  }

  /** Resources being opened. */
  get pendingConnects(): number {
    return this.#pendingConnects
  }

  /** Acquires queued now. */
  get waiting(): number {
    return this.#waiters.length
  }

  /** True once `end()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** The pool's counts; see ResourcePoolStats. */
  stats(): ResourcePoolStats {
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
      timeouts: this.#timeouts,
      waitMs: {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? 0,
      },
    }
  }

  /** The numbers a timeout or a too-busy error names. */
  describe(): string {
    let oldest = 0
    const now = Date.now()
    for (const s of this.#busy) if (s.heldSince >= 0) oldest = Math.max(oldest, now - s.heldSince)
    return `max ${this.#max}, busy ${this.#busy.size}, idle ${this.#idle.length}, waiting ${this.#waiters.length}, connecting ${this.#pendingConnects}${this.#busy.size ? `; the oldest checkout has been held for ${(oldest / 1000).toFixed(1)} s (a leak?)` : ''}`
  }

  /**
   * A use of a resource: an idle slot at once when there is one that needs no check, else a
   * promise of one (queued FIFO within `acquireTimeout`). A `shared` acquire may also be served
   * by `hooks.borrow`, and by `serveHead` after `hooks.handedToShared`. `context` goes to
   * `hooks.granted`; `abortError` makes the error of a wait `signal` aborted.
   */
  acquire(
    context: C,
    signal?: AbortSignal,
    abortError: (signal: AbortSignal) => unknown = abortedAcquire,
    shared = false,
  ): Slot<R> | Promise<Slot<R>> {
    if (this.#closed) return Promise.reject(new PoolClosedError('the pool is closed'))
    const started = performance.now()
    const ready = this.#takeIdle(started)
    if (ready instanceof Promise)
      return ready.then((slot) => this.#grant(slot, started, context, shared))
    if (ready) return this.#grant(ready, started, context, shared)
    if (shared && this.#waiters.length === 0 && this.total >= this.#max) {
      const slot = this.#hooks.borrow?.()
      if (slot) return this.#grant(slot, started, context, true)
    }
    return this.#wait(context, started, shared, signal, abortError)
  }

  /** True when the waiter at the head of the queue asked for a shared use. */
  headIsShared(): boolean {
    return this.#waiters[0]?.shared === true
  }

  /** Hands the busy `slot` to the waiter at the head of the queue (one more use of it). */
  serveHead(slot: Slot<R>): void {
    const waiter = this.#waiters.shift()
    if (waiter === undefined) return
    waiter.resolve(slot)
    this.#stopWaitTimerIfIdle()
  }

  /** True while `slot` is handed out (released slots being reset included). */
  holds(slot: Slot<R>): boolean {
    return this.#busy.has(slot)
  }

  /**
   * Why `slot`, coming back, must leave rather than be reused: its retirement (drain, resize),
   * else `failure` (the owner's verdict, e.g. 'error' or 'dirty'), else lifetime, uses, the pool
   * ending or shrinking; undefined when it may be reused.
   */
  dueReason(slot: Slot<R>, failure?: DestroyReason): DestroyReason | undefined {
    if (slot.retire !== undefined) return slot.retire
    if (failure !== undefined) return failure
    if (Date.now() >= slot.expiresAt) return 'lifetime'
    if (this.#maxUses !== undefined && slot.uses >= this.#maxUses) return 'uses'
    if (this.#closed) return 'end'
    if (this.total > this.#max) return 'resize'
    return undefined
  }

  /**
   * Gives `slot` back: destroyed when `dueReason` says so (or it is broken), else to the next
   * waiter or idle. Returns the reason it was destroyed for, or undefined. A no-op (undefined)
   * when the slot is not handed out.
   */
  release(slot: Slot<R>, failure?: DestroyReason): DestroyReason | undefined {
    if (!this.#busy.has(slot)) return undefined
    slot.heldSince = -1
    const broken = failure ?? (this.#connector.isBroken?.(slot.resource) ? 'error' : undefined)
    const reason = this.dueReason(slot, broken)
    if (reason) this.discard(slot, reason)
    else this.restore(slot)
    return reason
  }

  /** A handed-out `slot` that is clean: to the next waiter, or idle. */
  restore(slot: Slot<R>): void {
    this.#busy.delete(slot)
    this.#toIdleOrWaiter(slot)
  }

  /** A handed-out `slot` that must leave: destroyed for `reason`, and the pool refilled. */
  discard(slot: Slot<R>, reason: DestroyReason): void {
    this.#busy.delete(slot)
    this.#destroy(slot, reason)
    this.#fill()
    this.#grow()
  }

  /** An idle `resource` died on its own (its connection closed): removed and replaced. */
  lost(resource: R, error: unknown): void {
    const i = this.#idle.findIndex((s) => s.resource === resource)
    if (i < 0) return
    const [slot] = this.#idle.splice(i, 1)
    this.#count('error', slot!)
    if (error) this.#backgroundError(error)
    this.#fill()
    this.#grow()
  }

  /** Changes the bounds; extra idle resources close now, busy ones when released. */
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
   * Replaces every resource: idle ones close now, busy ones when released, and ones still being
   * created are closed unused.
   */
  async drain(): Promise<void> {
    this.#drains++
    for (const s of this.#busy) s.retire = 'drain'
    const idle = this.#idle.splice(0)
    await Promise.all(idle.map((s) => this.#destroy(s, 'drain')))
    this.#fill()
  }

  /**
   * Stops new acquires (PoolClosedError) and fails the waiters, then runs `first` (if any), waits
   * up to `timeoutMs` (default 30 000) for busy resources, closes everything, and waits for
   * creates in flight. Idempotent.
   */
  end(timeoutMs = 30_000, first?: () => Promise<void>): Promise<void> {
    if (this.#ending) return this.#ending
    this.#closed = true
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    if (this.#sweepTimer) clearInterval(this.#sweepTimer)
    this.#sweepTimer = undefined
    if (this.#waitTimer) clearTimeout(this.#waitTimer)
    this.#waitTimer = undefined
    for (const w of this.#waiters.splice(0)) {
      w.reject(new PoolClosedError('the pool was closed while waiting for a connection'))
    }
    this.#ending = (async () => {
      const deadline = Date.now() + timeoutMs
      if (first) await beforeDeadline(first(), deadline)
      while ((this.#busy.size > 0 || this.#pendingConnects > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10))
      }
      // Past the deadline nothing is waited for: creates are aborted, busy resources destroyed.
      if (this.#pendingConnects > 0) this.#connector.abortCreates?.()
      const all = [...this.#idle.splice(0), ...this.#busy]
      this.#busy.clear()
      await Promise.all(all.map((s) => this.#destroy(s, 'end', deadline)))
      while (this.#pendingConnects > 0) await new Promise((r) => setTimeout(r, 10))
    })()
    return this.#ending
  }

  // ---- internals ----

  /** Counts one use of `slot` asked for at `started` (performance.now()); the owner is told. */
  #grant(slot: Slot<R>, started: number, context: C, shared: boolean): Slot<R> {
    this.#acquires++
    const waited = performance.now() - started
    this.#waits[this.#waitNext] = waited
    this.#waitNext = (this.#waitNext + 1) % WAIT_SAMPLES
    if (this.#waitCount < WAIT_SAMPLES) this.#waitCount++
    slot.uses++
    if (slot.heldSince < 0) slot.heldSince = Date.now()
    this.#hooks.granted?.(slot, waited, context, shared)
    return slot
  }

  /** Queues the caller (FIFO) until a resource is free, within `acquireTimeout`. */
  #wait(
    context: C,
    started: number,
    shared: boolean,
    signal: AbortSignal | undefined,
    abortError: (signal: AbortSignal) => unknown,
  ): Promise<Slot<R>> {
    if (signal?.aborted) return Promise.reject(abortError(signal))
    if (this.#maxWaiting !== undefined && this.#waiters.length >= this.#maxWaiting) {
      return Promise.reject(
        new PoolTooBusyError(
          `pool too busy: ${this.#waiters.length} callers already waiting (maxWaiting ${this.#maxWaiting}); ${this.describe()}`,
        ),
      )
    }
    const self = this
    return new Promise<Slot<R>>((resolve, reject) => {
      // Methods, not arrow-function properties: no Object.defineProperty per acquire (keepNames).
      let onAbort: (() => void) | undefined
      const waiter: Waiter<R> = {
        shared,
        resolve(slot) {
          if (onAbort) signal!.removeEventListener('abort', onAbort)
          resolve(self.#grant(slot, started, context, shared))
        },
        reject(err) {
          if (onAbort) signal!.removeEventListener('abort', onAbort)
          reject(err)
        },
        started,
        deadline: started + this.#acquireTimeout,
      }
      if (signal) {
        onAbort = () => {
          const i = this.#waiters.indexOf(waiter)
          if (i < 0) return
          this.#waiters.splice(i, 1)
          this.#stopWaitTimerIfIdle()
          waiter.reject(abortError(signal))
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
   * One timer for every waiter's acquireTimeout, set for the earliest deadline, so an acquire
   * sets and clears no timer of its own. When it fires it fails the waiters past their deadline
   * and sets itself for the next one.
   */
  #armWaitTimer(): void {
    let next = Number.POSITIVE_INFINITY
    for (const w of this.#waiters) if (w.deadline < next) next = w.deadline
    if (next === Number.POSITIVE_INFINITY) return
    const timer = setTimeout(
      () => {
        this.#waitTimer = undefined
        const now = performance.now()
        const expired = this.#waiters.filter((w) => w.deadline <= now)
        if (expired.length > 0) {
          const left = this.#waiters.filter((w) => w.deadline > now)
          this.#waiters.splice(0, this.#waiters.length, ...left)
        }
        for (const waiter of expired) {
          this.#timeouts++
          const last = this.#busy.size === 0 ? this.#lastConnectError : undefined
          waiter.reject(
            new PoolTimeoutError(
              `timed out after ${this.#acquireTimeout} ms waiting for a connection: ${this.describe()}${last ? `; last connect error: ${last instanceof Error ? last.message : String(last)}` : ''}`,
              last ? { cause: last } : {},
            ),
          )
        }
        if (this.#waiters.length > 0) this.#armWaitTimer()
      },
      Math.max(0, Math.ceil(next - performance.now())),
    )
    this.#waitTimer = timer
  }

  /** An idle resource ready for use (checked when it idled long), or undefined. */
  #takeIdle(started: number): Slot<R> | Promise<Slot<R>> | undefined {
    while (this.#idle.length > 0) {
      const slot = this.#idle.pop()!
      if (this.#connector.isBroken?.(slot.resource)) {
        this.#destroy(slot, 'error')
        continue
      }
      this.#connector.ref?.(slot.resource)
      this.#busy.add(slot)
      const check = this.#healthCheck
      if (check !== false && Date.now() - slot.lastUsedAt >= check) {
        // A link dropped silently would leave the check unanswered: bound it.
        const deadline = started + this.#acquireTimeout
        const limit = Math.min(this.#healthCheckTimeout, Math.max(1, deadline - performance.now()))
        return this.#connector.check!(slot.resource, limit).then(
          () => slot,
          (err: unknown) => {
            this.#busy.delete(slot)
            this.#destroy(slot, 'error')
            this.#backgroundError(err)
            const next = this.#takeIdle(started)
            if (next) return next
            return new Promise<Slot<R>>((resolve, reject) => {
              this.#waiters.unshift({ shared: false, resolve, reject, started, deadline })
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

  /** Opens resources for waiters, within max. */
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

  /** Keeps `min` resources open in the background. */
  #fill(): void {
    while (!this.#closed && this.total < this.#min && !this.#retryTimer) void this.#open()
  }

  async #open(): Promise<void> {
    this.#pendingConnects++
    const drains = this.#drains
    let slot: Slot<R>
    try {
      const resource = await this.#connector.create()
      const life = this.#maxLifetime
      const now = Date.now()
      slot = {
        resource,
        createdAt: now,
        // ±10 %: connections opened together do not all retire together.
        expiresAt: lifetimeExpiry(now, life, this.#random),
        lastUsedAt: now,
        uses: 0,
        retire: undefined,
        heldSince: -1,
      }
      this.#created++
      this.#connectFailures = 0
      this.#lastConnectError = undefined
      this.#hooks.created?.(slot)
    } catch (err) {
      this.#pendingConnects--
      this.#connectFailed(err)
      return
    }
    this.#pendingConnects--
    if (this.#closed) {
      this.#destroy(slot, 'end')
      return
    }
    if (drains !== this.#drains) {
      // Created across a drain() (old credentials, an old server): never used; open anew.
      this.#destroy(slot, 'drain')
      this.#grow()
      this.#fill()
      return
    }
    if (this.total >= this.#max) {
      // resize() lowered max while this one was being created.
      this.#destroy(slot, 'resize')
      return
    }
    this.#toIdleOrWaiter(slot)
    this.#fill()
  }

  #connectFailed(err: unknown): void {
    this.#lastConnectError = err
    this.#connectFailures++
    if (this.#connector.isFatal?.(err)) {
      const failed = this.#waiters.splice(0)
      this.#stopWaitTimerIfIdle()
      for (const w of failed) w.reject(err)
      this.#backgroundError(err)
      return
    }
    this.#backgroundError(err)
    // Never created and nothing there: fail the waiters now; later calls still retry.
    if (this.#created === 0 && this.#connector.failsWaitersWhileNew?.(err)) {
      const failed = this.#waiters.splice(0)
      this.#stopWaitTimerIfIdle()
      for (const w of failed) w.reject(err)
    }
    if (this.#closed || (this.#waiters.length === 0 && this.total >= this.#min)) return
    // One retry serves every attempt that failed: a timer per failure would reopen them all once
    // per timer, multiplying the attempts every round while the server stays down.
    if (this.#retryTimer !== undefined) return
    const ceiling = Math.min(
      this.#retryCap,
      this.#retryBase * 2 ** Math.min(this.#connectFailures, 16),
    )
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#grow()
      this.#fill()
    }, this.#random() * ceiling)
    this.#retryTimer.unref?.()
  }

  #backgroundError(err: unknown): void {
    this.#hooks.error?.(err)
  }

  /** Gives a healthy resource to the first waiter, or parks it idle. */
  #toIdleOrWaiter(slot: Slot<R>): void {
    const waiter = this.#waiters.shift()
    if (waiter) {
      this.#stopWaitTimerIfIdle()
      this.#busy.add(slot)
      waiter.resolve(slot)
      if (waiter.shared) this.#hooks.handedToShared?.(slot)
      return
    }
    slot.lastUsedAt = Date.now()
    this.#idle.push(slot)
    this.#connector.unref?.(slot.resource)
    if (this.#sweepTimer === undefined) this.#startSweep()
  }

  /**
   * Closes resources idle longer than `idleTimeout`, down to `min`: one timer for the pool, not
   * one per idle resource, so an acquire sets and clears no timer. `#idle` is a stack, so its
   * bottom holds the resources idle longest.
   */
  #startSweep(): void {
    const idleTimeout = this.#idleTimeout
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

  #count(reason: DestroyReason, slot: Slot<R>): void {
    this.#destroyed[reason]++
    this.#hooks.removed?.(slot, reason)
  }

  #destroy(slot: Slot<R>, reason: DestroyReason, deadline?: number): Promise<void> {
    this.#count(reason, slot)
    try {
      const closing = this.#connector.destroy(slot.resource, reason, deadline)
      return closing instanceof Promise ? closing.catch(ignore) : RESOLVED
    } catch {
      return RESOLVED
    }
  }
}
