/**
 * The errors `pg` raises on misuse, as @tusk/core `InterfaceError`s carrying `pg`'s messages (so
 * code that matches on them keeps working), and server errors given `pg`'s plain message.
 */
import { ConnectionLost, DatabaseError, InterfaceError } from '@tusk/core'

/** pg's messages for misuse, by situation. */
export const MESSAGES = {
  nullQuery: 'Client was passed a null or undefined query',
  notQueryable: 'Client was closed and is not queryable',
  alreadyConnected: 'Client has already been connected. You cannot reuse a client.',
  noText: 'A query must have either text or a name. Supplying neither is unsupported.',
  valuesNotArray: 'Query values must be an array',
  releasedTwice: 'Release called on client which has already been released to the pool.',
  poolEnded: 'Cannot use a pool after calling end on the pool',
  poolEndedTwice: 'Called end on pool more than once',
  terminated: 'Connection terminated',
} as const

/** An InterfaceError with one of pg's misuse messages. */
export function misuse(message: string): InterfaceError {
  return new InterfaceError(message, { safeToRetry: true })
}

/**
 * A server error's `message` made the server's own text, as `pg` has it (the core adds the
 * query position to it); the core's fields (`code`, `detail`, `safeToRetry`, …) are kept.
 */
export function asPgError(error: unknown): unknown {
  if (error instanceof DatabaseError && typeof error.serverMessage === 'string') {
    error.message = error.serverMessage
  }
  return error
}

/**
 * The error a lost connection is reported with, as `pg` reports it: the server's own error when
 * it said why (e.g. 57P01 `terminating connection due to administrator command`), else the core's
 * error with pg's message `Connection terminated unexpectedly`.
 */
export function asLinkError(error: unknown): unknown {
  const cause = error instanceof Error ? error.cause : undefined
  if (cause instanceof DatabaseError && typeof cause.code === 'string') return asPgError(cause)
  if (error instanceof ConnectionLost) error.message = 'Connection terminated unexpectedly'
  return asPgError(error)
}
