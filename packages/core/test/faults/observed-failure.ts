/**
 * What a call against a hostile server exposes when it fails: the error, how long the failure
 * took, and every rendering of it (to prove the password never shows), plus a watch on
 * unhandled rejections for the test files that script such servers.
 */
import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'

/** A password no real text contains; every hostile case connects with it. */
export const SECRET = `Hostile${randomBytes(8).toString('hex')}Pw`

/** A settled failure: the rejection and the milliseconds from the call to it. */
export interface Failure {
  error: unknown
  ms: number
}

/**
 * Awaits `run()` and returns its rejection with the elapsed time. A call that resolves is a
 * test failure (the hostile server should never have been accepted).
 */
export async function failureOf(run: () => Promise<unknown>): Promise<Failure> {
  const start = performance.now()
  try {
    await run()
  } catch (error) {
    return { error, ms: performance.now() - start }
  }
  throw new Error('the call resolved against a hostile server; expected a rejection')
}

/** Every way an error and its causes can be shown: message, stack, inspect, JSON. */
export function renderings(err: unknown): string {
  const out: string[] = [inspect(err, { depth: 20, showHidden: true, getters: true })]
  for (let e: unknown = err, i = 0; e instanceof Error && i < 10; e = e.cause, i++) {
    let json = ''
    try {
      json = JSON.stringify(e) ?? ''
    } catch {}
    out.push(e.message, String(e), e.stack ?? '', json)
  }
  return out.join('\n')
}

/** Unhandled rejections seen since the file loaded; a case asserts this stays empty. */
export const unhandledRejections: unknown[] = []
process.on('unhandledRejection', (e) => unhandledRejections.push(e))
