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
import { reportDiagnostic } from '../../adapter-kit/index.ts';
import type { MetricAttributes, MetricDimension } from '../../index.ts';
import { LabelCache } from './labels.ts';
import type { Labels } from './labels.ts';
import { prometheusUnit } from './naming.ts';
import type { PrometheusName } from './naming.ts';
import { appendSamples, bucketLabels, mergeSharedLabels } from './samples.ts';
import type { HistogramSampleNames, SampleScale, SampleValue, SeriesLabels } from './samples.ts';

/** Marks collectors made by any bridge (any copy of this module) in a registry. */
export const BRIDGE_COLLECTOR = Symbol.for('mvx-common.prometheus.bridge-collector');

/** What `get()` returns: prom-client's `MetricObjectWithValues`. */
export interface CollectedMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  values: SampleValue[];
  /**
   * OpenMetrics extras, read only by `renderRegistry` (prom-client ignores them): the unit suffix
   * of the name (`# UNIT`), and for counters and histograms the start of the cumulative period in
   * epoch seconds (`_created`).
   */
  unit?: string;
  created?: number;
}

/** The scrape-time state a collector reads; owned by its bridge. */
export interface CollectorHost {
  /** Resolves to the generation of the snapshot view for the current scrape. */
  view(): Promise<number>;
}

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
  /** `startTimeMs` of the snapshot the dimension came from. */
  startTimeMs = 0;
  seenGeneration = -1;
  /** Series merged into another because their labels were equal (counted per collect pass). */
  mergedSeries = 0;
  /** Series read by collect passes, and those left out because merging them would overflow the sum. */
  seriesRead = 0;
  mergeOverflows = 0;

  private readonly host: CollectorHost;
  private readonly scale: SampleScale;
  private readonly labels: LabelCache;
  private boundsSource: readonly number[] | undefined;
  // Collect passes, to spot label sets met twice in one pass (see LabelCache).
  private pass = 0;
  private mergedReported = false;
  private overflowReported = false;
  private leLabels: ReadonlyArray<Readonly<{ le: number }>> = [];
  private histogramNames: HistogramSampleNames | undefined;

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
    this.scale = { factor: naming.factor, divisor: naming.divisor };
    this.help = help;
    this.sourceKey = sourceKey;
    this.kind = kind;
    this.unit = unit;
    this.labels = new LabelCache(naming.type === 'histogram');
    const suffix = prometheusUnit(unit, kind).suffix;
    this.unitSuffix = suffix === '' ? undefined : suffix;
  }

  private readonly unitSuffix: string | undefined;

  /** prom-client `Metric.get()`: the current values, labels merged (as prom-client's own do). */
  async get(): Promise<CollectedMetric> {
    const generation = await this.host.view();
    const out = this.collect(generation);
    mergeSharedLabels(out.values);
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
      if (dim.kind === 'histogram' && this.boundsSource !== dim.bounds) {
        this.boundsSource = dim.bounds;
        this.leLabels = bucketLabels(dim.bounds, this.scale);
      }
      const pass = ++this.pass;
      this.seriesRead += dim.series.length;
      appendSamples(values, dim, {
        scale: this.scale,
        le: this.leLabels,
        names: this.sampleNames(),
        pass,
        labelsOf: this.labelsOf,
        merged: this.onMerged,
      });
      this.labels.sweep(pass, dim.series.length);
    }
    const out: CollectedMetric = { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
    if (this.unitSuffix !== undefined) out.unit = this.unitSuffix;
    if (dim !== undefined && this.type !== 'gauge') out.created = this.startTimeMs / 1000;
    return out;
  }

  private sampleNames(): HistogramSampleNames {
    // `name` is rewritten by prom-client in OpenMetrics registries: follow it.
    const name = this.name;
    if (this.histogramNames === undefined || this.histogramNames.bucket !== `${name}_bucket`) {
      this.histogramNames = { bucket: `${name}_bucket`, sum: `${name}_sum`, count: `${name}_count` };
    }
    return this.histogramNames;
  }

  private readonly labelsOf = (attributes: MetricAttributes): SeriesLabels => this.labels.get(attributes);
  private readonly onMerged = (labels: Labels, overflowed: boolean): void => {
    this.merged(labels);
    if (overflowed) this.overflowed(labels);
  };

  private merged(labels: Labels): void {
    this.mergedSeries++;
    if (this.mergedReported) return;
    this.mergedReported = true;
    this.report('labels.merged', `distinct series of '${this.sourceKey.split('\u0000').filter(Boolean).join('.')}' have the same Prometheus labels (e.g. 200 and '200', or 'a.b' and 'a_b'); exported as one series '${this.registeredName}'`, labels);
  }

  private overflowed(labels: Labels): void {
    this.mergeOverflows++;
    if (this.overflowReported) return;
    this.overflowReported = true;
    this.report('labels.merge_overflow', `merging series of '${this.registeredName}' with the same Prometheus labels would make the sum infinite; the exported series keeps its finite value and the other series is left out`, labels);
  }

  private report(code: string, message: string, labels: Labels): void {
    reportDiagnostic({ component: 'PrometheusBridge', code, message, details: { name: this.registeredName, labels } });
  }
}

/** Whether a registry entry was made by a bridge. */
export function isBridgeCollector(value: unknown): value is DimensionCollector {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRIDGE_COLLECTOR] === true;
}
