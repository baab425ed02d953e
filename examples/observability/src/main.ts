/**
 * `pnpm --filter @tusk/example-observability start`: starts an embedded PostgreSQL through the
 * testkit (or uses DATABASE_URL) and serves the orders service on PORT (default 3000), with
 * spans and metrics printed to the console, query logs from pino, and the trace context in
 * each statement's SQL. Ctrl-C stops the service and the server.
 */
import type { AddressInfo } from 'node:net'
import { ConsoleMetricExporter } from '@opentelemetry/sdk-metrics'
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base'
import { createPool } from '@tusk/core'
import { traceComment } from '@tusk/otel'
import { startPostgres } from '@tusk/testkit'
import { pino } from 'pino'
import { createApp, SCHEMA } from './app.js'
import { tuskLogger } from './logger.js'
import { startTelemetry } from './telemetry.js'

const log = pino()
const telemetry = startTelemetry(new ConsoleSpanExporter(), new ConsoleMetricExporter())
const postgres = await startPostgres({ source: process.env.DATABASE_URL ? 'env' : 'embedded' })
log.info({ version: postgres.version, source: postgres.source }, 'PostgreSQL started')

const pool = createPool(postgres.url, {
  max: 5,
  logger: tuskLogger(log),
  // Statements slower than 100 ms, with their duration and rows; never a parameter value.
  logQueries: { slowerThanMs: 100 },
  leakDetectionThreshold: 5_000,
  statementComment: traceComment,
})
telemetry.instrumentation.observePool(pool, 'orders')
await pool.exec(SCHEMA)

const server = createApp(pool).listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address() as AddressInfo
  log.info({ port }, 'listening')
  console.log(`  curl localhost:${port}/healthz`)
  console.log(
    `  curl -X POST localhost:${port}/orders -d '{"item":"tea","qty":2,"note":"for the office"}'`,
  )
  console.log(`  curl localhost:${port}/orders`)
  console.log(`  curl localhost:${port}/report`)
})

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  server.close()
  server.closeAllConnections()
  await pool.end({ timeout: 2_000 })
  await telemetry.shutdown()
  await postgres.stop()
  log.info('stopped')
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  })
}
