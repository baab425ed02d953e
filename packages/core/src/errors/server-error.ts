/**
 * Turns a server ErrorResponse into the right error class, with the server's fields and the
 * client's context. Pure: imports only the taxonomy beside it.
 */
import {
  DatabaseError,
  type ErrorPhase,
  type ServerErrorFields,
  type TuskErrorOptions,
} from './base.js'
import { renderQueryPosition } from './query-position.js'
import { redactSecrets } from './redact.js'
import { isTransientSqlstate, lookup } from './sqlstate.js'

/** The ErrorResponse fields copied onto the error, under the names `pg` uses. */
export const SERVER_ERROR_FIELDS = [
  'code',
  'severity',
  'severityNonLocalized',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const satisfies readonly (keyof ServerErrorFields & keyof DatabaseError)[]

/** Phases in which no statement of the user's has been sent yet. */
const BEFORE_ANY_STATEMENT: ReadonlySet<ErrorPhase> = new Set([
  'config',
  'connect',
  'tls',
  'authenticate',
  'startup',
])

/**
 * What ended a session or statement the server ended on its own, naming the setting or event to
 * look at: the server's message alone ("terminating connection due to …") leaves that to guess.
 */
const TERMINATION_CAUSES: Readonly<Record<string, string>> = {
  '25P03':
    'the server setting idle_in_transaction_session_timeout ended a session left idle inside a transaction',
  '57P05': 'the server setting idle_session_timeout ended a session left idle',
  '57P01':
    'an administrator or pg_terminate_backend() ended the session, or the server is shutting down (fast or smart)',
  '57P02': 'the server shut down in immediate mode, or another server process crashed',
  '57P04': 'the database was dropped',
}

/** A standby's recovery conflict (SQLSTATE 40001 with this message) names its settings too. */
const RECOVERY_CONFLICT =
  'the standby canceled the statement because it conflicted with WAL replay; see max_standby_streaming_delay and hot_standby_feedback'

/**
 * Builds the error for a server ErrorResponse: the class `lookup(fields.code)` gives, every
 * server field copied to a property of the same name (strings redacted, absent fields left unset),
 * and the client context (`query`, `host`, `phase`, `inDoubt`, `parameters`, `cause`, …).
 *
 * - `message` is the server's message; when `position` is set and `context.query` is known, the
 *   psql-style `LINE n: …` line and a caret under the position follow it on new lines. The
 *   server's message alone stays in the non-enumerable `serverMessage`.
 * - `transient` defaults to `isTransientSqlstate(code)`; `safeToRetry` defaults to true only in the
 *   phases before any statement is sent (config, connect, tls, authenticate, startup). Values
 *   given in `context` win.
 */
export function fromServerError(
  fields: ServerErrorFields,
  context: TuskErrorOptions = {},
): DatabaseError {
  const code = fields.code
  const ErrorClass = code === undefined ? DatabaseError : lookup(code)
  const serverMessage =
    fields.message ?? (code === undefined ? 'server error' : `server error ${code}`)
  let message = serverMessage
  const why =
    code === '40001' && /conflict with recovery/i.test(serverMessage)
      ? RECOVERY_CONFLICT
      : code === undefined
        ? undefined
        : TERMINATION_CAUSES[code]
  if (why !== undefined) message += ` (${why})`
  if (fields.position !== undefined && context.query !== undefined) {
    const rendered = renderQueryPosition(context.query, fields.position)
    if (rendered !== undefined) message += `\n${rendered}`
  }
  const err = new ErrorClass(message, {
    ...context,
    transient: context.transient ?? isTransientSqlstate(code),
    safeToRetry:
      context.safeToRetry ??
      (context.phase !== undefined && BEFORE_ANY_STATEMENT.has(context.phase)),
  })
  for (const name of SERVER_ERROR_FIELDS) {
    const value = fields[name]
    if (value !== undefined) err[name] = redactSecrets(value)
  }
  Object.defineProperty(err, 'serverMessage', {
    value: redactSecrets(serverMessage),
    enumerable: false,
    writable: true,
    configurable: true,
  })
  return err
}
