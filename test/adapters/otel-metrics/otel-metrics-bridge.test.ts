import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
  type MetricData,
  type ResourceMetrics,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { OtelMetricsBridge } from '../../../src/adapters/otel-metrics/index.ts';
import { diagnosticCounts, isMvxError, MvxErrorCode, OVERFLOW_ATTRIBUTE } from '../../../src/index.ts';
import type { MetricAttributes, MetricSnapshot, NumberSeries } from '../../../src/index.ts';
import { FakeMetricsSource } from '../contract/fixtures/metric-source.ts';
import { captureMvxStderr } from '../../support/stderr-guard.ts';

const START_MS = 1_760_000_000_123.456;

/** The shared fake source, its snapshots built from fields the test edits between collections. */
class TestSource extends FakeMetricsSource {
  requests = new Map<string, number>([['GET|200', 3]]);
  inflight = 2;
  temperature = 21.5;
  histo = { counts: [1, 2, 0, 1], sum: 3.2, count: 4, min: 0.05, max: 2.5 };
  extra: MetricSnapshot[] = [];
  start = START_MS;
  /** The next reads that throw. */
  failReads = 0;
  constructor() {
    super();
    this.set(() => this.build());
  }
  override snapshots(): MetricSnapshot[] {
    if (this.failReads > 0) {
      this.failReads--;
      this.reads++;
      throw new Error('snapshot exploded');
    }
    return super.snapshots();
  }
  private build(): MetricSnapshot[] {
    const now = Date.now();
    return [
      {
        name: 'http.server.requests',
        description: 'Requests served',
        unit: '{request}',
        startTimeMs: this.start,
        timeMs: now,
        dimensions: [
          {
            name: '',
            kind: 'counter',
            series: [...this.requests].map(([k, value]): NumberSeries => {
              const [method, status] = k.split('|');
              const attributes: MetricAttributes = method === '*' ? { [OVERFLOW_ATTRIBUTE]: true } : { method: method!, status: Number(status) };
              return { attributes, value };
            }),
          },
        ],
      },
      {
        name: 'pool',
        startTimeMs: START_MS,
        timeMs: now,
        dimensions: [
          { name: 'inflight', kind: 'updown', unit: '{connection}', description: 'Connections in use', series: [{ attributes: {}, value: this.inflight }] },
          { name: 'temperature', kind: 'gauge', unit: 'Cel', series: [{ attributes: { room: 'a' }, value: this.temperature }] },
        ],
      },
      {
        name: 'http.server.duration',
        description: 'Request duration',
        unit: 's',
        startTimeMs: this.start,
        timeMs: now,
        dimensions: [
          {
            name: '',
            kind: 'histogram',
            bounds: [0.1, 1, 2],
            series: [{ attributes: { route: '/docs' }, ...this.histo }, { attributes: { route: '/empty' }, counts: [0, 0, 0, 0], sum: 0, count: 0 }],
          },
        ],
      },
      ...this.extra,
    ];
  }
}

interface Pipeline {
  source: TestSource;
  bridge: OtelMetricsBridge;
  reader: PeriodicExportingMetricReader;
  exporter: InMemoryMetricExporter;
  provider: MeterProvider;
}

const providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

function pipeline(temporality: AggregationTemporality = AggregationTemporality.CUMULATIVE, source = new TestSource()): Pipeline {
  const bridge = new OtelMetricsBridge({ source, temporality: temporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative' });
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, metricProducers: [bridge] });
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  bridge.bindMeter(provider.getMeter('mvx-common'));
  return { source, bridge, reader, exporter, provider };
}

function allMetrics(rm: ResourceMetrics): MetricData[] {
  return rm.scopeMetrics.flatMap((s) => s.metrics);
}

function metric(rm: ResourceMetrics, name: string): MetricData {
  const found = allMetrics(rm).filter((m) => m.descriptor.name === name);
  expect(found.map((m) => m.descriptor.name)).toEqual([name]);
  return found[0]!;
}

function hrToMs([s, ns]: readonly [number, number]): number {
  return s * 1000 + ns / 1e6;
}

describe('OtelMetricsBridge with the real SDK', () => {
  it('exports counters, up-down counters and gauges as observable instruments with cumulative totals, units and descriptions', async () => {
    const { reader } = pipeline();
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const requests = metric(resourceMetrics, 'http.server.requests') as SumMetricData;
    expect(requests.dataPointType).toBe(DataPointType.SUM);
    expect(requests.isMonotonic).toBe(true);
    expect(requests.descriptor.unit).toBe('{request}');
    expect(requests.descriptor.description).toBe('Requests served');
    expect(requests.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ method: 'GET', status: 200 }, 3]]);

    const inflight = metric(resourceMetrics, 'pool.inflight') as SumMetricData;
    expect(inflight.isMonotonic).toBe(false);
    expect(inflight.descriptor.unit).toBe('{connection}');
    expect(inflight.descriptor.description).toBe('Connections in use');
    expect(inflight.dataPoints[0]!.value).toBe(2);

    const temperature = metric(resourceMetrics, 'pool.temperature');
    expect(temperature.dataPointType).toBe(DataPointType.GAUGE);
    expect(temperature.descriptor.unit).toBe('Cel');
    expect(temperature.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ room: 'a' }, 21.5]]);
  });

  it('exports histograms through the producer: per-bucket counts, sum, min, max, cumulative, stable start time', async () => {
    const { reader, source } = pipeline();
    const first = await reader.collect();
    const h = metric(first.resourceMetrics, 'http.server.duration') as HistogramMetricData;
    expect(h.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(h.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(h.descriptor).toMatchObject({ unit: 's', description: 'Request duration' });
    const [docs, empty] = h.dataPoints;
    expect(docs!.attributes).toEqual({ route: '/docs' });
    expect(docs!.value).toEqual({ buckets: { boundaries: [0.1, 1, 2], counts: [1, 2, 0, 1] }, sum: 3.2, count: 4, min: 0.05, max: 2.5 });
    expect(empty!.value.min).toBeUndefined();
    expect(empty!.value.count).toBe(0);
    expect(hrToMs(docs!.startTime)).toBeCloseTo(START_MS, 3);
    expect(hrToMs(docs!.endTime)).toBeGreaterThan(START_MS);

    source.histo = { counts: [1, 3, 0, 1], sum: 3.7, count: 5, min: 0.05, max: 2.5 };
    const second = await reader.collect();
    const h2 = metric(second.resourceMetrics, 'http.server.duration') as HistogramMetricData;
    expect(h2.dataPoints[0]!.value.count).toBe(5);
    expect(h2.dataPoints[0]!.startTime).toEqual(docs!.startTime);
  });

  it('gives a delta exporter the differences between collections (the SDK derives them from the observed totals)', async () => {
    const { exporter, provider, source } = pipeline(AggregationTemporality.DELTA);
    await provider.forceFlush();
    source.requests.set('GET|200', 10);
    source.requests.set('POST|201', 4);
    await provider.forceFlush();
    const exported = exporter.getMetrics();
    const second = metric(exported[exported.length - 1]!, 'http.server.requests') as SumMetricData;
    expect(second.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    const byMethod = Object.fromEntries(second.dataPoints.map((p) => [p.attributes.method, p.value]));
    expect(byMethod).toEqual({ GET: 7, POST: 4 });
  });

  it("with temporality 'delta', exports histogram deltas between collections, leaves unchanged series out, and restarts on a reset", async () => {
    const { exporter, provider, source } = pipeline(AggregationTemporality.DELTA);
    const histogramOf = (i: number): HistogramMetricData | undefined =>
      allMetrics(exporter.getMetrics()[i]!).find((m) => m.descriptor.name === 'http.server.duration') as HistogramMetricData | undefined;
    await provider.forceFlush();
    const first = histogramOf(0)!;
    expect(first.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    expect(first.dataPoints.map((p) => p.attributes.route)).toEqual(['/docs']); // '/empty' has no observations
    expect(first.dataPoints[0]!.value).toEqual({ buckets: { boundaries: [0.1, 1, 2], counts: [1, 2, 0, 1] }, sum: 3.2, count: 4, min: 0.05, max: 2.5 });
    expect(hrToMs(first.dataPoints[0]!.startTime)).toBeCloseTo(START_MS, 3);

    source.histo = { counts: [1, 3, 0, 2], sum: 6.7, count: 6, min: 0.05, max: 3 };
    await provider.forceFlush();
    const second = histogramOf(1)!.dataPoints[0]!;
    expect(second.value.buckets.counts).toEqual([0, 1, 0, 1]);
    expect(second.value.count).toBe(2);
    expect(second.value.sum).toBeCloseTo(3.5, 10);
    expect(second.value.min).toBeUndefined(); // not derivable from two cumulative states
    expect(second.startTime).toEqual(first.dataPoints[0]!.endTime);

    await provider.forceFlush(); // nothing new
    expect(histogramOf(2)).toBeUndefined();

    source.start = START_MS + 60_000; // the source was reset
    source.histo = { counts: [0, 1, 0, 0], sum: 0.5, count: 1, min: 0.5, max: 0.5 };
    await provider.forceFlush();
    const afterReset = histogramOf(3)!.dataPoints[0]!;
    expect(afterReset.value).toMatchObject({ count: 1, sum: 0.5, min: 0.5 });
    expect(hrToMs(afterReset.startTime)).toBeCloseTo(START_MS + 60_000, 3);
  });

  it("with temporality 'delta' in 'producer' mode, counters become delta sums and up-down counters stay cumulative", async () => {
    const source = new TestSource();
    const bridge = new OtelMetricsBridge({ source, numberDimensions: 'producer', temporality: 'delta' });
    await bridge.collect();
    source.requests.set('GET|200', 10);
    source.inflight = 5;
    const { resourceMetrics } = await bridge.collect();
    const requests = metric(resourceMetrics, 'http.server.requests') as SumMetricData;
    expect(requests.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    expect(requests.dataPoints.map((p) => p.value)).toEqual([7]);
    const inflight = metric(resourceMetrics, 'pool.inflight') as SumMetricData;
    expect(inflight.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(inflight.dataPoints[0]!.value).toBe(5);
    const third = await bridge.collect();
    expect(allMetrics(third.resourceMetrics).some((m) => m.descriptor.name === 'http.server.requests')).toBe(false);
  });

  it('reads one snapshot per collection for all number instruments', async () => {
    const { reader, source } = pipeline();
    const before = source.reads;
    await reader.collect();
    // One read by the batch callback, one by the producer (histograms).
    expect(source.reads - before).toBe(2);
    expect(source.flushes).toBeGreaterThanOrEqual(2);
  });

  it('carries the overflow series attribute', async () => {
    const { reader, source } = pipeline();
    source.requests.set('*|0', 17);
    const { resourceMetrics } = await reader.collect();
    const requests = metric(resourceMetrics, 'http.server.requests') as SumMetricData;
    const overflow = requests.dataPoints.find((p) => p.attributes[OVERFLOW_ATTRIBUTE] === true);
    expect(overflow?.value).toBe(17);
  });

  it('picks up metrics registered after the bridge started: at once after refresh(), otherwise from the next collection', async () => {
    const { reader, source, bridge } = pipeline();
    await reader.collect();
    source.extra.push({
      name: 'jobs.done',
      startTimeMs: START_MS,
      timeMs: Date.now(),
      dimensions: [{ name: '', kind: 'counter', series: [{ attributes: {}, value: 5 }] }],
    });
    // Histogram-side data needs nothing: the producer reads the whole snapshot each time.
    const seen = await reader.collect();
    expect(allMetrics(seen.resourceMetrics).some((m) => m.descriptor.name === 'jobs.done')).toBe(false);
    await new Promise((r) => setImmediate(r));
    const next = await reader.collect();
    expect((metric(next.resourceMetrics, 'jobs.done') as SumMetricData).dataPoints[0]!.value).toBe(5);

    source.extra.push({
      name: 'jobs.queued',
      startTimeMs: START_MS,
      timeMs: Date.now(),
      dimensions: [{ name: '', kind: 'updown', series: [{ attributes: {}, value: 9 }] }],
    });
    bridge.refresh();
    const afterRefresh = await reader.collect();
    expect((metric(afterRefresh.resourceMetrics, 'jobs.queued') as SumMetricData).dataPoints[0]!.value).toBe(9);
    expect(bridge.stats().instruments).toBe(5);
  });

  it('skips and reports invalid instrument names and kind conflicts, exporting the rest', async () => {
    const source = new TestSource();
    source.extra.push(
      { name: '9bad name', startTimeMs: START_MS, timeMs: Date.now(), dimensions: [{ name: '', kind: 'counter', series: [{ attributes: {}, value: 1 }] }] },
      { name: 'pool', startTimeMs: START_MS, timeMs: Date.now(), dimensions: [{ name: 'inflight', kind: 'gauge', series: [{ attributes: {}, value: 1 }] }] },
    );
    const before = diagnosticCounts().get('OtelMetricsBridge:dimension.skipped') ?? 0;
    const stderr = captureMvxStderr();
    const { reader, bridge } = pipeline(AggregationTemporality.CUMULATIVE, source);
    const { resourceMetrics } = await reader.collect();
    expect(allMetrics(resourceMetrics).map((m) => m.descriptor.name).sort()).toEqual(
      ['http.server.duration', 'http.server.requests', 'pool.inflight', 'pool.temperature'],
    );
    expect(bridge.stats().skippedDimensions).toBe(2);
    expect((diagnosticCounts().get('OtelMetricsBridge:dimension.skipped') ?? 0) - before).toBe(2);
    // The operator sees the first skip at once (later ones of the same code are summarised).
    expect(stderr.lines).toEqual([expect.stringMatching(/^\[mvx-common\] OtelMetricsBridge dimension\.skipped: '9bad name' is not a valid OpenTelemetry instrument name/)]);
    // Skipped names do not make every collection rescan the source.
    const reads = source.reads;
    await reader.collect();
    await new Promise((r) => setImmediate(r));
    expect(source.reads - reads).toBe(2); // the batch callback's read and the producer's, no refresh
  });

  it('never throws when the source fails: the collection reports the error and the next one works', async () => {
    const { reader, source, bridge } = pipeline();
    await reader.collect();
    source.failReads = 2; // the batch callback's read and the producer's read
    const stderr = captureMvxStderr();
    const failed = await reader.collect();
    // The producer's failure is in the collection's errors; the callback's is reported and counted.
    expect(failed.errors.map((e) => (e as Error).message)).toEqual(['snapshot exploded']);
    expect(stderr.lines).toEqual([
      '[mvx-common] OtelMetricsBridge snapshot.failed: reading the metric snapshots failed | Error: snapshot exploded',
      '[mvx-common] OtelMetricsBridge collect.failed: the metric producer could not read the snapshots | Error: snapshot exploded',
    ]);
    const ok = await reader.collect();
    expect(ok.errors).toEqual([]);
    expect(metric(ok.resourceMetrics, 'http.server.requests').dataPoints[0]!.value).toBe(3);
    expect(bridge.stats().errors).toBe(2);
  });

  it("exports every dimension through the producer in 'producer' mode (no Meter)", async () => {
    const source = new TestSource();
    const bridge = new OtelMetricsBridge({ source, numberDimensions: 'producer', scope: { name: 'my-app', version: '1.2.3' } });
    const result = await bridge.collect();
    expect(result.errors).toEqual([]);
    expect(result.resourceMetrics.scopeMetrics[0]!.scope).toEqual({ name: 'my-app', version: '1.2.3' });
    const requests = metric(result.resourceMetrics, 'http.server.requests') as SumMetricData;
    expect(requests).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: true, aggregationTemporality: AggregationTemporality.CUMULATIVE });
    expect(hrToMs(requests.dataPoints[0]!.startTime)).toBeCloseTo(START_MS, 3);
    expect((metric(result.resourceMetrics, 'pool.inflight') as SumMetricData).isMonotonic).toBe(false);
    expect(metric(result.resourceMetrics, 'pool.temperature').dataPointType).toBe(DataPointType.GAUGE);
    expect(result.resourceMetrics.resource.merge(null)).toBe(result.resourceMetrics.resource);
  });

  it('stops on shutdown (idempotent): no observations, no producer data', async () => {
    const { reader, bridge } = pipeline();
    const p = bridge.shutdown();
    expect(bridge.shutdown()).toBe(p);
    await p;
    const { resourceMetrics } = await reader.collect();
    expect(allMetrics(resourceMetrics)).toEqual([]);
  });

  it('rejects invalid configuration at once, naming the option', () => {
    const bad: [unknown, string][] = [
      [{}, 'source'],
      [{ source: { snapshots: 1 } }, 'source'],
      [{ source: new TestSource(), numberDimensions: 'both' }, 'numberDimensions'],
      [{ source: new TestSource(), flushTimeoutMs: -1 }, 'flushTimeoutMs'],
      [{ source: new TestSource(), temporality: 'DELTA' }, 'temporality'],
      [{ source: new TestSource(), scope: { name: '' } }, 'scope.name'],
      [{ source: new TestSource(), numberDimensions: 'producer', meter: new MeterProvider().getMeter('x') }, 'meter'],
      [{ source: new TestSource(), meter: {} }, 'meter'],
    ];
    for (const [options, option] of bad) {
      let thrown: unknown;
      try {
        new OtelMetricsBridge(options as never);
      } catch (error) {
        thrown = error;
      }
      expect(isMvxError(thrown, MvxErrorCode.CONFIG), option).toBe(true);
      expect((thrown as { option: string }).option).toBe(option);
    }
    const bridge = new OtelMetricsBridge({ source: new TestSource() });
    bridge.bindMeter(new MeterProvider().getMeter('x'));
    expect(() => bridge.bindMeter(new MeterProvider().getMeter('y'))).toThrow(/already bound/);
  });
});
