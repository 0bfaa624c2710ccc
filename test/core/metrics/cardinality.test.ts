import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../../src/core/metrics/instruments/histogram-metric.ts';
import { OVERFLOW_ATTRIBUTE } from '../../../src/core/metrics/types.ts';
import type { HistogramDimension, MetricEvent, NumberDimension } from '../../../src/core/metrics/types.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { configureDiagnostics, resetDiagnostics } from '../../../src/core/diagnostics.ts';

// A real GC before each heap reading, so the figure is retained memory, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Ev = MetricEvent & { userId: string; v: number };

beforeEach(() => {
  resetDiagnostics();
  configureDiagnostics({ stderr: 'off' });
});
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

describe('series limit under 100,000 distinct attribute values', () => {
  it('caps series at the limit, counts the rest exactly in the overflow series, and keeps memory bounded', async () => {
    const N = 100_000;
    const limit = 2000;
    const r = new AsyncMetricsRecorder<Ev>({ maxQueueSize: 10_000 });
    const counter = new CounterMetric<Ev>({ name: 'requests', eventTypes: 'req', attributes: ['userId'] });
    const histogram = new HistogramMetric<Ev>({ name: 'latency', unit: 's', eventTypes: 'req', attributes: ['userId'], value: (e) => e.v });
    r.registerMetric(counter);
    r.registerMetric(histogram);
    // Warm up, then measure the heap growth of the remaining 95% of the values.
    for (let i = 0; i < 5_000; i++) r.emit({ type: 'req', userId: `user-${i}`, v: 0.01 });
    await r.flush();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 5_000; i < N; i++) {
      r.emit({ type: 'req', userId: `user-${i}`, v: 0.01 });
      if (i % 5_000 === 0) await r.flush();
    }
    await r.flush();
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;

    expect(r.stats()).toMatchObject({ accepted: N, dispatched: N, dropped: { total: 0 } });
    const c = r.snapshots()[0]!.dimensions[0] as NumberDimension;
    expect(c.series).toHaveLength(limit);
    expect(c.series.at(-1)).toEqual({ attributes: { [OVERFLOW_ATTRIBUTE]: true }, value: N - (limit - 1) });
    expect(c.series.slice(0, -1).every((s) => s.value === 1 && !(OVERFLOW_ATTRIBUTE in s.attributes))).toBe(true);
    expect(c.series.reduce((a, s) => a + s.value, 0)).toBe(N);
    expect(counter.overflowUpdates).toBe(N - (limit - 1));

    const h = r.snapshots()[1]!.dimensions[0] as HistogramDimension;
    expect(h.series).toHaveLength(limit);
    expect(h.series.at(-1)!.count).toBe(N - (limit - 1));
    expect(histogram.seriesCount).toBe(limit);
    // 95,000 new attribute values added no series: growth stays far below what 95,000 series
    // would cost (several MB); a generous bound keeps GC noise out.
    expect(heapGrowth).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('long attribute values (issue 13)', () => {
  it('cuts 16 KB attribute values to the documented length, so 2000 series of them keep a few MB, not tens', async () => {
    const r = new AsyncMetricsRecorder<Ev>({ maxQueueSize: 10_000 });
    const counter = new CounterMetric<Ev>({ name: 'requests', eventTypes: 'req', attributes: ['userId'] });
    const byFunction = new CounterMetric<Ev>({ name: 'requests.f', eventTypes: 'req', attributes: (e) => ({ userId: e.userId }) });
    r.registerMetric(counter);
    r.registerMetric(byFunction);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    // 4000 distinct 16 KB values (distinct within their first characters): 64 MB of strings
    // offered, 2000 series per metric kept; each event's value is garbage once handled.
    for (let i = 0; i < 4000; i++) {
      r.emit({ type: 'req', userId: `${i}:`.padEnd(16 * 1024, 'x'), v: 0 });
      if (i % 500 === 0) await r.flush();
    }
    await r.flush();
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;

    for (const m of [counter, byFunction]) {
      const series = (m.snapshot().dimensions[0] as NumberDimension).series;
      expect(series).toHaveLength(2000);
      const first = series[0]!.attributes['userId'] as string;
      // Cut at 1024 characters with the payload processor's marker.
      expect(first).toBe(`0:`.padEnd(1024, 'x') + `…[+${16 * 1024 - 1024} chars]`);
      expect(series.reduce((a, s) => a + s.value, 0)).toBe(4000);
    }
    // Uncut, 2 × 1999 series × 16 KB of values alone would be 64 MB; cut, about 4 MB plus keys.
    expect(heapGrowth).toBeLessThan(16 * 1024 * 1024);
  });
});
