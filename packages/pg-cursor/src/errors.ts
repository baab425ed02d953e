/**
 * Errors as @tusk/pg-compat hands them out: the core's classes, a server error's `message` made
 * the server's own text (as `pg` has it), every other field kept.
 */
import { DatabaseError } from '@tusk/core'

/** `error` as an Error with `pg`'s message for server errors (the same object, adjusted). */
export function asPgError(error: unknown): Error {
  if (error instanceof DatabaseError && typeof error.serverMessage === 'string') {
    error.message = error.serverMessage
  }
  return error instanceof Error ? error : new Error(String(error))
}
