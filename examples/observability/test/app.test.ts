/**
 * The orders service end to end on a real server: the readiness probe, a transaction drawn as a
 * span tree under the request's span, a cursor read, pool metrics, and pino lines for slow
 * statements — with an order's note (a sentinel) in no span, metric or log line.
 */
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { connect, createPool, type Pool } from '@tusk/core'
import { traceComment } from '@tusk/otel'
import { testServers } from '@tusk/testkit/vitest'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, SCHEMA } from '../src/app.js'
import { tuskLogger } from '../src/logger.js'
import { startTelemetry, type Telemetry } from '../src/telemetry.js'

const server = testServers()[0]!
const SENTINEL = `note-sentinel-${process.pid}`

describe('the orders service', () => {
  const database = `example_otel_${process.pid}`
  const spans = new InMemorySpanExporter()
  const metricsOut = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const lines: Record<string, unknown>[] = []
  let telemetry: Telemetry
  let pool: Pool
  let app: ReturnType<typeof createApp>
  let base: string

  beforeAll(async () => {
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database}`)
    await admin.exec(`create database ${database}`)
    await admin.close()
    const url = new URL(server.url)
    url.pathname = `/${database}`
    telemetry = startTelemetry(spans, metricsOut)
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
        done()
      },
    })
    pool = createPool(url.toString(), {
      max: 3,
      logger: tuskLogger(pino(sink)),
      logQueries: { slowerThanMs: 100 },
      statementComment: traceComment,
    })
    telemetry.instrumentation.observePool(pool, 'orders')
    await pool.exec(SCHEMA)
    app = createApp(pool).listen(0, '127.0.0.1')
    await new Promise((resolve) => app.once('listening', resolve))
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise((resolve) => app?.close(resolve))
    await pool?.end({ timeout: 2_000 })
    await telemetry?.shutdown()
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database} with (force)`)
    await admin.close()
  })

  const post = (item: string, qty: number) =>
    fetch(`${base}/orders`, {
      method: 'POST',
      body: JSON.stringify({ item, qty, note: SENTINEL }),
    })
  const childrenOf = (parent: ReadableSpan | undefined): ReadableSpan[] =>
    spans
      .getFinishedSpans()
      .filter((s) => s.parentSpanContext?.spanId === parent?.spanContext().spanId)

  it('answers the readiness probe with the pool’s state', async () => {
    const res = await fetch(`${base}/healthz`)
    expect(res.status).toBe(200)
    const health = (await res.json()) as { ok: boolean; roundTripMs: number; stats: object }
    expect(health.ok).toBe(true)
    expect(health.roundTripMs).toBeGreaterThan(0)
    expect(health.stats).toMatchObject({ max: 3 })
  })

  it('draws an order as a transaction holding its statements, under the request', async () => {
    spans.reset()
    const res = await post('tea', 2)
    expect(res.status).toBe(201)
    const request = spans.getFinishedSpans().find((s) => s.name === 'POST /orders')
    const [tx] = childrenOf(request).filter((s) => s.name === `TRANSACTION ${database}`)
    expect(tx?.attributes['tusk.transaction.outcome']).toBe('commit')
    expect(childrenOf(tx).map((s) => s.name)).toEqual([`UPDATE ${database}`, `INSERT ${database}`])
  })

  it('turns a short stock into a 409 and a rolled-back transaction span', async () => {
    spans.reset()
    const res = await post('coffee', 50)
    expect(res.status).toBe(409)
    const tx = spans.getFinishedSpans().find((s) => s.name === `TRANSACTION ${database}`)
    expect(tx?.attributes).toMatchObject({
      'tusk.transaction.outcome': 'rollback',
      'error.type': '23514',
    })
  })

  it('streams the orders through a cursor span', async () => {
    for (let i = 0; i < 3; i++) expect((await post('tea', 1)).status).toBe(201)
    spans.reset()
    const text = await (await fetch(`${base}/orders`)).text()
    expect(text.trim().split('\n')).toHaveLength(4)
    const request = spans.getFinishedSpans().find((s) => s.name === 'GET /orders')
    const [cursor] = childrenOf(request).filter((s) => s.name === `CURSOR ${database}`)
    expect(cursor?.attributes['db.response.returned_rows']).toBe(4)
  })

  it('logs a slow statement as one pino line, and only the slow ones', async () => {
    lines.length = 0
    expect((await fetch(`${base}/report`)).status).toBe(200)
    await fetch(`${base}/healthz`)
    const queries = lines.filter((l) => l.msg === 'query')
    expect(queries).toHaveLength(1)
    expect(queries[0]).toMatchObject({ level: 30, command: 'SELECT', rows: 1 })
    expect(queries[0]!.durationMs as number).toBeGreaterThanOrEqual(100)
    expect(String(queries[0]!.query)).toContain('pg_sleep(0.15)')
  })

  it('reports the pool metrics, and never the sentinel anywhere', async () => {
    await telemetry.reader.forceFlush()
    const snapshot = metricsOut.getMetrics().at(-1)!
    const names = snapshot.scopeMetrics.flatMap((s) => s.metrics).map((m) => m.descriptor.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'db.client.operation.duration',
        'db.client.connection.count',
        'db.client.connection.create_time',
        'db.client.connection.wait_time',
      ]),
    )
    const everything = JSON.stringify([
      spans.getFinishedSpans().map((s) => [s.name, s.attributes, s.status, s.events]),
      metricsOut.getMetrics(),
      lines,
    ])
    expect(everything).not.toContain(SENTINEL)
  })
})
