/** Shared bits of the pg-compat tests: polling with a bound, and a superuser session for setup. */
import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `check` every 20 ms until it holds; fails after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(20)
  }
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}
