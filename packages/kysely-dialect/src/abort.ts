/**
 * Abort plumbing shared by the driver and its connections: the structural option type Kysely
 * 0.29 passes (kept local so that Kysely 0.28 users type-check too) and a race that lets a caller
 * stop waiting while the operation it started finishes in the background.
 */

/** Kysely 0.29's `AbortableOperationOptions`, structurally. */
export interface AbortOptions {
  /** Aborting it stops the operation, or stops waiting for it (see each method). */
  readonly signal?: AbortSignal | undefined
}

/** Throws the signal's reason when it has already fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason
}

/**
 * Resolves with `work`, or rejects with the signal's reason as soon as it fires; in that case
 * `late` receives `work` so the caller can clean up what it produces (release a connection).
 */
export function raceAbort<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  late: (work: Promise<T>) => void,
): Promise<T> {
  if (signal === undefined) return work
  if (signal.aborted) {
    late(work)
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      late(work)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}
