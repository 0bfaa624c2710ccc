/**
 * The object a bridge registers in a prom-client `Registry` for one snapshot dimension.
 *
 * It implements the part of prom-client's metric interface that `Registry` uses (`name`, `help`,
 * `type`, `aggregator`, `get()`, `reset()`, and the optional `getForPromString()` prom-client's own
 * histograms have) and reads its values from the bridge's snapshot of the current scrape. This is
 * cheaper than a prom-client `Counter` with a `collect()` that `reset()`s and `set()`s every series
 * on every scrape, and the values are exactly the snapshot's.
 * @module
 */
import type { HistogramDimension, MetricDimension, NumberDimension } from '../../core/metrics/types.ts';
import { reportDiagnostic } from '../../core/diagnostics.ts';
import { LabelCache } from './labels.ts';
import type { Labels } from './labels.ts';
import type { PrometheusName } from './naming.ts';

/** Marks collectors made by any bridge (any copy of this module) in a registry. */
export const BRIDGE_COLLECTOR = Symbol.for('mvx-common.prometheus.bridge-collector');

/** One exported sample, in the shape prom-client's registry prints. */
export interface SampleValue {
  value: number;
  labels: Readonly<Record<string, string | number>>;
  /** Series labels kept apart so prom-client formats them once per labels object (see below). */
  sharedLabels?: Labels;
  metricName?: string;
}

/** What `get()` returns: prom-client's `MetricObjectWithValues`. */
export interface CollectedMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  values: SampleValue[];
}

/** The scrape-time state a collector reads; owned by its bridge. */
export interface CollectorHost {
  /** Resolves to the generation of the snapshot view for the current scrape. */
  view(): Promise<number>;
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});
const INF_LABELS = Object.freeze({ le: '+Inf' });

/** A bridge's collector for one dimension; see the module comment. */
export class DimensionCollector {
  readonly [BRIDGE_COLLECTOR] = true;
  /** The name prom-client prints (it rewrites this field of counters in OpenMetrics registries). */
  name: string;
  /** The name it was registered under in the registry. */
  readonly registeredName: string;
  readonly help: string;
  readonly type: PrometheusName['type'];
  readonly aggregator = 'sum' as const;
  readonly labelNames: string[] = [];
  /** `<metric>\0<dimension>` of the source, for messages. */
  readonly sourceKey: string;
  /** The kind and unit the name was derived from; a change makes the bridge re-create it. */
  readonly kind: MetricDimension['kind'];
  readonly unit: string | undefined;
  /** The dimension seen by the last view, and that view's generation. */
  dimension: MetricDimension | undefined;
  seenGeneration = -1;
  /** Series merged into another because their labels were equal (counted per collect pass). */
  mergedSeries = 0;

  private readonly host: CollectorHost;
  private readonly factor: number;
  private readonly divisor: number;
  private readonly labels: LabelCache;
  private boundsSource: readonly number[] | undefined;
  // Collect passes, to spot label sets met twice in one pass (see LabelCache).
  private pass = 0;
  private mergedReported = false;
  private leLabels: ReadonlyArray<Readonly<{ le: number }>> = [];

  constructor(
    host: CollectorHost,
    naming: PrometheusName,
    help: string,
    sourceKey: string,
    kind: MetricDimension['kind'],
    unit: string | undefined,
  ) {
    this.host = host;
    this.name = naming.name;
    this.registeredName = naming.name;
    this.type = naming.type;
    this.factor = naming.factor;
    this.divisor = naming.divisor;
    this.help = help;
    this.sourceKey = sourceKey;
    this.kind = kind;
    this.unit = unit;
    this.labels = new LabelCache(naming.type === 'histogram');
  }

  /** prom-client `Metric.get()`: the current values, labels merged (as prom-client's own do). */
  async get(): Promise<CollectedMetric> {
    const generation = await this.host.view();
    const out = this.collect(generation);
    for (const v of out.values) {
      if (v.sharedLabels !== undefined) {
        v.labels = { ...v.sharedLabels, ...v.labels };
        delete v.sharedLabels;
      }
    }
    return out;
  }

  /**
   * What prom-client's `Registry.getMetricsAsString` prefers over `get()` when present (its own
   * histograms have it): samples whose series labels sit in `sharedLabels`. The registry formats
   * a `sharedLabels` object once and caches the text in a WeakMap, and the label objects here are
   * reused across scrapes, so a series' label text is built once, not on every scrape.
   */
  async getForPromString(): Promise<CollectedMetric> {
    return this.collect(await this.host.view());
  }

  /** Values come from the source; resetting is the source's business, so this does nothing. */
  reset(): void {}

  private collect(generation: number): CollectedMetric {
    // Seen in this scrape's view, or in a newer one (a concurrent scrape's view may land between
    // this scrape's reads): export the latest data. Not seen: the dimension vanished.
    const dim = this.seenGeneration >= generation ? this.dimension : undefined;
    const values: SampleValue[] = [];
    if (dim !== undefined) {
      if (dim.kind === 'histogram') this.histogramValues(dim, values);
      else this.numberValues(dim, values);
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  private convert(v: number): number {
    return (v * this.factor) / this.divisor;
  }

  private numberValues(dim: NumberDimension, out: SampleValue[]): void {
    const cache = this.labels;
    const pass = ++this.pass;
    const scaled = this.factor !== 1 || this.divisor !== 1;
    for (const s of dim.series) {
      const entry = cache.get(s.attributes);
      const value = scaled ? this.convert(s.value) : s.value;
      if (entry.stamp === pass) {
        this.merged(entry.labels);
        // Two core series, one Prometheus series: sums add up; a gauge keeps the later value.
        out[entry.index]!.value = dim.kind === 'gauge' ? value : out[entry.index]!.value + value;
        continue;
      }
      entry.stamp = pass;
      entry.index = out.length;
      out.push({ value, labels: EMPTY, sharedLabels: entry.labels });
    }
    cache.sweep(pass, dim.series.length);
  }

  private histogramValues(dim: HistogramDimension, out: SampleValue[]): void {
    if (this.boundsSource !== dim.bounds) {
      this.boundsSource = dim.bounds;
      this.leLabels = dim.bounds.map((b) => Object.freeze({ le: this.convert(b) }));
    }
    const le = this.leLabels;
    const name = this.name;
    const bucketName = `${name}_bucket`;
    const sumName = `${name}_sum`;
    const countName = `${name}_count`;
    const cache = this.labels;
    const pass = ++this.pass;
    for (const s of dim.series) {
      const entry = cache.get(s.attributes);
      const labels = entry.labels;
      const n = Math.min(le.length, s.counts.length);
      if (entry.stamp === pass) {
        this.merged(labels);
        // Two core series, one Prometheus series: add bucket counts, sums and counts.
        let acc = 0;
        let at = entry.index;
        for (let i = 0; i < n; i++) {
          acc += s.counts[i]!;
          out[at++]!.value += acc;
        }
        out[at++]!.value += s.count;
        out[at++]!.value += this.convert(s.sum);
        out[at]!.value += s.count;
        continue;
      }
      entry.stamp = pass;
      entry.index = out.length;
      let acc = 0;
      for (let i = 0; i < n; i++) {
        acc += s.counts[i]!;
        out.push({ value: acc, labels: le[i]!, sharedLabels: labels, metricName: bucketName });
      }
      // `+Inf` is the total count (prom-client and the exposition format both require
      // `_bucket{le="+Inf"} == _count`).
      out.push({ value: s.count, labels: INF_LABELS, sharedLabels: labels, metricName: bucketName });
      out.push({ value: this.convert(s.sum), labels: EMPTY, sharedLabels: labels, metricName: sumName });
      out.push({ value: s.count, labels: EMPTY, sharedLabels: labels, metricName: countName });
    }
    cache.sweep(pass, dim.series.length);
  }

  private merged(labels: Labels): void {
    this.mergedSeries++;
    if (this.mergedReported) return;
    this.mergedReported = true;
    reportDiagnostic({
      component: 'PrometheusBridge',
      code: 'labels.merged',
      message: `distinct series of '${this.sourceKey.split('\u0000').filter(Boolean).join('.')}' have the same Prometheus labels (e.g. 200 and '200', or 'a.b' and 'a_b'); exported as one series '${this.registeredName}'`,
      details: { name: this.registeredName, labels },
    });
  }
}

/** Whether a registry entry was made by a bridge. */
export function isBridgeCollector(value: unknown): value is DimensionCollector {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRIDGE_COLLECTOR] === true;
}
