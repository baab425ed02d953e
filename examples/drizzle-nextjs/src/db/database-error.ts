/**
 * The @tusk/core error behind a failed statement. drizzle-orm wraps a statement's failure in its
 * `DrizzleQueryError`, whose `cause` is the driver's error: one class per SQLSTATE
 * (`errors.UniqueViolation` for 23505, ...), with pg's field names (`code`, `constraint`, ...).
 */
import { errors } from '@tusk/core'

/** `err` itself or its `cause` when that is a server-reported error; undefined otherwise. */
export function databaseError(err: unknown): errors.DatabaseError | undefined {
  if (err instanceof errors.DatabaseError) return err
  const cause = (err as { cause?: unknown } | null)?.cause
  return cause instanceof errors.DatabaseError ? cause : undefined
}
