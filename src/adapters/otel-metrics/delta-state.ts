/**
 * Cumulative → delta conversion for the bridge's producer data, for backends that want DELTA
 * temporality (a `MetricProducer` sets its own temporality: readers' selectors do not apply).
 *
 * Per series it keeps the last cumulative state and the time it was reported; a delta point covers
 * `(previous report, this snapshot]`. A series whose count went down, or a metric whose
 * `startTimeMs` changed, was reset: its point is the new cumulative state from the new start.
 * State is bounded by the series the source reports (the core caps series per metric); metrics
 * absent from a collection are forgotten.
 */
import type { HrTime } from '@opentelemetry/api';
import { attributesKey } from '../../adapter-kit/index.ts';
import type { HistogramSeries, NumberSeries } from '../../index.ts';

interface PrevHistogram {
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly time: HrTime;
}
interface PrevNumber {
  readonly value: number;
  readonly time: HrTime;
}
interface MetricState {
  startTimeMs: number;
  bounds: string;
  readonly histograms: Map<string, PrevHistogram>;
  readonly numbers: Map<string, PrevNumber>;
}

/** A histogram delta: the point's value and start time, or `undefined` when nothing changed. */
export interface HistogramDelta {
  readonly startTime: HrTime;
  readonly counts: number[];
  readonly sum: number;
  readonly count: number;
  /** Only when the delta is the whole cumulative state (first report or reset). */
  readonly min?: number;
  readonly max?: number;
}

export class DeltaState {
  private readonly metrics = new Map<string, MetricState>();
  private seen = new Set<string>();

  /** Call before converting a collection. */
  beginCollection(): void {
    this.seen = new Set();
  }

  /** Call after converting a collection: forgets metrics that were not in it. */
  endCollection(): void {
    for (const name of this.metrics.keys()) if (!this.seen.has(name)) this.metrics.delete(name);
  }

  private state(name: string, startTimeMs: number, bounds: readonly number[] | undefined): MetricState {
    this.seen.add(name);
    const boundsKey = bounds === undefined ? '' : bounds.join(',');
    let st = this.metrics.get(name);
    if (st === undefined || st.startTimeMs !== startTimeMs || st.bounds !== boundsKey) {
      st = { startTimeMs, bounds: boundsKey, histograms: new Map(), numbers: new Map() };
      this.metrics.set(name, st);
    }
    return st;
  }

  /** The delta of one histogram series since its last report; `undefined` when it has no new observations. */
  histogram(name: string, startTimeMs: number, bounds: readonly number[], s: HistogramSeries, start: HrTime, end: HrTime): HistogramDelta | undefined {
    const st = this.state(name, startTimeMs, bounds);
    const key = attributesKey(s.attributes);
    const prev = st.histograms.get(key);
    st.histograms.set(key, { counts: s.counts.slice(), sum: s.sum, count: s.count, time: end });
    if (prev === undefined || s.count < prev.count || prev.counts.length !== s.counts.length) {
      if (s.count === 0) return undefined;
      return {
        startTime: start,
        counts: s.counts.slice(),
        sum: s.sum,
        count: s.count,
        ...(s.min !== undefined ? { min: s.min } : {}),
        ...(s.max !== undefined ? { max: s.max } : {}),
      };
    }
    if (s.count === prev.count) return undefined;
    return { startTime: prev.time, counts: s.counts.map((c, i) => c - prev.counts[i]!), sum: s.sum - prev.sum, count: s.count - prev.count };
  }

  /** The delta of one monotonic counter series; `undefined` when it did not change. */
  counter(name: string, startTimeMs: number, s: NumberSeries, start: HrTime, end: HrTime): { startTime: HrTime; value: number } | undefined {
    const st = this.state(name, startTimeMs, undefined);
    const key = attributesKey(s.attributes);
    const prev = st.numbers.get(key);
    st.numbers.set(key, { value: s.value, time: end });
    if (prev === undefined || s.value < prev.value) return s.value === 0 ? undefined : { startTime: start, value: s.value };
    if (s.value === prev.value) return undefined;
    return { startTime: prev.time, value: s.value - prev.value };
  }
}
