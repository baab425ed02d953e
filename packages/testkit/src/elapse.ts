/**
 * Letting time pass, for the tests whose subject is time itself: an idle timeout or a lifetime
 * running out, a source that stalls, a server kept down for a while, a sampler's pace. Never use
 * it to wait for something to happen (a query to reach the server, a connection to go idle, an
 * event): poll that with `until` from `@tusk/testkit/until`, which does not guess how long it takes.
 */

/** Resolves after `ms` ms: only for letting time elapse, never for synchronising. */
export function elapse(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
