/**
 * The metrics model: events (facts), metrics (interpretations), snapshots (what adapters read).
 */
import type { Exemplar, ExemplarContext } from './exemplars/exemplar.ts';

/**
 * A fact reported by production code: a plain object with a `type` string and any domain data.
 * Components declare the union of their events for type safety:
 *
 * @example
 * ```ts
 * type StorageEvent =
 *   | { type: 'document_storage.save.attempt'; outcome: 'success' | 'failure' }
 *   | { type: 'document_storage.read.bytes'; bytes: number };
 * ```
 */
export interface MetricEvent {
  /** The stable kind of the fact; recorders route events to metrics by it. */
  readonly type: string;
  /**
   * Optional trace ids of the fact (`trace_id`, `span_id`, `trace_flags`, as `LogEvent.correlation`):
   * when present, exemplars of its measurements point at this span rather than at the active one.
   */
  readonly correlation?: Readonly<Record<string, string>>;
}

/** Attribute values: flat primitives, as OpenTelemetry metric attributes and Prometheus labels. */
export type MetricAttributeValue = string | number | boolean;
/** A set of attributes identifying one series. */
export type MetricAttributes = Readonly<Record<string, MetricAttributeValue>>;

/**
 * The attribute that marks the overflow series once a metric reaches its series limit, as the
 * OpenTelemetry SDK does (`otel.metric.overflow=true`).
 */
export const OVERFLOW_ATTRIBUTE = 'otel.metric.overflow';

/**
 * Kinds of dimension:
 * - `counter`: monotonic cumulative sum (Prometheus counter, OTel Counter/ObservableCounter);
 * - `updown`: cumulative sum that may go down (OTel UpDownCounter; Prometheus gauge);
 * - `gauge`: last value (OTel Gauge; Prometheus gauge);
 * - `histogram`: explicit-bucket histogram.
 */
export type MetricDimensionKind = 'counter' | 'updown' | 'gauge' | 'histogram';

/** One series of a number dimension. */
export interface NumberSeries {
  readonly attributes: MetricAttributes;
  readonly value: number;
  /** Kept measurements with their trace (counters only; see `SumExemplars`); absent when none. */
  readonly exemplars?: readonly Exemplar[];
}

/** One series of a histogram dimension. Cumulative since the snapshot's `startTimeMs`. */
export interface HistogramSeries {
  readonly attributes: MetricAttributes;
  /**
   * `counts[i]` counts observations `v` with `bounds[i-1] < v <= bounds[i]` (OTel explicit bucket
   * semantics); `counts.length === bounds.length + 1`, the last one counts `v > bounds[last]`.
   * Not cumulative across buckets (adapters that need `le` buckets add them up).
   */
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  /** Smallest observation; absent when `count` is 0. */
  readonly min?: number;
  readonly max?: number;
  /**
   * Kept observations with their trace, at most one per bucket, in bucket order (the bucket of
   * each is the bucket of its value; see `HistogramExemplars`); absent when none.
   */
  readonly exemplars?: readonly Exemplar[];
}

/** A number dimension (counter, up-down counter or gauge). */
export interface NumberDimension {
  readonly name: string;
  readonly kind: 'counter' | 'updown' | 'gauge';
  /** Overrides the metric's description for this dimension. */
  readonly description?: string;
  /** Overrides the metric's unit for this dimension (UCUM: `s`, `ms`, `By`, `1`). */
  readonly unit?: string;
  readonly series: readonly NumberSeries[];
}

/** A histogram dimension. */
export interface HistogramDimension {
  readonly name: string;
  readonly kind: 'histogram';
  readonly description?: string;
  readonly unit?: string;
  /** Explicit, strictly increasing, finite bucket upper bounds, shared by every series. */
  readonly bounds: readonly number[];
  readonly series: readonly HistogramSeries[];
}

/** A dimension of a metric. */
export type MetricDimension = NumberDimension | HistogramDimension;

/**
 * A stable, read-only view of a metric's state.
 *
 * Naming: a dimension is exported under `<metric name>.<dimension name>`, or under the metric
 * name alone when the dimension name is `''` (single-dimension metrics). Adapters turn the
 * dotted name into their backend's convention (Prometheus: `_` and unit/`_total` suffixes).
 */
export interface MetricSnapshot {
  /** Metric name, dotted lower-case by convention: `document_storage.save.attempts`. */
  readonly name: string;
  readonly description?: string;
  /** UCUM unit of the metric's dimensions (`s`, `ms`, `By`, `1`); dimensions may override it. */
  readonly unit?: string;
  /** Epoch ms when cumulative values started (stable across snapshots until a reset). */
  readonly startTimeMs: number;
  /** Epoch ms when this snapshot was taken. */
  readonly timeMs: number;
  readonly dimensions: readonly MetricDimension[];
}

/**
 * A metric: decides which events matter and how they change its dimensions.
 */
export interface Metric<E extends MetricEvent = MetricEvent> {
  /** Unique name within a recorder. */
  readonly name: string;
  /** The event types it accepts (for routing); `'*'` to receive every event. */
  readonly eventTypes: readonly string[] | '*';
  /**
   * Updates state for a relevant event; returns whether state changed. Unrelated events: false.
   * `exemplar` is given when the recorder's exemplar filter let the event through: when and in
   * which trace it was emitted; a metric that keeps exemplars adds the measured value.
   */
  handle(event: E, exemplar?: ExemplarContext): boolean;
  /** The current state. */
  snapshot(): MetricSnapshot;
}

/**
 * The small contract production code depends on. Code may hold `undefined` for "metrics off":
 * `recorder?.emit(event)`.
 */
export interface MetricsRecorder<E extends MetricEvent = MetricEvent> {
  /** Registers a metric; a metric with the same name replaces the previous one. */
  registerMetric(metric: Metric<any>): void;
  /** Hands an event over: synchronous, cheap, never throws. */
  emit(event: E): void;
  /** Snapshots of every registered metric, in registration order. */
  snapshots(): MetricSnapshot[];
  /** The registered metrics, in registration order. */
  metrics(): readonly Metric<any>[];
}

/** Called after a metric's state changed because of an event. */
export type MetricChangedListener = (metric: Metric<any>, event: MetricEvent) => void;

/**
 * What adapters read: snapshots, optionally a way to wait until pending events are aggregated, and
 * optionally a change hook. `MetricsRecorder` implementations in this package satisfy it.
 */
export interface MetricsSource {
  snapshots(): MetricSnapshot[];
  /** Resolves when every event emitted before the call is reflected in snapshots. */
  flush?(options?: { timeoutMs?: number }): Promise<unknown>;
  /** Subscribes to post-aggregation changes; returns an unsubscribe function. */
  onMetricChanged?(listener: MetricChangedListener): () => void;
}
