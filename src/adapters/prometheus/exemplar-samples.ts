/**
 * Snapshot exemplars → OpenMetrics exemplars on the samples of a series (a pure mapping, as
 * `samples.ts`): a counter's exemplar goes on its `_total` sample, a histogram's on the `_bucket`
 * sample of the bucket its value falls in (`le="+Inf"` above the last bound), as the OpenMetrics
 * specification places them. prom-client keeps the `exemplar` field of a sample and prints it only
 * in OpenMetrics (`# {trace_id="…",span_id="…"} value timestamp`), so the classic text format is
 * unchanged.
 *
 * The label set is `trace_id`, `span_id` (the names the OpenMetrics/OTel compatibility spec and
 * Grafana use), then the exemplar's attributes (sanitised names) while the whole set stays within
 * the 128 UTF-8 characters OpenMetrics allows (names and values counted); attributes that do not
 * fit are left out. Values and timestamps are in the exported base unit and in seconds.
 * @module
 */
import type { Exemplar, HistogramSeries } from '../../index.ts';
import { sanitizeLabelName } from './naming.ts';
import { scaled } from './samples.ts';
import type { SampleScale, SampleValue } from './samples.ts';

/** OpenMetrics bound on an exemplar's label set: names and values, in UTF-8 characters (code points). */
export const MAX_EXEMPLAR_LABEL_SET = 128;

/** An exemplar in the shape prom-client prints (`timestamp` in seconds). */
export interface SampleExemplar {
  readonly labelSet: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp: number;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The OpenMetrics form of one exemplar (see the module comment). */
export function toSampleExemplar(ex: Exemplar, scale: SampleScale): SampleExemplar {
  const labelSet: Record<string, string> = {};
  let used = 0;
  if (ex.traceId !== undefined && ex.spanId !== undefined) {
    labelSet['trace_id'] = ex.traceId;
    labelSet['span_id'] = ex.spanId;
    used = 'trace_id'.length + ex.traceId.length + 'span_id'.length + ex.spanId.length;
  }
  if (ex.attributes !== undefined) {
    for (const key of Object.keys(ex.attributes)) {
      const name = sanitizeLabelName(key);
      if (name in labelSet) continue;
      const value = String(ex.attributes[key]);
      const size = name.length + codePoints(value);
      if (used + size > MAX_EXEMPLAR_LABEL_SET) continue;
      labelSet[name] = value;
      used += size;
    }
  }
  return { labelSet, value: scaled(ex.value, scale), timestamp: ex.timeMs / 1000 };
}

/** Puts a counter series' exemplar on its sample (`sample.exemplar`), if it has one. */
export function attachNumberExemplar(sample: SampleValue, exemplars: readonly Exemplar[] | undefined, scale: SampleScale): void {
  const ex = exemplars?.[exemplars.length - 1];
  if (ex !== undefined) sample.exemplar = toSampleExemplar(ex, scale);
}

/**
 * Puts a histogram series' exemplars on its bucket samples, appended from `out[at]`: bucket `i`
 * (of `n` exported bounds) at `out[at + i]`, the `+Inf` bucket at `out[at + n]`.
 */
export function attachHistogramExemplars(out: SampleValue[], at: number, n: number, series: HistogramSeries, bounds: readonly number[], scale: SampleScale): void {
  const exemplars = series.exemplars;
  if (exemplars === undefined) return;
  for (const ex of exemplars) {
    let i = 0;
    while (i < n && ex.value > bounds[i]!) i++;
    out[at + i]!.exemplar = toSampleExemplar(ex, scale);
  }
}
