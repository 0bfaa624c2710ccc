/**
 * Snapshot series → StatsD lines: the pure mapping of the exporter (no client, no state of its
 * own; the pusher keeps what was last pushed and hands it in).
 *
 * - counter: one `increment` by the change since the last push (`|c`); a reset (the value went
 *   down, or the metric's start time changed) counts from zero; no change, no line;
 * - up-down counter and gauge: one `gauge` with the current value (`|g`); the Etsy daemon and
 *   Telegraf read a leading `-` as "decrease by", so for them a negative value is sent as `0`
 *   then the value;
 * - histogram: the interval's observations, replayed from the bucket changes (see
 *   `histogram-replay.ts`) as `timing` (`|ms`, values converted to milliseconds), `histogram`
 *   (`|h`) or `distribution` (`|d`) lines, at most `cap` per series.
 *
 * The name is `<prefix>.<metric>.<dimension>`; attributes become tags, name segments, or nothing
 * (`naming.ts`).
 */
import type { HistogramSeries, MetricAttributes, MetricDimension, MetricSnapshot } from '../../index.ts';
import type { StatsdCallOptions } from './client-like.ts';
import { replayHistogramDelta } from './histogram-replay.ts';
import { attributesToNameSuffix, attributesToTags, dimensionStatName, type StatsdAttributeMode } from './naming.ts';

/** One StatsD line (or `times` identical histogram lines), as the client is called with it. */
export interface StatsdLine {
  /** `count` → `increment` (`|c`), `gauge` → `gauge` (`|g`), `observe` → the histogram method. */
  readonly type: 'count' | 'gauge' | 'observe';
  readonly stat: string;
  readonly value: number;
  /** How many identical lines (histogram replay); 1 otherwise. */
  readonly times: number;
  readonly options: StatsdCallOptions;
}

/** The StatsD name and call options of one series (the exporter always sends `sampleRate: 1`). */
export interface StatsdSeriesName {
  readonly stat: string;
  readonly options: StatsdCallOptions;
}

/** How a histogram dimension's values are sent. */
export interface HistogramLineOptions {
  /** Lines at most per series per push; over it the shortfall is `notSent`. */
  readonly cap: number;
  /** Multiplies each value (a unit conversion to the `timing` milliseconds; 1 otherwise). */
  readonly factor: number;
}

const TIME_FACTORS: Readonly<Record<string, number>> = { s: 1000, ms: 1, us: 0.001, ns: 0.000001 };

/** The factor converting a histogram dimension's values for the client method: `timing` takes milliseconds. */
export function histogramValueFactor(unit: string | undefined, method: 'timing' | 'histogram' | 'distribution'): number {
  return method === 'timing' && unit !== undefined ? (TIME_FACTORS[unit] ?? 1) : 1;
}

/** The name and call options of a series of `dim` in `snap`. */
export function statsdSeriesName(prefix: string, snap: MetricSnapshot, dim: MetricDimension, attributes: MetricAttributes, mode: StatsdAttributeMode): StatsdSeriesName {
  const base = dimensionStatName(prefix, snap.name, dim.name);
  switch (mode) {
    case 'tags': {
      const tags = attributesToTags(attributes);
      return { stat: base, options: tags === undefined ? { sampleRate: 1 } : { sampleRate: 1, tags } };
    }
    case 'name':
      return { stat: base + attributesToNameSuffix(attributes), options: { sampleRate: 1 } };
    default:
      return { stat: base, options: { sampleRate: 1 } };
  }
}

/** The line of a counter series that was `previous` at the last push and is `value` now (`undefined`: no change). */
export function counterLine(name: StatsdSeriesName, previous: number, value: number): StatsdLine | undefined {
  const delta = value - (value < previous ? 0 : previous);
  return delta > 0 ? { type: 'count', stat: name.stat, value: delta, times: 1, options: name.options } : undefined;
}

/** The lines of a gauge (or up-down counter) value: `[0, value]` for a negative value where a sign means a delta. */
export function gaugeLines(name: StatsdSeriesName, value: number, signedGaugesAreDeltas: boolean): StatsdLine[] {
  const line: StatsdLine = { type: 'gauge', stat: name.stat, value, times: 1, options: name.options };
  return value < 0 && signedGaugesAreDeltas ? [{ ...line, value: 0 }, line] : [line];
}

/**
 * The lines of a histogram series whose counts were `previousCounts` (sum `previousSum`) at the
 * last push: the observations of the interval, replayed from its bucket changes. Counts that went
 * down (a reset nobody announced) count from zero. `notSent` is what the cap left out; `nonFinite`
 * the representative values that were not finite once converted (not sent).
 */
export function histogramLines(
  name: StatsdSeriesName,
  bounds: readonly number[],
  series: HistogramSeries,
  previousCounts: readonly number[],
  previousSum: number,
  options: HistogramLineOptions,
): { lines: StatsdLine[]; notSent: number; nonFinite: number[] } {
  const counts = series.counts;
  let prev = previousCounts;
  let prevSum = previousSum;
  let total = 0;
  let wentDown = prev.length !== 0 && prev.length !== counts.length;
  for (let i = 0; i < counts.length && !wentDown; i++) {
    const d = counts[i]! - (prev[i] ?? 0);
    if (d < 0) wentDown = true;
    total += d;
  }
  if (wentDown) {
    // Fewer observations than last time (a reset we were not told about): start from zero.
    prev = [];
    prevSum = 0;
    total = 0;
    for (const c of counts) total += c;
  }
  const lines: StatsdLine[] = [];
  const nonFinite: number[] = [];
  if (total <= 0) return { lines, notSent: 0, nonFinite };
  const delta = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) delta[i] = counts[i]! - (prev[i] ?? 0);
  const result = replayHistogramDelta(bounds, delta, series.sum - prevSum, series.min, series.max, options.cap, (value, times) => {
    const v = value * options.factor;
    if (Number.isFinite(v)) lines.push({ type: 'observe', stat: name.stat, value: v, times, options: name.options });
    else nonFinite.push(v);
  });
  return { lines, notSent: result.notSent, nonFinite };
}
