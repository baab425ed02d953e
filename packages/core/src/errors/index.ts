/**
 * The error taxonomy of @tusk/core: DB-API roots, client errors, one class per SQLSTATE, and the
 * helpers that build, redact and locate errors. Pure: no I/O, imports nothing outside errors/.
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
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  type ServerErrorFields,
  type SqlstateErrorClass,
  TuskError,
  type TuskErrorOptions,
} from './base.js'
export { attachCallSite, CALL_SITE_SEPARATOR, type CallSite, captureCallSite } from './call-site.js'
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
  TlsError,
} from './client.js'
export { formatParameter, formatParameters } from './parameters.js'
export { renderQueryPosition } from './query-position.js'
export { REDACTED, redactSecrets } from './redact.js'
export { fromServerError, SERVER_ERROR_FIELDS } from './server-error.js'
export * from './sqlstate.generated.js'
export { isTransientSqlstate, lookup, TRANSIENT_SQLSTATES } from './sqlstate.js'
