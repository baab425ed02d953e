// The public API that does not depend on the runtime: types, errors, sql, type codecs. Every
// runtime's entry (`index.ts` for Node, `bun.ts`, `deno.ts`, `workerd.ts`, `default.ts`)
// re-exports it and adds `connect`, `createPool`, `createCluster` and `runtimeEntry`.

/**
 * `O` with every key that `T` does not declare typed `never`: options kept in a variable get the
 * compiler's unknown-key check that object literals get (`{ max: 5, sslmode: 'require' }`).
 */
export type OnlyKnownKeys<O, T> = O & { [K in Exclude<keyof O, keyof T>]: never }

export type { Cluster, ClusterOptions, ReadTarget } from './cluster/cluster.js'
export type {
  ReadPlacement,
  ReadYourWritesOptions,
  ReadYourWritesScope,
} from './cluster/read-your-writes.js'
export type { ConnectOptions } from './connection/connect.js'
export type {
  AuthenticationMethod,
  CancelReason,
  ConnectionDetails,
  ConnectionHooks,
  ConnectionState,
  ExecOptions,
  HookSource,
  Notice,
  Notification,
  QueryEvent,
  QueryLogOptions,
  QueryOptions,
  ResultLimits,
  StatementCacheSettings,
} from './connection/connection.js'
export type { QueryResult, RowMode } from './connection/extended-query.js'
export type { Logger } from './connection/logger.js'
export type {
  OperationEndEvent,
  OperationEvent,
  OperationKind,
} from './connection/operation-trace.js'
export type { PoolerMode } from './connection/pooler.js'
export type { CloseOptions } from './connection/request-pump.js'
export type { FieldInfo, RowBuilder, SimpleQueryResult } from './connection/simple-query.js'
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
export { type CopyToItem, CopyToIterable } from './copy/copy-to-iterable.js'
export type { CopyFormat } from './copy/row-encoder.js'
export { Cursor, type CursorOptions } from './cursor/cursor.js'
export type { RuntimeEntry } from './entry.js'
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
  HandleClosed,
  IntegrityError,
  InterfaceError,
  InternalError,
  type LockBlocker,
  NotSupportedError,
  OperationalError,
  PoolClosedError,
  PoolTimeoutError,
  PoolTooBusyError,
  ProgrammingError,
  ProtocolError,
  ResultTooLarge,
  SessionBusy,
  TlsError,
  TuskError,
} from './errors/index.js'
export { MAX_NOTIFY_PAYLOAD_BYTES, type NotificationHandler } from './listen/listener.js'
export type { DestroyReason, PoolEventName, PoolEvents } from './pool/events.js'
export type {
  AcquireOptions,
  PoolHealth,
  PoolOptions,
  PoolQueryOptions,
  PoolStats,
} from './pool/options.js'
export { Pool } from './pool/pool.js'
export { PoolClient } from './pool/pool-client.js'
export type { CryptoRuntime } from './runtime/crypto.js'
export { CHANNELS } from './runtime/diagnostics.js'
export type { ReadBytes, Runtime } from './runtime/runtime.js'
export type {
  TlsOptions,
  TlsSession,
  Transport,
  TransportFactory,
  TransportHandlers,
  TransportOptions,
  TransportTarget,
} from './runtime/transport.js'
export type { NotifyOptions, Queryable } from './session/queryable.js'
export { Session } from './session/session.js'
export {
  escapeIdentifier,
  escapeLiteral,
  hasMultipleStatements,
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
