/**
 * A connection checked out of the pool (`pool.connect()`): the whole session surface, and a
 * `release()` that hands the connection back exactly once.
 */

import { asyncDispose } from '../session/dispose.js'
import { Session } from '../session/session.js'
import type { PoolSlot } from './pooled-connection.js'

const RESOLVED: Promise<void> = Promise.resolve()

/**
 * A checked-out connection: the whole session surface (see Session). Give it back with
 * `release()` (or `await using`); every call after that throws HandleClosed and never touches
 * the connection's next user.
 */
export class PoolClient extends Session {
  #slot: PoolSlot | undefined
  readonly #give: (slot: PoolSlot, error: unknown) => void

  /** @internal Hands `slot` out; `give` takes it back on release. */
  static checkout(slot: PoolSlot, give: (slot: PoolSlot, error: unknown) => void): PoolClient {
    return new PoolClient(slot, give)
  }

  /** Pool clients come from `pool.connect()`. */
  private constructor(slot: PoolSlot, give: (slot: PoolSlot, error: unknown) => void) {
    super(slot.resource.conn)
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
