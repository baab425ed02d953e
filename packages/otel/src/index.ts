/**
 * @tusk/otel — OpenTelemetry for @tusk/core: client spans per statement and the standard
 * database-client metrics, built from the `diagnostics_channel` events the core publishes. No
 * module is patched; parameter values and passwords never reach a span or a metric.
 * @packageDocumentation
 */

import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import {
  type Attributes,
  type BatchObservableCallback,
  context,
  type Histogram,
  isSpanContextValid,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import {
  CHANNELS,
  type OperationEndEvent,
  type OperationEvent,
  type Pool,
  type QueryEvent,
} from '@tusk/core'

/** Entries of each per-text and per-server cache before it starts over. */
const CACHE_SIZE = 1_000

/** The name and version this instrumentation reports itself as. */
export const INSTRUMENTATION_NAME = '@tusk/otel'

/** Options of {@link instrumentTusk}. */
export interface TuskInstrumentationOptions {
  /** Where spans go (default: the global tracer provider). */
  tracerProvider?: TracerProvider
  /** Where metrics go (default: the global meter provider). */
  meterProvider?: MeterProvider
  /**
   * Record `db.query.text`: the statement as written, with its `$n` placeholders (parameter
   * values are never recorded). Default true.
   */
  queryText?: boolean
  /**
   * A checkout that waited at least this long for a connection gets a `checkout` span (default
   * 1 ms: a checkout served at once by an idle connection records none). `false`: no such spans.
   */
  checkoutSpanMinWaitMs?: number | false
}

/** A running instrumentation. */
export interface TuskInstrumentation {
  /**
   * Reports `pool`'s connection metrics (count by state, max, pending requests) under `name`
   * (`db.client.connection.pool.name`; default `host/database` of its first connection).
   */
  observePool(pool: Pool, name?: string): void
  /** Stops: unsubscribes from every channel, ends no span (open ones end with their queries). */
  disable(): void
}

/** The end or error event of a query, as the core publishes it. */
interface QueryEndEvent extends QueryEvent {
  durationMs: number
  rowCount?: number | null
  command?: string
  error?: unknown
  retried?: boolean
}

/** The pool events' common shape. */
interface PoolEvent {
  pool: Pool
  processId?: number
  waitMs?: number
  heldMs?: number
  host?: string
  createMs?: number
}

/** The span name's first word for each kind of operation. */
const OPERATION_LABELS: Record<OperationEvent['kind'], string> = {
  transaction: 'TRANSACTION',
  savepoint: 'SAVEPOINT',
  cursor: 'CURSOR',
  'copy-from': 'COPY FROM',
  'copy-to': 'COPY TO',
}

/** `host:port` (or `[v6]:port`, or a socket path) as `server.address` and `server.port`. */
export function serverAttributes(host: string): Attributes {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(host)
  if (m === null) return { 'server.address': host }
  return { 'server.address': m[1], 'server.port': Number(m[2]) }
}

/** The statement's leading keyword, upper-cased (`SELECT`, `INSERT`, `WITH`…), if any. */
export function operationName(query: string): string | undefined {
  const m = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*([A-Za-z]+)/.exec(query)
  return m?.[1]?.toUpperCase()
}

/**
 * The active span as a sqlcommenter comment body (`traceparent='00-…-01'`, plus `tracestate`
 * when set), for the core's `statementComment` option:
 * `createPool(url, { statementComment: traceComment })`. The server's logs and
 * `pg_stat_activity` then name the trace and the caller's span (the one active when the
 * statement was issued; the statement's own span is its child). Undefined with no active span,
 * so such statements stay prepared.
 */
export function traceComment(): string | undefined {
  const span = trace.getSpan(context.active())
  if (span === undefined) return undefined
  const sc = span.spanContext()
  if (!isSpanContextValid(sc)) return undefined
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0')
  let comment = `traceparent='${encodeURIComponent(`00-${sc.traceId}-${sc.spanId}-${flags}`)}'`
  const state = sc.traceState?.serialize()
  if (state) comment += `,tracestate='${encodeURIComponent(state)}'`
  return comment
}

/** The error's SQLSTATE, or undefined for a client-side error. */
function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/** The class name of an error (`UniqueViolation`, `ConnectionLost`…). */
function errorType(err: unknown): string {
  const name = (err as { name?: unknown } | null)?.name
  return typeof name === 'string' && name !== '' ? name : '_OTHER'
}

/**
 * Subscribes to the core's channels and turns each statement into a client span (named
 * `SELECT mydb`, attributes after the OpenTelemetry database conventions: `db.system.name`,
 * `db.namespace`, `db.operation.name`, `db.query.text`, `db.response.status_code`, `error.type`,
 * `server.address`, `server.port`, `db.response.returned_rows`), with transactions, savepoints,
 * cursors and COPY as spans that contain their statements, and checkouts that waited as
 * `checkout` spans; records `db.client.operation.duration`, `db.client.connection.wait_time`,
 * `use_time` and `create_time`.
 */
export function instrumentTusk(options: TuskInstrumentationOptions = {}): TuskInstrumentation {
  const tracer: Tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
    INSTRUMENTATION_NAME,
  )
  const meter: Meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
    INSTRUMENTATION_NAME,
  )
  const withText = options.queryText !== false
  const minWaitMs = options.checkoutSpanMinWaitMs ?? 1
  // Open spans by event id: statements, and the transactions, savepoints, cursors and COPY
  // operations that statements and other operations name as their parent.
  const spans = new Map<number, Span>()
  /** The context a new span starts in: its parent operation's, else the caller's. */
  const parentContext = (parentId: number | undefined) => {
    const parent = parentId === undefined ? undefined : spans.get(parentId)
    return parent === undefined ? context.active() : trace.setSpan(context.active(), parent)
  }
  // Per statement text and per server, the parsing is done once (bounded caches).
  const operations = new Map<string, string | undefined>()
  const servers = new Map<string, Attributes>()
  const metricBases = new Map<string, Attributes>()
  const operationOf = (query: string): string | undefined => {
    if (operations.has(query)) return operations.get(query)
    const op = operationName(query)
    if (operations.size >= CACHE_SIZE) operations.clear()
    operations.set(query, op)
    return op
  }
  const serverOf = (host: string): Attributes => {
    let found = servers.get(host)
    if (found === undefined) {
      if (servers.size >= CACHE_SIZE) servers.clear()
      found = serverAttributes(host)
      servers.set(host, found)
    }
    return found
  }
  /** The attributes of a successful statement's duration: one object per database × operation. */
  const metricBase = (database: string | undefined, operation: string | undefined): Attributes => {
    const key = `${database ?? ''}\u0000${operation ?? ''}`
    let found = metricBases.get(key)
    if (found === undefined) {
      found = { 'db.system.name': 'postgresql' }
      if (database !== undefined) found['db.namespace'] = database
      if (operation !== undefined) found['db.operation.name'] = operation
      if (metricBases.size >= CACHE_SIZE) metricBases.clear()
      metricBases.set(key, found)
    }
    return found
  }
  const poolNames = new WeakMap<Pool, string>()

  const operationDuration: Histogram = meter.createHistogram('db.client.operation.duration', {
    description: 'Duration of database client operations.',
    unit: 's',
  })
  const waitTime = meter.createHistogram('db.client.connection.wait_time', {
    description: 'The time it took to obtain an open connection from the pool.',
    unit: 's',
  })
  const useTime = meter.createHistogram('db.client.connection.use_time', {
    description: 'The time between borrowing a connection and returning it to the pool.',
    unit: 's',
  })
  const createTime = meter.createHistogram('db.client.connection.create_time', {
    description: 'The time it took to create a new connection.',
    unit: 's',
  })

  const onStart = (message: unknown): void => {
    const e = message as QueryEvent
    const operation = operationOf(e.query)
    const attributes: Attributes = {
      'db.system.name': 'postgresql',
      ...serverOf(e.host),
    }
    if (e.database !== undefined) attributes['db.namespace'] = e.database
    if (operation !== undefined) attributes['db.operation.name'] = operation
    if (withText) attributes['db.query.text'] = e.query
    if (e.statement !== undefined) attributes['db.postgresql.statement_name'] = e.statement
    const name = [operation, e.database].filter(Boolean).join(' ') || 'postgresql'
    // Published synchronously inside the caller's query(): the active context is the caller's.
    spans.set(
      e.id,
      tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parentContext(e.parentId)),
    )
  }

  const onOperationStart = (message: unknown): void => {
    const e = message as OperationEvent
    const attributes: Attributes = {
      'db.system.name': 'postgresql',
      'tusk.operation.kind': e.kind,
      ...serverOf(e.host),
    }
    if (e.database !== undefined) attributes['db.namespace'] = e.database
    if (e.query !== undefined) {
      const operation = operationOf(e.query)
      if (operation !== undefined) attributes['db.operation.name'] = operation
      if (withText) attributes['db.query.text'] = e.query
    }
    if (e.processId !== undefined) attributes['tusk.backend_pid'] = e.processId
    const name = [OPERATION_LABELS[e.kind], e.database].filter(Boolean).join(' ')
    spans.set(
      e.id,
      tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parentContext(e.parentId)),
    )
  }

  const onOperationEnd = (message: unknown): void => {
    const e = message as OperationEndEvent
    const span = spans.get(e.id)
    if (span === undefined) return
    spans.delete(e.id)
    if (typeof e.rowCount === 'number') span.setAttribute('db.response.returned_rows', e.rowCount)
    if (e.outcome !== undefined) span.setAttribute('tusk.transaction.outcome', e.outcome)
    if (e.error !== undefined) {
      const state = sqlState(e.error)
      span.setAttribute('error.type', state ?? errorType(e.error))
      if (state !== undefined) span.setAttribute('db.response.status_code', state)
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(e.error) })
    }
    span.end()
  }

  const finish = (message: unknown, failed: boolean): void => {
    const e = message as QueryEndEvent
    const span = spans.get(e.id)
    spans.delete(e.id)
    let metricAttributes = metricBase(e.database, operationOf(e.query))
    if (failed) {
      metricAttributes = { ...metricAttributes }
      const state = sqlState(e.error)
      const type = state ?? errorType(e.error)
      metricAttributes['error.type'] = type
      if (state !== undefined) metricAttributes['db.response.status_code'] = state
      if (span) {
        span.setAttribute('error.type', type)
        if (state !== undefined) span.setAttribute('db.response.status_code', state)
        if (e.retried) span.setAttribute('tusk.retried', true)
        // The class and SQLSTATE only: a server message or detail can quote row values.
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(e.error) })
      }
    } else if (span && typeof e.rowCount === 'number') {
      span.setAttribute('db.response.returned_rows', e.rowCount)
    }
    span?.end()
    operationDuration.record(e.durationMs / 1000, metricAttributes)
  }
  const onEnd = (message: unknown): void => finish(message, false)
  const onError = (message: unknown): void => finish(message, true)

  const poolName = (pool: Pool): string => poolNames.get(pool) ?? 'default'
  const onAcquire = (message: unknown): void => {
    const e = message as PoolEvent
    if (e.waitMs === undefined) return
    const pool = { 'db.client.connection.pool.name': poolName(e.pool) }
    waitTime.record(e.waitMs / 1000, pool)
    if (minWaitMs !== false && e.waitMs >= minWaitMs) {
      // The wait is over when the pool says so: the span is drawn back to when it began.
      const now = Date.now()
      const attributes: Attributes = { 'db.system.name': 'postgresql', ...pool }
      if (e.processId !== undefined) attributes['tusk.backend_pid'] = e.processId
      tracer
        .startSpan(
          `checkout ${pool['db.client.connection.pool.name']}`,
          { kind: SpanKind.INTERNAL, attributes, startTime: now - e.waitMs },
          context.active(),
        )
        .end(now)
    }
  }
  const onRelease = (message: unknown): void => {
    const e = message as PoolEvent
    if (e.heldMs !== undefined) {
      useTime.record(e.heldMs / 1000, { 'db.client.connection.pool.name': poolName(e.pool) })
    }
  }
  const onConnect = (message: unknown): void => {
    const e = message as PoolEvent
    if (!poolNames.has(e.pool) && e.host !== undefined) poolNames.set(e.pool, e.host)
    if (e.createMs !== undefined) {
      createTime.record(e.createMs / 1000, {
        'db.client.connection.pool.name': poolName(e.pool),
      })
    }
  }

  const subscriptions: [string, (message: unknown) => void][] = [
    [CHANNELS.queryStart, onStart],
    [CHANNELS.queryEnd, onEnd],
    [CHANNELS.queryError, onError],
    [CHANNELS.acquire, onAcquire],
    [CHANNELS.release, onRelease],
    [CHANNELS.connect, onConnect],
    [CHANNELS.operationStart, onOperationStart],
    [CHANNELS.operationEnd, onOperationEnd],
  ]
  for (const [name, fn] of subscriptions) subscribe(name, fn)

  const observed = new Set<Pool>()
  const count = meter.createObservableUpDownCounter('db.client.connection.count', {
    description: 'The number of connections that are currently in the state described.',
    unit: '{connection}',
  })
  const max = meter.createObservableUpDownCounter('db.client.connection.max', {
    description: 'The maximum number of open connections allowed.',
    unit: '{connection}',
  })
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    description: 'The number of current pending requests for an open connection.',
    unit: '{request}',
  })
  const observe: BatchObservableCallback = (result) => {
    for (const pool of observed) {
      if (pool.closed) {
        observed.delete(pool)
        continue
      }
      const stats = pool.stats()
      const name = { 'db.client.connection.pool.name': poolName(pool) }
      result.observe(count, stats.idle, { ...name, 'db.client.connection.state': 'idle' })
      result.observe(count, stats.busy, { ...name, 'db.client.connection.state': 'used' })
      result.observe(max, stats.max, name)
      result.observe(pending, stats.waiting, name)
    }
  }
  meter.addBatchObservableCallback(observe, [count, max, pending])

  return {
    observePool(pool, name) {
      if (name !== undefined) poolNames.set(pool, name)
      observed.add(pool)
    },
    disable() {
      for (const [name, fn] of subscriptions) unsubscribe(name, fn)
      meter.removeBatchObservableCallback(observe, [count, max, pending])
      observed.clear()
    },
  }
}
