/**
 * SQLSTATE → error class, and which SQLSTATEs a retry can cure.
 * Pure data: imports only the taxonomy roots and the generated tables.
 */
import { DatabaseError, type DatabaseErrorClass } from './base.js'
import { SQLSTATE_CLASS_BASES, SQLSTATE_ERRORS } from './sqlstate-tables.generated.js'

/**
 * The class for a SQLSTATE: its generated class (`23505` → `UniqueViolation`); for a code this
 * table does not know, the DB-API parent of its class (`23xyz` → `IntegrityError`, as psycopg
 * does, by two characters and then one for the letter classes); else `DatabaseError`.
 * Case-insensitive; never throws.
 */
export function lookup(sqlstate: string): DatabaseErrorClass {
  const code = sqlstate.toUpperCase()
  return (
    SQLSTATE_ERRORS.get(code) ??
    SQLSTATE_CLASS_BASES.get(code.slice(0, 2)) ??
    SQLSTATE_CLASS_BASES.get(code.slice(0, 1)) ??
    DatabaseError
  )
}

/**
 * SQLSTATEs that a retry on a new transaction or connection can cure: serialization failure,
 * deadlock, lock timeout (`lock_timeout`/NOWAIT), too many connections, admin or crash shutdown,
 * server starting up or shutting down, plus every class 08 connection exception.
 * QueryCanceled (57014) is not here: a cancel is the user's or a `statement_timeout`'s doing, and
 * running the same statement again would most likely be canceled again.
 */
export const TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
])

/** Whether a retry can cure the failure a SQLSTATE reports (see `TRANSIENT_SQLSTATES`). */
export function isTransientSqlstate(sqlstate: string | undefined): boolean {
  if (sqlstate === undefined) return false
  const code = sqlstate.toUpperCase()
  return code.startsWith('08') || TRANSIENT_SQLSTATES.has(code)
}
