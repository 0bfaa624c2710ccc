/**
 * The OpenTelemetry metrics bridge runs the metrics-exporter contract twice: every dimension as
 * producer data read by an in-memory MetricReader (the SDK's `MetricData`), and number dimensions
 * as observable instruments on a Meter, served by the OTel PrometheusExporter over HTTP.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { DataPointType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { dimensionMetricName, OtelMetricsBridge } from '../../../src/adapters/otel-metrics/index.ts';
import type { MetricsSource } from '../../../src/index.ts';
import { runMetricsExporterContract, type ExportedMetrics, type ExporterUnderTest } from '../contract/metrics-exporter.ts';
import { FakeMetricsSource } from '../contract/fixtures/metric-source.ts';
import { prometheusView } from '../contract/fixtures/prometheus-text.ts';

/** A reader the test collects from directly. */
class TestReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function sameAttributes(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** What a collection of the SDK shows, read by the bridge's exported names. */
function metricDataView(resourceMetrics: ResourceMetrics): ExportedMetrics {
  const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  return {
    value(metric, dimension, _kind, _unit, attributes) {
      const data = metrics.find((m) => m.descriptor.name === dimensionMetricName(metric, dimension));
      const point = data?.dataPoints.find((p) => sameAttributes(p.attributes, attributes));
      if (data === undefined || point === undefined) return undefined;
      if (data.dataPointType !== DataPointType.HISTOGRAM) return point.value as number;
      const h = point.value as { buckets: { boundaries: number[]; counts: number[] }; sum: number; count: number };
      let acc = 0;
      const buckets = h.buckets.counts.map((c, i) => [h.buckets.boundaries[i] ?? Infinity, (acc += c)] as const);
      return { buckets, count: h.count, sum: h.sum };
    },
  };
}

const badOptions = [
  { option: 'numberDimensions', create: () => new OtelMetricsBridge({ source: new FakeMetricsSource(), numberDimensions: 'all' as never }) },
  { option: 'temporality', create: () => new OtelMetricsBridge({ source: new FakeMetricsSource(), temporality: 'sometimes' as never }) },
  { option: 'flushTimeoutMs', create: () => new OtelMetricsBridge({ source: new FakeMetricsSource(), flushTimeoutMs: -1 }) },
  { option: 'scope.name', create: () => new OtelMetricsBridge({ source: new FakeMetricsSource(), scope: { name: '' } }) },
];

runMetricsExporterContract({
  name: "OtelMetricsBridge (numberDimensions 'producer', in-memory MetricReader)",
  forgetsVanished: true,
  unitScale: () => 1,
  badOptions,
  async create(source: MetricsSource): Promise<ExporterUnderTest> {
    const bridge = new OtelMetricsBridge({ source, flushTimeoutMs: 100, numberDimensions: 'producer' });
    const reader = new TestReader({ metricProducers: [bridge] });
    const provider = new MeterProvider({ readers: [reader] });
    return {
      async collect() {
        const { resourceMetrics, errors } = await reader.collect();
        return { ok: errors.length === 0, metrics: metricDataView(resourceMetrics) };
      },
      lifecycle: bridge,
      dispose: () => provider.shutdown(),
    };
  },
});

runMetricsExporterContract({
  name: "OtelMetricsBridge (numberDimensions 'meter', OTel PrometheusExporter scraped over HTTP)",
  // The SDK keeps exporting an observable instrument's last observed point once its series is no
  // longer observed (its cumulative storage keeps it); the bridge only stops observing it.
  forgetsVanished: false,
  unitScale: () => 1,
  badOptions,
  async create(source: MetricsSource): Promise<ExporterUnderTest> {
    const bridge = new OtelMetricsBridge({ source, flushTimeoutMs: 100 });
    const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [bridge] });
    const provider = new MeterProvider({ readers: [exporter] });
    bridge.bindMeter(provider.getMeter('mvx-common'));
    const server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    // The OTel exporter's names: dots to underscores, `_total` on monotonic sums, no unit suffix.
    const nameOf = (metric: string, dimension: string, kind: string): string =>
      dimensionMetricName(metric, dimension).replace(/[^a-zA-Z0-9_:]/g, '_') + (kind === 'counter' ? '_total' : '');
    return {
      async collect() {
        bridge.refresh(); // instruments for dimensions new since the last collection, observed in this one
        const res = await fetch(url);
        const text = await res.text();
        return { ok: res.status === 200, metrics: prometheusView(text, nameOf, (label) => label.startsWith('otel_scope_')) };
      },
      lifecycle: bridge,
      async dispose() {
        await new Promise((resolve) => server.close(resolve));
        await provider.shutdown();
      },
    };
  },
});
