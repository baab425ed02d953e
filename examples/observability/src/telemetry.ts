/**
 * OpenTelemetry wiring: a tracer and a meter provider registered globally, an async context
 * manager (so statements become children of the request's span), and the Tusk instrumentation.
 * A real service would export over OTLP; the exporters are parameters here.
 */
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import { instrumentTusk, type TuskInstrumentation } from '@tusk/otel'

/** The providers and the instrumentation, with a shutdown that flushes them. */
export interface Telemetry {
  instrumentation: TuskInstrumentation
  meterProvider: MeterProvider
  reader: PeriodicExportingMetricReader
  shutdown(): Promise<void>
}

/** Registers the providers globally and subscribes the Tusk instrumentation. */
export function startTelemetry(spans: SpanExporter, metricExporter: PushMetricExporter): Telemetry {
  const contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  })
  trace.setGlobalTracerProvider(tracerProvider)
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 60_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  metrics.setGlobalMeterProvider(meterProvider)
  const instrumentation = instrumentTusk()
  return {
    instrumentation,
    meterProvider,
    reader,
    async shutdown() {
      instrumentation.disable()
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
      trace.disable()
      metrics.disable()
      context.disable()
    },
  }
}
