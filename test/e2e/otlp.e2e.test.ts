/**
 * End to end: log events, metric events and logInvocation spans exported with the real OTLP/HTTP
 * exporters (http/json) to a receiver on 127.0.0.1, decoded and checked field by field.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtelLogSink } from '../../src/adapters/otel-logs/index.ts';
import { OtelMetricsBridge } from '../../src/adapters/otel-metrics/index.ts';
import { registerOtelTracing } from '../../src/adapters/otel-trace/index.ts';
import {
  AsyncMetricsRecorder,
  configureDiagnostics,
  CounterMetric,
  HistogramMetric,
  LogContext,
  logInvocation,
  LogPayloadProcessor,
  OVERFLOW_ATTRIBUTE,
} from '../../src/index.ts';
import { decodeAttributes, decodeValue, logRecords, metricsOf, pointValue, spansOf } from './otlp-json.ts';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

interface RequestEnd {
  type: 'http.request.end';
  route: string;
  method: string;
  outcome: 'success' | 'failure';
  status: number;
  durationMs: number;
}

let receiver: OtlpReceiver;
const contextManager = new AsyncLocalStorageContextManager();
let loggerProvider: LoggerProvider;
let meterProvider: MeterProvider;
let tracerProvider: TracerProvider;
let recorder: AsyncMetricsRecorder<RequestEnd>;
let stopTracing: () => void;
const startedAt = Date.now();

beforeAll(async () => {
  configureDiagnostics({ stderr: 'off' });
  context.setGlobalContextManager(contextManager.enable());
  receiver = await startOtlpReceiver();
  loggerProvider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${receiver.url}/v1/logs` }) })],
  });
  tracerProvider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }) })],
  });
  recorder = new AsyncMetricsRecorder<RequestEnd>({ id: 'e2e' });
  recorder.registerMetric(
    new CounterMetric<RequestEnd>({
      name: 'http.server.requests',
      description: 'Requests handled',
      unit: '{request}',
      eventTypes: 'http.request.end',
      attributes: ['route', 'method', 'outcome', 'status'],
      seriesLimit: 3,
    }),
  );
  recorder.registerMetric(
    new HistogramMetric<RequestEnd>({
      name: 'http.server.duration',
      description: 'Request duration',
      unit: 's',
      eventTypes: 'http.request.end',
      attributes: ['route'],
      value: (e) => e.durationMs / 1000,
      buckets: [0.01, 0.05, 0.1],
    }),
  );
  const bridge = new OtelMetricsBridge({ source: recorder });
  meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${receiver.url}/v1/metrics` }),
        exportIntervalMillis: 3_600_000,
        metricProducers: [bridge],
      }),
    ],
  });
  bridge.bindMeter(meterProvider.getMeter('mvx-common'));
  stopTracing = registerOtelTracing({ tracerProvider });

  const root = new LogContext({
    namespace: 'shop',
    sink: new OtelLogSink({ loggerProvider }),
    payloadProcessor: new LogPayloadProcessor(),
    minLevel: 'DEBUG',
  });
  const placeOrder = logInvocation({ event: 'order.place', context: root, params: ['order'], args: ['id=order.id', 'items=order.items.len()'] })(
    async function placeOrderImpl(order: { id: string; items: number[]; fail?: boolean }) {
      root.info('order.validated', { items: order.items.length, lines: { first: order.items[0] ?? null } });
      await new Promise((r) => setImmediate(r));
      const failed = order.fail === true;
      recorder.emit({ type: 'http.request.end', route: '/orders', method: 'POST', outcome: failed ? 'failure' : 'success', status: failed ? 402 : 201, durationMs: failed ? 80 : 30 });
      if (failed) throw new Error('payment declined');
      return { ok: true };
    },
  );
  await placeOrder({ id: 'o-1', items: [7, 8] });
  await placeOrder({ id: 'o-2', items: [], fail: true }).catch(() => undefined);
  for (const status of [200, 200, 404, 500]) {
    recorder.emit({ type: 'http.request.end', route: '/health', method: 'GET', outcome: 'success', status, durationMs: 5 });
  }
  root.logEvent('custom.level', 25, { note: 'between INFO and WARNING' });
  await recorder.flush();
  await Promise.all([loggerProvider.forceFlush(), meterProvider.forceFlush(), tracerProvider.forceFlush()]);
});

afterAll(async () => {
  stopTracing();
  await Promise.all([loggerProvider.shutdown(), meterProvider.shutdown(), tracerProvider.shutdown()]);
  await recorder.stop();
  await receiver.close();
  context.disable();
});

describe('OTLP/HTTP end to end', () => {
  it('delivers the spans: one INTERNAL span per call, ERROR on the failed one', () => {
    const spans = spansOf(receiver.bodies.traces).filter((s) => s.name === 'shop.order.place');
    expect(spans).toHaveLength(2);
    const [ok, failed] = spans.sort((a, b) => String(decodeAttributes(a.attributes)['args.id']).localeCompare(String(decodeAttributes(b.attributes)['args.id'])));
    expect(ok!.kind).toBe(1); // SPAN_KIND_INTERNAL
    expect(decodeAttributes(ok!.attributes)).toMatchObject({ 'args.id': 'o-1', 'args.items': 2, 'mvx.namespace': 'shop', 'mvx.outcome': 'success' });
    expect(ok!.status?.code ?? 0).toBe(0); // UNSET
    expect(failed!.status).toMatchObject({ code: 2, message: 'payment declined' }); // STATUS_CODE_ERROR
    expect(decodeAttributes(failed!.attributes)).toMatchObject({ 'error.type': 'Error', 'mvx.outcome': 'failed' });
  });

  it('delivers the log records with event names, severities, precise timestamps, attributes and the trace ids of the span they were logged in', () => {
    const records = logRecords(receiver.bodies.logs);
    const spans = spansOf(receiver.bodies.traces).filter((s) => s.name === 'shop.order.place');
    const validated = records.filter((r) => r.eventName === 'shop.order.validated');
    expect(validated).toHaveLength(2);
    for (const r of validated) {
      expect(r.scope).toBe('mvx-common');
      expect(r.severityNumber).toBe(9);
      expect(r.severityText).toBe('INFO');
      const span = spans.find((s) => s.spanId === r.spanId);
      expect(span, 'record correlated with its span').toBeDefined();
      expect(r.traceId).toBe(span!.traceId);
      const ms = Number(BigInt(r.timeUnixNano) / 1000n) / 1000;
      expect(ms).toBeGreaterThanOrEqual(startedAt - 1);
      expect(ms).toBeLessThanOrEqual(Date.now());
      expect(BigInt(r.timeUnixNano) % 1_000_000n).not.toBe(0n); // sub-millisecond precision kept
    }
    expect(validated.map((r) => decodeAttributes(r.attributes))).toContainEqual({ items: 2, lines: { first: 7 }, 'mvx.namespace': 'shop' });

    const failed = records.find((r) => decodeAttributes(r.attributes)['mvx.outcome'] === 'failed');
    expect(failed?.eventName).toBe('shop.order.place');
    expect(failed?.severityNumber).toBe(17);
    expect(failed?.severityText).toBe('ERROR');
    expect(decodeValue(failed!.body!)).toBe('shop.order.place failed');
    const attrs = decodeAttributes(failed!.attributes);
    expect(attrs).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'payment declined', 'code.function.name': 'placeOrderImpl' });
    expect(String(attrs['exception.stacktrace'])).toContain('payment declined');

    const custom = records.find((r) => r.eventName === 'shop.custom.level');
    expect([custom?.severityNumber, custom?.severityText]).toEqual([11, 'INFO+5']);
  });

  it('delivers the metrics: cumulative counter series with the overflow series, and the histogram with its buckets and unit', () => {
    const metrics = metricsOf(receiver.bodies.metrics);
    const requests = metrics.filter((m) => m.name === 'http.server.requests').at(-1)!;
    expect(requests).toMatchObject({ unit: '{request}', description: 'Requests handled' });
    expect(requests.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true }); // CUMULATIVE
    const series = requests.sum!.dataPoints.map((p) => [decodeAttributes(p.attributes), pointValue(p)] as const);
    const total = series.reduce((n, [, v]) => n + v, 0);
    expect(total).toBe(6);
    // Series limit 3 (overflow included): two real series, then everything else in the overflow one.
    expect(series).toHaveLength(3);
    expect(series.find(([a]) => a[OVERFLOW_ATTRIBUTE] === true)?.[1]).toBe(4);
    expect(series).toContainEqual([{ route: '/orders', method: 'POST', outcome: 'success', status: 201 }, 1]);

    const duration = metrics.filter((m) => m.name === 'http.server.duration').at(-1)!;
    expect(duration).toMatchObject({ unit: 's', description: 'Request duration' });
    expect(duration.histogram!.aggregationTemporality).toBe(2);
    const byRoute = Object.fromEntries(duration.histogram!.dataPoints.map((p) => [decodeAttributes(p.attributes)['route'], p]));
    expect(byRoute['/orders']).toMatchObject({ explicitBounds: [0.01, 0.05, 0.1], sum: 0.11, min: 0.03, max: 0.08 });
    expect(byRoute['/orders']!.bucketCounts.map(Number)).toEqual([0, 1, 1, 0]);
    expect(Number(byRoute['/orders']!.count)).toBe(2);
    expect(byRoute['/health']!.bucketCounts.map(Number)).toEqual([4, 0, 0, 0]);
    const start = BigInt(byRoute['/orders']!.startTimeUnixNano);
    expect(start).toBeLessThan(BigInt(byRoute['/orders']!.timeUnixNano));
    expect(start).toBeGreaterThan(0n);
  });
});
