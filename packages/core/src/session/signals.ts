/**
 * Abort signals the session layer combines: a caller's signal, a time limit, or both. Pure
 * JavaScript (AbortController and timers), no runtime module.
 */

/** A signal aborted when either input is (`AbortSignal.any` needs Node 20.3). */
export function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const c = new AbortController()
  if (a.aborted || b.aborted) {
    c.abort(a.aborted ? a.reason : b.reason)
    return c.signal
  }
  const onA = (): void => c.abort(a.reason)
  const onB = (): void => c.abort(b.reason)
  a.addEventListener('abort', onA, { once: true })
  b.addEventListener('abort', onB, { once: true })
  c.signal.addEventListener(
    'abort',
    () => {
      a.removeEventListener('abort', onA)
      b.removeEventListener('abort', onB)
    },
    { once: true },
  )
  return c.signal
}

/** A signal with its timer, to be disposed when the work it bounds is done. */
export interface Deadline {
  readonly signal: AbortSignal
  /** Stops the timer and forgets the caller's signal. */
  dispose(): void
}

/**
 * A signal that aborts when `signal` does or after `timeout` ms (reason: a `TimeoutError`
 * DOMException), or undefined when neither is given. Dispose it once the work is done.
 */
export function deadlineSignal(
  signal: AbortSignal | undefined,
  timeout: number | undefined,
): Deadline | undefined {
  if (timeout === undefined) return signal ? { signal, dispose() {} } : undefined
  const c = new AbortController()
  const timer = setTimeout(
    () => c.abort(new DOMException(`timed out after ${timeout} ms`, 'TimeoutError')),
    timeout,
  )
  const onAbort = (): void => c.abort(signal?.reason)
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: c.signal,
    dispose() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    },
  }
}
