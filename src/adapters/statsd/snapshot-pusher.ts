/**
 * Keeps what was last pushed per series and hands the lines of each change (`lines.ts`) to the
 * sender: counter changes as increments, up-down counters and gauges as absolute gauges,
 * histogram changes as observations.
 */
import { attributesKey, reportDiagnostic } from '../../adapter-kit/index.ts';
import type { HistogramDimension, MetricSnapshot, NumberDimension } from '../../index.ts';
import { counterLine, gaugeLines, histogramLines, histogramValueFactor, statsdSeriesName, type StatsdLine, type StatsdSeriesName } from './lines.ts';
import type { ResolvedStatsdOptions } from './options.ts';

/** Where the pusher sends; the exporter implements it on top of the hot-shots client. */
export type StatsdSender = (line: StatsdLine) => void;

/** Counts kept by the pusher, merged into the exporter's `stats()`. */
export interface PusherCounts {
  /** Histogram observations not sent because of `maxHistogramLinesPerSeries`. */
  histogramObservationsNotSent: number;
  /** NaN or infinite values not sent. */
  nonFiniteValuesSkipped: number;
}

interface NumberState {
  gen: number;
  last: number;
  readonly name: StatsdSeriesName;
}

interface HistogramState {
  gen: number;
  counts: readonly number[];
  sum: number;
  readonly name: StatsdSeriesName;
}

interface MetricState {
  gen: number;
  startTimeMs: number;
  readonly series: Map<string, NumberState | HistogramState>;
  mergeReported: boolean;
}

const COMPONENT = 'StatsdExporter';

/** Diffs snapshots against the last pushed state and sends the changes. */
export class SnapshotPusher {
  readonly counts: PusherCounts = { histogramObservationsNotSent: 0, nonFiniteValuesSkipped: 0 };
  private readonly options: ResolvedStatsdOptions;
  private readonly send: StatsdSender;
  private readonly metrics = new Map<string, MetricState>();
  private gen = 0;

  constructor(options: ResolvedStatsdOptions, send: StatsdSender) {
    this.options = options;
    this.send = send;
  }

  /**
   * Aggregated push: every metric of `snapshots`. Gauges are sent every time (the daemon keeps the
   * last value per interval); counters and histograms only when they changed. State of metrics and
   * series that disappeared is forgotten, so it stays bounded by the source's own limits.
   */
  pushAll(snapshots: readonly MetricSnapshot[]): void {
    const gen = ++this.gen;
    for (const snap of snapshots) this.pushMetric(snap, gen, true);
    if (this.metrics.size > snapshots.length) {
      for (const [name, state] of this.metrics) if (state.gen !== gen) this.metrics.delete(name);
    }
  }

  /** Per-event push of one metric: sends only what changed since its last push. */
  pushChanged(snapshot: MetricSnapshot): void {
    this.pushMetric(snapshot, ++this.gen, false);
  }

  private pushMetric(snap: MetricSnapshot, gen: number, resendGauges: boolean): void {
    let state = this.metrics.get(snap.name);
    let reset = false;
    if (state === undefined) {
      state = { gen, startTimeMs: snap.startTimeMs, series: new Map(), mergeReported: false };
      this.metrics.set(snap.name, state);
    } else if (state.startTimeMs !== snap.startTimeMs) {
      // The metric was reset: cumulative values start again from zero.
      reset = true;
      state.startTimeMs = snap.startTimeMs;
    }
    state.gen = gen;
    let seen = 0;
    for (const dim of snap.dimensions) {
      seen += dim.series.length;
      if (dim.kind === 'histogram') this.pushHistogram(snap, state, dim, gen, reset);
      else this.pushNumber(snap, state, dim, gen, reset, resendGauges);
    }
    if (state.series.size > seen) {
      for (const [key, s] of state.series) if (s.gen !== gen) state.series.delete(key);
    }
    if (this.options.attributes === 'drop' && !state.mergeReported && seen > snap.dimensions.length) {
      state.mergeReported = true;
      reportDiagnostic({
        component: COMPONENT,
        code: 'statsd.attributes_dropped',
        message: `metric '${snap.name}' has several attribute sets; with attributes: 'drop' they share one StatsD name`,
        details: { metric: snap.name },
      });
    }
  }

  private pushNumber(
    snap: MetricSnapshot,
    state: MetricState,
    dim: NumberDimension,
    gen: number,
    reset: boolean,
    resendGauges: boolean,
  ): void {
    const o = this.options;
    for (const series of dim.series) {
      // The core's typed key: series the core keeps apart ({status: 200} and {status: '200'}) never
      // share a state, which would make counter deltas flip between them and resend their difference.
      const key = `${dim.name}\u0000${attributesKey(series.attributes)}`;
      let s = state.series.get(key) as NumberState | undefined;
      const isNew = s === undefined;
      if (s === undefined) {
        s = { gen, last: 0, name: statsdSeriesName(o.prefix, snap, dim, series.attributes, o.attributes) };
        state.series.set(key, s);
      }
      s.gen = gen;
      const value = series.value;
      if (!Number.isFinite(value)) {
        this.skipNonFinite(snap.name, value);
        continue;
      }
      const previous = s.last;
      s.last = value;
      if (dim.kind === 'counter') {
        const line = counterLine(s.name, reset ? 0 : previous, value);
        if (line !== undefined) this.send(line);
      } else if (resendGauges || isNew || value !== previous) {
        for (const line of gaugeLines(s.name, value, o.signedGaugesAreDeltas)) this.send(line);
      }
    }
  }

  private pushHistogram(snap: MetricSnapshot, state: MetricState, dim: HistogramDimension, gen: number, reset: boolean): void {
    const o = this.options;
    const lineOptions = { cap: o.maxHistogramLinesPerSeries, factor: histogramValueFactor(dim.unit ?? snap.unit, o.histogramType) };
    for (const series of dim.series) {
      const key = `${dim.name}\u0000${attributesKey(series.attributes)}`;
      let s = state.series.get(key) as HistogramState | undefined;
      if (s === undefined) {
        s = { gen, counts: [], sum: 0, name: statsdSeriesName(o.prefix, snap, dim, series.attributes, o.attributes) };
        state.series.set(key, s);
      }
      s.gen = gen;
      const { lines, notSent, nonFinite } = histogramLines(s.name, dim.bounds, series, reset ? [] : s.counts, reset ? 0 : s.sum, lineOptions);
      s.counts = series.counts.slice();
      s.sum = series.sum;
      for (const line of lines) this.send(line);
      for (const v of nonFinite) this.skipNonFinite(snap.name, v);
      if (notSent > 0) {
        this.counts.histogramObservationsNotSent += notSent;
        reportDiagnostic({
          component: COMPONENT,
          code: 'statsd.histogram_capped',
          message: `histogram '${s.name.stat}' had more observations than maxHistogramLinesPerSeries in one push; the StatsD count is short`,
          details: { stat: s.name.stat, notSent, cap: o.maxHistogramLinesPerSeries },
        });
      }
    }
  }

  private skipNonFinite(metric: string, value: number): void {
    this.counts.nonFiniteValuesSkipped++;
    reportDiagnostic({
      component: COMPONENT,
      code: 'statsd.non_finite_value',
      message: `metric '${metric}' has a non-finite value (${value}); StatsD cannot carry it, not sent`,
      details: { metric },
    });
  }
}
