/**
 * One server connection's queries: the extended protocol with parameters, the statement cache and
 * its retry rules, parameter type inference, result limits, per-query timeouts and aborts, and
 * the simple protocol — built as requests on the RequestPump (`request-pump.ts`), which does the
 * I/O. Built by `connect()`; imports nothing from the layers above it.
 */

import type { DatabaseError, LockBlocker, TuskError } from '../errors/base.js'
import { InterfaceError } from '../errors/base.js'
import { attachCallSite, type CallSite, captureCallSite } from '../errors/call-site.js'
import { fromServerError } from '../errors/server-error.js'
import { QueryCanceled } from '../errors/sqlstate.generated.js'
import { placeholderMismatchMessage } from '../options/placeholder-hint.js'
import { checkExecCall, checkQueryCall } from '../options/validate.js'
import {
  encodeClose,
  encodeCopyFail,
  encodeDescribe,
  encodeParse,
  encodeQuery,
  encodeSync,
} from '../protocol/frontend.js'
import type { Writer } from '../protocol/writer.js'
import { CHANNELS, channel, nextEventId } from '../runtime/diagnostics.js'
import { isSqlFragment, MAX_PARAMETERS, type SqlFragment } from '../sql/fragment.js'
import { startsWithKeyword } from '../sql/keyword.js'
import {
  CATALOG_QUERY,
  type CatalogTypeRow,
  inferredParameterOid,
  type TypeRegistry,
} from '../types/index.js'
import type {
  CancelReason,
  ExecOptions,
  InternalQueryOptions,
  QueryLogOptions,
  QueryOptions,
  ResultLimits,
  StatementCacheSettings,
} from './connection-types.js'
import { ExtendedQueryOperation, preferredFormats, type QueryResult } from './extended-query.js'
import {
  describeBlockers,
  diagnoseLockWait,
  lockedRelation,
  type SideQuery,
} from './lock-diagnosis.js'
import { log } from './logger.js'
import type { Operation } from './operation.js'
import { highestPlaceholder } from './placeholders.js'
import { encodeQueryBatch, type PerQuerySettings } from './query-batch.js'
import { type Cancellable, type PumpInit, RequestPump } from './request-pump.js'
import { SimpleQueryOperation, type SimpleQueryResult } from './simple-query.js'
import { type CachedStatement, StatementCache, type StatementPlan } from './statement-cache.js'
import { staleStatementReason } from './statement-retry.js'

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
  QueryLogOptions,
  QueryOptions,
  ResultLimits,
  StatementCacheSettings,
} from './connection-types.js'

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

/** Internal: what `connect()` hands to the constructor. */
export interface ConnectionInit extends PumpInit {
  host: string
  queryLog?: QueryLogOptions | undefined
  /** Appended to each statement as a comment (ConnectOptions.statementComment). */
  statementComment?: () => string | undefined
  /** Bound of a lock-wait diagnosis in ms; undefined: no diagnosis. */
  lockDiagnosisMs?: number | undefined
  types: TypeRegistry
  cache?: StatementCacheSettings
  limits?: ResultLimits
  /** Capture the caller's stack when a query is issued, not when it fails. */
  eagerStacks?: boolean
}

/**
 * What the query channels carry. `id` is the same on a query's start and its end or error (one
 * per attempt: a statement re-run after a stale plan or a stray cancel starts again, and its first
 * attempt ends as an error with `retried: true`). Parameter values are never included.
 */
export interface QueryEvent {
  id: number
  query: string
  parameterCount: number
  statement: string | undefined
  processId: number | undefined
  /** `host:port` or socket path. */
  host: string
  database: string | undefined
  user: string | undefined
  /** The transaction or savepoint it runs inside (that operation event's id), if any. */
  parentId: number | undefined
}

/** `err` with the sessions that blocked it, named in its message too. */
function withBlockers(err: DatabaseError, blockers: readonly LockBlocker[]): DatabaseError {
  err.blockers = blockers
  err.message = `${err.message}\n${describeBlockers(blockers)}`
  return err
}

const queryStart = channel(CHANNELS.queryStart)
const queryEnd = channel(CHANNELS.queryEnd)
const queryError = channel(CHANNELS.queryError)

const COPY = ['copy']
const COPY_WORD = /\bcopy\b/i

/**
 * A connection to one PostgreSQL server session: queries (extended and simple protocol) with
 * parameters, the statement cache and its retry rules, type-dependent parameter inference, result
 * limits, timeouts and aborts — built as requests on the RequestPump, which does the I/O.
 */
export class Connection extends RequestPump {
  /** @internal The open transaction and savepoint event ids (operation events), innermost last. */
  readonly traceScopes: number[] = []
  #types: TypeRegistry
  readonly #cache: StatementCache
  readonly #prepare: boolean
  readonly #limits: ResultLimits
  readonly #queryLog: QueryLogOptions | undefined
  readonly #statementComment: (() => string | undefined) | undefined
  readonly #lockDiagnosisMs: number | undefined
  /** @internal Set by connect(): one statement on a fresh side connection to the same server. */
  sideQuery: SideQuery | undefined
  readonly #eagerStacks: boolean
  /** Parameter types the server inferred for SQL texts run with type-dependent values. */
  readonly #paramTypes = new Map<string, readonly number[]>()
  /** Highest placeholder number per SQL text. */
  readonly #placeholderCounts = new Map<string, number>()
  /** Queues Close for a statement the cache evicted (one function for every query). */
  readonly #evict = (statement: CachedStatement): void => this.#closeStatement(statement)

  /** @internal Use `connect()`. */
  constructor(init: ConnectionInit) {
    super(init)
    this.#types = init.types
    this.#prepare = init.cache?.prepare ?? true
    this.#limits = { ...init.limits }
    this.#eagerStacks = init.eagerStacks === true
    this.#queryLog = init.queryLog
    this.#statementComment = init.statementComment
    this.#lockDiagnosisMs = init.lockDiagnosisMs
    this.#cache = new StatementCache({
      size: init.cache?.statementCacheSize ?? 100,
      prepareThreshold: init.cache?.prepareThreshold ?? 5,
    })
  }

  /** @internal Closes the statements prepared under the old search_path and forgets them. */
  protected override onSearchPathChange(): void {
    for (const s of this.#cache.statements()) this.#closeStatement(s)
    this.#cache.clear()
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
    checkQueryCall(text, params, options)
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
  exec<R = (string | null)[]>(
    sql: string,
    options?: ExecOptions<R>,
  ): Promise<SimpleQueryResult<R>[]> {
    try {
      checkExecCall(sql, options)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.simpleQuery<R>(sql, options)
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
          new InterfaceError(placeholderMismatchMessage('query', text, expected, values.length), {
            query: text,
            safeToRetry: true,
          }),
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
    const comment = this.#statementComment && !opts.encodeOverride ? this.#comment() : undefined
    const prepare =
      (opts.prepare ?? this.#prepare) && this.ready && !opts.encodeOverride && comment === undefined
    const key = opts.paramTypes ? `${text}\u0000${opts.paramTypes.join(',')}` : text
    // Server-inferred types are what a cached statement would report: no need to key on them.
    const plan: StatementPlan = prepare ? this.#cache.plan(key, text, this.#evict) : UNNAMED
    const statement = plan.kind === 'unnamed' ? undefined : plan.statement
    const formats =
      opts.resultFormats ??
      (plan.kind === 'cached' && plan.statement.state === 'ready' && plan.statement.fields
        ? resultFormats(codecs, plan.statement)
        : undefined)
    const settings: PerQuerySettings = {
      statementTimeout: opts.statementTimeout,
      lockTimeout: opts.lockTimeout,
      idleInTransactionSessionTimeout: opts.idleInTransactionSessionTimeout,
    }
    const started =
      this.#queryLog !== undefined ||
      queryStart.hasSubscribers ||
      queryEnd.hasSubscribers ||
      queryError.hasSubscribers
        ? performance.now()
        : 0
    const event: QueryEvent | undefined = started
      ? {
          id: nextEventId(),
          query: text,
          parameterCount: values.length,
          statement: statement?.name,
          processId: this.processId,
          host: this.host,
          database: this.details?.database,
          user: this.details?.user,
          parentId: opts.traceParent ?? this.traceScopes.at(-1),
        }
      : undefined
    const quiet = opts.quietUnlessFailed === true
    if (event && !quiet) queryStart.publish(event)
    const self = this
    return new Promise<QueryResult<R>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      let onAbort: (() => void) | undefined
      let prelude = 0
      // Methods, not arrow-function properties: the build names each arrow function it creates
      // with Object.defineProperty (keepNames), which would cost that on every query.
      const op: Cancellable & ExtendedQueryOperation<R> = new ExtendedQueryOperation<R>(
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
          maxBytes: opts.maxBytes === 0 ? undefined : (opts.maxBytes ?? this.#limits.maxBytes),
          rowBuilder: opts.rowBuilder,
        },
        {
          info: opts.onInfo,
          limitExceeded() {
            const grace = self.requestCancel(op, 'abort')
            if (grace === undefined) return
            if (timer !== undefined) clearTimeout(timer)
            timer = grace
          },
          resolve(result) {
            if (timer !== undefined || onAbort !== undefined) cleanup(timer, onAbort, opts.signal)
            if (event && !quiet) {
              const durationMs = performance.now() - started
              queryEnd.publish({
                ...event,
                durationMs,
                rowCount: result.rowCount,
                command: result.command,
              })
              if (self.#queryLog) self.#logQuery(event, durationMs, result, undefined)
            }
            resolve(result)
          },
          reject(err) {
            if (timer !== undefined || onAbort !== undefined) cleanup(timer, onAbort, opts.signal)
            self.#settleLockFailure(self.#annotate(err, op), op, (e) => {
              if (event) {
                const durationMs = performance.now() - started
                if (quiet) queryStart.publish(event)
                queryError.publish({ ...event, durationMs, error: e })
                if (self.#queryLog) self.#logQuery(event, durationMs, undefined, e)
              }
              reject(attachCallSite(e, site))
            })
          },
          retry(err, status) {
            if (
              err.code === '57014' &&
              !op.cancelReason &&
              status === 'I' &&
              attempt === 0 &&
              self.isCancelBystander(op)
            ) {
              // A cancel meant for an earlier query reached this one; in autocommit the canceled
              // statement was rolled back, so running it again is safe.
              log(
                self.logger,
                'debug',
                'rerunning a query hit by a cancel meant for an earlier one',
              )
              cleanup(timer, onAbort, opts.signal)
              if (event)
                queryError.publish({
                  ...event,
                  durationMs: performance.now() - started,
                  error: err,
                  retried: true,
                })
              self.#runQuery<R>(text, values, opts, site, attempt + 1).then(resolve, reject)
              return true
            }
            const why = staleStatementReason(err)
            if (!why || attempt > 0 || status !== 'I' || !statement) return false
            self.#cache.forget(statement)
            if (err.code === '26000' || err.code === '42P05') self.#cache.clear()
            else self.#closeStatement(statement)
            log(self.logger, 'debug', `re-preparing statement ${statement.name}: ${why}`, {
              statement: statement.name,
              code: err.code,
            })
            cleanup(timer, onAbort, opts.signal)
            if (event)
              queryError.publish({
                ...event,
                durationMs: performance.now() - started,
                error: err,
                retried: true,
              })
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
      ) as ExtendedQueryOperation<R> & Cancellable
      // In copy-in mode the server takes any message but COPY data as a protocol violation.
      if (opts.barrier || startsWithKeyword(text, COPY)) op.barrier = true
      try {
        const override = opts.encodeOverride
        if (override !== undefined) {
          if (opts.ahead) this.enqueueAhead(op, override)
          else this.enqueue(op, override)
        } else {
          this.enqueue(op, (w) => {
            prelude = encodeQueryBatch(w, {
              text: comment === undefined ? text : `${text}\n${comment}`,
              values,
              paramTypes: opts.paramTypes ?? opts.inferredTypes,
              plan,
              encoder: codecs,
              inferOid: inferredParameterOid,
              resultFormats: formats,
              settings,
            })
          })
        }
      } catch (err) {
        if (plan.kind === 'prepare') this.#cache.forget(plan.statement)
        if (event)
          queryError.publish({ ...event, durationMs: performance.now() - started, error: err })
        reject(attachCallSite(err, site))
        return
      }
      op.setPrelude(prelude)
      // Closures only for a query that has a timeout or a signal: none on the common path.
      if (opts.timeout !== undefined || opts.signal !== undefined)
        this.#armCancel(
          op,
          opts.timeout,
          opts.signal,
          (t) => {
            timer = t
          },
          () => timer,
          (f) => {
            onAbort = f
          },
        )
    })
  }

  /**
   * Arms a request's `timeout` and `signal`: each sends a CancelRequest, and the first one also
   * starts the grace timer that closes the connection if no answer comes (it replaces the
   * timeout timer in the request's single timer slot; settling clears whatever is there).
   */
  #armCancel(
    op: Cancellable,
    timeout: number | undefined,
    signal: AbortSignal | undefined,
    setTimer: (t: ReturnType<typeof setTimeout> | undefined) => void,
    getTimer: () => ReturnType<typeof setTimeout> | undefined,
    setOnAbort: (f: () => void) => void,
  ): void {
    if (timeout !== undefined) {
      setTimer(
        setTimeout(() => {
          this.#cancelAfterDiagnosis(op, () => {
            setTimer(this.requestCancel(op, 'timeout') ?? getTimer())
          })
        }, timeout),
      )
    }
    if (signal) {
      const onAbort = (): void => {
        this.#cancelAfterDiagnosis(op, () => {
          const grace = this.requestCancel(op, 'abort')
          if (grace === undefined) return
          const t = getTimer()
          if (t !== undefined) clearTimeout(t)
          setTimer(grace)
        })
      }
      setOnAbort(onAbort)
      signal.addEventListener('abort', onAbort, { once: true })
    }
  }

  /**
   * Before canceling a running statement: if it waits on a lock, who holds it (kept on `op` for
   * its error). Bounded by `lockDiagnosis`; the cancel goes out when the answer is in or the bound
   * passed, at once when there is nothing to ask.
   */
  #cancelAfterDiagnosis(op: Cancellable, cancel: () => void): void {
    const side = this.sideQuery
    const pid = this.processId
    if (
      this.#lockDiagnosisMs === undefined ||
      side === undefined ||
      pid === undefined ||
      !this.isRunning(op)
    ) {
      cancel()
      return
    }
    void diagnoseLockWait(side, pid, undefined, this.#lockDiagnosisMs).then((blockers) => {
      if (blockers !== undefined && blockers.length > 0) {
        ;(op as Cancellable & { blockers?: LockBlocker[] }).blockers = blockers
      }
      cancel()
    })
  }

  /**
   * A lock that could not be had (`55P03`) or a statement timeout while waiting on one: asks who
   * holds locks on the relation the error names, then settles. Other errors settle at once.
   */
  #settleLockFailure(err: TuskError, op: Cancellable, settle: (e: TuskError) => void): void {
    const db = err as DatabaseError & { reason?: CancelReason }
    const early = (op as Cancellable & { blockers?: LockBlocker[] }).blockers
    if (early !== undefined && db.code === '57014') {
      settle(withBlockers(db, early))
      return
    }
    const side = this.sideQuery
    const pid = this.processId
    const lockFailure =
      db.code === '55P03' || (db.code === '57014' && db.reason === 'statement_timeout')
    const relation = lockFailure
      ? lockedRelation(db.serverMessage ?? db.message, db.where)
      : undefined
    if (
      this.#lockDiagnosisMs === undefined ||
      side === undefined ||
      pid === undefined ||
      !relation
    ) {
      settle(err)
      return
    }
    void diagnoseLockWait(side, pid, relation, this.#lockDiagnosisMs).then((blockers) =>
      settle(blockers !== undefined && blockers.length > 0 ? withBlockers(db, blockers) : err),
    )
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
        this.enqueue(op, (w) => {
          encodeParse(w, '', text, [])
          encodeDescribe(w, 'S', '')
          encodeSync(w)
        })
      } catch (err) {
        reject(err)
      }
    })
  }

  /** One structured log line for a finished statement (see QueryLogOptions); never a value. */
  /** The statementComment hook's answer as a SQL comment; undefined when empty or it threw. */
  #comment(): string | undefined {
    let body: string | undefined
    try {
      body = this.#statementComment!()
    } catch (err) {
      log(this.logger, 'warn', 'statementComment threw; the statement is sent without it', {
        error: err instanceof Error ? err.name : typeof err,
      })
      return undefined
    }
    if (typeof body !== 'string' || body === '') return undefined
    // PostgreSQL nests block comments: an opening inside must not count, nor a closing.
    return `/*${body.replaceAll('/*', '/\\*').replaceAll('*/', '*\\/')}*/`
  }

  #logQuery(
    event: QueryEvent,
    durationMs: number,
    result: QueryResult<unknown> | undefined,
    error: TuskError | undefined,
  ): void {
    const q = this.#queryLog!
    if (durationMs < (q.slowerThanMs ?? 0)) return
    const details: Record<string, unknown> = {
      durationMs: Math.round(durationMs * 1000) / 1000,
      processId: event.processId,
      parameterCount: event.parameterCount,
    }
    if (q.text !== false) details.query = event.query
    if (event.statement !== undefined) details.statement = event.statement
    if (result) {
      details.command = result.command
      details.rows = result.rowCount
      log(this.logger, q.level ?? 'info', 'query', details)
    } else {
      details.error = error?.name
      const code = (error as { code?: unknown } | undefined)?.code
      if (typeof code === 'string') details.code = code
      log(this.logger, 'warn', 'query failed', details)
    }
  }

  /** Adds what the connection knows to a query error: cancel reason, earlier transaction failure. */
  #annotate(err: TuskError, op: Cancellable): TuskError {
    const db = err as DatabaseError & { reason?: CancelReason }
    if (db.code === '57014') {
      db.reason =
        op.cancelReason ??
        (/statement timeout/i.test(db.serverMessage ?? db.message) ? 'statement_timeout' : 'server')
    } else if (db.code === '25P02') {
      const failure = this.transactionFailure
      if (failure && failure !== err) {
        const first = failure.message.split('\n')[0]
        db.message = `${db.message} (the transaction failed earlier with ${failure.name}: ${first})`
        if (db.cause === undefined)
          Object.defineProperty(db, 'cause', {
            value: failure,
            configurable: true,
            writable: true,
          })
      }
    }
    this.recordTransactionFailure(err, db.code)
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

  /** Queues Close for a statement the cache dropped, so the server frees it. */
  #closeStatement(statement: CachedStatement): void {
    if (this.closed) return
    const op: Operation = {
      sent: false,
      handle: (m) => m.type === 'ReadyForQuery',
      fail: () => {},
    }
    this.enqueue(op, (w) => {
      encodeClose(w, 'S', statement.name)
      encodeSync(w)
    })
  }

  /** @internal Same as `exec` (the name the protocol gives it). */
  async simpleQuery<R = (string | null)[]>(
    sql: string,
    options?: ExecOptions<R>,
  ): Promise<SimpleQueryResult<R>[]> {
    const site = this.#eagerStacks ? captureCallSite(this.simpleQuery) : undefined
    try {
      const signal = options?.signal
      if (signal?.aborted) throw this.#canceledBeforeSend(sql, 'abort', signal.reason)
      return await new Promise<SimpleQueryResult<R>[]>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined
        let onAbort: (() => void) | undefined
        const op: Cancellable = new SimpleQueryOperation<R>(
          sql,
          { host: this.host, refuseCopyIn: (message) => this.#refuseCopyIn(message) },
          (results) => {
            cleanup(timer, onAbort, signal)
            resolve(results)
          },
          (err) => {
            cleanup(timer, onAbort, signal)
            reject(this.#annotate(err, op))
          },
          options?.rowBuilder,
        ) as unknown as Cancellable
        // A script may run COPY anywhere in it: hold what comes after (harmless if it does not).
        if (COPY_WORD.test(sql)) op.barrier = true
        this.enqueue(op, (w) => encodeQuery(w, sql))
        if (options?.timeout !== undefined || signal !== undefined)
          this.#armCancel(
            op,
            options?.timeout,
            signal,
            (t) => {
              timer = t
            },
            () => timer,
            (f) => {
              onAbort = f
            },
          )
      })
    } catch (err) {
      // Captured after the await (unless eagerly): the async functions awaiting this call.
      throw attachCallSite(err, site ?? captureCallSite(this.simpleQuery))
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
}
