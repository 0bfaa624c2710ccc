/**
 * Exemplars: single measurements kept beside a series' aggregate, with the trace they were recorded
 * in, so that a point on a chart leads to a trace (OpenTelemetry `Exemplar`, OpenMetrics exemplars).
 *
 * @module
 */
import type { MetricAttributes } from '../types.ts';

/**
 * Which measurements may become exemplars, decided by the recorder when an event is emitted (the
 * OpenTelemetry SDK's `ExemplarFilter`, `OTEL_METRICS_EXEMPLAR_FILTER`):
 * - `'off'`: none (OTel `always_off`); nothing is read at emit;
 * - `'on'`: every measurement (OTel `always_on`), with trace ids when a trace context is active;
 * - `'trace_based'`: only measurements made while a *sampled* trace is active (OTel `trace_based`,
 *   the OTel SDK's default).
 */
export type ExemplarFilter = 'off' | 'on' | 'trace_based';

/** The exemplar filters, in a fixed order. */
export const EXEMPLAR_FILTERS: readonly ExemplarFilter[] = Object.freeze(['off', 'on', 'trace_based']);

/**
 * What a recorder hands to `Metric.handle(event, exemplar)` for an event its exemplar filter let
 * through: when, and in which trace. The metric adds the value. Recorders reuse the object for
 * the next event: a metric copies the fields it keeps.
 */
export interface ExemplarContext {
  /**
   * Epoch ms (fractional): when the event was emitted (`SyncMetricsRecorder`), or when its batch
   * was aggregated (`AsyncMetricsRecorder` reads the clock once per batch, usually well under a
   * millisecond after `emit()`).
   */
  readonly timeMs: number;
  /** W3C trace id (32 lower-case hex digits), when a trace context was active. */
  readonly traceId?: string;
  /** W3C span id (16 lower-case hex digits), when a trace context was active. */
  readonly spanId?: string;
}

/**
 * One kept measurement (OpenTelemetry `Exemplar`; OpenMetrics `# {trace_id="…",span_id="…"} value timestamp`).
 */
export interface Exemplar extends ExemplarContext {
  /** The measured value, in the metric's unit (a histogram observation, a counter increment). */
  readonly value: number;
  /**
   * The event attributes the metric names in `exemplarAttributes` (OTel "filtered attributes":
   * not part of the series), strings cut to 64 characters; absent when none.
   */
  readonly attributes?: MetricAttributes;
}
