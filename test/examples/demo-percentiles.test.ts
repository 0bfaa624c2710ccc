/**
 * The demo's latency percentiles come from the `http.server.duration` histogram. With the default
 * bounds (5, 10, 25 ... 250, 500 ms) most requests fell into two buckets and every storage
 * time-out into (250, 500] ms, so the p99 printed was the maximum in most runs. The demo's bounds
 * are fitted to its latency model: checked here on a sample drawn from that model.
 */
import { describe, expect, it } from 'vitest';
import { AsyncMetricsRecorder, DEFAULT_SECONDS_BUCKETS, HistogramMetric } from 'mvx-common';
import type { HistogramDimension, HistogramSeries } from 'mvx-common';
import { createDemoMetrics, durationBuckets } from '../../examples/demo/metrics.ts';
import { mergeSeries, quantile } from '../../examples/demo/percentiles.ts';
import type { DemoMetricEvent } from '../../examples/demo/service.ts';
import { DEFAULT_LATENCY } from '../../examples/demo/storage.ts';

/** A deterministic pseudo-random generator (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Request durations (seconds) as the demo's service produces them under its storage's latency model. */
function sample(n: number, random: () => number): number[] {
  const l = DEFAULT_LATENCY;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const overheadMs = 0.2 + random() * 1.5;
    if (random() < 0.15) out.push(overheadMs / 1000); // no storage call: health, invalid input
    else if (random() < l.slowRatio) out.push((l.timeoutMs + overheadMs + random() * 3) / 1000); // a time-out
    else out.push((l.minMs + random() * (l.maxMs - l.minMs) + overheadMs) / 1000);
  }
  return out;
}

function exact(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

async function histogramOf(recorder: AsyncMetricsRecorder<DemoMetricEvent>, values: readonly number[]): Promise<{ bounds: readonly number[]; series: HistogramSeries }> {
  for (const durationS of values) {
    recorder.emit({ type: 'http.request', route: '/documents', method: 'GET', status: 200, outcome: 'success', durationS, requestBytes: 0, responseBytes: 0 });
  }
  await recorder.flush();
  const dim = recorder.snapshots().find((s) => s.name === 'http.server.duration')!.dimensions[0] as HistogramDimension;
  await recorder.stop();
  return { bounds: dim.bounds, series: mergeSeries(dim.series)! };
}

describe('demo latency buckets', () => {
  const values = sample(2000, seeded(42));
  const sorted = [...values].sort((a, b) => a - b);

  it('the histogram p50, p90 and p99 are within 1 ms of the exact ones, and p99 is below the maximum', async () => {
    const { bounds, series } = await histogramOf(createDemoMetrics(), values);
    for (const q of [0.5, 0.9, 0.99]) {
      expect(Math.abs(quantile(bounds, series, q)! - exact(sorted, q)), `p${q * 100}`).toBeLessThanOrEqual(0.001);
    }
    expect(quantile(bounds, series, 0.99)!).toBeLessThan(series.max!);
  });

  it('the default bounds could not do that (why the demo sets its own)', async () => {
    const recorder = new AsyncMetricsRecorder<DemoMetricEvent>();
    recorder.registerMetric(
      new HistogramMetric<DemoMetricEvent & { type: 'http.request' }>({ name: 'http.server.duration', unit: 's', eventTypes: 'http.request', value: (e) => e.durationS }),
    );
    const { bounds, series } = await histogramOf(recorder, values);
    expect(bounds).toEqual(DEFAULT_SECONDS_BUCKETS);
    const errors = [0.5, 0.9, 0.99].map((q) => Math.abs(quantile(bounds, series, q)! - exact(sorted, q)));
    expect(Math.max(...errors)).toBeGreaterThan(0.001);
    expect(quantile(bounds, series, 0.99)).toBe(series.max);
  });

  it('bounds are increasing, 1 ms apart through the typical latencies, and fine just above the time-out', () => {
    const b = durationBuckets().map((s) => Math.round(s * 1000));
    expect(b).toEqual([...b].sort((x, y) => x - y));
    for (let ms = DEFAULT_LATENCY.minMs; ms <= DEFAULT_LATENCY.maxMs; ms++) expect(b).toContain(ms);
    expect(b).toEqual(expect.arrayContaining([DEFAULT_LATENCY.timeoutMs, DEFAULT_LATENCY.timeoutMs + 1, DEFAULT_LATENCY.timeoutMs + 2]));
  });
});
