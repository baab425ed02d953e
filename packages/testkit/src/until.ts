/**
 * Polling instead of fixed sleeps: tests wait for a condition, bounded, and fail with a message
 * that says what never happened.
 */

/** Options of {@link until}. */
export interface UntilOptions {
  /** Give up after this many ms (default 5 000). */
  timeout?: number
  /** Pause between two checks in ms (default 10). */
  interval?: number
  /** What is awaited, for the error message. */
  what?: string
}

/**
 * Resolves once `check` returns true (it may be async), checking every `interval` ms; rejects
 * after `timeout` ms (a number is taken as the timeout). A throw in `check` rejects at once.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  options: number | UntilOptions = {},
): Promise<void> {
  const o = typeof options === 'number' ? { timeout: options } : options
  const timeout = o.timeout ?? 5_000
  const interval = o.interval ?? 10
  const deadline = Date.now() + timeout
  for (;;) {
    if (await check()) return
    if (Date.now() >= deadline) {
      throw new Error(`until: ${o.what ?? 'condition'} not reached within ${timeout} ms`)
    }
    await new Promise((r) => setTimeout(r, interval))
  }
}
