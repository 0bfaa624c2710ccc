/**
 * End to end against a real Prometheus server (Debian's `prometheus` package, installed by
 * `.ci/run`): the bridge's endpoint is scraped by Prometheus over OpenMetrics (what Prometheus
 * asks for first) and over the text format, and every value Prometheus stores is compared with the
 * recorder's snapshot. The exposition is also checked with `promtool check metrics`.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import promClient, { Registry } from 'prom-client';
import { createPrometheusBridge, renderRegistry, startMetricsServer } from '../../src/adapters/prometheus/index.ts';
import type { MetricsServer } from '../../src/adapters/prometheus/index.ts';
import { configureDiagnostics } from '../../src/core/diagnostics.ts';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import { GaugeMetric } from '../../src/core/metrics/instruments/gauge-metric.ts';
import { HistogramMetric } from '../../src/core/metrics/instruments/histogram-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import type { MetricAttributes } from '../../src/core/metrics/types.ts';
import { hasBinary, startPrometheus } from './prometheus-server.ts';
import type { PrometheusServer, PromSample } from './prometheus-server.ts';

configureDiagnostics({ stderr: 'off' });

const available = hasBinary('prometheus') && hasBinary('promtool');
const SKIP_REASON = 'prometheus/promtool not found on PATH (install the Debian package `prometheus`; .ci/run does)';
if (!available && process.env.CI) {
  throw new Error(`The Prometheus end-to-end test must run in CI, but ${SKIP_REASON}`);
}

type Ev =
  | { type: 'order'; region: string; status: string; bytes: number; ms: number }
  | { type: 'queue'; depth: number }
  | { type: 'conn'; delta: number };

describe.skipIf(!available)(`Prometheus end to end${available ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const registry = new Registry();
  const recorder = new AsyncMetricsRecorder<Ev>();
  let om: MetricsServer;
  let text: MetricsServer;
  let prom: PrometheusServer | undefined;

  beforeAll(async () => {
    recorder.registerMetric(new CounterMetric<Ev>({ name: 'shop.orders', description: 'Orders placed', eventTypes: 'order', attributes: ['region', 'status'] }));
    recorder.registerMetric(
      new CounterMetric<Ev>({ name: 'shop.orders.limited', eventTypes: 'order', attributes: ['region'], seriesLimit: 2 }),
    );
    recorder.registerMetric(
      new HistogramMetric<Ev>({ name: 'shop.order.latency', unit: 'ms', eventTypes: 'order', attributes: ['region'], value: (e) => (e.type === 'order' ? e.ms : 0), buckets: [5, 25, 100, 1000] }),
    );
    recorder.registerMetric(
      new HistogramMetric<Ev>({ name: 'shop.order.size', unit: 'By', eventTypes: 'order', value: (e) => (e.type === 'order' ? e.bytes : 0), buckets: [100, 10_000] }),
    );
    recorder.registerMetric(new GaugeMetric<Ev>({ name: 'shop.queue.depth', unit: '{items}', eventTypes: 'queue', value: (e) => (e.type === 'queue' ? e.depth : 0) }));
    recorder.registerMetric(new GaugeMetric<Ev>({ name: 'shop.connections', eventTypes: 'conn', mode: 'updown', value: (e) => (e.type === 'conn' ? e.delta : 0) }));
    const regions = ['eu-west', 'us-east', 'ap-south', 'sa-east'];
    for (let i = 0; i < 200; i++) {
      recorder.emit({ type: 'order', region: regions[i % 4]!, status: i % 7 === 0 ? 'failed' : 'ok', bytes: (i * 397) % 20_000, ms: (i * 13) % 1500 + 0.5 });
    }
    recorder.emit({ type: 'queue', depth: 17 });
    for (const delta of [1, 1, 1, -1, 1]) recorder.emit({ type: 'conn', delta });
    await recorder.flush();

    new promClient.Counter({ name: 'legacy_logins_total', help: 'hand-written counter', labelNames: ['method'], registers: [registry] }).inc({ method: 'password' }, 11);
    createPrometheusBridge(recorder, { registry });
    om = await startMetricsServer({ port: 0, registry });
    text = await startMetricsServer({ port: 0, registry, openMetrics: false });

    prom = await startPrometheus({ mvx_openmetrics: `127.0.0.1:${om.port}`, mvx_text: `127.0.0.1:${text.port}` });
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await Promise.all([om?.close(), text?.close()]);
    registry.clear();
  });

  const query = (q: string): Promise<PromSample[]> => prom!.query(q);

  /** `name{sorted labels}` without job/instance, as a key. */
  function key(name: string, labels: Record<string, string>): string {
    const parts = Object.keys(labels)
      .filter((k) => k !== '__name__' && k !== 'job' && k !== 'instance')
      .sort()
      .map((k) => `${k}=${k === 'le' ? String(Number(labels[k])) : labels[k]}`);
    return `${name}{${parts.join(',')}}`;
  }

  function labelsOf(attributes: MetricAttributes): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(attributes)) out[k.replace(/\./g, '_')] = String(v);
    return out;
  }

  /**
   * What Prometheus must hold, computed from the recorder's snapshot. Over OpenMetrics, counters
   * and histograms also have `_created` samples (the start of the cumulative period, epoch
   * seconds), which this Prometheus stores as series of their own.
   */
  function expected(openMetrics: boolean): Map<string, number> {
    const names: Record<string, string> = {
      'shop.orders': 'shop_orders_total',
      'shop.orders.limited': 'shop_orders_limited_total',
      'shop.order.latency': 'shop_order_latency_seconds',
      'shop.order.size': 'shop_order_size_bytes',
      'shop.queue.depth': 'shop_queue_depth',
      'shop.connections': 'shop_connections',
    };
    const out = new Map<string, number>();
    out.set(key('legacy_logins_total', { method: 'password' }), 11);
    for (const snap of recorder.snapshots()) {
      const name = names[snap.name]!;
      const divisor = snap.unit === 'ms' ? 1000 : 1;
      for (const dim of snap.dimensions) {
        if (dim.kind === 'histogram') {
          for (const s of dim.series) {
            const labels = labelsOf(s.attributes);
            let acc = 0;
            dim.bounds.forEach((b, i) => {
              acc += s.counts[i]!;
              out.set(key(`${name}_bucket`, { ...labels, le: String(b / divisor) }), acc);
            });
            out.set(key(`${name}_bucket`, { ...labels, le: '+Inf' }), s.count);
            out.set(key(`${name}_sum`, labels), s.sum / divisor);
            out.set(key(`${name}_count`, labels), s.count);
            if (openMetrics) out.set(key(`${name}_created`, labels), snap.startTimeMs / 1000);
          }
        } else {
          for (const s of dim.series) {
            out.set(key(name, labelsOf(s.attributes)), s.value);
            if (openMetrics && dim.kind === 'counter') out.set(key(name.replace(/_total$/, '_created'), labelsOf(s.attributes)), snap.startTimeMs / 1000);
          }
        }
      }
    }
    return out;
  }

  const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);

  for (const job of ['mvx_openmetrics', 'mvx_text']) {
    it(`stores exactly the recorder's values, scraped over ${job === 'mvx_text' ? 'the text format' : 'OpenMetrics'}`, async () => {
      const want = expected(job === 'mvx_openmetrics');
      expect(want.size).toBeGreaterThan(40);
      const got = new Map<string, number>();
      for (const s of await query(`{job="${job}"}`)) {
        const name = s.metric['__name__']!;
        if (SYNTHETIC.has(name)) continue;
        got.set(key(name, s.metric), Number(s.value[1]));
      }
      // The overflow series is there, with its Prometheus label.
      expect([...got.keys()].some((k) => k.startsWith('shop_orders_limited_total{otel_metric_overflow=true'))).toBe(true);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [k, v] of want) expect({ series: k, value: got.get(k) }).toEqual({ series: k, value: v });
      const [up] = await query(`up{job="${job}"}`);
      expect(up!.value[1]).toBe('1');
    });
  }

  it('passes promtool check metrics (the registry rendering and the adapter own text rendering)', async () => {
    const bodies = [await (await fetch(text.url)).text(), await renderRegistry(registry, 'prometheus')];
    for (const body of bodies) {
      expect(body).toContain('shop_order_latency_seconds_bucket');
      const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect({ status: r.status, output: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, output: '' });
    }
  });
});

describe.skipIf(available)('Prometheus end to end: availability', () => {
  it(`is skipped here: ${SKIP_REASON}`, () => {
    expect(available).toBe(false);
  });
});
