/**
 * The primary's aggregate: one series per metric, dimension and attribute set (plus the `worker`
 * attribute when a metric is broken down per worker), fed by contributions (one per worker series,
 * and the primary's own), bounded by a series limit per dimension with one overflow series.
 *
 * The rules that keep counters monotonic whatever happens to a worker:
 * - a counter or histogram series is `retained + Σ live contributions`; when a contribution ends
 *   (its worker exited, crashed or said goodbye) its last value moves into `retained`;
 * - when a contribution goes down (its worker's metric was reset, or a new process took its place
 *   under the same key) the old value moves into `retained` first, so the sum never goes down;
 * - a counter never serves less than it served before (a guard against floating-point rounding
 *   when contributions move into `retained`).
 * Gauges and up-down counters follow their {@link GaugeAggregation} over live contributions only:
 * a gauge of a worker that is gone is gone with it.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { attributesKey } from '../series/attribute-key.ts';
import { OVERFLOW_ATTRIBUTE } from '../types.ts';
import type { MetricAttributes, MetricDimension, MetricDimensionKind, MetricSnapshot } from '../types.ts';

/**
 * How the values of a gauge or up-down counter from several workers make one value:
 * `sum` (default: in-flight requests, queue lengths, memory), `max`, `min`, `last` (the most
 * recently reported), or `per-worker` (one series per worker, with the `worker` attribute).
 */
export type GaugeAggregation = 'sum' | 'max' | 'min' | 'last' | 'per-worker';

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
  min: number | undefined;
  max: number | undefined;
}

/** One contribution to an aggregate series. */
export interface Contribution {
  readonly series: AggSeries;
  /** Number dimensions: the contributor's cumulative value (NaN until set). */
  value: number;
  /** Histogram dimensions. */
  hist: Histogram | undefined;
  /** Epoch ms of the last update (for `last`). */
  at: number;
}

interface AggSeries {
  readonly dim: AggDim;
  readonly key: string;
  readonly attributes: MetricAttributes;
  readonly live: Set<Contribution>;
  retained: number;
  retainedHist: Histogram | undefined;
  hasRetained: boolean;
  served: number;
}

interface AggDim {
  readonly metric: AggMetric;
  readonly name: string;
  readonly kind: MetricDimensionKind;
  readonly unit: string | undefined;
  readonly description: string | undefined;
  readonly bounds: readonly number[] | undefined;
  readonly boundsKey: string;
  readonly series: Map<string, AggSeries>;
  reportedClash: boolean;
}

interface AggMetric {
  readonly name: string;
  readonly description: string | undefined;
  readonly unit: string | undefined;
  readonly perWorker: boolean;
  readonly rule: GaugeAggregation;
  readonly dims: Map<string, AggDim>;
}

/** Options of {@link AggregateStore}. */
export interface AggregateStoreOptions {
  readonly seriesLimit: number;
  readonly workerAttribute: string;
  readonly startTimeMs: number;
  perWorker(metricName: string): boolean;
  ruleFor(metricName: string): GaugeAggregation;
}

/** What a contributor says about one of its series. */
export interface SeriesDefinition {
  readonly metric: string;
  readonly metricDescription: string | undefined;
  readonly metricUnit: string | undefined;
  readonly dimension: string;
  readonly kind: MetricDimensionKind;
  readonly unit: string | undefined;
  readonly description: string | undefined;
  readonly bounds: readonly number[] | undefined;
  readonly attributes: MetricAttributes;
}

const OVERFLOW: MetricAttributes = Object.freeze({ [OVERFLOW_ATTRIBUTE]: true });
const OVERFLOW_KEY = attributesKey(OVERFLOW);

function emptyHistogram(buckets: number): Histogram {
  return { counts: new Array<number>(buckets).fill(0), sum: 0, count: 0, min: undefined, max: undefined };
}

function addInto(into: Histogram, h: Histogram): void {
  const n = Math.min(into.counts.length, h.counts.length);
  for (let i = 0; i < n; i++) into.counts[i]! += h.counts[i]!;
  into.sum += h.sum;
  into.count += h.count;
  if (h.min !== undefined && (into.min === undefined || h.min < into.min)) into.min = h.min;
  if (h.max !== undefined && (into.max === undefined || h.max > into.max)) into.max = h.max;
}

/** The aggregate of every contribution. */
export class AggregateStore {
  /** Contributions refused because their dimension clashes (another kind or other buckets). */
  clashes = 0;
  /** Series folded into an overflow series because a dimension reached the series limit. */
  overflowSeries = 0;
  readonly #options: AggregateStoreOptions;
  readonly #metrics = new Map<string, AggMetric>();

  constructor(options: AggregateStoreOptions) {
    this.#options = options;
  }

  /**
   * A new contribution for `def` from contributor `worker`, or `undefined` when the definition
   * clashes with the dimension's first definition (counted and reported once per dimension).
   */
  contribute(def: SeriesDefinition, worker: string): Contribution | undefined {
    const series = this.#resolve(def, worker);
    if (series === undefined) return undefined;
    const c: Contribution = { series, value: NaN, hist: undefined, at: 0 };
    series.live.add(c);
    return c;
  }

  /** Whether `c` still fits `def` (same aggregate series): a redefinition may keep it. */
  fits(c: Contribution, def: SeriesDefinition, worker: string): boolean {
    return this.#resolve(def, worker) === c.series;
  }

  #resolve(def: SeriesDefinition, worker: string): AggSeries | undefined {
    let metric = this.#metrics.get(def.metric);
    if (metric === undefined) {
      const perWorker = this.#options.perWorker(def.metric) || this.#options.ruleFor(def.metric) === 'per-worker';
      metric = { name: def.metric, description: def.metricDescription, unit: def.metricUnit, perWorker, rule: this.#options.ruleFor(def.metric), dims: new Map() };
      this.#metrics.set(def.metric, metric);
    }
    const boundsKey = def.kind === 'histogram' && def.bounds !== undefined ? def.bounds.join(',') : '';
    let dim = metric.dims.get(def.dimension);
    if (dim === undefined) {
      dim = {
        metric,
        name: def.dimension,
        kind: def.kind,
        unit: def.unit,
        description: def.description,
        bounds: def.kind === 'histogram' ? (def.bounds ?? []) : undefined,
        boundsKey,
        series: new Map(),
        reportedClash: false,
      };
      metric.dims.set(def.dimension, dim);
    } else if (dim.kind !== def.kind || dim.boundsKey !== boundsKey) {
      this.clashes++;
      if (!dim.reportedClash) {
        dim.reportedClash = true;
        reportDiagnostic({
          component: 'ClusterMetricsAggregator',
          code: 'cluster.dimension_clash',
          message: `dimension '${def.dimension}' of metric '${def.metric}' arrives as ${def.kind}${boundsKey ? ` [${boundsKey}]` : ''}, first seen as ${dim.kind}${dim.boundsKey ? ` [${dim.boundsKey}]` : ''}; those series are left out`,
          details: { metric: def.metric, dimension: def.dimension, worker },
        });
      }
      return undefined;
    }
    const attributes = metric.perWorker ? Object.freeze({ ...def.attributes, [this.#options.workerAttribute]: worker }) : def.attributes;
    const key = attributesKey(attributes);
    let series = dim.series.get(key);
    if (series === undefined) {
      const regular = dim.series.size - (dim.series.has(OVERFLOW_KEY) ? 1 : 0);
      const full = regular >= this.#options.seriesLimit - 1 && key !== OVERFLOW_KEY;
      const k = full ? OVERFLOW_KEY : key;
      series = dim.series.get(k);
      if (full) this.overflowSeries++;
      if (series === undefined) {
        series = { dim, key: k, attributes: full ? OVERFLOW : attributes, live: new Set(), retained: 0, retainedHist: undefined, hasRetained: false, served: 0 };
        dim.series.set(k, series);
      }
    }
    return series;
  }

  /** Sets a number contribution; a counter that goes down started again: its old value is kept. */
  setNumber(c: Contribution, value: number, now: number): void {
    if (c.series.dim.kind === 'counter' && value < c.value) this.#retain(c);
    c.value = value;
    c.at = now;
  }

  /** Sets a histogram contribution; a count that goes down started again: its old state is kept. */
  setHistogram(c: Contribution, h: Histogram, now: number): void {
    if (c.hist !== undefined && h.count < c.hist.count) this.#retain(c);
    c.hist = h;
    c.at = now;
  }

  /** The contributor's cumulative value started again from zero (a reset): keep what it had. */
  restart(c: Contribution): void {
    this.#retain(c);
    c.value = NaN;
    c.hist = undefined;
  }

  #retain(c: Contribution): void {
    const s = c.series;
    if (s.dim.kind === 'counter') {
      if (Number.isFinite(c.value)) {
        s.retained += c.value;
        s.hasRetained = true;
      }
    } else if (s.dim.kind === 'histogram' && c.hist !== undefined) {
      s.retainedHist ??= emptyHistogram(c.hist.counts.length);
      addInto(s.retainedHist, c.hist);
      s.hasRetained = true;
    }
  }

  /** The contribution ends: counters and histograms keep its last values, gauges drop them. */
  release(c: Contribution): void {
    const s = c.series;
    if (!s.live.delete(c)) return;
    this.#retain(c);
    if (s.live.size === 0 && !s.hasRetained) s.dim.series.delete(s.key);
  }

  /** Names of the metrics held, in first-seen order. */
  metricNames(): string[] {
    return [...this.#metrics.keys()];
  }

  /** Snapshots of every metric, in first-seen order. */
  snapshots(now: number): MetricSnapshot[] {
    const out: MetricSnapshot[] = [];
    for (const m of this.#metrics.values()) out.push(this.#snapshotMetric(m, now));
    return out;
  }

  /** The snapshot of one metric. */
  snapshotOf(name: string, now: number): MetricSnapshot | undefined {
    const m = this.#metrics.get(name);
    return m === undefined ? undefined : this.#snapshotMetric(m, now);
  }

  #snapshotMetric(m: AggMetric, now: number): MetricSnapshot {
    const dimensions: MetricDimension[] = [];
    for (const dim of m.dims.values()) dimensions.push(this.#snapshotDimension(dim));
    const snap: { name: string; description?: string; unit?: string; startTimeMs: number; timeMs: number; dimensions: MetricDimension[] } = {
      name: m.name,
      startTimeMs: this.#options.startTimeMs,
      timeMs: now,
      dimensions,
    };
    if (m.description !== undefined) snap.description = m.description;
    if (m.unit !== undefined) snap.unit = m.unit;
    return snap;
  }

  #snapshotDimension(dim: AggDim): MetricDimension {
    const extra: { unit?: string; description?: string } = {};
    if (dim.unit !== undefined) extra.unit = dim.unit;
    if (dim.description !== undefined) extra.description = dim.description;
    if (dim.kind === 'histogram') {
      const series = [];
      for (const s of dim.series.values()) {
        const h = emptyHistogram(dim.bounds!.length + 1);
        if (s.retainedHist !== undefined) addInto(h, s.retainedHist);
        let any = s.retainedHist !== undefined;
        for (const c of s.live) {
          if (c.hist === undefined) continue;
          addInto(h, c.hist);
          any = true;
        }
        if (!any) continue;
        const out: { attributes: MetricAttributes; counts: number[]; sum: number; count: number; min?: number; max?: number } = {
          attributes: s.attributes,
          counts: h.counts,
          sum: h.sum,
          count: h.count,
        };
        if (h.count > 0 && h.min !== undefined) out.min = h.min;
        if (h.count > 0 && h.max !== undefined) out.max = h.max;
        series.push(out);
      }
      return { name: dim.name, kind: 'histogram', bounds: dim.bounds!, series, ...extra };
    }
    const series = [];
    for (const s of dim.series.values()) {
      const value = dim.kind === 'counter' ? this.#counterValue(s) : gaugeValue(s, dim.metric.rule);
      if (value !== undefined) series.push({ attributes: s.attributes, value });
    }
    return { name: dim.name, kind: dim.kind, series, ...extra };
  }

  #counterValue(s: AggSeries): number | undefined {
    let v = s.retained;
    let any = s.hasRetained;
    for (const c of s.live) {
      if (Number.isNaN(c.value)) continue;
      v += c.value;
      any = true;
    }
    if (!any) return undefined;
    // Never less than served before (moving a contribution into `retained` can round differently).
    if (v < s.served) return s.served;
    s.served = v;
    return v;
  }
}

function gaugeValue(s: AggSeries, rule: GaugeAggregation): number | undefined {
  let v: number | undefined;
  let at = -Infinity;
  for (const c of s.live) {
    if (Number.isNaN(c.value) && c.at === 0) continue;
    const x = c.value;
    if (v === undefined) {
      v = x;
      at = c.at;
    } else if (rule === 'max') v = Math.max(v, x);
    else if (rule === 'min') v = Math.min(v, x);
    else if (rule === 'last') {
      if (c.at >= at) {
        v = x;
        at = c.at;
      }
    } else v += x;
  }
  return v;
}
