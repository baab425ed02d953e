/**
 * The error for a COMMIT the server answered with ROLLBACK: a statement of the transaction had
 * failed, so nothing was kept. Knex's pg client resolves such a COMMIT as if it had committed.
 */
import { errors } from '@tusk/core'

/** An InFailedSqlTransaction whose `cause` is the error that failed the transaction, if known. */
export function commitRolledBack(failure: unknown, query: string): errors.InFailedSqlTransaction {
  const failed =
    failure instanceof Error ? ` (${failure.name}: ${failure.message.split('\n')[0]})` : ''
  return new errors.InFailedSqlTransaction(
    `COMMIT rolled back the transaction because a statement in it had failed${failed}`,
    {
      phase: 'query',
      query,
      ...(failure instanceof errors.TuskError && failure.host !== undefined
        ? { host: failure.host }
        : {}),
      ...(failure !== undefined ? { cause: failure } : {}),
    },
  )
}
