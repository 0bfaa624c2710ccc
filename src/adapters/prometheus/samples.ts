/**
 * Snapshot series → Prometheus samples: the pure mapping of the bridge (no registry, no state),
 * in the shape prom-client's registry prints.
 *
 * - counter, up-down counter, gauge: one sample per series, its value scaled to the base unit;
 * - histogram: per series, the buckets made cumulative (`_bucket{le="<bound>"}`, bounds scaled to
 *   the base unit), `_bucket{le="+Inf"}` equal to the count (the exposition format requires
 *   `+Inf == _count`), `_sum` in the base unit, `_count`.
 *
 * Two core series can have the same Prometheus labels (`{status: 200}` and `{status: '200'}`);
 * Prometheus rejects duplicate series, so the collector merges them with {@link mergeNumberSample}
 * and {@link mergeHistogramSamples}: counts and sums add up, a gauge keeps the later value. A merge
 * whose sum would not be finite (two counters near `Number.MAX_VALUE`) is refused: the exported
 * series keeps its finite value and the merge is counted, never `+Inf`.
 */
import type { HistogramSeries, MetricAttributes, MetricDimension } from '../../index.ts';
import { LabelCache, type Labels } from './labels.ts';
import type { PrometheusName } from './naming.ts';
import { attachHistogramExemplars, attachNumberExemplar } from './exemplar-samples.ts';
import type { SampleExemplar } from './exemplar-samples.ts';

/** One exported sample, in the shape prom-client's registry prints. */
export interface SampleValue {
  value: number;
  labels: Readonly<Record<string, string | number>>;
  /** Series labels kept apart so prom-client formats them once per labels object (see `DimensionCollector`). */
  sharedLabels?: Labels;
  metricName?: string;
  /** An exemplar of the sample, printed in OpenMetrics only (`exemplar-samples.ts`). */
  exemplar?: SampleExemplar;
}

/** Value conversion to the Prometheus base unit: `value * factor / divisor` (see `prometheusUnit`). */
export interface SampleScale {
  readonly factor: number;
  readonly divisor: number;
}

/** The three sample names of a histogram family. */
export interface HistogramSampleNames {
  readonly bucket: string;
  readonly sum: string;
  readonly count: string;
}

/** A series' label set, and where the current pass put its first sample (see `LabelCache`). */
export interface SeriesLabels {
  readonly labels: Labels;
  /** The pass that last used this label set. */
  stamp: number;
  /** Where that pass put this label set's first sample. */
  index: number;
}

/** What {@link appendSamples} needs besides the dimension. */
export interface SampleContext {
  readonly scale: SampleScale;
  /** The `le` label of each bucket bound of a histogram dimension ({@link bucketLabels}). */
  readonly le: ReadonlyArray<Readonly<{ le: number }>>;
  readonly names: HistogramSampleNames;
  /** This collect pass (label sets stamped with it were met earlier in the pass). */
  readonly pass: number;
  /** The label set of a series' attributes. */
  labelsOf(attributes: MetricAttributes): SeriesLabels;
  /** A series merged into an earlier one with the same labels (`overflowed`: refused, the sum would not be finite). */
  merged(labels: Labels, overflowed: boolean): void;
}

/**
 * Appends the samples of one dimension to `out` (see the module comment), merging series whose
 * labels are equal.
 */
export function appendSamples(out: SampleValue[], dim: MetricDimension, ctx: SampleContext): void {
  const { scale, pass } = ctx;
  const gauge = dim.kind === 'gauge';
  for (const s of dim.series) {
    const entry = ctx.labelsOf(s.attributes);
    if (entry.stamp === pass) {
      const ok =
        dim.kind === 'histogram'
          ? mergeHistogramSamples(out, entry.index, s as HistogramSeries, ctx.le, scale)
          : mergeNumberSample(out[entry.index]!, (s as { value: number }).value, scale, gauge);
      ctx.merged(entry.labels, !ok);
      continue;
    }
    entry.stamp = pass;
    entry.index = out.length;
    if (dim.kind === 'histogram') {
      appendHistogramSamples(out, s as HistogramSeries, ctx.le, ctx.names, scale, entry.labels);
      if (s.exemplars !== undefined) attachHistogramExemplars(out, entry.index, Math.min(ctx.le.length, (s as HistogramSeries).counts.length), s as HistogramSeries, dim.bounds, scale);
    } else {
      out.push(numberSample((s as { value: number }).value, scale, entry.labels));
      if (s.exemplars !== undefined) attachNumberExemplar(out[entry.index]!, s.exemplars, scale);
    }
  }
}

/**
 * The samples of one dimension exported under `naming` (see `prometheusName`), on their own: the
 * bridge's mapping without its caches, for tests and tools. Series labels are merged into `labels`
 * here (as `registry.getMetricsAsJSON()` shows them).
 */
export function toPrometheusSamples(dim: MetricDimension, naming: PrometheusName): SampleValue[] {
  const scale = { factor: naming.factor, divisor: naming.divisor };
  const cache = new LabelCache(naming.type === 'histogram');
  const out: SampleValue[] = [];
  appendSamples(out, dim, {
    scale,
    le: dim.kind === 'histogram' ? bucketLabels(dim.bounds, scale) : [],
    names: { bucket: `${naming.name}_bucket`, sum: `${naming.name}_sum`, count: `${naming.name}_count` },
    pass: 1,
    labelsOf: (attributes) => cache.get(attributes),
    merged: () => {},
  });
  return mergeSharedLabels(out);
}

/** Moves each sample's series labels (`sharedLabels`) into its `labels`, as prom-client's `get()` shows them. */
export function mergeSharedLabels(values: SampleValue[]): SampleValue[] {
  for (const v of values) {
    if (v.sharedLabels !== undefined) {
      v.labels = { ...v.sharedLabels, ...v.labels };
      delete v.sharedLabels;
    }
  }
  return values;
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});
const INF_LABELS = Object.freeze({ le: '+Inf' });

/** `value` in the base unit. */
export function scaled(value: number, scale: SampleScale): number {
  return scale.factor === 1 && scale.divisor === 1 ? value : (value * scale.factor) / scale.divisor;
}

/** The `le` label of each bucket bound, in the base unit (shared by every series of a dimension). */
export function bucketLabels(bounds: readonly number[], scale: SampleScale): ReadonlyArray<Readonly<{ le: number }>> {
  return bounds.map((b) => Object.freeze({ le: scaled(b, scale) }));
}

/** The sample of one number series. */
function numberSample(value: number, scale: SampleScale, labels: Labels): SampleValue {
  return { value: scaled(value, scale), labels: EMPTY, sharedLabels: labels };
}

/**
 * Merges a number series into the sample of an earlier one with the same labels: sums add up
 * (counters, up-down counters), a gauge keeps the later value. Returns `false`, leaving the sample
 * as it was, when the sum would not be finite.
 */
function mergeNumberSample(sample: SampleValue, value: number, scale: SampleScale, gauge: boolean): boolean {
  const v = scaled(value, scale);
  if (gauge) {
    sample.value = v;
    return true;
  }
  const sum = sample.value + v;
  if (!Number.isFinite(sum)) return false;
  sample.value = sum;
  return true;
}

/**
 * Appends the samples of one histogram series: cumulative buckets for the first
 * `min(le.length, counts.length)` bounds, `+Inf` (the count), `_sum` (base unit), `_count`.
 */
function appendHistogramSamples(
  out: SampleValue[],
  series: HistogramSeries,
  le: ReadonlyArray<Readonly<{ le: number }>>,
  names: HistogramSampleNames,
  scale: SampleScale,
  labels: Labels,
): void {
  const n = Math.min(le.length, series.counts.length);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += series.counts[i]!;
    out.push({ value: acc, labels: le[i]!, sharedLabels: labels, metricName: names.bucket });
  }
  out.push({ value: series.count, labels: INF_LABELS, sharedLabels: labels, metricName: names.bucket });
  out.push({ value: scaled(series.sum, scale), labels: EMPTY, sharedLabels: labels, metricName: names.sum });
  out.push({ value: series.count, labels: EMPTY, sharedLabels: labels, metricName: names.count });
}

/**
 * Adds one histogram series into the samples an earlier series with the same labels appended at
 * `at` (by {@link appendHistogramSamples} with the same `le`): bucket counts, `+Inf`, `_sum` and
 * `_count`. Returns `false`, leaving them as they were, when the merged sum would not be finite.
 */
function mergeHistogramSamples(out: SampleValue[], at: number, series: HistogramSeries, le: ReadonlyArray<unknown>, scale: SampleScale): boolean {
  const n = Math.min(le.length, series.counts.length);
  const sumAt = at + n + 1;
  const sum = out[sumAt]!.value + scaled(series.sum, scale);
  if (!Number.isFinite(sum)) return false;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += series.counts[i]!;
    out[at + i]!.value += acc;
  }
  out[at + n]!.value += series.count;
  out[sumAt]!.value = sum;
  out[sumAt + 1]!.value += series.count;
  return true;
}
