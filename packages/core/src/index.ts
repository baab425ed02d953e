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
export {
  type CancelReason,
  Connection,
  type QueryOptions,
  type StatementCacheSettings,
} from './connection/connection.js'
export type { QueryResult, RowMode } from './connection/extended-query.js'
export type { Logger } from './connection/logger.js'
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
export type {
  CopyFromOptions,
  CopyResult,
  CopySource,
  CopyToOptions,
} from './copy/copy.js'
export type { CopyFormat } from './copy/row-encoder.js'
export { Cursor, type CursorOptions } from './cursor/cursor.js'
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
  PoolClosedError,
  PoolTimeoutError,
  PoolTooBusyError,
  ProgrammingError,
  ProtocolError,
  ResultTooLarge,
  TlsError,
  TuskError,
} from './errors/index.js'
export { MAX_NOTIFY_PAYLOAD_BYTES, type NotificationHandler } from './listen/listener.js'
export {
  createPool,
  type DestroyReason,
  Pool,
  type PoolClient,
  type PoolOptions,
  type PoolQueryOptions,
  type PoolStats,
} from './pool/pool.js'
export type { CryptoRuntime } from './runtime/crypto.js'
export { CHANNELS } from './runtime/diagnostics.js'
export type {
  TlsOptions,
  TlsSession,
  Transport,
  TransportFactory,
  TransportHandlers,
  TransportOptions,
  TransportTarget,
} from './runtime/transport.js'
export {
  escapeIdentifier,
  escapeLiteral,
  isSqlFragment,
  MAX_PARAMETERS,
  type Sql,
  type SqlFragment,
  sql,
} from './sql/index.js'
export type {
  IsolationLevel,
  Transaction,
  TransactionOptions,
} from './transaction/transaction.js'
export {
  CATALOG_QUERY,
  type CatalogTypeRow,
  type Circle,
  type CustomCodec,
  defaultTypes,
  Interval,
  type Line,
  OID,
  type Path,
  PgTimestamp,
  type Point,
  Range,
  type TypeOptions,
  TypeRegistry,
} from './types/index.js'
