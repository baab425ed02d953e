// Spans and metrics from a real server, read back from the SDK's in-memory exporters.

import { Readable } from 'node:stream'
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { connect, createPool, errors, type Pool } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  instrumentTusk,
  operationName,
  serverAttributes,
  type TuskInstrumentation,
  traceComment,
} from '../src/index.js'

const SENTINEL = `otel-sentinel-${process.pid}-value`

describe('helpers', () => {
  it('reads the operation and the server address', () => {
    expect(operationName('  select 1')).toBe('SELECT')
    expect(operationName('/* c */ -- x\n insert into t values ($1)')).toBe('INSERT')
    expect(operationName('')).toBeUndefined()
    expect(serverAttributes('127.0.0.1:5432')).toEqual({
      'server.address': '127.0.0.1',
      'server.port': 5432,
    })
    expect(serverAttributes('[::1]:6543')).toEqual({ 'server.address': '::1', 'server.port': 6543 })
    expect(serverAttributes('/tmp/.s.PGSQL.5432')).toEqual({
      'server.address': '/tmp/.s.PGSQL.5432',
    })
  })
})

describe.each(testServers().map((s) => [s.name, s] as const))('on %s', (_n, server) => {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  })
  const metricsOut = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({
    exporter: metricsOut,
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const tracer = tracerProvider.getTracer('app')
  const contextManager = new AsyncLocalStorageContextManager()
  let instrumentation: TuskInstrumentation
  let pool: Pool

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable())
    instrumentation = instrumentTusk({ tracerProvider, meterProvider })
    pool = createPool(server.url, { max: 2 })
    instrumentation.observePool(pool, 'main')
    await pool.query(
      'create table if not exists otel_users (id int primary key, email text unique)',
    )
    await pool.query('truncate otel_users')
  })
  afterAll(async () => {
    instrumentation.disable()
    await pool.end()
    context.disable()
    await meterProvider.shutdown()
  })
  afterEach(() => spans.reset())

  /** Every span finished so far whose query text contains `marker`. */
  const spansOf = (marker: string): ReadableSpan[] =>
    spans
      .getFinishedSpans()
      .filter((s) => String(s.attributes['db.query.text'] ?? '').includes(marker))

  it('makes a client span per statement, a child of the caller’s span, named after the operation', async () => {
    await tracer.startActiveSpan('request', async (parent) => {
      await pool.query('select $1::int as n /* span-1 */', [7])
      parent.end()
    })
    const [span] = spansOf('span-1')
    expect(span).toBeDefined()
    const request = spans.getFinishedSpans().find((s) => s.name === 'request')!
    expect(span!.kind).toBe(SpanKind.CLIENT)
    expect(span!.parentSpanContext?.spanId).toBe(request.spanContext().spanId)
    expect(span!.spanContext().traceId).toBe(request.spanContext().traceId)
    const database = new URL(server.url).pathname.slice(1)
    expect(span!.name).toBe(`SELECT ${database}`)
    expect(span!.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': database,
      'db.operation.name': 'SELECT',
      'db.query.text': 'select $1::int as n /* span-1 */',
      'server.address': server.host,
      'server.port': server.port,
      'db.response.returned_rows': 1,
    })
    expect(span!.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('marks a failed statement with its SQLSTATE and class, and never records a value', async () => {
    await pool.query('insert into otel_users values ($1, $2) /* seed */', [1, SENTINEL])
    const err = await pool
      .query('insert into otel_users values ($1, $2) /* span-2 */', [2, SENTINEL])
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(errors.UniqueViolation)
    // The server's detail quotes the value; the span must not.
    expect(String((err as errors.UniqueViolation).detail)).toContain(SENTINEL)
    const [span] = spansOf('span-2')
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'UniqueViolation' })
    expect(span!.attributes).toMatchObject({
      'db.response.status_code': '23505',
      'error.type': '23505',
    })
    expect(span!.events).toEqual([])
    const everything = JSON.stringify(
      spans.getFinishedSpans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        status: s.status,
        events: s.events,
      })),
    )
    expect(everything).not.toContain(SENTINEL)
  })

  it('gives a client-side failure its class as error.type', async () => {
    const s = await connect(server.url)
    const q = s.query('select pg_sleep(5) /* span-3 */', [], { timeout: 50 })
    await expect(q).rejects.toBeInstanceOf(errors.QueryCanceled)
    await s.close()
    const [span] = spansOf('span-3')
    expect(span!.attributes['error.type']).toBe('57014')
    expect(span!.status.message).toBe('QueryCanceled')
  })

  it('records db.query.text only when asked', async () => {
    instrumentation.disable()
    const quiet = instrumentTusk({ tracerProvider, meterProvider, queryText: false })
    try {
      await pool.query('select 1 as one /* span-4 */')
      const all = spans.getFinishedSpans().filter((x) => !x.name.startsWith('checkout'))
      expect(all).toHaveLength(1)
      expect(all[0]!.attributes['db.query.text']).toBeUndefined()
      expect(all[0]!.attributes['db.operation.name']).toBe('SELECT')
    } finally {
      quiet.disable()
      instrumentation = instrumentTusk({ tracerProvider, meterProvider })
      instrumentation.observePool(pool, 'main')
    }
  })

  it('stops at disable()', async () => {
    instrumentation.disable()
    await pool.query('select 1 /* span-5 */')
    expect(spansOf('span-5')).toEqual([])
    instrumentation = instrumentTusk({ tracerProvider, meterProvider })
    instrumentation.observePool(pool, 'main')
  })

  it('reports the pool’s connections, waits and uses, and operation durations', async () => {
    const held = await pool.connect()
    const other = await pool.connect()
    const waiting = pool.connect({ timeout: 5_000 })
    await reader.forceFlush()
    const snapshot = metricsOut.getMetrics().at(-1)!
    const byName = new Map(
      snapshot.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]),
    )
    const points = (name: string) =>
      (byName.get(name)?.dataPoints ?? []).filter(
        (p) => p.attributes['db.client.connection.pool.name'] === 'main',
      )
    expect(
      points('db.client.connection.count').find(
        (p) => p.attributes['db.client.connection.state'] === 'used',
      )?.value,
    ).toBe(2)
    expect(points('db.client.connection.max')[0]?.value).toBe(2)
    expect(points('db.client.connection.pending_requests')[0]?.value).toBe(1)
    held.release()
    other.release()
    ;(await waiting).release()
    await reader.forceFlush()
    const after = metricsOut.getMetrics().at(-1)!
    const all = new Map(
      after.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]),
    )
    const histogramCount = (name: string): number =>
      (all.get(name)?.dataPoints ?? [])
        .filter((p) => p.attributes['db.client.connection.pool.name'] === 'main')
        .reduce((n, p) => n + (p.value as { count: number }).count, 0)
    expect(histogramCount('db.client.connection.wait_time')).toBeGreaterThanOrEqual(3)
    expect(histogramCount('db.client.connection.use_time')).toBeGreaterThanOrEqual(3)
    // The pool opened its two connections while instrumented.
    expect(histogramCount('db.client.connection.create_time')).toBeGreaterThanOrEqual(2)
    const durations = all.get('db.client.operation.duration')?.dataPoints ?? []
    expect(durations.some((p) => p.attributes['db.response.status_code'] === '23505')).toBe(true)
    expect(durations.some((p) => p.attributes['db.operation.name'] === 'SELECT')).toBe(true)
    expect(JSON.stringify(after)).not.toContain(SENTINEL)
  })

  it('draws a transaction as a span that holds its statements, savepoints, cursors and COPY', async () => {
    await pool.query('create table if not exists otel_copy (n int)')
    await tracer.startActiveSpan('request', async (parent) => {
      await pool.transaction(async (tx) => {
        await tx.query('select 1 as a /* span-6 */')
        await tx.savepoint(async (sp) => {
          await sp.query('select 2 as b /* span-7 */')
        })
        const cursor = tx.cursor('select g from generate_series(1, 12) g /* span-8 */', [], {
          batchSize: 5,
        })
        for await (const _batch of cursor);
        await tx.copyFrom('copy otel_copy from stdin /* span-9 */', Readable.from(['1\n2\n']))
      })
      parent.end()
    })
    const finished = spans.getFinishedSpans()
    const request = finished.find((x) => x.name === 'request')!
    const database = new URL(server.url).pathname.slice(1)
    const txSpan = finished.find((x) => x.name === `TRANSACTION ${database}`)!
    const spSpan = finished.find((x) => x.name === `SAVEPOINT ${database}`)!
    const idOf = (x: ReadableSpan | undefined) => x?.spanContext().spanId
    expect(txSpan.parentSpanContext?.spanId).toBe(idOf(request))
    expect(txSpan.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': database,
      'tusk.operation.kind': 'transaction',
      'tusk.transaction.outcome': 'commit',
    })
    expect(spansOf('span-6')[0]?.parentSpanContext?.spanId).toBe(idOf(txSpan))
    expect(spSpan.parentSpanContext?.spanId).toBe(idOf(txSpan))
    expect(spansOf('span-7')[0]?.parentSpanContext?.spanId).toBe(idOf(spSpan))
    const cursor = spansOf('span-8').find((x) => x.name === `CURSOR ${database}`)
    // Each batch the cursor read is a statement span inside it: 12 rows in batches of 5.
    const reads = spansOf('span-8').filter((x) => x !== cursor)
    expect(reads.length).toBeGreaterThanOrEqual(3)
    for (const read of reads) expect(read.parentSpanContext?.spanId).toBe(idOf(cursor))
    expect(cursor?.parentSpanContext?.spanId).toBe(idOf(txSpan))
    expect(cursor?.attributes).toMatchObject({
      'db.operation.name': 'SELECT',
      'db.response.returned_rows': 12,
      'tusk.operation.kind': 'cursor',
    })
    const [copy] = spansOf('span-9')
    expect(copy?.name).toBe(`COPY FROM ${database}`)
    expect(copy?.parentSpanContext?.spanId).toBe(idOf(txSpan))
    expect(copy?.attributes['db.response.returned_rows']).toBe(2)
    // Every child ended within its transaction. The exporter keeps spans in the order they
    // ended; their timestamps cannot show it, as each span anchors its clock on Date.now()
    // (whole milliseconds) and a child can seem to end up to 1 ms after its parent.
    for (const child of [spSpan, cursor!, copy!]) {
      expect(finished.indexOf(child)).toBeLessThan(finished.indexOf(txSpan))
    }
  })

  it('marks a transaction that rolled back with the error that ended it', async () => {
    const failed = pool.transaction(async (tx) => {
      await tx.query('select 1/0 /* span-10 */')
    })
    await expect(failed).rejects.toBeInstanceOf(errors.DivisionByZero)
    const database = new URL(server.url).pathname.slice(1)
    const txSpan = spans.getFinishedSpans().find((x) => x.name === `TRANSACTION ${database}`)!
    expect(txSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: 'DivisionByZero' })
    expect(txSpan.attributes).toMatchObject({
      'error.type': '22012',
      'tusk.transaction.outcome': 'rollback',
    })
    expect(spansOf('span-10')[0]?.parentSpanContext?.spanId).toBe(txSpan.spanContext().spanId)
  })

  it('draws a checkout that waited for a connection, back to when the wait began', async () => {
    const held = await pool.connect()
    const other = await pool.connect()
    const began = Date.now()
    const waiting = pool.connect({ timeout: 5_000 })
    await held.query('select pg_sleep(0.05)')
    held.release()
    ;(await waiting).release()
    other.release()
    const checkout = spans.getFinishedSpans().filter((x) => x.name === 'checkout main')
    expect(checkout).toHaveLength(1)
    const start = checkout[0]!.startTime[0] * 1e3 + checkout[0]!.startTime[1] / 1e6
    const end = checkout[0]!.endTime[0] * 1e3 + checkout[0]!.endTime[1] / 1e6
    expect(end - start).toBeGreaterThanOrEqual(40)
    expect(Math.abs(start - began)).toBeLessThan(40)
    expect(checkout[0]!.attributes['db.client.connection.pool.name']).toBe('main')
  })

  it('puts the active span in the statement as a comment when asked', async () => {
    const s = await connect(server.url, { statementComment: traceComment })
    try {
      const text = 'select query from pg_stat_activity where pid = pg_backend_pid()'
      const outside = await s.queryOne<{ query: string }>(text)
      expect(outside?.query).toBe(text)
      let ids = { traceId: '', spanId: '' }
      const inside = await tracer.startActiveSpan('request', async (span) => {
        ids = span.spanContext()
        const row = await s.queryOne<{ query: string }>(text)
        span.end()
        return row
      })
      expect(inside?.query).toBe(`${text}\n/*traceparent='00-${ids.traceId}-${ids.spanId}-01'*/`)
    } finally {
      await s.close()
    }
  })
})
