import { afterEach, describe, expect, it } from 'vitest';
import promClient, { Registry } from 'prom-client';
import { createPrometheusBridge } from '../../../src/adapters/prometheus/index.ts';
import { bridgesOf } from '../../../src/adapters/prometheus/prometheus-bridge.ts';
import { isMvxError, MvxConfigError, MvxErrorCode } from '../../../src/core/errors.ts';
import { configureDiagnostics } from '../../../src/index.ts';
import { captureDiagnostics } from '../../support/diagnostics.ts';
import { FakeMetricsSource, histogramSnapshot } from '../contract/fixtures/metric-source.ts';
import { sampleMap } from '../contract/fixtures/prometheus-text.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { GaugeMetric } from '../../../src/core/metrics/instruments/gauge-metric.ts';
import { HistogramMetric } from '../../../src/core/metrics/instruments/histogram-metric.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import type { MetricSnapshot, MetricsSource } from '../../../src/core/metrics/types.ts';

configureDiagnostics({ stderr: 'off' });

const T0 = 1_700_000_000_000;
const counterSnap = (name: string, series: Array<[Record<string, string | number | boolean>, number]>, extra: Partial<MetricSnapshot> = {}): MetricSnapshot => ({
  name,
  startTimeMs: T0,
  timeMs: T0,
  dimensions: [{ name: '', kind: 'counter', series: series.map(([attributes, value]) => ({ attributes, value })) }],
  ...extra,
});

const registries: Registry[] = [];
function newRegistry(): Registry {
  const r = new Registry();
  registries.push(r);
  return r;
}
afterEach(() => {
  for (const r of registries.splice(0)) r.clear();
});

describe('createPrometheusBridge', () => {
  it('exports counters with _total, labels sanitised and stringified, help from the description', async () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource([
      counterSnap('http.server.requests', [[{ 'http.method': 'GET', status: 200, ok: true }, 3], [{ 'http.method': 'POST', status: 500, ok: false }, 1]], {
        description: 'Requests served',
      }),
    ]);
    createPrometheusBridge(source, { registry });
    const text = await registry.metrics();
    expect(text).toContain('# HELP http_server_requests_total Requests served\n# TYPE http_server_requests_total counter');
    const s = sampleMap(text);
    expect(s.get('http_server_requests_total{http_method="GET",status="200",ok="true"}')).toBe(3);
    expect(s.get('http_server_requests_total{http_method="POST",status="500",ok="false"}')).toBe(1);
  });

  it('exports histograms with exact cumulative buckets, +Inf, _sum and _count, converting ms to seconds', async () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource([
      {
        name: 'job.duration',
        unit: 'ms',
        startTimeMs: T0,
        timeMs: T0,
        dimensions: [{ name: '', kind: 'histogram', bounds: [5, 10, 250], series: [{ attributes: { queue: 'a' }, counts: [1, 0, 2, 4], sum: 4321, count: 7, min: 1, max: 3000 }] }],
      },
    ]);
    createPrometheusBridge(source, { registry });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE job_duration_seconds histogram');
    expect(text).toContain('# HELP job_duration_seconds job.duration');
    const s = sampleMap(text);
    expect(s.get('job_duration_seconds_bucket{le="0.005",queue="a"}')).toBe(1);
    expect(s.get('job_duration_seconds_bucket{le="0.01",queue="a"}')).toBe(1);
    expect(s.get('job_duration_seconds_bucket{le="0.25",queue="a"}')).toBe(3);
    expect(s.get('job_duration_seconds_bucket{le="+Inf",queue="a"}')).toBe(7);
    expect(s.get('job_duration_seconds_sum{queue="a"}')).toBe(4.321);
    expect(s.get('job_duration_seconds_count{queue="a"}')).toBe(7);
  });

  it('maps up-down counters and gauges to Prometheus gauges, gauge unit 1 to _ratio, dimensions to <metric>_<dimension>', async () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource([
      {
        name: 'pool',
        startTimeMs: T0,
        timeMs: T0,
        dimensions: [
          { name: 'in_use', kind: 'updown', series: [{ attributes: {}, value: -2 }] },
          { name: 'utilization', kind: 'gauge', unit: '1', description: 'Share busy', series: [{ attributes: {}, value: 0.25 }] },
          { name: 'bytes.read', kind: 'counter', unit: 'By', series: [{ attributes: {}, value: 1024 }] },
        ],
      },
    ]);
    createPrometheusBridge(source, { registry });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE pool_in_use gauge');
    expect(text).toContain('# HELP pool_utilization_ratio Share busy');
    const s = sampleMap(text);
    expect(s.get('pool_in_use')).toBe(-2);
    expect(s.get('pool_utilization_ratio')).toBe(0.25);
    expect(s.get('pool_bytes_read_bytes_total')).toBe(1024);
  });

  it('renames a histogram attribute called le, and exports the overflow series as otel_metric_overflow="true"', async () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource([
      {
        name: 'h',
        startTimeMs: T0,
        timeMs: T0,
        dimensions: [{ name: '', kind: 'histogram', bounds: [1], series: [{ attributes: { le: 'x' }, counts: [1, 0], sum: 1, count: 1 }] }],
      },
      counterSnap('c', [[{ 'otel.metric.overflow': true }, 5]]),
    ]);
    createPrometheusBridge(source, { registry });
    const s = sampleMap(await registry.metrics());
    expect(s.get('h_bucket{le="1",_le="x"}')).toBe(1);
    expect(s.get('c_total{otel_metric_overflow="true"}')).toBe(5);
  });

  it('merges core series whose Prometheus labels are equal instead of exposing duplicates', async () => {
    const registry = newRegistry();
    const { list: seen, stop: off } = captureDiagnostics();
    const source = new FakeMetricsSource([
      counterSnap('hits', [[{ status: 200 }, 3], [{ status: '200' }, 4], [{ status: 404 }, 1]]),
      {
        name: 'temp',
        startTimeMs: T0,
        timeMs: T0,
        dimensions: [{ name: '', kind: 'gauge', series: [{ attributes: { 'a.b': 'x' }, value: 1 }, { attributes: { a_b: 'x' }, value: 2 }] }],
      },
      {
        name: 'lat',
        startTimeMs: T0,
        timeMs: T0,
        dimensions: [
          {
            name: '',
            kind: 'histogram',
            bounds: [1],
            series: [
              { attributes: { ok: true }, counts: [1, 2], sum: 5, count: 3 },
              { attributes: { ok: 'true' }, counts: [4, 0], sum: 2, count: 4 },
            ],
          },
        ],
      },
    ]);
    const bridge = createPrometheusBridge(source, { registry });
    let text: string;
    try {
      text = await registry.metrics();
    } finally {
      off();
    }
    const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(new Set(lines.map((l) => l.slice(0, l.lastIndexOf(' ')))).size).toBe(lines.length);
    const s = sampleMap(text);
    expect(s.get('hits_total{status="200"}')).toBe(7);
    expect(s.get('hits_total{status="404"}')).toBe(1);
    expect(s.get('temp{a_b="x"}')).toBe(2);
    expect(s.get('lat_bucket{le="1",ok="true"}')).toBe(5);
    expect(s.get('lat_bucket{le="+Inf",ok="true"}')).toBe(7);
    expect(s.get('lat_sum{ok="true"}')).toBe(7);
    expect(s.get('lat_count{ok="true"}')).toBe(7);
    expect(bridge.stats().mergedSeries).toBe(3);
    expect(seen.filter((d) => d.code === 'labels.merged').map((d) => d.details?.['name']).sort()).toEqual(['hits_total', 'lat', 'temp']);
  });

  it('merging two series whose sum would overflow keeps the finite value, never +Inf (counted and reported once)', async () => {
    const registry = newRegistry();
    const { list: seen, stop: off } = captureDiagnostics();
    const big = 1e308;
    const source = new FakeMetricsSource([
      counterSnap('huge', [
        [{ status: 200 }, big],
        [{ status: '200' }, big],
      ]),
      histogramSnapshot('lat', [1], [
        { attributes: { ok: true }, counts: [0, 1], sum: big, count: 1 },
        { attributes: { ok: 'true' }, counts: [0, 1], sum: big, count: 1 },
      ]),
    ]);
    const bridge = createPrometheusBridge(source, { registry });
    let text: string;
    try {
      text = await registry.metrics();
    } finally {
      off();
    }
    const s = sampleMap(text);
    expect(s.get('huge_total{status="200"}')).toBe(big);
    expect(s.get('lat_sum{ok="true"}')).toBe(big);
    expect(s.get('lat_count{ok="true"}')).toBe(1);
    expect(s.get('lat_bucket{le="+Inf",ok="true"}')).toBe(1);
    expect(text).not.toContain('+Inf\n');
    expect(bridge.stats()).toMatchObject({ mergedSeries: 2, mergeOverflows: 2, accepted: 4, delivered: 2, dropped: 2 });
    expect(seen.filter((d) => d.code === 'labels.merge_overflow').map((d) => d.details?.['name']).sort()).toEqual(['huge_total', 'lat']);
  });

  it('reads the real metrics core, flushing before each scrape so emitted events are reflected', async () => {
    const registry = newRegistry();
    const recorder = new AsyncMetricsRecorder<any>();
    recorder.registerMetric(new CounterMetric({ name: 'orders.placed', eventTypes: 'order', attributes: ['region'] }));
    recorder.registerMetric(new HistogramMetric({ name: 'order.value', unit: 'By', eventTypes: 'order', attributes: ['region'], value: (e: any) => e.bytes, buckets: [100, 1000] }));
    recorder.registerMetric(new GaugeMetric({ name: 'orders.open', eventTypes: 'order', value: (e: any) => e.open }));
    createPrometheusBridge(recorder, { registry });
    recorder.emit({ type: 'order', region: 'eu', bytes: 50, open: 3 });
    recorder.emit({ type: 'order', region: 'eu', bytes: 500, open: 4 });
    recorder.emit({ type: 'order', region: 'us', bytes: 5000, open: 2 });
    // No await between emit and scrape: the bridge's flush makes them visible.
    const s = sampleMap(await registry.metrics());
    expect(s.get('orders_placed_total{region="eu"}')).toBe(2);
    expect(s.get('orders_placed_total{region="us"}')).toBe(1);
    expect(s.get('order_value_bytes_bucket{le="100",region="eu"}')).toBe(1);
    expect(s.get('order_value_bytes_bucket{le="1000",region="eu"}')).toBe(2);
    expect(s.get('order_value_bytes_bucket{le="+Inf",region="us"}')).toBe(1);
    expect(s.get('order_value_bytes_sum{region="eu"}')).toBe(550);
    expect(s.get('orders_open')).toBe(2);
  });

  it('takes one snapshot per scrape, shared by every collector of the source', async () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource(Array.from({ length: 20 }, (_, i) => counterSnap(`m${i}`, [[{}, i]])));
    createPrometheusBridge(source, { registry });
    const before = source.reads;
    await registry.metrics();
    expect(source.reads - before).toBe(1);
    expect(source.flushes).toBe(1);
    await registry.getMetricsAsJSON();
    expect(source.reads - before).toBe(2);
  });

  it('serves complete data to concurrent scrapes', async () => {
    const registry = newRegistry();
    let n = 0;
    const source: MetricsSource = {
      snapshots: () => Array.from({ length: 30 }, (_, i) => counterSnap(`c${i}`, [[{}, n]])),
      // Resolves after a varying number of microtask hops.
      flush: async () => {
        n++;
        for (let i = 0; i < (n % 3) + 1; i++) await Promise.resolve();
      },
    };
    createPrometheusBridge(source, { registry });
    const texts = await Promise.all([registry.metrics(), registry.getMetricsAsJSON(), registry.metrics(), registry.metrics()]);
    for (const t of [texts[0], texts[2], texts[3]]) expect(sampleMap(t).size).toBe(30);
    expect(texts[1].every((m) => m.values.length === 1)).toBe(true);
  });

  it('coexists with hand-written prom-client metrics in the same registry', async () => {
    const registry = newRegistry();
    const legacy = new promClient.Counter({ name: 'legacy_jobs_total', help: 'hand-written', labelNames: ['kind'], registers: [registry] });
    legacy.inc({ kind: 'a' }, 2);
    createPrometheusBridge(new FakeMetricsSource([counterSnap('jobs.migrated', [[{ kind: 'a' }, 5]])]), { registry });
    const s = sampleMap(await registry.metrics());
    expect(s.get('legacy_jobs_total{kind="a"}')).toBe(2);
    expect(s.get('jobs_migrated_total{kind="a"}')).toBe(5);
  });

  it('throws an MvxError naming both metrics when a hand-written metric holds the name, registering nothing', () => {
    const registry = newRegistry();
    new promClient.Counter({ name: 'jobs_total', help: 'hand-written', registers: [registry] });
    const source = new FakeMetricsSource([counterSnap('other', [[{}, 1]]), counterSnap('jobs', [[{}, 1]])]);
    let caught: unknown;
    try {
      createPrometheusBridge(source, { registry });
    } catch (e) {
      caught = e;
    }
    expect(isMvxError(caught, MvxErrorCode.ALREADY_EXISTS)).toBe(true);
    expect((caught as Error).message).toContain("mvx metric 'jobs'");
    expect((caught as Error).message).toContain("hand-written prom-client counter 'jobs_total'");
    expect(registry.getSingleMetric('other_total')).toBeUndefined();
  });

  it('throws when two dimensions of the source map to the same Prometheus name', () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource([counterSnap('a.b', [[{}, 1]]), counterSnap('a_b', [[{}, 1]])]);
    expect(() => createPrometheusBridge(source, { registry })).toThrow(/'a\.b' and mvx metric 'a_b'|'a_b' and mvx metric 'a\.b'/);
  });

  it('re-registration of the same source replaces the previous bridge instead of throwing', async () => {
    const registry = newRegistry();
    const first = new FakeMetricsSource([counterSnap('reloaded', [[{}, 1]])]);
    const second = new FakeMetricsSource([counterSnap('reloaded', [[{}, 42]])]);
    const b1 = createPrometheusBridge(first, { registry });
    const b2 = createPrometheusBridge(second, { registry });
    expect(b2.stats().replaced).toBe(1);
    expect(sampleMap(await registry.metrics()).get('reloaded_total')).toBe(42);
    // The old bridge notices on its next refresh and leaves the name alone (no ping-pong).
    b1.refresh();
    expect(b1.stats().lost).toBe(1);
    expect(b1.names()).toEqual([]);
    // Having lost every name, the old bridge retires: the handler no longer prepares it.
    expect(bridgesOf(registry)).toEqual([b2]);
    const callsBefore = first.reads;
    await registry.metrics();
    b1.refresh();
    expect(first.reads).toBe(callsBefore);
    expect(sampleMap(await registry.metrics()).get('reloaded_total')).toBe(42);
    // Closing the old bridge does not remove the new bridge's collector.
    b1.close();
    expect(sampleMap(await registry.metrics()).get('reloaded_total')).toBe(42);
    b2.close();
    expect(registry.getSingleMetric('reloaded_total')).toBeUndefined();
  });

  it('serves several sources in one registry, each with its own snapshot', async () => {
    const registry = newRegistry();
    const a = new FakeMetricsSource([counterSnap('from.a', [[{}, 1]])]);
    const b = new FakeMetricsSource([counterSnap('from.b', [[{}, 2]])]);
    createPrometheusBridge(a, { registry });
    createPrometheusBridge(b, { registry });
    expect(bridgesOf(registry)).toHaveLength(2);
    const s = sampleMap(await registry.metrics());
    expect(s.get('from_a_total')).toBe(1);
    expect(s.get('from_b_total')).toBe(2);
  });

  it('registers metrics the source gains later: from the next scrape, or at once with refresh()', async () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource([counterSnap('first', [[{}, 1]])]);
    const bridge = createPrometheusBridge(source, { registry });
    source.set([...source.current, counterSnap('second', [[{}, 2]])]);
    expect(sampleMap(await registry.metrics()).has('second_total')).toBe(false);
    expect(sampleMap(await registry.metrics()).get('second_total')).toBe(2);
    source.set([...source.current, counterSnap('third', [[{}, 3]])]);
    bridge.refresh();
    expect(sampleMap(await registry.metrics()).get('third_total')).toBe(3);
    expect(bridge.names().sort()).toEqual(['first_total', 'second_total', 'third_total']);
  });

  it('unregisters dimensions that vanish from the source', async () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource([counterSnap('stays', [[{}, 1]]), counterSnap('goes', [[{}, 1]])]);
    createPrometheusBridge(source, { registry });
    source.set([source.current[0]!]);
    const text = await registry.metrics();
    expect(text).not.toContain('goes_total 1');
    expect(registry.getSingleMetric('goes_total')).toBeUndefined();
    expect(registry.getSingleMetric('stays_total')).toBeDefined();
  });

  it('reports a later clash with a hand-written metric as a diagnostic and keeps scraping the rest', async () => {
    const registry = newRegistry();
    const source = new FakeMetricsSource([counterSnap('ok', [[{}, 1]])]);
    const bridge = createPrometheusBridge(source, { registry });
    new promClient.Gauge({ name: 'late_total', help: 'hand-written', registers: [registry] }).set(9);
    const { list: seen, stop: off } = captureDiagnostics();
    source.set([...source.current, counterSnap('late', [[{}, 1]])]);
    try {
      const s = sampleMap(await registry.metrics());
      expect(s.get('ok_total')).toBe(1);
      expect(s.get('late_total')).toBe(9);
    } finally {
      off();
    }
    expect(bridge.stats().clashes).toBe(1);
    expect(seen.some((d) => d.code === 'name.clash' && d.message.includes('late_total'))).toBe(true);
  });

  it('bounds a source flush that hangs, counts it, and scrapes what is there', async () => {
    const registry = newRegistry();
    const source: MetricsSource = {
      snapshots: () => [counterSnap('slow', [[{}, 7]])],
      flush: () => new Promise(() => undefined),
    };
    const bridge = createPrometheusBridge(source, { registry, flushTimeoutMs: 20 });
    expect(sampleMap(await registry.metrics()).get('slow_total')).toBe(7);
    expect(bridge.stats().flushTimeouts).toBe(1);
  });

  it('fails the scrape (rather than serving partial data) when the source throws, and counts it', async () => {
    const registry = newRegistry();
    let fail = false;
    const source: MetricsSource = {
      snapshots: () => {
        if (fail) throw new Error('boom');
        return [counterSnap('x', [[{}, 1]])];
      },
    };
    const bridge = createPrometheusBridge(source, { registry });
    fail = true;
    await expect(registry.metrics()).rejects.toThrow(/failed to give snapshots/);
    expect(bridge.stats().snapshotFailures).toBe(1);
    fail = false;
    expect(sampleMap(await registry.metrics()).get('x_total')).toBe(1);
  });

  it('works in an OpenMetrics registry (prom-client renames counters there)', async () => {
    const registry = newRegistry();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as any);
    createPrometheusBridge(new FakeMetricsSource([counterSnap('om.requests', [[{ a: 'b' }, 4]])]), { registry });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE om_requests counter');
    expect(text).toContain('om_requests_total{a="b"} 4');
    expect(text.endsWith('# EOF\n')).toBe(true);
    // A second scrape is identical (the rename is stable).
    expect(await registry.metrics()).toBe(text);
  });

  it('gives prom-client getMetricsAsJSON the same values with labels merged', async () => {
    const registry = newRegistry();
    createPrometheusBridge(
      new FakeMetricsSource([{ name: 'h', startTimeMs: T0, timeMs: T0, dimensions: [{ name: '', kind: 'histogram', bounds: [1], series: [{ attributes: { a: 'x' }, counts: [2, 1], sum: 3.5, count: 3 }] }] }]),
      { registry },
    );
    const [m] = await registry.getMetricsAsJSON();
    expect(m!.values).toEqual([
      { labels: { a: 'x', le: 1 }, value: 2, metricName: 'h_bucket' },
      { labels: { a: 'x', le: '+Inf' }, value: 3, metricName: 'h_bucket' },
      { labels: { a: 'x' }, value: 3.5, metricName: 'h_sum' },
      { labels: { a: 'x' }, value: 3, metricName: 'h_count' },
    ]);
  });

  it('uses the default prom-client register unless given one, and applies a prefix', async () => {
    const bridge = createPrometheusBridge(new FakeMetricsSource([counterSnap('defaulted', [[{}, 1]])]), { prefix: 'app_' });
    try {
      expect(promClient.register.getSingleMetric('app_defaulted_total')).toBeDefined();
    } finally {
      bridge.close();
    }
    expect(promClient.register.getSingleMetric('app_defaulted_total')).toBeUndefined();
  });

  it('rejects invalid options with MvxConfigError naming the option', () => {
    const source = new FakeMetricsSource([]);
    expect(() => createPrometheusBridge({} as any)).toThrow(MvxConfigError);
    expect(() => createPrometheusBridge(source, { registry: {} as any })).toThrow(/'registry'/);
    expect(() => createPrometheusBridge(source, { prefix: 'bad-prefix' })).toThrow(/'prefix'/);
    expect(() => createPrometheusBridge(source, { flushTimeoutMs: -1 })).toThrow(/'flushTimeoutMs'/);
  });
});
