/**
 * One server session: the message pump, the FIFO of pending requests, parameter status, notices,
 * notifications and the state machine. Built by `connect()`; touches I/O only through a Transport.
 */

import type { Readable } from 'node:stream'
import {
  type CopyFromOptions,
  type CopyResult,
  type CopySource,
  type CopyToOptions,
  copyFrom,
  copyTo,
} from '../copy/copy.js'
import { Cursor, type CursorOptions } from '../cursor/cursor.js'
import {
  type DatabaseError,
  type ErrorPhase,
  InterfaceError,
  type ServerErrorFields,
  type TuskError,
} from '../errors/base.js'
import { attachCallSite, type CallSite, captureCallSite } from '../errors/call-site.js'
import { ConnectionClosed, ConnectionLost, ProtocolError } from '../errors/client.js'
import { fromServerError } from '../errors/server-error.js'
import { InFailedSqlTransaction, QueryCanceled } from '../errors/sqlstate.generated.js'
import { checkNotifyPayload } from '../listen/listener.js'
import type { BackendMessage, FieldDescription, TransactionStatus } from '../protocol/backend.js'
import { BackendDecoder } from '../protocol/decoder.js'
import {
  encodeClose,
  encodeCopyFail,
  encodeDescribe,
  encodeParse,
  encodeQuery,
  encodeSync,
  TERMINATE_FRAME,
} from '../protocol/frontend.js'
import { Writer } from '../protocol/writer.js'
import { CHANNELS, channel } from '../runtime/diagnostics.js'
import type { TlsSession, Transport } from '../runtime/transport.js'
import { isSqlFragment, MAX_PARAMETERS, type SqlFragment } from '../sql/fragment.js'
import { startsWithKeyword } from '../sql/keyword.js'
import {
  beginStatement,
  runSavepoint,
  runTransaction,
  type Transaction,
  type TransactionOptions,
} from '../transaction/transaction.js'
import {
  CATALOG_QUERY,
  type CatalogTypeRow,
  inferredParameterOid,
  type TypeOptions,
  type TypeRegistry,
} from '../types/index.js'
import {
  ExtendedQueryOperation,
  preferredFormats,
  type QueryResult,
  type RowMode,
  type RunInfo,
} from './extended-query.js'
import { type Logger, log } from './logger.js'
import type { Operation } from './operation.js'
import { highestPlaceholder } from './placeholders.js'
import { encodeQueryBatch, type PerQuerySettings } from './query-batch.js'
import { SimpleQueryOperation, type SimpleQueryResult } from './simple-query.js'
import { type CachedStatement, StatementCache, type StatementPlan } from './statement-cache.js'

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

/** Hooks a connection calls; none of them may throw (a throw is caught and ignored). */
export interface ConnectionHooks {
  /** A NoticeResponse arrived (default: ignored). */
  onNotice?: (notice: Notice) => void
  /** A NotificationResponse arrived. */
  onNotification?: (notification: Notification) => void
  /** The connection closed; `error` says why when it was not a `close()`/`destroy()`. */
  onClose?: (error: TuskError | undefined) => void
  /** Where the driver's debug and warning lines go (default: nowhere). */
  logger?: Logger
}

/** Options of one query. */
export interface QueryOptions {
  /** `object` (default): rows keyed by column name, a later duplicate name wins; `array`: by position. */
  rowMode?: RowMode
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
  /** Fail with ResultTooLarge past this many bytes of row data. Default: off. */
  maxBytes?: number
}

/** Connection-wide defaults for the result-size guard (per-query options win). */
export interface ResultLimits {
  /** Default `maxRows` of every query on the connection. */
  maxRows?: number
  /** Default `maxBytes` of every query on the connection. */
  maxBytes?: number
}

/**
 * True for a parameter whose encoding depends on the column type: an array or a plain object
 * (a JS array is a PostgreSQL array for int4[] but JSON for json; an object is JSON, a point,
 * a composite…). Values with `toPostgres()`, Dates and bytes encode the same for every type.
 */
function needsTypeInfo(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  if (value instanceof Date || value instanceof Uint8Array) return false
  return typeof (value as { toPostgres?: unknown }).toPostgres !== 'function'
}

const PARAM_TYPE_CACHE_SIZE = 500
const PLACEHOLDER_CACHE_SIZE = 500

const NO_OPTIONS: InternalQueryOptions = Object.freeze({})
const UNNAMED: StatementPlan = Object.freeze({ kind: 'unnamed' })

/** Stops a query's timer and abort listener once it settled. */
function cleanup(
  timer: ReturnType<typeof setTimeout> | undefined,
  onAbort: (() => void) | undefined,
  signal: AbortSignal | undefined,
): void {
  if (timer) clearTimeout(timer)
  if (onAbort) signal?.removeEventListener('abort', onAbort)
}

/** Result formats of a ready cached statement, worked out once per statement and registry. */
const formatMemo = new WeakMap<CachedStatement, { codecs: TypeRegistry; formats: (0 | 1)[] }>()

function resultFormats(codecs: TypeRegistry, statement: CachedStatement): (0 | 1)[] {
  const memo = formatMemo.get(statement)
  if (memo !== undefined && memo.codecs === codecs) return memo.formats
  const formats = preferredFormats(codecs, statement.fields!)
  formatMemo.set(statement, { codecs, formats })
  return formats
}

/** @internal Options the cursor layer adds to a query. */
export interface InternalQueryOptions extends QueryOptions {
  presetFields?: readonly FieldDescription[] | undefined
  /** Parameter types the server inferred (from a describe round trip). */
  inferredTypes?: readonly number[] | undefined
  onInfo?: ((info: RunInfo) => void) | undefined
  encodeOverride?: ((w: Writer) => void) | undefined
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

/** Internal: what `connect()` hands to the constructor. */
export interface ConnectionInit {
  transport: Transport
  host: string
  maxMessageSize?: number
  hooks?: ConnectionHooks
  types: TypeRegistry
  cache?: StatementCacheSettings
  limits?: ResultLimits
  /** Capture the caller's stack when a query is issued, not when it fails. */
  eagerStacks?: boolean
  /** How long a canceled query may go unanswered before the link is taken as dead (ms). */
  cancelGrace?: number
}

/** Default `cancelGrace`: a CancelRequest's round trip plus the server noticing it, with room. */
export const DEFAULT_CANCEL_GRACE_MS = 2_000

/** Retryable statement errors: the cached statement no longer matches the server. */
function staleStatementReason(err: DatabaseError): string | undefined {
  if (err.code === '26000')
    return 'the server does not know the statement (26000; a pooler may have moved the session)'
  if (err.code === '42P05') return 'the server already has a statement of that name (42P05)'
  if (
    err.code === '0A000' &&
    /cached plan must not change result type/.test(err.serverMessage ?? err.message)
  ) {
    return 'its cached plan changed result type after DDL (0A000)'
  }
  return undefined
}

const queryStart = channel(CHANNELS.queryStart)
const queryEnd = channel(CHANNELS.queryEnd)
const queryError = channel(CHANNELS.queryError)

/** A pending extended query with what cancel and timeouts need. */
type Cancellable = ExtendedQueryOperation<unknown> & { cancelPending?: boolean }

const SEVERE = new Set(['FATAL', 'PANIC'])
const COPY = ['copy']
const COPY_WORD = /\bcopy\b/i
const CLOSE_TIMEOUT_MS = 5_000

/**
 * A connection to one PostgreSQL server session. Requests are queued FIFO and written without
 * waiting for earlier answers; each request gets the backend messages up to its ReadyForQuery.
 * Failures go to whoever awaits: nothing here emits an unhandled `error` event.
 */
export class Connection {
  readonly #transport: Transport
  readonly #decoder: BackendDecoder
  readonly #writer = new Writer()
  readonly #ops: Operation[] = []
  readonly #parameters = new Map<string, string>()
  readonly #hooks: ConnectionHooks
  #types: TypeRegistry
  readonly #cache: StatementCache
  readonly #prepare: boolean
  readonly #limits: ResultLimits
  readonly #eagerStacks: boolean
  readonly #cancelGrace: number
  #cancelInFlight = false
  /** A barrier request is in flight: later requests wait in `#held` (bytes, request). */
  #holding = false
  readonly #held: { bytes: Uint8Array; op: Operation }[] = []
  /**
   * Requests whose bytes are in `#writer`, not yet handed to the transport. `#ops` is ordered
   * as the bytes are: written requests, then these, then the `#held` ones.
   */
  #inWriter = 0
  readonly #drainWaiters: (() => void)[] = []
  /** Parameter types the server inferred for SQL texts run with type-dependent values. */
  readonly #paramTypes = new Map<string, readonly number[]>()
  /** Highest placeholder number per SQL text. */
  readonly #placeholderCounts = new Map<string, number>()
  /** Queues Close for a statement the cache evicted (one function for every query). */
  readonly #evict = (statement: CachedStatement): void => this.#closeStatement(statement)
  /** Requests already sent behind a canceled one: a late cancel may hit them instead. */
  readonly #cancelBystanders = new WeakSet<Operation>()
  #txFailure: TuskError | undefined
  #txStatus: TransactionStatus = 'I'
  #ready = false
  #closed = false
  #closeReason: TuskError | undefined
  #fatal: TuskError | undefined
  #flushScheduled = false
  #rawHandler:
    | { resolve: (chunk: Uint8Array) => void; reject: (err: TuskError) => void }
    | undefined
  #closeWaiters: (() => void)[] = []
  /** @internal Set by connect() once startup completes. */
  details!: ConnectionDetails
  /** @internal Process ID and secret key for CancelRequest. */
  backendKey: { processId: number; secretKey: Uint8Array } | undefined
  /** @internal Set by connect(): sends a CancelRequest for this session. */
  cancelRequest: (() => Promise<void>) | undefined

  /** @internal Use `connect()`. */
  constructor(init: ConnectionInit) {
    this.#transport = init.transport
    this.#hooks = { ...init.hooks }
    this.#types = init.types
    this.#prepare = init.cache?.prepare ?? true
    this.#limits = { ...init.limits }
    this.#eagerStacks = init.eagerStacks === true
    this.#cancelGrace = init.cancelGrace ?? DEFAULT_CANCEL_GRACE_MS
    this.#cache = new StatementCache({
      size: init.cache?.statementCacheSize ?? 100,
      prepareThreshold: init.cache?.prepareThreshold ?? 5,
    })
    this.#decoder = new BackendDecoder(
      init.maxMessageSize === undefined ? {} : { maxMessageSize: init.maxMessageSize },
    )
    this.#transport.setHandlers({
      data: (chunk) => this.#onData(chunk),
      close: (err) => this.#onTransportClose(err),
      drain: () => {
        const waiters = this.#drainWaiters.splice(0)
        for (const w of waiters) w()
      },
    })
  }

  /** `host:port` (or socket path) of the server. */
  get host(): string {
    return this.details?.host ?? this.#transport.peer
  }

  /** Server-reported run-time parameters (`server_version`, `TimeZone`, ...), kept current. */
  get parameters(): ReadonlyMap<string, string> {
    return this.#parameters
  }

  /** The server's `server_version`, e.g. `18.4`. */
  get serverVersion(): string {
    return this.#parameters.get('server_version') ?? ''
  }

  /** Backend process ID (what `pg_backend_pid()` returns). */
  get processId(): number {
    return this.backendKey?.processId ?? 0
  }

  /** Transaction status from the last ReadyForQuery: `I` idle, `T` in a block, `E` failed block. */
  get transactionStatus(): TransactionStatus {
    return this.#txStatus
  }

  /** Where the connection stands. */
  get state(): ConnectionState {
    if (this.#closed) return 'closed'
    if (!this.#ready) return 'connecting'
    if (this.#ops.length > 0) return 'busy'
    if (this.#txStatus === 'T') return 'in-transaction'
    if (this.#txStatus === 'E') return 'in-failed-transaction'
    return 'idle'
  }

  /** True once closed or lost; a closed connection refuses new work. */
  get closed(): boolean {
    return this.#closed
  }

  /** Why the connection closed, when it was not closed on purpose. */
  get closeReason(): TuskError | undefined {
    return this.#closeReason
  }

  /** The type registry this connection decodes and encodes with. */
  get types(): TypeRegistry {
    return this.#types
  }

  /**
   * Looks up user types by name (`mood`, `myschema.point3d`, `citext`) in the server's catalog
   * and teaches this connection to encode and decode them (arrays included). Pools do it once.
   */
  async registerTypes(names: readonly string[]): Promise<void> {
    const rows = await this.query<CatalogTypeRow>(CATALOG_QUERY, [names], { prepare: false })
    this.#types = this.#types.withCatalogTypes(rows.rows)
  }

  /** @internal Replace the type registry (after registering catalog types). */
  setTypes(types: TypeRegistry): void {
    this.#types = types
  }

  /** Prepared statements currently cached on this connection. */
  get preparedStatements(): number {
    return this.#cache.size
  }

  /**
   * Runs one statement through the extended protocol: `$1`-style parameters (or an `sql` tagged
   * template), results as `{ rows, rowCount, command, fields }`. Concurrent calls are pipelined.
   * Multi-statement strings need `exec` (the simple protocol).
   */
  async query<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    if (this.#eagerStacks)
      return this.queryFrom<R>(captureCallSite(this.query), text, params, options)
    try {
      return await this.queryFrom<R>(undefined, text, params, options)
    } catch (err) {
      // Captured here, after the await, the stack holds the async functions awaiting this query.
      throw attachCallSite(err, captureCallSite(this.query))
    }
  }

  /**
   * @internal `query` whose errors carry the frames of `site` (captured where a pool's user
   * called), or none when `site` is undefined (the caller attaches them).
   */
  queryFrom<R = Record<string, unknown>>(
    site: CallSite | undefined,
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    let sqlText: string
    let values: readonly unknown[]
    const opts =
      (Array.isArray(params) ? options : (params as QueryOptions | undefined)) ?? NO_OPTIONS
    try {
      if (isSqlFragment(text)) {
        sqlText = text.text
        values = text.values
      } else {
        sqlText = text
        values = Array.isArray(params) ? params : []
      }
    } catch (err) {
      return Promise.reject(attachCallSite(err, site))
    }
    return this.#runQuery<R>(sqlText, values, opts, site, 0)
  }

  /** The first row of `query(...)`, or undefined when it returned none. */
  async queryOne<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | QueryOptions,
    options?: QueryOptions,
  ): Promise<R | undefined> {
    const result = await this.query<R>(text, params, options)
    return result.rows[0]
  }

  /**
   * Runs a script of one or more statements through the simple protocol (no parameters), one
   * result per statement, values as text. Unlike `query`, a failing statement stops the rest.
   */
  exec(sql: string): Promise<SimpleQueryResult[]> {
    return this.simpleQuery(sql)
  }

  /**
   * @internal Runs a prebuilt batch (cursor batches: Execute on a named portal) as one FIFO
   * request with the usual decoding, cancel and error handling.
   */
  runBatch<R>(
    text: string,
    values: readonly unknown[],
    opts: InternalQueryOptions,
    encode: (w: Writer) => void,
  ): Promise<QueryResult<R>> {
    return this.#runQuery<R>(text, values, { ...opts, encodeOverride: encode }, undefined, 1)
  }

  /** Runs one query; every rejection carries the frames of `site` (when given). */
  #runQuery<R>(
    text: string,
    values: readonly unknown[],
    opts: InternalQueryOptions,
    site: CallSite | undefined,
    attempt: number,
  ): Promise<QueryResult<R>> {
    if (values.length > MAX_PARAMETERS) {
      return Promise.reject(
        attachCallSite(
          new InterfaceError(
            `query has ${values.length} parameters; the protocol allows at most ${MAX_PARAMETERS}`,
            { query: text, safeToRetry: true },
          ),
          site,
        ),
      )
    }
    const expected = opts.encodeOverride ? values.length : this.#placeholders(text)
    if (expected !== values.length) {
      return Promise.reject(
        attachCallSite(
          new InterfaceError(
            `query expects ${expected} parameter${expected === 1 ? '' : 's'} ($1…$${expected}) but ${values.length} ${values.length === 1 ? 'was' : 'were'} given`,
            { query: text, safeToRetry: true },
          ),
          site,
        ),
      )
    }
    if (opts.signal?.aborted) {
      return Promise.reject(
        attachCallSite(this.#canceledBeforeSend(text, 'abort', opts.signal.reason), site),
      )
    }
    if (!opts.paramTypes && !opts.encodeOverride && values.some(needsTypeInfo)) {
      const known = this.#paramTypes.get(text)
      if (known) opts = { ...opts, inferredTypes: known }
      else {
        return this.#describeParameters(text).then(
          (oids) =>
            this.#runQuery<R>(text, values, { ...opts, inferredTypes: oids }, site, attempt),
          (err: unknown) => Promise.reject(attachCallSite(err, site)),
        )
      }
    }
    const codecs = opts.types ? this.#types.extend(opts.types) : this.#types
    const prepare = (opts.prepare ?? this.#prepare) && this.#ready && !opts.encodeOverride
    const key = opts.paramTypes ? `${text}\u0000${opts.paramTypes.join(',')}` : text
    // Server-inferred types are what a cached statement would report: no need to key on them.
    const plan: StatementPlan = prepare ? this.#cache.plan(key, text, this.#evict) : UNNAMED
    const statement = plan.kind === 'unnamed' ? undefined : plan.statement
    const formats =
      plan.kind === 'cached' && plan.statement.state === 'ready' && plan.statement.fields
        ? resultFormats(codecs, plan.statement)
        : undefined
    const settings: PerQuerySettings = {
      statementTimeout: opts.statementTimeout,
      lockTimeout: opts.lockTimeout,
      idleInTransactionSessionTimeout: opts.idleInTransactionSessionTimeout,
    }
    const started =
      queryStart.hasSubscribers || queryEnd.hasSubscribers || queryError.hasSubscribers
        ? performance.now()
        : 0
    const event = started
      ? {
          query: text,
          parameterCount: values.length,
          statement: statement?.name,
          processId: this.processId,
          host: this.host,
        }
      : undefined
    if (event) queryStart.publish(event)
    const self = this
    return new Promise<QueryResult<R>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      let onAbort: (() => void) | undefined
      let prelude = 0
      // Methods, not arrow-function properties: the build names each arrow function it creates
      // with Object.defineProperty (keepNames), which would cost that on every query.
      const op: Cancellable = new ExtendedQueryOperation<R>(
        {
          text,
          rowMode: opts.rowMode ?? 'object',
          codecs,
          statement,
          preparing: plan.kind === 'prepare',
          formats,
          prelude: 0,
          host: this.host,
          parameters: values,
          fields: opts.presetFields,
          maxRows: opts.maxRows ?? this.#limits.maxRows,
          maxBytes: opts.maxBytes ?? this.#limits.maxBytes,
        },
        {
          info: opts.onInfo,
          limitExceeded() {
            const grace = self.#requestCancel(op, 'abort')
            if (grace === undefined) return
            if (timer !== undefined) clearTimeout(timer)
            timer = grace
          },
          resolve(result) {
            if (timer !== undefined || onAbort !== undefined) cleanup(timer, onAbort, opts.signal)
            if (event)
              queryEnd.publish({
                ...event,
                durationMs: performance.now() - started,
                rowCount: result.rowCount,
                command: result.command,
              })
            resolve(result)
          },
          reject(err) {
            if (timer !== undefined || onAbort !== undefined) cleanup(timer, onAbort, opts.signal)
            const e = self.#annotate(err, op)
            if (event)
              queryError.publish({ ...event, durationMs: performance.now() - started, error: e })
            reject(attachCallSite(e, site))
          },
          retry(err, status) {
            if (
              err.code === '57014' &&
              !op.cancelReason &&
              status === 'I' &&
              attempt === 0 &&
              self.#cancelBystanders.has(op)
            ) {
              // A cancel meant for an earlier query reached this one; in autocommit the canceled
              // statement was rolled back, so running it again is safe.
              log(
                self.#hooks.logger,
                'debug',
                'rerunning a query hit by a cancel meant for an earlier one',
              )
              cleanup(timer, onAbort, opts.signal)
              self.#runQuery<R>(text, values, opts, site, attempt + 1).then(resolve, reject)
              return true
            }
            const why = staleStatementReason(err)
            if (!why || attempt > 0 || status !== 'I' || !statement) return false
            self.#cache.forget(statement)
            if (err.code === '26000' || err.code === '42P05') self.#cache.clear()
            else self.#closeStatement(statement)
            log(self.#hooks.logger, 'debug', `re-preparing statement ${statement.name}: ${why}`, {
              statement: statement.name,
              code: err.code,
            })
            cleanup(timer, onAbort, opts.signal)
            self.#runQuery<R>(text, values, opts, site, attempt + 1).then(resolve, reject)
            return true
          },
          prepareFailed(s) {
            self.#cache.forget(s)
          },
          copyIn() {
            self.#refuseExtendedCopyIn()
          },
        },
      ) as unknown as Cancellable
      // In copy-in mode the server takes any message but COPY data as a protocol violation.
      if (startsWithKeyword(text, COPY)) op.barrier = true
      try {
        const override = opts.encodeOverride
        this.#enqueue(op, (w) => {
          if (override) {
            override(w)
            return
          }
          prelude = encodeQueryBatch(w, {
            text,
            values,
            paramTypes: opts.paramTypes ?? opts.inferredTypes,
            plan,
            encoder: codecs,
            inferOid: inferredParameterOid,
            resultFormats: formats,
            settings,
          })
        })
      } catch (err) {
        if (plan.kind === 'prepare') this.#cache.forget(plan.statement)
        reject(attachCallSite(err, site))
        return
      }
      op.setPrelude(prelude)
      // Once a cancel is requested, `timer` holds its grace timer (the first cancel's; a later
      // one changes nothing): settling clears it.
      if (opts.timeout !== undefined) {
        timer = setTimeout(() => {
          timer = this.#requestCancel(op, 'timeout') ?? timer
        }, opts.timeout)
      }
      if (opts.signal) {
        onAbort = () => {
          const grace = this.#requestCancel(op, 'abort')
          if (grace === undefined) return
          if (timer !== undefined) clearTimeout(timer)
          timer = grace
        }
        opts.signal.addEventListener('abort', onAbort, { once: true })
      }
    })
  }

  /** The highest `$n` in `text`, remembered per text: a scan of the whole text saved per query. */
  #placeholders(text: string): number {
    const known = this.#placeholderCounts.get(text)
    if (known !== undefined) return known
    const n = highestPlaceholder(text)
    if (this.#placeholderCounts.size >= PLACEHOLDER_CACHE_SIZE) this.#placeholderCounts.clear()
    this.#placeholderCounts.set(text, n)
    return n
  }

  /**
   * Asks the server which types it infers for the parameters of `text` (Parse + Describe, one
   * round trip, once per SQL text), so arrays and objects can be encoded for their real type.
   */
  #describeParameters(text: string): Promise<readonly number[]> {
    return new Promise<readonly number[]>((resolve, reject) => {
      let oids: readonly number[] = []
      let error: TuskError | undefined
      const op: Operation = {
        sent: false,
        query: text,
        handle: (m) => {
          if (m.type === 'ParameterDescription') oids = m.typeOids
          else if (m.type === 'ErrorResponse') {
            error ??= fromServerError(m.fields, { query: text, host: this.host, phase: 'query' })
          } else if (m.type === 'ReadyForQuery') {
            if (error) reject(error)
            else {
              if (this.#paramTypes.size >= PARAM_TYPE_CACHE_SIZE) this.#paramTypes.clear()
              this.#paramTypes.set(text, oids)
              resolve(oids)
            }
            return true
          }
          return false
        },
        fail: reject,
      }
      try {
        this.#enqueue(op, (w) => {
          encodeParse(w, '', text, [])
          encodeDescribe(w, 'S', '')
          encodeSync(w)
        })
      } catch (err) {
        reject(err)
      }
    })
  }

  /** Adds what the connection knows to a query error: cancel reason, earlier transaction failure. */
  #annotate(err: TuskError, op: Cancellable): TuskError {
    const db = err as DatabaseError & { reason?: CancelReason }
    if (db.code === '57014') {
      db.reason =
        op.cancelReason ??
        (/statement timeout/i.test(db.serverMessage ?? db.message) ? 'statement_timeout' : 'server')
    } else if (db.code === '25P02' && this.#txFailure && this.#txFailure !== err) {
      const first = this.#txFailure.message.split('\n')[0]
      db.message = `${db.message} (the transaction failed earlier with ${this.#txFailure.name}: ${first})`
      if (db.cause === undefined)
        Object.defineProperty(db, 'cause', {
          value: this.#txFailure,
          configurable: true,
          writable: true,
        })
    }
    if (this.#txStatus === 'E' && this.#txFailure === undefined && db.code !== '25P02')
      this.#txFailure = err
    return err
  }

  #canceledBeforeSend(text: string, reason: CancelReason, cause: unknown): TuskError {
    const err = new QueryCanceled('query canceled before it was sent', {
      query: text,
      host: this.host,
      phase: 'query',
      safeToRetry: true,
      cause,
    }) as QueryCanceled & { reason?: CancelReason }
    err.code = '57014'
    err.reason = reason
    return err
  }

  /**
   * Cancels `op` if it has not finished: at once when the server is running it, else when it
   * reaches the head of the queue. While a CancelRequest is in flight no new request is written,
   * so a cancel that arrives late can only find the session idle, never the next query.
   * Returns the grace timer (see `#cancelUnanswered`); the caller clears it when `op` settles.
   */
  #requestCancel(
    op: Cancellable,
    reason: 'abort' | 'timeout',
  ): ReturnType<typeof setTimeout> | undefined {
    if (!this.#ops.includes(op) || op.cancelReason) return undefined
    op.cancelReason = reason
    if (this.#ops[0] === op) this.#sendCancel()
    else op.cancelPending = true
    return setTimeout(() => this.#cancelUnanswered(op, reason), this.#cancelGrace)
  }

  /**
   * A canceled query got no answer within `cancelGrace`: on a link that went silent (no FIN, no
   * RST) none will ever come, and everything queued behind it would wait forever. The connection
   * is closed as lost: `op` rejects with QueryCanceled (its `cause` the ConnectionLost), the
   * requests behind it with ConnectionLost, and a pool replaces the connection.
   */
  #cancelUnanswered(op: Cancellable, reason: 'abort' | 'timeout'): void {
    const i = this.#ops.indexOf(op)
    if (i < 0 || this.#closed) return
    this.#ops.splice(i, 1)
    const grace = this.#cancelGrace
    this.#shutdown(
      `connection to ${this.host} lost: no answer within ${grace} ms of canceling a query (${reason}); the link is presumed dead`,
      undefined,
    )
    const written = op.sent && this.#ready
    const err = new QueryCanceled(
      `query canceled (${reason}); the server did not answer within ${grace} ms, so the connection was closed`,
      {
        query: op.query,
        host: this.host,
        phase: 'query',
        inDoubt: written,
        safeToRetry: !written,
        transient: true,
        cause: this.#closeReason,
      },
    )
    err.code = '57014'
    op.fail(err)
  }

  #sendCancel(): void {
    if (this.#cancelInFlight || !this.cancelRequest) return
    this.#cancelInFlight = true
    for (let i = 1; i < this.#ops.length; i++) this.#cancelBystanders.add(this.#ops[i]!)
    this.cancelRequest()
      .catch((err) => log(this.#hooks.logger, 'warn', 'cancel request failed', { error: err }))
      .finally(() => {
        this.#cancelInFlight = false
        if (this.#writer.length > 0 && !this.#flushScheduled) {
          this.#flushScheduled = true
          queueMicrotask(() => this.#flush())
        }
      })
  }

  /** Queues Close for a statement the cache dropped, so the server frees it. */
  #closeStatement(statement: CachedStatement): void {
    if (this.#closed) return
    const op: Operation = {
      sent: false,
      handle: (m) => m.type === 'ReadyForQuery',
      fail: () => {},
    }
    this.#enqueue(op, (w) => {
      encodeClose(w, 'S', statement.name)
      encodeSync(w)
    })
  }

  /** Starts a transaction block (`BEGIN` with the options given). */
  async begin(options: TransactionOptions = {}): Promise<void> {
    await this.simpleQuery(beginStatement(options))
  }

  /**
   * Commits the current transaction block. When the block had failed, the server can only roll
   * it back; that is reported as InFailedSqlTransaction (cause: the error that failed it), never
   * as a silent success.
   */
  async commit(): Promise<void> {
    const failure = this.#txFailure
    const [result] = await this.simpleQuery('COMMIT')
    if (result?.command === 'ROLLBACK') {
      const first = failure ? ` (${failure.name}: ${failure.message.split('\n')[0]})` : ''
      throw new InFailedSqlTransaction(
        `COMMIT rolled back the transaction because a statement in it had failed${first}`,
        {
          host: this.host,
          phase: 'query',
          query: 'COMMIT',
          ...(failure ? { cause: failure } : {}),
        },
      )
    }
  }

  /** Rolls back the current transaction block. */
  async rollback(): Promise<void> {
    await this.simpleQuery('ROLLBACK')
  }

  /**
   * Runs `fn` in a transaction: commits when it returns, rolls back when it throws (and rethrows).
   * With `retry`, a SerializationFailure or DeadlockDetected reruns `fn` after a backoff.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  transaction<T>(options: TransactionOptions, fn: (tx: Transaction) => Promise<T>): Promise<T>
  transaction<T>(
    a: TransactionOptions | ((tx: Transaction) => Promise<T>),
    b?: (tx: Transaction) => Promise<T>,
  ): Promise<T> {
    const [options, fn] = typeof a === 'function' ? [{}, a] : [a, b!]
    return runTransaction(this, options, fn)
  }

  /**
   * Opens a server-side cursor over `text` (see Cursor): batches of `batchSize` rows, at most two
   * batches in memory. Outside a transaction block it runs in its own, committed when it closes.
   */
  cursor<R = Record<string, unknown>>(
    text: string | SqlFragment,
    params?: readonly unknown[] | CursorOptions,
    options?: CursorOptions,
  ): Cursor<R> {
    const [values, opts] = Array.isArray(params)
      ? [params, options ?? {}]
      : [undefined, (params as CursorOptions | undefined) ?? {}]
    return new Cursor<R>(this, text, values, opts)
  }

  /**
   * `COPY … FROM STDIN`: streams `source` (a Readable, or an iterable of strings, bytes or row
   * arrays) with backpressure. Aborting or a failing source sends CopyFail: nothing is written.
   */
  copyFrom(sql: string, source: CopySource, options?: CopyFromOptions): Promise<CopyResult> {
    return copyFrom(this, sql, source, options)
  }

  /** `COPY … TO STDOUT` as a Readable of chunks (or of decoded rows with `output: 'rows'`). */
  copyTo(sql: string, options?: CopyToOptions): Readable & { rowCount?: number } {
    return copyTo(this, sql, options)
  }

  /** Sends a notification (`pg_notify`); the payload limit (under 8 000 bytes) is checked first. */
  async notify(channel: string, payload = ''): Promise<void> {
    checkNotifyPayload(channel, payload)
    await this.query('select pg_catalog.pg_notify($1, $2)', [channel, payload], { prepare: false })
  }

  /** Runs `fn` inside a savepoint of the current transaction; rolls back to it when `fn` throws. */
  savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return runSavepoint(this, fn)
  }

  /**
   * Runs `sql` through the simple-query protocol: one or many statements, text values, one result
   * per statement. Parameters are not supported here (the extended protocol is `query`).
   */
  async simpleQuery(sql: string): Promise<SimpleQueryResult[]> {
    const site = this.#eagerStacks ? captureCallSite(this.simpleQuery) : undefined
    try {
      return await new Promise<SimpleQueryResult[]>((resolve, reject) => {
        const op: Operation = new SimpleQueryOperation(
          sql,
          { host: this.host, refuseCopyIn: (message) => this.#refuseCopyIn(message) },
          resolve,
          reject,
        )
        // A script may run COPY anywhere in it: hold what comes after (harmless if it does not).
        if (COPY_WORD.test(sql)) op.barrier = true
        this.#enqueue(op, (w) => encodeQuery(w, sql))
      })
    } catch (err) {
      // Captured after the await (unless eagerly): the async functions awaiting this call.
      throw attachCallSite(err, site ?? captureCallSite(this.simpleQuery))
    }
  }

  /**
   * Asks the server to cancel what this session is running, over a new socket (PostgreSQL's
   * CancelRequest). Best effort: the statement may finish first; its request then succeeds.
   */
  async cancel(): Promise<void> {
    if (!this.cancelRequest)
      throw new ConnectionClosed('connection is not ready, nothing to cancel')
    await this.cancelRequest()
  }

  /** Closes gracefully: waits for pending requests, sends Terminate, ends the socket. */
  async close(): Promise<void> {
    if (this.#closed) return
    while (this.#ops.length > 0 && !this.#closed) {
      await new Promise<void>((r) => this.#closeWaiters.push(r))
    }
    if (this.#closed) return
    this.#closed = true
    const gone = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#transport.destroy()
        resolve()
      }, CLOSE_TIMEOUT_MS)
      this.#afterClose = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    this.#transport.write(TERMINATE_FRAME)
    this.#transport.end()
    await gone
  }

  /** Closes at once without waiting; pending requests fail with ConnectionClosed. */
  destroy(): void {
    if (this.#closed && !this.#afterClose) return
    const wasClosed = this.#closed
    this.#closed = true
    this.#transport.destroy()
    if (!wasClosed) {
      this.#failAll((op) => {
        const written = op.sent && this.#ready
        return new ConnectionClosed('connection destroyed while the request was pending', {
          host: this.host,
          phase: 'close',
          inDoubt: written,
          safeToRetry: !written,
          ...(op.query !== undefined ? { query: op.query } : {}),
        })
      })
    }
  }

  #afterClose: (() => void) | undefined

  // ---- internal API for connect() and later layers ----

  /** @internal Queue a request: `encode` appends its messages; they are written this turn. */
  enqueue(op: Operation, encode: (w: Writer) => void): void {
    this.#enqueue(op, encode)
  }

  /**
   * @internal Write at once, after anything already queued (startup, auth, COPY data). Returns
   * false when the socket's buffer is full: wait for `drained()` before writing more.
   */
  writeNow(encode: (w: Writer) => void): boolean {
    encode(this.#writer)
    this.#markWritten()
    return this.#transport.write(this.#writer.flush())
  }

  /** @internal Resolves when the socket can take more bytes (or the connection closed). */
  drained(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return new Promise((resolve) => this.#drainWaiters.push(resolve))
  }

  /** @internal Stop or resume reading from the socket (COPY TO backpressure). */
  pauseReading(): void {
    this.#transport.pause()
  }

  /** @internal Undo `pauseReading()`. */
  resumeReading(): void {
    this.#transport.resume()
  }

  /** @internal Receive the next raw chunk instead of decoding it (SSLRequest answer). */
  readRaw(): Promise<Uint8Array> {
    if (this.#closed)
      return Promise.reject(this.#closeReason ?? new ConnectionClosed('connection closed'))
    return new Promise((resolve, reject) => {
      this.#rawHandler = { resolve, reject }
    })
  }

  /** @internal Mark startup complete. */
  markReady(details: ConnectionDetails): void {
    this.details = details
    this.#ready = true
  }

  /** @internal Let the process exit while this connection is open (pool `allowExitOnIdle`). */
  unref(): void {
    this.#transport.unref()
  }

  /** @internal Undo `unref()`. */
  ref(): void {
    this.#transport.ref()
  }

  /** @internal Requests not yet answered. */
  get pending(): number {
    return this.#ops.length
  }

  /** @internal The transport, for the TLS upgrade during connect. */
  get transport(): Transport {
    return this.#transport
  }

  /** @internal Fail the connection from outside (timeouts, aborts during connect). */
  fail(message: string, cause?: unknown): void {
    this.#shutdown(message, cause)
  }

  #enqueue(op: Operation, encode: (w: Writer) => void): void {
    if (this.#closed) {
      const reason = this.#closeReason
      throw new ConnectionClosed(
        reason
          ? `connection to ${this.host} is closed: ${reason.message}`
          : `connection to ${this.host} is closed`,
        {
          host: this.host,
          phase: 'query',
          safeToRetry: true,
          ...(reason ? { cause: reason } : {}),
          ...(op.query !== undefined ? { query: op.query } : {}),
        },
      )
    }
    if (this.#holding) {
      const w = new Writer(256)
      encode(w)
      this.#held.push({ bytes: w.flush(), op })
      this.#ops.push(op)
      return
    }
    const start = this.#writer.length
    try {
      encode(this.#writer)
    } catch (err) {
      this.#writer.truncate(start)
      throw err
    }
    this.#ops.push(op)
    this.#inWriter++
    if (op.barrier) this.#holding = true
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => this.#flush())
    }
  }

  #flush(): void {
    this.#flushScheduled = false
    if (this.#writer.length === 0 || this.#closed || this.#cancelInFlight) return
    this.#markWritten()
    this.#transport.write(this.#writer.flush())
  }

  /**
   * The whole writer is about to go to the transport: its requests count as sent from now on
   * (`inDoubt` if the link then fails). A range of the queue, one boolean each, no allocation.
   */
  #markWritten(): void {
    const n = this.#inWriter
    if (n === 0) return
    this.#inWriter = 0
    const ops = this.#ops
    const end = ops.length - this.#held.length
    for (let i = end - n; i < end; i++) ops[i]!.sent = true
  }

  /**
   * A barrier request completed: sends the requests held behind it, in order, up to and
   * including the next barrier (which holds the rest again).
   */
  #releaseHeld(): void {
    this.#holding = false
    const held = this.#held
    let n = 0
    while (n < held.length) {
      const entry = held[n++]!
      this.#writer.bytes(entry.bytes)
      this.#inWriter++
      if (entry.op.barrier) {
        this.#holding = true
        break
      }
    }
    held.splice(0, n)
    if (n > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => this.#flush())
    }
  }

  /** Answers a CopyInResponse to `query()` (extended protocol: CopyFail, then a Sync). */
  #refuseExtendedCopyIn(): void {
    // The Sync sent with the query was ignored in copy-in mode; the server now waits for one.
    this.writeNow((w) => {
      encodeCopyFail(w, 'COPY FROM STDIN runs through copyFrom(), not query()')
      encodeSync(w)
    })
  }

  /** Answers a CopyInResponse nobody asked for (COPY FROM STDIN through simpleQuery). */
  #refuseCopyIn(message: string): void {
    // Simple protocol: after CopyFail the server answers ErrorResponse + ReadyForQuery; no Sync.
    this.writeNow((w) => encodeCopyFail(w, message))
  }

  #onData(chunk: Uint8Array): void {
    const raw = this.#rawHandler
    if (raw) {
      this.#rawHandler = undefined
      raw.resolve(chunk)
      return
    }
    try {
      const decoder = this.#decoder
      decoder.push(chunk)
      for (;;) {
        // Rows for the request at the head go to it without a message object per row.
        const sink = this.#ops[0]?.rowSink
        if (sink !== undefined && decoder.nextDataRow(sink)) continue
        const m = decoder.next()
        if (m === undefined) break
        this.#dispatch(m)
        if (this.#closed && this.#ops.length === 0) break
      }
    } catch (err) {
      const error =
        err instanceof ProtocolError
          ? err
          : new ProtocolError(`failed to process a server message: ${(err as Error).message}`, {
              cause: err,
            })
      error.host ??= this.host
      this.#shutdown(`connection to ${this.host} lost: ${error.message}`, error)
    }
  }

  #dispatch(m: BackendMessage): void {
    switch (m.type) {
      case 'ParameterStatus':
        if (
          m.name === 'search_path' &&
          this.#parameters.get('search_path') !== m.value &&
          this.#ready
        ) {
          for (const s of this.#cache.statements()) this.#closeStatement(s)
          this.#cache.clear()
        }
        this.#parameters.set(m.name, m.value)
        return
      case 'NoticeResponse': {
        const notice = { ...m.fields, message: m.fields.message ?? '' }
        if (this.#hooks.onNotice) this.#call(() => this.#hooks.onNotice?.(notice))
        else log(this.#hooks.logger, 'debug', `server notice: ${notice.message}`, { notice })
        return
      }
      case 'NotificationResponse':
        this.#call(() =>
          this.#hooks.onNotification?.({
            processId: m.processId,
            channel: m.channel,
            payload: m.payload,
          }),
        )
        return
      case 'ErrorResponse':
        if (SEVERE.has(m.fields.severityNonLocalized ?? m.fields.severity ?? '') && this.#ready) {
          this.#fatal = fromServerError(m.fields, {
            host: this.host,
            phase: this.#ops.length ? 'query' : 'idle',
          })
        }
        break
      case 'ReadyForQuery':
        this.#txStatus = m.status
        if (m.status === 'I') this.#txFailure = undefined
        break
    }
    const op = this.#ops[0]
    if (!op) {
      if (m.type === 'ErrorResponse') return
      throw new ProtocolError(`server sent ${m.type} while no request was pending`, {
        messageType: m.type,
      })
    }
    if (op.handle(m)) {
      this.#ops.shift()
      if (op.barrier) this.#releaseHeld()
      if (this.#ops.length === 0) this.#wakeCloseWaiters()
      else if ((this.#ops[0] as Cancellable).cancelPending) this.#sendCancel()
    }
  }

  #wakeCloseWaiters(): void {
    const waiters = this.#closeWaiters
    this.#closeWaiters = []
    for (const w of waiters) w()
  }

  #call(fn: () => void): void {
    try {
      fn()
    } catch {}
  }

  #onTransportClose(err: (Error & { code?: string }) | undefined): void {
    if (this.#afterClose) {
      const done = this.#afterClose
      this.#afterClose = undefined
      this.#failAll(
        () => new ConnectionClosed('connection closed', { host: this.host, phase: 'close' }),
      )
      this.#wakeCloseWaiters()
      this.#call(() => this.#hooks.onClose?.(undefined))
      done()
      return
    }
    if (this.#closed) return
    const fatal = this.#fatal
    const code = (fatal as { code?: string } | undefined)?.code
    const why = fatal
      ? `${fatal.message}${code ? ` (${code})` : ''}`
      : err
        ? `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`
        : 'the server closed the connection unexpectedly'
    this.#shutdown(`connection to ${this.host} lost: ${why}`, fatal ?? err, err?.code)
  }

  /**
   * Marks the connection closed and fails every pending request with its own ConnectionLost
   * (cause: the socket error, the server's FATAL error or the ProtocolError).
   */
  #shutdown(message: string, cause: unknown, errno?: string): void {
    if (this.#closed && this.#closeReason) return
    const first = !this.#closed
    this.#closed = true
    // Before startup completes nothing of the user's was sent: always safe to retry.
    const make = (phase: ErrorPhase, op?: Operation): ConnectionLost => {
      const written = op?.sent === true && this.#ready
      return new ConnectionLost(message, {
        host: this.host,
        phase,
        ...(errno ? { errno } : {}),
        ...(cause !== undefined ? { cause } : {}),
        ...(op?.query !== undefined ? { query: op.query } : {}),
        inDoubt: written,
        safeToRetry: op ? !written : !this.#ready,
      })
    }
    const phase: ErrorPhase = !this.#ready ? 'connect' : this.#ops.length ? 'query' : 'idle'
    this.#closeReason = make(phase)
    this.#transport.destroy()
    const raw = this.#rawHandler
    this.#rawHandler = undefined
    raw?.reject(this.#closeReason)
    this.#failAll((op) => make(this.#ready ? 'query' : 'connect', op))
    this.#wakeCloseWaiters()
    for (const w of this.#drainWaiters.splice(0)) w()
    if (first) this.#call(() => this.#hooks.onClose?.(this.#closeReason))
  }

  #failAll(make: (op: Operation) => TuskError): void {
    const ops = this.#ops.splice(0)
    for (const op of ops) op.fail(make(op))
  }
}
