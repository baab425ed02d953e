/**
 * When a failed query may be run again: a cached statement the server no longer matches. Pure.
 */
import type { DatabaseError } from '../errors/base.js'

/** Retryable statement errors: the cached statement no longer matches the server. */
export function staleStatementReason(err: DatabaseError): string | undefined {
  if (err.code === '26000')
    return 'the server does not know the statement (26000; a pooler may have moved the session)'
  if (err.code === '42P05') return 'the server already has a statement of that name (42P05)'
  if (
    err.code === '0A000' &&
    /cached plan must not change result type/.test(err.serverMessage ?? err.message)
  ) {
    return 'its cached plan changed result type after DDL (0A000)'
  }
  return undefined
}
