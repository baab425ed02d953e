import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ConfigError,
  ConnectionError,
  PoolClosedError,
  PoolTimeoutError,
  PoolTooBusyError,
} from '../errors/client.js'
import {
  type Connector,
  type DestroyReason,
  ResourcePool,
  type ResourcePoolHooks,
  type ResourcePoolOptions,
  type Slot,
} from './resource-pool.js'

interface Fake {
  id: number
  broken: boolean
}

/** A connector of plain objects: creates resolve in a microtask unless held or told to fail. */
class FakeConnector implements Connector<Fake> {
  created = 0
  live = new Set<Fake>()
  peakLive = 0
  destroyed: [number, DestroyReason][] = []
  /** Errors the next creates fail with, in order. */
  failures: Error[] = []
  fatal = false
  /** Resolvers of creates held back (hold = true). */
  held: (() => void)[] = []
  hold = false
  checkFails = new Set<number>()
  checks = 0

  create(): Promise<Fake> {
    const id = ++this.created
    const failure = this.failures.shift()
    if (failure) return Promise.reject(failure)
    return new Promise((resolve) => {
      const done = (): void => {
        const r = { id, broken: false }
        this.live.add(r)
        this.peakLive = Math.max(this.peakLive, this.live.size)
        resolve(r)
      }
      if (this.hold) this.held.push(done)
      else queueMicrotask(done)
    })
  }

  destroy(r: Fake, reason: DestroyReason): void {
    this.live.delete(r)
    this.destroyed.push([r.id, reason])
  }

  isBroken(r: Fake): boolean {
    return r.broken
  }

  isFatal(): boolean {
    return this.fatal
  }

  reasons(): DestroyReason[] {
    return this.destroyed.map(([, reason]) => reason)
  }
}

/** A connector with a health check that fails for the ids in `checkFails`. */
class CheckedConnector extends FakeConnector {
  check(r: Fake): Promise<unknown> {
    this.checks++
    return this.checkFails.has(r.id)
      ? Promise.reject(new Error(`check ${r.id}`))
      : Promise.resolve()
  }
}

type Pool = ResourcePool<Fake, string | undefined>

const pools: Pool[] = []
const connectors: FakeConnector[] = []

function makePool(
  connector: FakeConnector,
  options: ResourcePoolOptions = {},
  hooks: ResourcePoolHooks<Fake, string | undefined> = {},
): Pool {
  const pool = new ResourcePool<Fake, string | undefined>(connector, options, hooks)
  pools.push(pool)
  connectors.push(connector)
  return pool
}

/** Lets pending creates (setTimeout 0) and promise callbacks run. */
async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms)
}

async function take(pool: Pool, context?: string, signal?: AbortSignal): Promise<Slot<Fake>> {
  return pool.acquire(context, signal)
}

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  })
})

afterEach(async () => {
  for (const connector of connectors.splice(0)) {
    connector.hold = false
    for (const done of connector.held.splice(0)) done()
  }
  for (const pool of pools.splice(0)) {
    const ending = pool.end(0)
    await vi.runAllTimersAsync()
    await ending
  }
  vi.useRealTimers()
})

describe('ResourcePool', () => {
  it('hands an idle resource out synchronously and takes it back', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { min: 1 })
    await settle()
    const slot = pool.acquire(undefined)
    expect(slot).not.toBeInstanceOf(Promise)
    expect((slot as Slot<Fake>).resource.id).toBe(1)
    expect(pool.stats()).toMatchObject({ busy: 1, idle: 0, acquires: 1 })
    expect(pool.release(slot as Slot<Fake>)).toBeUndefined()
    expect(pool.stats()).toMatchObject({ busy: 0, idle: 1 })
    // A second release of the same slot is ignored.
    expect(pool.release(slot as Slot<Fake>)).toBeUndefined()
    expect(pool.stats().idle).toBe(1)
  })

  it('serves waiters first in, first out', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 1 })
    const first = await take(pool)
    const order: string[] = []
    const waits = ['a', 'b', 'c', 'd'].map((name) =>
      take(pool, name).then((slot) => {
        order.push(name)
        return slot
      }),
    )
    await settle()
    expect(pool.waiting).toBe(4)
    let slot = first
    for (let i = 0; i < 4; i++) {
      pool.release(slot)
      slot = await waits[i]!
    }
    expect(order).toEqual(['a', 'b', 'c', 'd'])
    expect(fake.created).toBe(1)
  })

  it('never opens more than max under 1 000 concurrent acquires', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 7, idleTimeout: 0 })
    let inUse = 0
    let peakInUse = 0
    const held = new Set<number>()
    let reused = false
    const work = Array.from({ length: 1000 }, async (_, i) => {
      const slot = await take(pool)
      if (held.has(slot.resource.id)) reused = true
      held.add(slot.resource.id)
      inUse++
      peakInUse = Math.max(peakInUse, inUse)
      await new Promise((r) => setTimeout(r, i % 3))
      held.delete(slot.resource.id)
      inUse--
      pool.release(slot)
    })
    await vi.runAllTimersAsync()
    await Promise.all(work)
    expect(reused).toBe(false)
    expect(peakInUse).toBe(7)
    expect(fake.peakLive).toBe(7)
    expect(fake.created).toBe(7)
    expect(pool.stats()).toMatchObject({ total: 7, idle: 7, busy: 0, waiting: 0, acquires: 1000 })
  })

  it('fails a wait at acquireTimeout, not before, naming the numbers', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 1, acquireTimeout: 1_000 })
    await take(pool)
    let failure: unknown
    const waiting = take(pool).catch((err: unknown) => {
      failure = err
    })
    await settle(999)
    expect(failure).toBeUndefined()
    await settle(1)
    await waiting
    expect(failure).toBeInstanceOf(PoolTimeoutError)
    expect((failure as Error).message).toMatch(
      /^timed out after 1000 ms waiting for a connection: max 1, busy 1, idle 0, waiting 0, connecting 0; the oldest checkout has been held for 1\.0 s/,
    )
    expect(pool.stats()).toMatchObject({ timeouts: 1, waiting: 0 })
  })

  it('times each waiter out at its own deadline with one timer', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 1, acquireTimeout: 1_000 })
    await take(pool)
    const failedAt: number[] = []
    const start = Date.now()
    const waits = [0, 300, 600].map(async (delay) => {
      await new Promise((r) => setTimeout(r, delay))
      await take(pool).catch(() => failedAt.push(Date.now() - start))
    })
    await settle(1_700)
    await Promise.all(waits)
    expect(failedAt).toEqual([1_000, 1_300, 1_600])
  })

  it('names the last connect error on a timeout when nothing is busy', async () => {
    const fake = new FakeConnector()
    fake.failures = Array.from({ length: 100 }, () => new Error('connection refused'))
    const pool = makePool(fake, { max: 1, acquireTimeout: 500, random: () => 0.5 })
    const failure = take(pool).catch((err: unknown) => err)
    await settle(500)
    const err = (await failure) as PoolTimeoutError
    expect(err).toBeInstanceOf(PoolTimeoutError)
    expect(err.message).toContain('; last connect error: connection refused')
    expect((err.cause as Error).message).toBe('connection refused')
  })

  it('rejects waiters past maxWaiting at once with PoolTooBusyError', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 1, maxWaiting: 2 })
    await take(pool)
    const queued = [take(pool), take(pool)]
    for (const q of queued) q.catch(() => {})
    await expect(take(pool)).rejects.toBeInstanceOf(PoolTooBusyError)
    expect(pool.waiting).toBe(2)
  })

  it('opens min resources up front and keeps them', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { min: 3, max: 5 })
    expect(pool.stats().pendingConnects).toBe(3)
    await settle()
    expect(pool.stats()).toMatchObject({ total: 3, idle: 3, created: 3, pendingConnects: 0 })
  })

  it('refuses min larger than max', () => {
    expect(() => new ResourcePool(new FakeConnector(), { min: 3, max: 2 })).toThrow(ConfigError)
  })

  it('sweeps idle resources down to min after idleTimeout', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { min: 1, max: 5, idleTimeout: 1_000 })
    const slots = await Promise.all([take(pool), take(pool), take(pool), take(pool)])
    for (const s of slots) pool.release(s)
    expect(pool.stats().idle).toBe(4)
    await settle(999)
    expect(pool.stats().idle).toBe(4)
    // The sweep runs every idleTimeout / 4.
    await settle(250)
    expect(pool.stats()).toMatchObject({ total: 1, idle: 1 })
    expect(fake.reasons()).toEqual(['idle', 'idle', 'idle'])
    // The resource idle the shortest (released last) stays.
    expect(pool.acquire(undefined)).toBe(slots[3])
  })

  it('retires a resource past its lifetime when it is released', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { maxLifetime: 1_000, random: () => 0 })
    const slot = await take(pool)
    expect(slot.expiresAt - slot.createdAt).toBe(900)
    await settle(899 - (Date.now() - slot.createdAt))
    expect(pool.release(slot)).toBeUndefined()
    expect(pool.acquire(undefined)).toBe(slot)
    await settle(1)
    expect(pool.release(slot)).toBe('lifetime')
    expect(fake.reasons()).toEqual(['lifetime'])
    expect(pool.stats().total).toBe(0)
  })

  it('jitters maxLifetime by ±10 %, deterministically with an injected random', async () => {
    const lifetimes: number[] = []
    for (const r of [0, 0.25, 0.5, 0.75, 0.999_999]) {
      const pool = makePool(new FakeConnector(), { maxLifetime: 10_000, random: () => r })
      const slot = await take(pool)
      lifetimes.push(Math.round(slot.expiresAt - slot.createdAt))
    }
    expect(lifetimes).toEqual([9_000, 9_500, 10_000, 10_500, 11_000])
  })

  it('never expires with maxLifetime 0', async () => {
    const pool = makePool(new FakeConnector(), { maxLifetime: 0 })
    const slot = await take(pool)
    expect(slot.expiresAt).toBe(Number.POSITIVE_INFINITY)
  })

  it('retires a resource after maxUses uses', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { maxUses: 3 })
    const slot = await take(pool)
    expect(pool.release(slot)).toBeUndefined()
    expect(pool.acquire(undefined)).toBe(slot)
    expect(pool.release(slot)).toBeUndefined()
    expect(pool.acquire(undefined)).toBe(slot)
    expect(slot.uses).toBe(3)
    expect(pool.release(slot)).toBe('uses')
    expect(fake.reasons()).toEqual(['uses'])
  })

  it('retries a failed create with exponential backoff and full jitter', async () => {
    const fake = new FakeConnector()
    fake.failures = [new Error('refused 1'), new Error('refused 2')]
    const errors: unknown[] = []
    const pool = makePool(
      fake,
      { retryBackoff: { baseDelayMs: 100, maxDelayMs: 1_000 }, random: () => 0.5 },
      { error: (err) => errors.push(err) },
    )
    const waiting = take(pool)
    await settle()
    expect(fake.created).toBe(1)
    // First failure: 0.5 × min(1 000, 100 × 2¹) = 100 ms.
    await settle(99)
    expect(fake.created).toBe(1)
    await settle(1)
    expect(fake.created).toBe(2)
    // Second failure: 0.5 × min(1 000, 100 × 2²) = 200 ms.
    await settle(199)
    expect(fake.created).toBe(2)
    await settle(1)
    expect(fake.created).toBe(3)
    const slot = await waiting
    expect(slot.resource.id).toBe(3)
    expect(errors.map((e) => (e as Error).message)).toEqual(['refused 1', 'refused 2'])
  })

  it('keeps one retry for attempts that fail together, so they do not multiply', async () => {
    const fake = new FakeConnector()
    fake.failures = Array.from({ length: 1_000 }, () => new Error('refused'))
    makePool(fake, {
      min: 4,
      max: 4,
      retryBackoff: { baseDelayMs: 100, maxDelayMs: 100 },
      random: () => 0.5,
    })
    await settle()
    expect(fake.created).toBe(4)
    // Each round: one 50 ms retry, then the 4 connections of min again, and no more.
    for (let round = 1; round <= 10; round++) {
      await settle(50)
      expect(fake.created).toBe(4 + 4 * round)
    }
  })

  it('caps the retry delay at maxDelayMs', async () => {
    const fake = new FakeConnector()
    fake.failures = Array.from({ length: 6 }, () => new Error('refused'))
    const pool = makePool(fake, {
      acquireTimeout: 60_000,
      retryBackoff: { baseDelayMs: 100, maxDelayMs: 300 },
      random: () => 0.5,
    })
    const waiting = take(pool)
    await settle()
    const times: number[] = []
    const start = Date.now()
    for (let created = fake.created; created < 7; ) {
      await settle(1)
      if (fake.created !== created) {
        created = fake.created
        times.push(Date.now() - start)
      }
    }
    // Delays: 0.5 × 100 × 2¹, then 0.5 × min(300, 100 × 2ⁿ) = 0.5 × 300 from the second on.
    expect(times.map((t, i) => t - (times[i - 1] ?? 0))).toEqual([100, 150, 150, 150, 150, 150])
    await waiting
  })

  it('fails every waiter at once on a fatal create error, without retrying', async () => {
    const fake = new FakeConnector()
    fake.fatal = true
    const fatal = new Error('password authentication failed')
    fake.failures = [fatal]
    const errors: unknown[] = []
    const pool = makePool(fake, { max: 1 }, { error: (err) => errors.push(err) })
    const results = Promise.allSettled([take(pool), take(pool), take(pool)])
    await settle()
    const settled = await results
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected'])
    for (const s of settled) expect((s as PromiseRejectedResult).reason).toBe(fatal)
    expect(pool.waiting).toBe(0)
    await settle(10_000)
    expect(fake.created).toBe(1)
    expect(errors).toEqual([fatal])
  })

  it('rejects a wait whose signal aborts, and forgets the waiter', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 1 })
    const slot = await take(pool)
    const controller = new AbortController()
    const waiting = take(pool, undefined, controller.signal)
    await settle()
    expect(pool.waiting).toBe(1)
    controller.abort(new Error('stop'))
    const err = await waiting.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    expect(((err as Error).cause as Error).message).toBe('stop')
    expect(pool.waiting).toBe(0)
    pool.release(slot)
    expect(pool.stats().idle).toBe(1)
  })

  it('skips a broken idle resource and destroys it', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { min: 2 })
    await settle()
    const a = pool.acquire(undefined) as Slot<Fake>
    const b = pool.acquire(undefined) as Slot<Fake>
    pool.release(a)
    pool.release(b)
    b.resource.broken = true
    expect(pool.acquire(undefined)).toBe(a)
    expect(fake.destroyed).toEqual([[b.resource.id, 'error']])
  })

  it('destroys a resource whose health check fails and hands out the next', async () => {
    const fake = new CheckedConnector()
    const errors: unknown[] = []
    const pool = makePool(fake, { min: 2, healthCheck: 1_000 }, { error: (e) => errors.push(e) })
    await settle()
    const a = pool.acquire(undefined) as Slot<Fake>
    const b = pool.acquire(undefined) as Slot<Fake>
    pool.release(a)
    pool.release(b)
    // Fresh resources are not checked.
    expect(pool.acquire(undefined)).toBe(b)
    pool.release(b)
    expect(fake.checks).toBe(0)
    await settle(1_000)
    fake.checkFails.add(b.resource.id)
    const next = pool.acquire(undefined)
    expect(next).toBeInstanceOf(Promise)
    expect(await next).toBe(a)
    expect(fake.checks).toBe(2)
    expect(fake.destroyed).toEqual([[b.resource.id, 'error']])
    expect((errors[0] as Error).message).toBe(`check ${b.resource.id}`)
  })

  it('replaces an idle resource lost on its own', async () => {
    const fake = new FakeConnector()
    const errors: unknown[] = []
    const pool = makePool(fake, { min: 1 }, { error: (e) => errors.push(e) })
    await settle()
    const first = pool.acquire(undefined) as Slot<Fake>
    pool.release(first)
    pool.lost(first.resource, new Error('socket closed'))
    expect(pool.stats()).toMatchObject({ idle: 0, pendingConnects: 1 })
    expect(pool.stats().destroyed.error).toBe(1)
    await settle()
    expect(pool.stats()).toMatchObject({ idle: 1, created: 2 })
    expect(errors).toHaveLength(1)
  })

  it('drain closes idle resources now, busy ones on release, and creates in flight unused', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 4 })
    const [a, b] = await Promise.all([take(pool), take(pool)])
    pool.release(b)
    fake.hold = true
    // min 3: one more create starts, and is held back until after the drain.
    pool.resize(3, 4)
    expect(pool.stats().pendingConnects).toBe(1)
    await pool.drain()
    expect(fake.destroyed).toEqual([[b.resource.id, 'drain']])
    expect(pool.stats()).toMatchObject({ idle: 0, busy: 1, pendingConnects: 2 })
    fake.hold = false
    // The create begun before the drain: closed unused, and another one opened in its place.
    fake.held.shift()!()
    await settle()
    expect(fake.destroyed).toEqual([
      [b.resource.id, 'drain'],
      [3, 'drain'],
    ])
    // The create begun after the drain is used.
    fake.held.shift()!()
    await settle()
    expect(pool.stats()).toMatchObject({ idle: 2, busy: 1, pendingConnects: 0 })
    expect(pool.release(a)).toBe('drain')
    await settle()
    expect(pool.stats()).toMatchObject({ total: 3, idle: 3 })
    expect(fake.created).toBe(6)
  })

  it('resize closes extra idle resources now and busy ones on release, and serves waiters', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 4 })
    const slots = await Promise.all([take(pool), take(pool), take(pool), take(pool)])
    pool.release(slots[0]!)
    pool.resize(0, 2)
    expect(fake.destroyed).toEqual([[slots[0]!.resource.id, 'resize']])
    expect(pool.stats().total).toBe(3)
    // Every resource busy while the pool was over its new max is marked to go.
    expect(slots.slice(1).map((s) => s.retire)).toEqual(['resize', 'resize', 'resize'])
    expect(pool.release(slots[1]!)).toBe('resize')
    expect(pool.stats()).toMatchObject({ total: 2, busy: 2 })
    // Growing again serves a waiter with a new resource.
    const waiting = take(pool)
    await settle()
    expect(pool.waiting).toBe(1)
    pool.resize(0, 3)
    await settle()
    expect((await waiting).resource.id).toBe(5)
    expect(pool.stats()).toMatchObject({ total: 3, busy: 3 })
    expect(() => pool.resize(3, 2)).toThrow(ConfigError)
  })

  it('end fails waiters, refuses acquires, waits for busy resources, then closes all', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 2 })
    const [a, b] = await Promise.all([take(pool), take(pool)])
    const waiting = take(pool).catch((e: unknown) => e)
    await settle()
    const ending = pool.end(5_000)
    expect(pool.closed).toBe(true)
    expect(await waiting).toBeInstanceOf(PoolClosedError)
    await expect(take(pool)).rejects.toBeInstanceOf(PoolClosedError)
    await settle(100)
    expect(fake.live.size).toBe(2)
    expect(pool.release(a)).toBe('end')
    expect(pool.release(b)).toBe('end')
    await settle(20)
    await ending
    expect(fake.live.size).toBe(0)
    expect(fake.reasons().sort()).toEqual(['end', 'end'])
    expect(pool.end()).toBe(ending)
  })

  it('end closes busy resources once its timeout passes', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake)
    await take(pool)
    const ending = pool.end(1_000)
    await settle(990)
    expect(fake.live.size).toBe(1)
    await settle(30)
    await ending
    expect(fake.live.size).toBe(0)
    expect(pool.stats().total).toBe(0)
  })

  it('records wait percentiles', async () => {
    const fake = new FakeConnector()
    const pool = makePool(fake, { max: 1 })
    const slot = await take(pool)
    pool.release(slot)
    for (let i = 0; i < 3; i++) pool.release(pool.acquire(undefined) as Slot<Fake>)
    const held = pool.acquire(undefined) as Slot<Fake>
    const waiting = take(pool)
    await settle(40)
    pool.release(held)
    pool.release(await waiting)
    const { waitMs, acquires } = pool.stats()
    expect(acquires).toBe(6)
    expect(waitMs.max).toBe(40)
    expect(waitMs.p50).toBe(0)
  })

  it('shares a busy resource with shared acquires through borrow and serveHead', async () => {
    const fake = new FakeConnector()
    const users = new Map<Slot<Fake>, number>()
    let pool!: Pool
    const hooks: ResourcePoolHooks<Fake, string | undefined> = {
      granted: (slot, _waited, _context, shared) => {
        if (shared) users.set(slot, (users.get(slot) ?? 0) + 1)
      },
      borrow: () => [...users.keys()][0],
      handedToShared: (slot) => {
        while (pool.headIsShared()) pool.serveHead(slot)
      },
    }
    pool = makePool(fake, { max: 1 }, hooks)
    const first = await pool.acquire(undefined, undefined, undefined, true)
    // Full and nobody waiting: borrowed at once.
    expect(pool.acquire(undefined, undefined, undefined, true)).toBe(first)
    expect(users.get(first)).toBe(2)
    const exclusive = take(pool)
    // Someone waits: shared acquires queue behind it.
    const shared = [1, 2].map(() => pool.acquire(undefined, undefined, undefined, true))
    await settle()
    expect(pool.waiting).toBe(3)
    pool.release(first)
    const ex = await exclusive
    expect(users.get(ex)).toBe(2)
    pool.release(ex)
    // The first shared waiter gets it, and the one behind it is served on the same resource.
    const [s1, s2] = await Promise.all(shared)
    expect(s1).toBe(first)
    expect(s2).toBe(first)
    expect(users.get(first)).toBe(4)
    expect(pool.stats().acquires).toBe(5)
  })
})
