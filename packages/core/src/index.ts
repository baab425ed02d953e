/**
 * @tusk/core — a PostgreSQL driver for TypeScript: the wire protocol, connections, TLS and SCRAM,
 * libpq connection strings and a typed error taxonomy. Everything a user imports comes from here.
 * @packageDocumentation
 */

export { type ConnectOptions, connect, type Runtime } from './connection/connect.js'
export type {
  AuthenticationMethod,
  ConnectionDetails,
  ConnectionHooks,
  ConnectionState,
  Notice,
  Notification,
} from './connection/connection.js'
export { Connection } from './connection/connection.js'
export type { FieldInfo, SimpleQueryResult } from './connection/simple-query.js'
export type {
  ConnectionConfig,
  ConnectionInput,
  ConnectionOptions,
  HostTarget,
  ResolveContext,
} from './conninfo/index.js'
export {
  describeConfig,
  parseConnectionString,
  redactConnectionString,
  resolveConfig,
} from './conninfo/index.js'
/** The whole error taxonomy: one class per SQLSTATE (`errors.UniqueViolation`), `errors.lookup`. */
export * as errors from './errors/index.js'
export {
  AuthenticationError,
  ConfigError,
  ConnectionClosed,
  ConnectionError,
  ConnectionLost,
  ConnectTimeout,
  DatabaseError,
  DataError,
  IntegrityError,
  InterfaceError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  ProtocolError,
  TlsError,
  TuskError,
} from './errors/index.js'
export type { CryptoRuntime } from './runtime/crypto.js'
export type {
  TlsOptions,
  TlsSession,
  Transport,
  TransportFactory,
  TransportHandlers,
  TransportOptions,
  TransportTarget,
} from './runtime/transport.js'
