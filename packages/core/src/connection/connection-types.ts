/**
 * The public types of a connection: its state, notices and notifications, hooks, query and exec
 * options, cache settings and connect-time details. Types only.
 */
import type { ServerErrorFields, TuskError } from '../errors/base.js'
import type { FieldDescription } from '../protocol/backend.js'
import type { Writer } from '../protocol/writer.js'
import type { TlsSession } from '../runtime/transport.js'
import type { TypeOptions } from '../types/index.js'
import type { RowMode, RunInfo } from './extended-query.js'
import type { Logger } from './logger.js'
import type { RowBuilder } from './simple-query.js'

/** Where a connection stands. */
export type ConnectionState =
  | 'connecting'
  | 'idle'
  | 'busy'
  | 'in-transaction'
  | 'in-failed-transaction'
  | 'closed'

/** A notice (or warning) the server sent; same fields as an error. */
export interface Notice extends ServerErrorFields {
  message: string
}

/** A NOTIFY delivered to a channel this session listens on. */
export interface Notification {
  processId: number
  channel: string
  payload: string
}

/** How the session authenticated. */
export type AuthenticationMethod =
  | 'none'
  | 'password'
  | 'md5'
  | 'scram-sha-256'
  | 'scram-sha-256-plus'
  | 'cert'

/**
 * The connection a notice or notification arrived on, for a hook that serves many connections
 * (a pool's): `notification.processId` is the sender's backend, this is the receiver's.
 */
export interface HookSource {
  /** Backend process ID of the receiving connection (what `pg_backend_pid()` returns on it). */
  readonly processId: number
}

/** Hooks a connection calls; none of them may throw (a throw is caught and ignored). */
export interface ConnectionHooks {
  /** A NoticeResponse arrived (default: ignored); `source` is the connection it arrived on. */
  onNotice?: (notice: Notice, source: HookSource) => void
  /** A NotificationResponse arrived; `source` is the connection it arrived on. */
  onNotification?: (notification: Notification, source: HookSource) => void
  /** The connection closed; `error` says why when it was not a `close()`/`destroy()`. */
  onClose?: (error: TuskError | undefined) => void
  /** Where the driver's debug and warning lines go (default: nowhere). */
  logger?: Logger
  /** Log statements through `logger`, with their duration, rows and outcome (default: off). */
  logQueries?: QueryLogOptions
}

/**
 * Structured query logging: one line per statement at least `slowerThanMs` long, with `durationMs`,
 * `command`, `rows`, `code` (SQLSTATE) or `error` (class), `parameterCount`, `processId` and the
 * statement text with its placeholders. Parameter values are never logged.
 */
export interface QueryLogOptions {
  /** Only statements that took at least this long, in ms (default 0: every statement). */
  slowerThanMs?: number
  /** Level of a statement that succeeded (default `info`); a failed one logs at `warn`. */
  level?: 'debug' | 'info' | 'warn'
  /** `false`: leave the statement text out (default: included, placeholders only). */
  text?: boolean
}

/** Options of one query. */
export interface QueryOptions {
  /** `object` (default): rows keyed by column name, a later duplicate name wins; `array`: by position. */
  rowMode?: RowMode
  /**
   * Builds every row from its decoded values instead of `rowMode` (which it overrides): the
   * caller's row shape without an intermediate row per row (see RowBuilder). The result-size
   * guard counts the row data as usual.
   */
  rowBuilder?: RowBuilder
  /** Explicit parameter type OIDs (0 lets the server infer one). */
  paramTypes?: readonly number[]
  /** `false`: never prepare a named statement (required behind PgBouncer in transaction mode). */
  prepare?: boolean
  /**
   * Abort the query: sends a real CancelRequest and rejects with QueryCanceled (`reason: 'abort'`);
   * without an answer within the connection's `cancelGrace`, the connection is closed as lost.
   */
  signal?: AbortSignal
  /**
   * Client-side time limit in ms: a CancelRequest, then QueryCanceled (`reason: 'timeout'`);
   * without an answer within the connection's `cancelGrace`, the connection is closed as lost.
   */
  timeout?: number
  /** Server-side `statement_timeout` for this query only, in ms. */
  statementTimeout?: number
  /** Server-side `lock_timeout` for this query only, in ms. */
  lockTimeout?: number
  /** Server-side `idle_in_transaction_session_timeout` while this query's transaction lasts, in ms. */
  idleInTransactionSessionTimeout?: number
  /** Type mapping for this query only (see TypeOptions). */
  types?: TypeOptions
  /** Fail with ResultTooLarge (and cancel the statement) past this many rows. Default: off. */
  maxRows?: number
  /**
   * Fail with ResultTooLarge past this many bytes of row data. Default: the connection's (an
   * eighth of the JS heap limit unless set); 0 turns the guard off for this query.
   */
  maxBytes?: number
}

/** Options of `exec` (a simple-protocol script). */
export interface ExecOptions<R = (string | null)[]> {
  /**
   * Builds every row of every result from its values (the server's texts, null for NULL) instead
   * of keeping them as arrays: no intermediate array per row (see RowBuilder).
   */
  rowBuilder?: RowBuilder<R>
  /** Abort the script: sends a real CancelRequest and rejects with QueryCanceled (`reason: 'abort'`). */
  signal?: AbortSignal
  /** Client-side time limit in ms: a CancelRequest, then QueryCanceled (`reason: 'timeout'`). */
  timeout?: number
}

/** Connection-wide defaults for the result-size guard (per-query options win). */
export interface ResultLimits {
  /** Default `maxRows` of every query on the connection. */
  maxRows?: number
  /**
   * Default `maxBytes` of every query on the connection: when unset, an eighth of the JS heap
   * limit (where the runtime knows it); 0 turns the guard off.
   */
  maxBytes?: number
}

/** @internal Options the cursor layer adds to a query. */
export interface InternalQueryOptions extends QueryOptions {
  presetFields?: readonly FieldDescription[] | undefined
  /** Parameter types the server inferred (from a describe round trip). */
  inferredTypes?: readonly number[] | undefined
  onInfo?: ((info: RunInfo) => void) | undefined
  encodeOverride?: ((w: Writer) => void) | undefined
  /** The result formats `encodeOverride` binds (text for every column when absent). */
  resultFormats?: readonly (0 | 1)[] | undefined
  /** The operation event the query's event names as parent (a cursor's reads). */
  traceParent?: number | undefined
  /**
   * A preparatory round trip (a cursor describing its statement): no query event or log line
   * when it succeeds, since the statement itself is announced when it runs; a failure is
   * announced like any failed query.
   */
  quietUnlessFailed?: boolean | undefined
  /**
   * Nothing queued after this request is sent until it completes (see Operation.barrier): with
   * `onInfo` queuing a request `ahead`, that request runs next, as if both were one.
   */
  barrier?: boolean | undefined
  /** Queue ahead of the requests held behind the barrier now completing (see `barrier`). */
  ahead?: boolean | undefined
}

/** Why a query was canceled. */
export type CancelReason = 'abort' | 'timeout' | 'statement_timeout' | 'server'

/** Statement cache settings of a connection. */
export interface StatementCacheSettings {
  /** Most prepared statements kept per connection (default 100; 0 disables preparing). */
  statementCacheSize?: number
  /** Executions of the same SQL text before it is prepared (default 5; 0 = at once). */
  prepareThreshold?: number
  /** `false`: use unnamed statements only (PgBouncer transaction mode). Default true. */
  prepare?: boolean
}

/** Facts fixed at connect time. */
export interface ConnectionDetails {
  /** `host:port` or socket path of the server this session talks to. */
  host: string
  user: string
  database: string
  /** The TLS session, or null on a plain or Unix-socket connection. */
  tls: TlsSession | null
  authMethod: AuthenticationMethod
  /** Negotiated protocol version, `3.0` or `3.2`. */
  protocolVersion: string
}
