/**
 * The error for a COMMIT that the server answered with ROLLBACK. Kysely has a class for it only
 * from 0.28.19 and 0.29.8 on, so it is looked up at run time through the namespace: a named
 * import of a binding that the installed Kysely lacks is a SyntaxError when the ESM build loads.
 */
import { errors } from '@tusk/core'
import * as kysely from 'kysely'

/** What Kysely's `AbortedTransactionError` looks like where it exists. */
type KyselyAbortedClass = new (options?: { cause?: unknown }) => Error

/**
 * Kysely's `AbortedTransactionError`, or undefined on a Kysely without it. `Reflect.get` keeps
 * bundlers from turning the property read back into a named import; `in` asks first, as a module
 * namespace answers it without throwing (a test's module mock throws on a missing export).
 */
const kyselyAborted: KyselyAbortedClass | undefined = (() => {
  if (!('AbortedTransactionError' in kysely)) return undefined
  const found: unknown = Reflect.get(kysely, 'AbortedTransactionError')
  return typeof found === 'function' ? (found as KyselyAbortedClass) : undefined
})()

/**
 * Thrown by the dialect on a Kysely that has no `AbortedTransactionError`: the COMMIT rolled the
 * transaction back. It is a @tusk/core `InFailedSqlTransaction`, its `cause` the error that failed
 * the transaction (when the dialect saw it).
 */
export class AbortedTransactionError extends errors.InFailedSqlTransaction {
  static override readonly kind: string = 'AbortedTransactionError'
}

/**
 * The error to throw for a COMMIT that rolled back: Kysely's `AbortedTransactionError` (so that
 * Kysely marks the transaction aborted) with a @tusk/core `InFailedSqlTransaction` as its cause,
 * or, on a Kysely without that class, the dialect's own {@link AbortedTransactionError}.
 */
export function commitRolledBack(failure: unknown): Error {
  const failed =
    failure instanceof Error ? ` (${failure.name}: ${failure.message.split('\n')[0]})` : ''
  const message = `COMMIT rolled back the transaction because a statement in it had failed${failed}`
  const options = {
    phase: 'query' as const,
    query: 'commit',
    ...(failure instanceof errors.TuskError && failure.host !== undefined
      ? { host: failure.host }
      : {}),
    ...(failure !== undefined ? { cause: failure } : {}),
  }
  if (kyselyAborted === undefined) return new AbortedTransactionError(message, options)
  const cause = new errors.InFailedSqlTransaction(message, options)
  const aborted = new kyselyAborted({ cause })
  // 0.28.19's constructor takes no options.
  if (aborted.cause === undefined) {
    Object.defineProperty(aborted, 'cause', { value: cause, configurable: true, writable: true })
  }
  return aborted
}
