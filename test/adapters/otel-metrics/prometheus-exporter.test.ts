/**
 * The bridge with the OTel Prometheus exporter (a MetricReader that takes `metricProducers`) and
 * the real metrics core, scraped over real HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtelMetricsBridge } from '../../../src/adapters/otel-metrics/index.ts';
import { AsyncMetricsRecorder, CounterMetric, GaugeMetric, HistogramMetric, OutcomeCounterMetric } from '../../../src/index.ts';

type Ev =
  | { type: 'req'; route: string; status: number; d: number }
  | { type: 'att'; outcome: string }
  | { type: 'pool'; delta: number };

let recorder: AsyncMetricsRecorder<Ev>;
let bridge: OtelMetricsBridge;
let provider: MeterProvider;
let server: Server;
let url: string;

beforeAll(async () => {
  recorder = new AsyncMetricsRecorder<Ev>({ id: 'prom-otel' });
  recorder.registerMetric(new CounterMetric<Ev>({ name: 'http.server.requests', description: 'Requests handled', eventTypes: 'req', attributes: ['route', 'status'] }));
  recorder.registerMetric(
    new HistogramMetric<Ev & { type: 'req' }>({ name: 'http.server.duration', unit: 's', eventTypes: 'req', attributes: ['route'], value: (e) => e.d, buckets: [0.1, 0.5] }),
  );
  recorder.registerMetric(new OutcomeCounterMetric<Ev>({ name: 'storage.attempts', eventTypes: 'att', outcomes: ['success', 'failure'] }));
  bridge = new OtelMetricsBridge({ source: recorder });
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [bridge] });
  provider = new MeterProvider({ readers: [exporter] });
  bridge.bindMeter(provider.getMeter('mvx-common'));
  server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await provider.shutdown();
  await bridge.shutdown();
  await recorder.stop();
});

async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut).replace(/,?otel_scope_name="mvx-common"/, '').replace('{}', ''), Number(line.slice(cut + 1)));
  }
  return samples;
}

describe('OtelMetricsBridge behind the OTel PrometheusExporter', () => {
  it('serves counters and histograms from events emitted just before the scrape (the bridge flushes the recorder first)', async () => {
    recorder.emit({ type: 'req', route: '/a', status: 200, d: 0.05 });
    recorder.emit({ type: 'req', route: '/a', status: 200, d: 0.3 });
    recorder.emit({ type: 'req', route: '/b', status: 500, d: 0.7 });
    recorder.emit({ type: 'att', outcome: 'success' });
    const s = await scrape();
    expect(s.get('http_server_requests_total{route="/a",status="200"}')).toBe(2);
    expect(s.get('http_server_requests_total{route="/b",status="500"}')).toBe(1);
    // Cumulative `le` buckets built by the exporter from the producer's per-bucket counts.
    expect(s.get('http_server_duration_bucket{route="/a",le="0.1"}')).toBe(1);
    expect(s.get('http_server_duration_bucket{route="/a",le="0.5"}')).toBe(2);
    expect(s.get('http_server_duration_bucket{route="/a",le="+Inf"}')).toBe(2);
    expect(s.get('http_server_duration_bucket{route="/b",le="0.5"}')).toBe(0);
    expect(s.get('http_server_duration_count{route="/b"}')).toBe(1);
    expect(s.get('http_server_duration_sum{route="/a"}')).toBeCloseTo(0.35, 10);
    // Multi-dimension metric: `<metric>.<dimension>`.
    expect(s.get('storage_attempts_total')).toBe(1);
    expect(s.get('storage_attempts_success_total')).toBe(1);
    expect(s.get('storage_attempts_failure_total')).toBe(0);
  });

  it('keeps counting across scrapes and serves a metric registered after the bridge started', async () => {
    recorder.registerMetric(new GaugeMetric<Ev & { type: 'pool' }>({ name: 'pool.in_use', eventTypes: 'pool', mode: 'updown', value: (e) => e.delta }));
    recorder.emit({ type: 'pool', delta: 3 });
    recorder.emit({ type: 'pool', delta: -1 });
    recorder.emit({ type: 'req', route: '/a', status: 200, d: 0.01 });
    const first = await scrape();
    expect(first.get('http_server_requests_total{route="/a",status="200"}')).toBe(3);
    // Created at this collection, observed from the next one.
    await new Promise((r) => setImmediate(r));
    const second = await scrape();
    expect(second.get('pool_in_use')).toBe(2);
    expect(second.get('http_server_duration_count{route="/a"}')).toBe(3);
  });
});
