/**
 * Percentiles from an explicit-bucket histogram (the snapshot shape of `mvx-common`): linear
 * interpolation inside the bucket that holds the rank, clamped to the observed min and max.
 * This is what Prometheus' `histogram_quantile` does, plus the min/max the snapshot carries.
 */
import type { HistogramSeries } from 'mvx-common';

/** Merges several series of one histogram (e.g. all routes) into one. */
export function mergeSeries(series: readonly HistogramSeries[]): HistogramSeries | undefined {
  if (series.length === 0) return undefined;
  const counts = series[0]!.counts.map(() => 0);
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const s of series) {
    s.counts.forEach((c, i) => (counts[i]! += c));
    sum += s.sum;
    count += s.count;
    if (s.min !== undefined) min = Math.min(min, s.min);
    if (s.max !== undefined) max = Math.max(max, s.max);
  }
  return { attributes: {}, counts, sum, count, min: count ? min : undefined, max: count ? max : undefined };
}

/** The `q` quantile (0..1) of a histogram series with the given bucket bounds. */
export function quantile(bounds: readonly number[], series: HistogramSeries, q: number): number | undefined {
  if (series.count === 0) return undefined;
  const rank = q * series.count;
  let seen = 0;
  for (let i = 0; i < series.counts.length; i++) {
    const c = series.counts[i]!;
    if (c > 0 && seen + c >= rank) {
      const lower = i === 0 ? (series.min ?? 0) : bounds[i - 1]!;
      const upper = i < bounds.length ? bounds[i]! : (series.max ?? bounds[bounds.length - 1]!);
      const value = lower + ((upper - lower) * (rank - seen)) / c;
      return Math.min(Math.max(value, series.min ?? value), series.max ?? value);
    }
    seen += c;
  }
  return series.max;
}
