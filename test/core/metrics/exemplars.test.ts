/**
 * Exemplars in the metrics core (issue 20): the recorder reads the trace context at emit, the
 * ready-made counters and histograms keep bounded exemplars by the documented rules.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { SyncMetricsRecorder } from '../../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../../src/core/metrics/instruments/histogram-metric.ts';
import { SumExemplars } from '../../../src/core/metrics/exemplars/exemplar-store.ts';
import { setLogCorrelationProvider } from '../../../src/core/logger/correlation.ts';
import { MvxConfigError } from '../../../src/core/errors.ts';
import { MetricsRuntime } from '../../../src/core/metrics/runtime/metrics-runtime.ts';
import type { HistogramDimension, MetricEvent, NumberDimension } from '../../../src/core/metrics/types.ts';
import type { ExemplarContext } from '../../../src/core/metrics/exemplars/exemplar.ts';

type Ev = MetricEvent & { readonly durationS?: number; readonly route?: string; readonly user?: unknown };

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const SPAN_A = 'b7ad6b7169203331';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_B = '00f067aa0ba902b7';

/** The active "span", as the OTel trace adapter's provider reports it (one frozen record per span). */
let active: Readonly<Record<string, string>> | undefined;
const span = (trace_id: string, span_id: string, trace_flags = '01') => Object.freeze({ trace_id, span_id, trace_flags });
let providerCalls = 0;

beforeEach(() => {
  active = undefined;
  providerCalls = 0;
  setLogCorrelationProvider(() => {
    providerCalls++;
    return active;
  });
});
afterEach(() => setLogCorrelationProvider(undefined));

const histogram = (options: Partial<ConstructorParameters<typeof HistogramMetric<Ev>>[0]> = {}) =>
  new HistogramMetric<Ev>({ name: 'req.duration', unit: 's', eventTypes: 'req', attributes: ['route'], buckets: [0.1, 1], value: (e) => e.durationS ?? 0, ...options });
const histSeries = (r: { snapshots(): readonly { name: string; dimensions: readonly unknown[] }[] }, name = 'req.duration') =>
  (r.snapshots().find((s) => s.name === name)!.dimensions[0] as HistogramDimension).series;
const counterSeries = (r: { snapshots(): readonly { name: string; dimensions: readonly unknown[] }[] }, name = 'req.count') =>
  (r.snapshots().find((s) => s.name === name)!.dimensions[0] as NumberDimension).series;

describe('exemplars in histograms (aligned-histogram-bucket rule)', () => {
  it('reads the trace context at emit, not at aggregation, and keeps the latest observation per bucket', async () => {
    const recorder = new AsyncMetricsRecorder<Ev>();
    recorder.registerMetric(histogram());
    const before = Date.now();
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', route: '/a', durationS: 0.05 });
    recorder.emit({ type: 'req', route: '/a', durationS: 0.5 });
    active = span(TRACE_B, SPAN_B);
    recorder.emit({ type: 'req', route: '/a', durationS: 0.07 }); // same bucket as 0.05: replaces it
    recorder.emit({ type: 'req', route: '/a', durationS: 7 });
    active = undefined; // aggregation runs after the spans ended
    await recorder.flush();
    const [s] = histSeries(recorder);
    expect(s!.counts).toEqual([2, 1, 1]);
    expect(s!.exemplars).toMatchObject([
      { value: 0.07, traceId: TRACE_B, spanId: SPAN_B },
      { value: 0.5, traceId: TRACE_A, spanId: SPAN_A },
      { value: 7, traceId: TRACE_B, spanId: SPAN_B },
    ]);
    for (const e of s!.exemplars!) {
      expect(e.timeMs).toBeGreaterThanOrEqual(before - 1);
      expect(e.timeMs).toBeLessThanOrEqual(Date.now() + 1);
      expect(e.attributes).toBeUndefined();
    }
  });

  it('keeps at most one exemplar per bucket of each series, however many events', async () => {
    const recorder = new AsyncMetricsRecorder<Ev>({ maxQueueSize: 100_000 });
    recorder.registerMetric(histogram());
    for (let i = 0; i < 20_000; i++) {
      active = span(TRACE_A, (i + 1).toString(16).padStart(16, '0'));
      recorder.emit({ type: 'req', route: i % 2 === 0 ? '/a' : '/b', durationS: (i % 30) / 10 });
    }
    await recorder.flush();
    const series = histSeries(recorder);
    expect(series).toHaveLength(2);
    for (const s of series) {
      expect(s.exemplars).toHaveLength(3);
      // The latest of each bucket: values of the last events of that series.
      expect(s.exemplars!.map((e) => e.spanId)).toEqual(s.exemplars!.map((e) => e.spanId).sort());
    }
    expect(series[0]!.exemplars!.at(-1)!.spanId).toBe((19_999).toString(16).padStart(16, '0'));
  });

  it('forgets its exemplars when reset, and keeps none with exemplars: false', () => {
    const recorder = new SyncMetricsRecorder<Ev>();
    const kept = histogram();
    recorder.registerMetric(kept);
    recorder.registerMetric(histogram({ name: 'req.duration.plain', exemplars: false }));
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', route: '/a', durationS: 0.05 });
    expect(histSeries(recorder)[0]!.exemplars).toHaveLength(1);
    expect(histSeries(recorder, 'req.duration.plain')[0]).not.toHaveProperty('exemplars');
    kept.reset();
    recorder.emit({ type: 'req', route: '/a', durationS: 0.5 });
    expect(histSeries(recorder)[0]!.exemplars).toMatchObject([{ value: 0.5 }]);
  });
});

describe('the exemplar filter', () => {
  it("trace_based (the default) keeps only sampled traces' measurements", () => {
    const recorder = new SyncMetricsRecorder<Ev>();
    recorder.registerMetric(histogram());
    recorder.emit({ type: 'req', route: '/a', durationS: 0.05 }); // no trace
    active = span(TRACE_A, SPAN_A, '00'); // not sampled
    recorder.emit({ type: 'req', route: '/a', durationS: 0.06 });
    expect(histSeries(recorder)[0]).not.toHaveProperty('exemplars');
    active = span(TRACE_B, SPAN_B, '01');
    recorder.emit({ type: 'req', route: '/a', durationS: 0.5 });
    expect(histSeries(recorder)[0]!.exemplars).toMatchObject([{ value: 0.5, traceId: TRACE_B }]);
  });

  it('on keeps unsampled traces and measurements outside any trace (without ids)', () => {
    const recorder = new SyncMetricsRecorder<Ev>({ exemplarFilter: 'on' });
    recorder.registerMetric(histogram());
    recorder.emit({ type: 'req', route: '/a', durationS: 0.05 });
    active = span(TRACE_A, SPAN_A, '00');
    recorder.emit({ type: 'req', route: '/a', durationS: 0.5 });
    const [first, second] = histSeries(recorder)[0]!.exemplars!;
    expect(first).toEqual({ value: 0.05, timeMs: expect.any(Number) });
    expect(second).toMatchObject({ value: 0.5, traceId: TRACE_A, spanId: SPAN_A });
  });

  it('off keeps nothing and does not even read the trace context', async () => {
    const recorder = new AsyncMetricsRecorder<Ev>({ exemplarFilter: 'off' });
    recorder.registerMetric(histogram());
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', route: '/a', durationS: 0.05 });
    await recorder.flush();
    expect(histSeries(recorder)[0]).not.toHaveProperty('exemplars');
    expect(providerCalls).toBe(0);
  });

  it("prefers the event's own correlation to the active span, and ignores invalid ids", () => {
    const recorder = new SyncMetricsRecorder<Ev>();
    recorder.registerMetric(histogram());
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', route: '/a', durationS: 0.05, correlation: { trace_id: TRACE_B, span_id: SPAN_B } });
    recorder.emit({ type: 'req', route: '/a', durationS: 0.5, correlation: { trace_id: 'not-hex', span_id: SPAN_B } });
    recorder.emit({ type: 'req', route: '/a', durationS: 5, correlation: { trace_id: '0'.repeat(32), span_id: SPAN_B, trace_flags: '01' } });
    expect(histSeries(recorder)[0]!.exemplars).toEqual([{ value: 0.05, timeMs: expect.any(Number), traceId: TRACE_B, spanId: SPAN_B }]);
  });

  it("is a runtime default too: defaults.exemplarFilter 'off' reaches its recorders", async () => {
    const runtime = new MetricsRuntime({ namespace: 'app', defaults: { exemplarFilter: 'off' } });
    const recorder = runtime.createRecorder<Ev>('r');
    recorder.registerMetric(histogram());
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', route: '/a', durationS: 0.05 });
    await recorder.flush();
    expect(histSeries(recorder)[0]).not.toHaveProperty('exemplars');
    await runtime.shutdown({ timeoutMs: 1000 });
    expect(() => new MetricsRuntime({ namespace: 'app', defaults: { exemplarFilter: 'yes' as never } })).toThrow(/defaults\.exemplarFilter/);
  });

  it('never throws into emit() for a hostile correlation (throwing getters): counted, no exemplar', async () => {
    const recorder = new AsyncMetricsRecorder<Ev>({ exemplarFilter: 'on' });
    recorder.registerMetric(histogram());
    const hostile = Object.defineProperty({ type: 'req', route: '/a', durationS: 0.05 }, 'correlation', {
      get() {
        throw new Error('boom');
      },
    }) as Ev;
    const hostileIds = { type: 'req', route: '/a', durationS: 0.5, correlation: Object.defineProperty({}, 'trace_id', { get: () => { throw new Error('boom'); } }) } as unknown as Ev;
    expect(() => recorder.emit(hostile)).not.toThrow();
    expect(() => recorder.emit(hostileIds)).not.toThrow();
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', route: '/a', durationS: 5 });
    await recorder.flush();
    const [s] = histSeries(recorder);
    expect(s!.count).toBe(3);
    // 'on' keeps measurements without a trace context: the hostile ones have no ids.
    expect(s!.exemplars!.map((e) => e.traceId)).toEqual([undefined, undefined, TRACE_A]);
  });

  it('rejects an unknown filter, naming the option', () => {
    expect(() => new AsyncMetricsRecorder({ exemplarFilter: 'always' as never })).toThrow(MvxConfigError);
    expect(() => new AsyncMetricsRecorder({ exemplarFilter: 'always' as never })).toThrow(/exemplarFilter/);
    expect(() => new SyncMetricsRecorder({ exemplarFilter: 'sampled' as never })).toThrow(/exemplarFilter/);
  });

  it('keeps contexts aligned with their events when drop-oldest evicts the head of a full buffer', async () => {
    const recorder = new AsyncMetricsRecorder<Ev>({ maxQueueSize: 2, overflowPolicy: 'drop-oldest' });
    recorder.registerMetric(histogram());
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', route: '/a', durationS: 0.05 }); // evicted
    active = undefined;
    recorder.emit({ type: 'req', route: '/a', durationS: 0.06 });
    recorder.emit({ type: 'req', route: '/a', durationS: 0.07 }); // evicts the first, lands in its slot
    await recorder.flush();
    const [s] = histSeries(recorder);
    expect(s!.count).toBe(2);
    expect(s).not.toHaveProperty('exemplars');
  });
});

describe('exemplars in counters (simple fixed-size reservoir, size 1)', () => {
  it('keeps one exemplar per series, the increment as its value, and named event attributes', () => {
    const recorder = new SyncMetricsRecorder<Ev>();
    recorder.registerMetric(new CounterMetric<Ev>({ name: 'req.count', eventTypes: 'req', attributes: ['route'], exemplarAttributes: ['user'] }));
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', route: '/a', user: 'u'.repeat(100) });
    recorder.emit({ type: 'req', route: '/b', user: { not: 'a primitive' } });
    const [a, b] = counterSeries(recorder);
    expect(a!.exemplars).toEqual([{ value: 1, timeMs: expect.any(Number), traceId: TRACE_A, spanId: SPAN_A, attributes: { user: 'u'.repeat(64) } }]);
    expect(b!.exemplars).toEqual([{ value: 1, timeMs: expect.any(Number), traceId: TRACE_A, spanId: SPAN_A }]);
  });

  it('restarts the sampling at each snapshot: the first measurement after a snapshot replaces the exemplar', () => {
    const recorder = new SyncMetricsRecorder<Ev>();
    recorder.registerMetric(new CounterMetric<Ev>({ name: 'req.count', eventTypes: 'req', value: (e) => e.durationS ?? 1 }));
    active = span(TRACE_A, SPAN_A);
    recorder.emit({ type: 'req', durationS: 3 });
    expect(counterSeries(recorder)[0]!.exemplars).toMatchObject([{ value: 3, traceId: TRACE_A }]);
    active = span(TRACE_B, SPAN_B);
    recorder.emit({ type: 'req', durationS: 4 });
    expect(counterSeries(recorder)[0]!.exemplars).toMatchObject([{ value: 4, traceId: TRACE_B }]);
    active = undefined;
    recorder.emit({ type: 'req', durationS: 5 }); // outside a trace: counted, exemplar kept
    const [s] = counterSeries(recorder);
    expect(s!.value).toBe(12);
    expect(s!.exemplars).toMatchObject([{ value: 4, traceId: TRACE_B }]);
  });

  it('samples each measurement of an interval with probability 1/n (reservoir sampling)', () => {
    const ctx = (i: number): ExemplarContext => ({ timeMs: i, traceId: TRACE_A, spanId: i.toString(16).padStart(16, '0') });
    const key = {};
    // random() returns r: the n-th offer replaces when r * n < 1.
    let r = 0.4;
    const store = new SumExemplars<object>(undefined, () => r);
    store.offer(key, 1, ctx(1), { type: 'x' }); // n=1: kept
    store.offer(key, 1, ctx(2), { type: 'x' }); // n=2: 0.8 < 1, replaced
    store.offer(key, 1, ctx(3), { type: 'x' }); // n=3: 1.2, kept
    expect(store.of(key)![0]!.timeMs).toBe(2);
    r = 0.3;
    store.offer(key, 1, ctx(4), { type: 'x' }); // n=4: 1.2, kept
    expect(store.of(key)![0]!.timeMs).toBe(2);
    store.collected();
    r = 0.99;
    store.offer(key, 1, ctx(5), { type: 'x' }); // new interval, n=1: kept whatever random says
    expect(store.of(key)![0]!.timeMs).toBe(5);
    // Uniform: over many intervals of 4 measurements with Math.random, each position wins ~1/4.
    const wins = [0, 0, 0, 0];
    const uniform = new SumExemplars<object>(undefined);
    for (let round = 0; round < 4000; round++) {
      for (let i = 0; i < 4; i++) uniform.offer(key, 1, ctx(i), { type: 'x' });
      wins[uniform.of(key)![0]!.timeMs]!++;
      uniform.collected();
    }
    for (const w of wins) expect(w).toBeGreaterThan(800);
  });

  it('validates the exemplar options, naming them', () => {
    expect(() => new CounterMetric({ name: 'c', eventTypes: 'x', exemplars: 'yes' as never })).toThrow(/exemplars/);
    expect(() => new CounterMetric({ name: 'c', eventTypes: 'x', exemplarAttributes: ['a', 'b', 'c', 'd', 'e'] })).toThrow(/exemplarAttributes/);
    expect(() => new HistogramMetric({ name: 'h', eventTypes: 'x', value: () => 1, exemplarAttributes: [''] })).toThrow(/exemplarAttributes\[0\]/);
  });
});
