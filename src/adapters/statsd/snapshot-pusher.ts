/**
 * Keeps what was last pushed per series and turns snapshots into StatsD calls: counter changes as
 * increments, up-down counters and gauges as absolute gauges, histogram changes as observations.
 */
import { reportDiagnostic } from '../../core/diagnostics.ts';
import type {
  HistogramDimension,
  MetricDimension,
  MetricSnapshot,
  NumberDimension,
} from '../../core/metrics/types.ts';
import type { StatsdCallOptions } from './client-like.ts';
import { replayHistogramDelta } from './histogram-replay.ts';
import { attributesKey, attributesToNameSuffix, attributesToTags, dimensionStatName } from './naming.ts';
import type { ResolvedStatsdOptions } from './options.ts';

/** Where the pusher sends; the exporter implements it on top of the hot-shots client. */
export interface StatsdSender {
  count(stat: string, delta: number, options: StatsdCallOptions): void;
  gauge(stat: string, value: number, options: StatsdCallOptions): void;
  observe(stat: string, value: number, times: number, options: StatsdCallOptions): void;
}

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
  readonly stat: string;
  readonly opts: StatsdCallOptions;
}

interface HistogramState {
  gen: number;
  counts: readonly number[];
  sum: number;
  readonly stat: string;
  readonly opts: StatsdCallOptions;
}

interface MetricState {
  gen: number;
  startTimeMs: number;
  readonly series: Map<string, NumberState | HistogramState>;
  mergeReported: boolean;
}

const COMPONENT = 'StatsdExporter';
const TIME_FACTORS: Readonly<Record<string, number>> = { s: 1000, ms: 1, us: 0.001, ns: 0.000001 };

/** Diffs snapshots against the last pushed state and sends the changes. */
export class SnapshotPusher {
  readonly counts: PusherCounts = { histogramObservationsNotSent: 0, nonFiniteValuesSkipped: 0 };
  private readonly options: ResolvedStatsdOptions;
  private readonly sender: StatsdSender;
  private readonly metrics = new Map<string, MetricState>();
  private gen = 0;

  constructor(options: ResolvedStatsdOptions, sender: StatsdSender) {
    this.options = options;
    this.sender = sender;
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

  private seriesIdentity(
    snap: MetricSnapshot,
    dim: MetricDimension,
    attributes: Readonly<Record<string, string | number | boolean>>,
  ): { stat: string; opts: StatsdCallOptions } {
    const base = dimensionStatName(this.options.prefix, snap.name, dim.name);
    switch (this.options.attributes) {
      case 'tags': {
        const tags = attributesToTags(attributes);
        return { stat: base, opts: tags === undefined ? { sampleRate: 1 } : { sampleRate: 1, tags } };
      }
      case 'name':
        return { stat: base + attributesToNameSuffix(attributes), opts: { sampleRate: 1 } };
      default:
        return { stat: base, opts: { sampleRate: 1 } };
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
    for (const series of dim.series) {
      const key = `${dim.name}\u0000${attributesKey(series.attributes)}`;
      let s = state.series.get(key) as NumberState | undefined;
      const isNew = s === undefined;
      if (s === undefined) {
        const id = this.seriesIdentity(snap, dim, series.attributes);
        s = { gen, last: 0, stat: id.stat, opts: id.opts };
        state.series.set(key, s);
      }
      s.gen = gen;
      const value = series.value;
      if (!Number.isFinite(value)) {
        this.skipNonFinite(snap.name, value);
        continue;
      }
      if (dim.kind === 'counter') {
        const previous = reset || value < s.last ? 0 : s.last;
        const delta = value - previous;
        s.last = value;
        if (delta > 0) this.sender.count(s.stat, delta, s.opts);
      } else {
        const changed = isNew || value !== s.last;
        s.last = value;
        if (resendGauges || changed) this.sendGauge(s.stat, value, s.opts);
      }
    }
  }

  private sendGauge(stat: string, value: number, opts: StatsdCallOptions): void {
    // Etsy statsd and Telegraf read a leading '-' as "decrease by": set 0 first, then the value.
    if (value < 0 && this.options.signedGaugesAreDeltas) this.sender.gauge(stat, 0, opts);
    this.sender.gauge(stat, value, opts);
  }

  private pushHistogram(
    snap: MetricSnapshot,
    state: MetricState,
    dim: HistogramDimension,
    gen: number,
    reset: boolean,
  ): void {
    const unit = dim.unit ?? snap.unit;
    const factor = this.options.histogramType === 'timing' && unit !== undefined ? (TIME_FACTORS[unit] ?? 1) : 1;
    for (const series of dim.series) {
      const key = `${dim.name}\u0000${attributesKey(series.attributes)}`;
      let s = state.series.get(key) as HistogramState | undefined;
      if (s === undefined) {
        const id = this.seriesIdentity(snap, dim, series.attributes);
        s = { gen, counts: [], sum: 0, stat: id.stat, opts: id.opts };
        state.series.set(key, s);
      }
      s.gen = gen;
      const counts = series.counts;
      let prev = reset ? [] : s.counts;
      let prevSum = reset ? 0 : s.sum;
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
      s.counts = counts.slice();
      s.sum = series.sum;
      if (total <= 0) continue;
      const delta = new Array<number>(counts.length);
      for (let i = 0; i < counts.length; i++) delta[i] = counts[i]! - (prev[i] ?? 0);
      const stat = s.stat;
      const opts = s.opts;
      const result = replayHistogramDelta(
        dim.bounds,
        delta,
        series.sum - prevSum,
        series.min,
        series.max,
        this.options.maxHistogramLinesPerSeries,
        (value, times) => {
          const v = value * factor;
          if (Number.isFinite(v)) this.sender.observe(stat, v, times, opts);
          else this.skipNonFinite(snap.name, v);
        },
      );
      if (result.notSent > 0) {
        this.counts.histogramObservationsNotSent += result.notSent;
        reportDiagnostic({
          component: COMPONENT,
          code: 'statsd.histogram_capped',
          message: `histogram '${stat}' had more observations than maxHistogramLinesPerSeries in one push; the StatsD count is short`,
          details: { stat, notSent: result.notSent, cap: this.options.maxHistogramLinesPerSeries },
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
