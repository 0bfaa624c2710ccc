/**
 * The slowest non-empty bucket of a latency histogram, and one trace that fell in it: the
 * exemplar `mvx-common` kept for that bucket (one per bucket and series: the latest request in
 * it, among requests made inside a sampled trace). With the OTLP export on, the trace id finds
 * the trace in Jaeger; Grafana's latency panel shows the same exemplars.
 */
import type { Exemplar, HistogramDimension } from 'mvx-common';

export interface SlowestBucket {
  /** `(lower, upper]` in seconds; `upper` is `Infinity` for the bucket above the last bound. */
  readonly lower: number;
  readonly upper: number;
  /** Requests in that bucket, every series together. */
  readonly count: number;
  /** The latest exemplar of that bucket across series, when one was kept. */
  readonly exemplar?: Exemplar;
}

/** The slowest bucket holding at least one observation, or `undefined` when the histogram is empty. */
export function slowestBucket(dim: HistogramDimension): SlowestBucket | undefined {
  const bounds = dim.bounds;
  let index = -1;
  for (const s of dim.series) for (let i = s.counts.length - 1; i > index; i--) if (s.counts[i]! > 0) index = i;
  if (index < 0) return undefined;
  const lower = index === 0 ? -Infinity : bounds[index - 1]!;
  const upper = index < bounds.length ? bounds[index]! : Infinity;
  let count = 0;
  let exemplar: Exemplar | undefined;
  for (const s of dim.series) {
    count += s.counts[index]!;
    for (const e of s.exemplars ?? []) {
      if (e.value > lower && e.value <= upper && e.traceId !== undefined && (exemplar === undefined || e.timeMs > exemplar.timeMs)) exemplar = e;
    }
  }
  return { lower, upper, count, ...(exemplar === undefined ? {} : { exemplar }) };
}
