/**
 * OpenTelemetry export: log events as OTel log records, `logInvocation` calls as spans (with the
 * trace ids on the log events emitted inside them), metric snapshots through the metrics SDK.
 * In-memory exporters stand in for OTLP here; swap them for the `exporter-*-otlp-http` ones
 * (see `examples/demo/otel-setup.ts`). Run: `npm run example -- otel-export`.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { AsyncMetricsRecorder, CounterMetric, LogLevel, configureLogContext, getLogContext, logInvocation } from 'mvx-common';
import { OtelLogSink } from 'mvx-common/otel-logs';
import { OtelMetricsBridge } from 'mvx-common/otel-metrics';
import { registerOtelTracing } from 'mvx-common/otel-trace';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

// Logs: every event of the `shop` subtree becomes an OTel log record.
const logExporter = new InMemoryLogRecordExporter();
const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
configureLogContext('shop', { sink: new OtelLogSink({ loggerProvider }), minLevel: LogLevel.DEBUG });

// Traces: one span per logInvocation call, parent and child as the calls nest.
const spanExporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })] });
const tracing = registerOtelTracing({ tracerProvider });

// Metrics: a recorder's snapshots read by the SDK at each collection.
type OrderEvent = { type: 'order.placed'; region: string };
const recorder = new AsyncMetricsRecorder<OrderEvent>({ id: 'shop' });
recorder.registerMetric(new CounterMetric<OrderEvent>({ name: 'shop.orders', description: 'Orders placed', eventTypes: 'order.placed', attributes: ['region'] }));
const bridge = new OtelMetricsBridge({ source: recorder });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000, metricProducers: [bridge] });
const meterProvider = new MeterProvider({ readers: [reader] });
bridge.bindMeter(meterProvider.getMeter('mvx-common'));

const log = getLogContext('shop');
const reserve = logInvocation({ event: 'stock.reserve', context: log, params: ['sku'], args: ['sku'] })(async (sku: string) => {
  log.info('stock.checked', { sku, available: 3 });
});
const placeOrder = logInvocation({ event: 'order.place', context: log, params: ['order'], args: ['id=order.id'] })(
  async (order: { id: string; sku: string }) => {
    await reserve(order.sku);
    recorder.emit({ type: 'order.placed', region: 'eu' });
  },
);
await placeOrder({ id: 'o-1', sku: 'sku-9' });

await recorder.flush();
await reader.forceFlush();
await tracing.shutdown();

for (const r of logExporter.getFinishedLogRecords()) {
  process.stdout.write(`log   ${r.eventName} severity=${r.severityNumber}/${r.severityText} trace=${r.spanContext?.traceId ?? '-'}\n`);
}
for (const s of spanExporter.getFinishedSpans()) {
  process.stdout.write(`span  ${s.name} trace=${s.spanContext().traceId} parent=${s.parentSpanContext?.spanId ?? '-'}\n`);
}
for (const rm of metricExporter.getMetrics()) {
  for (const sm of rm.scopeMetrics) {
    for (const m of sm.metrics) process.stdout.write(`metric ${m.descriptor.name} = ${m.dataPoints.map((p) => String(p.value)).join(',')}\n`);
  }
}
await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown(), loggerProvider.shutdown(), recorder.stop()]);
