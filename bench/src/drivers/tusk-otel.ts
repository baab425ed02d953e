/**
 * @tusk/core with @tusk/otel subscribed and an OpenTelemetry SDK recording every span (batched,
 * then dropped by an exporter that keeps nothing) and the metrics (read once an hour): what an
 * instrumented app pays per statement, next to the same driver uninstrumented.
 */
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import { instrumentTusk } from '@tusk/otel'
import { packageVersion } from '../package-version.js'
import type { DriverAdapter } from './driver.js'
import { load as loadTusk } from './tusk.js'

/** Accepts every batch and keeps nothing. */
const discardSpans: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
}

const discardMetrics: PushMetricExporter = {
  export: (_metrics, done) => done({ code: 0 }),
  forceFlush: async () => {},
  shutdown: async () => {},
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
}

/** The Tusk adapter, instrumented. */
export async function load(): Promise<DriverAdapter> {
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(discardSpans)],
  })
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: discardMetrics,
        exportIntervalMillis: 3_600_000,
      }),
    ],
  })
  instrumentTusk({ tracerProvider, meterProvider })
  const tusk = await loadTusk()
  return {
    ...tusk,
    version: `${tusk.version} + ${packageVersion('@tusk/otel')}`,
    notes: [
      'tusk-otel: @tusk/otel with the OpenTelemetry SDK recording a span per statement (BatchSpanProcessor, an exporter that drops the batches) and the metrics; no context manager, so each span is a root.',
    ],
  }
}
