/**
 * OTLP export for the demo (on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, e.g.
 * `http://localhost:4318` for the collector of `docker-compose.otel.yml`): log events through
 * `OtelLogSink`, metric snapshots through `OtelMetricsBridge`, and a span per `logInvocation` call
 * through `registerOtelTracing`, all with the OpenTelemetry SDK's OTLP/HTTP exporters.
 *
 * Every exporter is counted (`CountingLogRecordExporter` for logs, `countExports` for metrics and
 * spans), so the summary can say what was delivered and what failed, and why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { LogSink, MetricsSource } from 'mvx-common';
import { CountingLogRecordExporter, OtelLogSink } from 'mvx-common/otel-logs';
import { OtelMetricsBridge } from 'mvx-common/otel-metrics';
import { registerOtelTracing } from 'mvx-common/otel-trace';
import { countExports, exportReport, reasonOf } from './export-accounting.ts';
import type { DeliveryReport } from './export-accounting.ts';
import { bounded } from './lifecycle.ts';

const SERVICE_VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The OTel resource of every signal: `service.name` `mvx-demo` and `service.version` (the
 * package's), overridden by `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` (the SDK's
 * `envDetector`), on top of the SDK's defaults (`telemetry.sdk.*`).
 */
export function demoResource(): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'mvx-demo', 'service.version': SERVICE_VERSION }))
    .merge(detectResources({ detectors: [envDetector] }));
}

/** Counts spans as they end (added before the batch processor, which may drop some). */
class EndedSpans implements SpanProcessor {
  count = 0;
  onStart(): void {}
  onEnd(_span: ReadableSpan): void {
    this.count++;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function dataPoints(metrics: ResourceMetrics): number {
  let n = 0;
  for (const scope of metrics.scopeMetrics) for (const m of scope.metrics) n += m.dataPoints.length;
  return n;
}

export interface OtelExports {
  readonly logSink: LogSink;
  /** One report per signal (logs, metrics, traces); final after `shutdown()`. */
  delivery(): DeliveryReport[];
  /** Ends tracing, then flushes and shuts the providers down, within about `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

export function startOtel(endpoint: string, source: MetricsSource, exportTimeoutMs: number): OtelExports {
  const base = endpoint.replace(/\/+$/, '');
  const resource = demoResource();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

  const logExporter = new CountingLogRecordExporter(new OTLPLogExporter({ url: `${base}/v1/logs`, timeoutMillis: exportTimeoutMs }));
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: logExporter, exportTimeoutMillis: exportTimeoutMs })],
  });
  const logSink = new OtelLogSink({ loggerProvider, shutdownProvider: true, timeoutMs: exportTimeoutMs + 1000 });

  const bridge = new OtelMetricsBridge({ source });
  const metricExport = countExports(new OTLPMetricExporter({ url: `${base}/v1/metrics`, timeoutMillis: exportTimeoutMs }), dataPoints);
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: metricExport.exporter,
        exportIntervalMillis: 5000,
        exportTimeoutMillis: exportTimeoutMs,
        metricProducers: [bridge],
      }),
    ],
  });
  bridge.bindMeter(meterProvider.getMeter('mvx-common'));

  const ended = new EndedSpans();
  const spanExport = countExports(
    new OTLPTraceExporter({ url: `${base}/v1/traces`, timeoutMillis: exportTimeoutMs }),
    (spans: ReadableSpan[]) => spans.length,
  );
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [ended, new BatchSpanProcessor({ exporter: spanExport.exporter, exportTimeoutMillis: exportTimeoutMs })],
  });
  const tracing = registerOtelTracing({ tracerProvider });

  return {
    logSink,
    delivery: () => {
      const s = logExporter.stats();
      const logTally = {
        delivered: s.exported,
        failed: s.failed,
        inFlight: s.inFlight,
        exports: s.batches,
        failedExports: s.failedBatches,
        lastError: s.lastError === undefined ? undefined : reasonOf(s.lastError),
      };
      return [
        exportReport('otlp logs', { what: 'records emitted', count: logSink.stats().emitted }, 'records', logTally),
        exportReport('otlp metrics', undefined, 'data points', metricExport.tally),
        exportReport('otlp traces', { what: 'spans ended', count: ended.count }, 'spans', spanExport.tally),
      ];
    },
    shutdown: async (timeoutMs) => {
      await tracing.shutdown();
      // One bound for the three: a down endpoint makes each wait out its export time-out.
      await bounded(Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), logSink.shutdown({ timeoutMs })]), timeoutMs);
    },
  };
}
