/**
 * What the pool keeps per PostgreSQL connection on top of the resource pool's slot: the
 * `pool.query` statements pipelined on it and the leak timer of its current checkout.
 */
import type { Connection } from '../connection/connection.js'
import type { Slot } from './resource-pool.js'

/** A pooled connection: the resource of the pool's ResourcePool. */
export interface PooledConnection {
  readonly conn: Connection
  /** `pool.query` statements in flight on this connection while shared (0: idle or exclusive). */
  queries: number
  /** Date.now() of the last answer while shared: a connection that stalls gets no more. */
  progressAt: number
  /** Warns of a checkout held past `leakDetectionThreshold` (set only with that option). */
  leakTimer: ReturnType<typeof setTimeout> | undefined
  /** How long opening it took (connect, type registration, init hook), in ms. */
  readonly createMs: number
}

/** A slot of the pool: one connection and its bookkeeping. */
export type PoolSlot = Slot<PooledConnection>
