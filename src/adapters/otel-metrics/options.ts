/**
 * Options and counters of the OpenTelemetry metrics bridge.
 */
import type { Meter } from '@opentelemetry/api';
import type { DeliveryStats } from '../../adapter-kit/index.ts';
import type { MetricsSource } from '../../index.ts';

/** Instrumentation scope of the producer's data. */
export interface OtelMetricsScope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/** Options of {@link OtelMetricsBridge}. */
export interface OtelMetricsBridgeOptions {
  /** Where snapshots come from: a recorder of this package, or any {@link MetricsSource}. */
  readonly source: MetricsSource;
  /**
   * The Meter that gets the observable instruments for counters, up-down counters and gauges.
   * May instead be bound later with {@link OtelMetricsBridge.bindMeter} (a MeterProvider needs its
   * readers, and so the bridge as producer, before it can give a Meter).
   */
  readonly meter?: Meter;
  /**
   * How counters, up-down counters and gauges are exported: `'meter'` as observable instruments
   * (views, cardinality limits and exporter temporality apply), or `'producer'` as cumulative
   * SUM/GAUGE data from {@link OtelMetricsBridge.collect} (no Meter needed).
   * @default 'meter'
   */
  readonly numberDimensions?: 'meter' | 'producer';
  /**
   * Instrumentation scope of the data the producer returns. Use the same name as your Meter so
   * every instrument of the bridge shares one scope.
   * @default { name: 'mvx-common' }
   */
  readonly scope?: OtelMetricsScope;
  /**
   * Temporality of the data `collect()` returns (histograms; counters too in `'producer'` mode).
   * Producer data bypasses the reader's temporality selector, so set `'delta'` when the exporter
   * is configured for DELTA (`temporalityPreference`); observable instruments follow the exporter
   * by themselves. In `'delta'` mode the bridge keeps the last reported state per series, so give
   * each reader its own bridge.
   * @default 'cumulative'
   */
  readonly temporality?: 'cumulative' | 'delta';
  /**
   * Upper bound in ms for awaiting `source.flush()` before each read, so events emitted before the
   * collection are counted in it. `0` disables the flush.
   * @default 1000
   */
  readonly flushTimeoutMs?: number;
}

/**
 * Counters of the bridge, in data points (one per series of a dimension per collection; in DELTA mode a series without a change makes none):
 * `accepted = delivered + dropped + failed + pending`.
 */
export interface OtelMetricsBridgeStats extends DeliveryStats {
  /** Data points read from the source for a collection (observed instruments and producer data). */
  readonly accepted: number;
  /** Data points handed to the SDK (`observe()` calls, producer data points). */
  readonly delivered: number;
  /** Data points not exported: the sum of {@link droppedByReason}. */
  readonly dropped: number;
  /**
   * Drops by reason: `skipped` (the dimension's name is not a valid instrument name, or is used by
   * another kind), `newDimension` (a dimension seen for the first time in an observation: its
   * instrument is created then, and observed from the next collection on).
   */
  readonly droppedByReason: Readonly<{ skipped: number; newDimension: number }>;
  /** Always 0: a failed read yields no data points; it is counted in `errors`. */
  readonly failed: number;
  /** Always 0: the bridge holds nothing; the SDK pulls. */
  readonly pending: number;
  /** Producer `collect()` calls answered. */
  readonly producerCollections: number;
  /** Batch-callback runs (one per SDK collection of the bound Meter). */
  readonly observations: number;
  /** Observable instruments created. */
  readonly instruments: number;
  /** Dimensions skipped: invalid OTel instrument name, or the name already used with another kind. */
  readonly skippedDimensions: number;
  /** Snapshot reads or flushes that failed (reported through the diagnostic channel). */
  readonly errors: number;
}
