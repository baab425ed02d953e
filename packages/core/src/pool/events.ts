/**
 * The pool's events: connect, acquire, release, remove and background errors, for whoever
 * subscribes (`pool.on(...)`). A listener that throws is ignored: an event never kills the
 * process, unlike an unhandled EventEmitter `'error'`.
 */
import type { TuskError } from '../errors/base.js'
import type { DestroyReason } from './resource-pool.js'

/** Why a connection left the pool (defined with the resource pool that counts it). */
export type { DestroyReason }

/** What each pool event carries. */
export interface PoolEvents {
  /** A new connection opened (and passed `init`). */
  connect: { processId: number; host: string }
  /** A connection was handed to a checkout or a `pool.query` statement; `waitMs` it waited. */
  acquire: { processId: number; waitMs: number }
  /** A checked-out connection came back; `error` is what it was released with, if anything. */
  release: { processId: number; error: unknown }
  /** A connection left the pool, and why. */
  remove: { processId: number; reason: DestroyReason }
  /** Something failed in the background (an idle connection lost, a refill that failed). */
  error: TuskError
}

/** A pool event's name. */
export type PoolEventName = keyof PoolEvents

/** Listeners per event; `has` is cheap enough to test on every checkout. */
export class PoolEventHub {
  readonly #listeners = new Map<PoolEventName, Set<(event: never) => void>>()

  /** Adds `listener` for `name`; the returned function removes it. */
  on<K extends PoolEventName>(name: K, listener: (event: PoolEvents[K]) => void): () => void {
    const set = this.#listeners.get(name) ?? new Set()
    this.#listeners.set(name, set)
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }

  /** True when `name` has a listener. */
  has(name: PoolEventName): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0
  }

  /** Calls every listener of `name` with `event`; throws are swallowed. */
  emit<K extends PoolEventName>(name: K, event: PoolEvents[K]): void {
    const set = this.#listeners.get(name) as Set<(event: PoolEvents[K]) => void> | undefined
    if (set === undefined) return
    for (const listener of set) {
      try {
        listener(event)
      } catch {}
    }
  }
}
