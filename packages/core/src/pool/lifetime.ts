/**
 * When a pooled connection retires for age: `maxLifetime` with jitter, so connections opened
 * together (a pool's `min`, a refill after a failover) do not all reconnect at once. Pure.
 */

/** The jitter on `maxLifetime`: each connection lives 90 % to 110 % of it. */
export const LIFETIME_JITTER = 0.1

/**
 * Date.now() past which a connection created at `createdAt` is retired when next idle:
 * `maxLifetime` ms ±10 %, placed by `random` (in [0, 1), Math.random by default); never for a
 * `maxLifetime` of 0 or less.
 */
export function lifetimeExpiry(
  createdAt: number,
  maxLifetime: number,
  random: () => number = Math.random,
): number {
  if (!(maxLifetime > 0)) return Number.POSITIVE_INFINITY
  return createdAt + maxLifetime * (1 - LIFETIME_JITTER + random() * 2 * LIFETIME_JITTER)
}
