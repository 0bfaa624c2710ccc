/**
 * The OTLP/HTTP pipeline both OTLP variants of `npm run bench:service` share: one context manager,
 * the SDK's three providers with their OTLP/HTTP exporters to the local receiver, the same batch
 * and reader settings, and a counting wrapper on each exporter (delivered / failed per signal).
 * The mvx variant plugs `OtelLogSink`, `OtelMetricsBridge` and `registerOtelTracing` into it; the
 * direct variant calls the providers' loggers, meters and tracers by hand.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { countExports } from '../../examples/demo/export-accounting.ts';
import type { ExportTally } from '../../examples/demo/export-accounting.ts';

/** Batch settings of both batch processors: a queue large enough that nothing is dropped at the service's peak rate. */
const BATCH = { maxQueueSize: 65_536, maxExportBatchSize: 2048, scheduledDelayMillis: 500, exportTimeoutMillis: 10_000 };
/** Metrics are exported once a second (the Prometheus variants are scraped once a second). */
const METRIC_INTERVAL_MS = 1000;

export interface OtelPipeline {
  readonly loggerProvider: LoggerProvider;
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: TracerProvider;
  readonly tallies: { logs: ExportTally; metrics: ExportTally; spans: ExportTally };
  /** Exports what is pending and shuts the providers down. */
  shutdown(): Promise<void>;
}

export function startOtelPipeline(baseUrl: string, metricProducers: MetricProducer[] = []): OtelPipeline {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const resource = resourceFromAttributes({ 'service.name': 'bench-service' });
  const logs = countExports(new OTLPLogExporter({ url: `${baseUrl}/v1/logs` }), (records: ReadableLogRecord[]) => records.length);
  const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: logs.exporter, ...BATCH })] });
  const metrics = countExports(new OTLPMetricExporter({ url: `${baseUrl}/v1/metrics` }), () => 1);
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: metrics.exporter, exportIntervalMillis: METRIC_INTERVAL_MS, metricProducers })],
  });
  const spans = countExports(new OTLPTraceExporter({ url: `${baseUrl}/v1/traces` }), (s: ReadableSpan[]) => s.length);
  const tracerProvider = new TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter: spans.exporter, ...BATCH })] });
  return {
    loggerProvider,
    meterProvider,
    tracerProvider,
    tallies: { logs: logs.tally, metrics: metrics.tally, spans: spans.tally },
    async shutdown() {
      await Promise.allSettled([loggerProvider.forceFlush(), meterProvider.forceFlush(), tracerProvider.forceFlush()]);
      await Promise.allSettled([loggerProvider.shutdown(), meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}
