/**
 * OTLP export for the demo (on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, e.g.
 * `http://localhost:4318` for the collector of `docker-compose.otel.yml`): log events through
 * `OtelLogSink`, metric snapshots through `OtelMetricsBridge`, and a span per `logInvocation` call
 * through `registerOtelTracing`, all with the OpenTelemetry SDK's OTLP/HTTP exporters.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { LogSink, MetricsSource } from 'mvx-common';
import { OtelLogSink } from 'mvx-common/otel-logs';
import { OtelMetricsBridge } from 'mvx-common/otel-metrics';
import { registerOtelTracing } from 'mvx-common/otel-trace';

export async function startOtel(
  endpoint: string,
  source: MetricsSource,
): Promise<{ logSink: LogSink; describe: () => string; shutdown: () => Promise<void> }> {
  const base = endpoint.replace(/\/+$/, '');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

  const loggerProvider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }) })],
  });
  const logSink = new OtelLogSink({ loggerProvider, shutdownProvider: true });

  const bridge = new OtelMetricsBridge({ source });
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }),
        exportIntervalMillis: 5000,
        metricProducers: [bridge],
      }),
    ],
  });
  bridge.bindMeter(meterProvider.getMeter('mvx-common'));

  const tracerProvider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${base}/v1/traces` }) })],
  });
  const stopTracing = registerOtelTracing({ tracerProvider });

  return {
    logSink,
    describe: () => {
      const s = logSink.stats();
      return `otlp     log records emitted ${s.emitted} to ${base}`;
    },
    shutdown: async () => {
      stopTracing();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), logSink.shutdown()]);
    },
  };
}
