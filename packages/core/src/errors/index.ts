/**
 * The public error taxonomy of @tusk/core (`errors` in the package entry): DB-API roots, client
 * errors, one class per SQLSTATE, and `lookup`/`isTransientSqlstate`. The helpers that build,
 * redact and locate errors stay internal: import them from their own files inside core.
 */
export {
  type ClientErrorContext,
  DatabaseError,
  type DatabaseErrorClass,
  DataError,
  type ErrorPhase,
  IntegrityError,
  InterfaceError,
  InternalError,
  type LockBlocker,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  type ServerErrorFields,
  type SqlstateErrorClass,
  TuskError,
  type TuskErrorOptions,
} from './base.js'
export {
  AuthenticationError,
  ConfigError,
  ConnectionClosed,
  ConnectionError,
  ConnectionLost,
  ConnectTimeout,
  HandleClosed,
  type HandleKind,
  PoolClosedError,
  PoolTimeoutError,
  PoolTooBusyError,
  ProtocolError,
  type ResultLimit,
  ResultTooLarge,
  SessionBusy,
  TlsError,
} from './client.js'
export * from './sqlstate.generated.js'
export { isTransientSqlstate, lookup, TRANSIENT_SQLSTATES } from './sqlstate.js'
