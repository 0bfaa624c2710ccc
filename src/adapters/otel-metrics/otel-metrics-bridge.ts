/**
 * The OpenTelemetry metrics bridge: a {@link MetricsSource}'s snapshots exported through an
 * OpenTelemetry SDK.
 *
 * - Counters, up-down counters and gauges become observable instruments on a Meter
 *   (`ObservableCounter`, `ObservableUpDownCounter`, `ObservableGauge`), all observed by ONE batch
 *   callback that reads one snapshot per collection and reports cumulative totals; the SDK derives
 *   deltas when the exporter wants them, and views and cardinality limits apply as usual.
 * - Histograms (the API has no observable histogram) go through the bridge's `collect()`: the
 *   bridge is a `MetricProducer`, passed as `metricProducers: [bridge]` to a
 *   `PeriodicExportingMetricReader` or the OTel `PrometheusExporter`. Points are CUMULATIVE with
 *   the snapshot's stable start time, or DELTA with option `temporality: 'delta'` (producer data
 *   bypasses views and temporality selectors, so the bridge sets it).
 */
import { metrics, type BatchObservableResult, type Meter, type Observable } from '@opentelemetry/api';
import type { CollectionResult, MetricCollectOptions, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { MvxConfigError } from '../../core/errors.ts';
import { reportDiagnostic } from '../../core/diagnostics.ts';
import type { MetricsSource, MetricSnapshot, NumberDimension } from '../../core/metrics/types.ts';
import { DeltaState } from './delta-state.ts';
import { dimensionMetricName, histogramData, isValidInstrumentName, numberData } from './metric-data.ts';

const COMPONENT = 'OtelMetricsBridge';

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

/** Counters of the bridge's activity. */
export interface OtelMetricsBridgeStats {
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

interface InstrumentEntry {
  readonly kind: NumberDimension['kind'];
  readonly observable: Observable;
}

/**
 * Bridges a {@link MetricsSource} into OpenTelemetry.
 *
 * @example
 * ```ts
 * const bridge = new OtelMetricsBridge({ source: recorder });
 * const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), metricProducers: [bridge] });
 * const meterProvider = new MeterProvider({ readers: [reader] });
 * bridge.bindMeter(meterProvider.getMeter('mvx-common'));
 * ```
 */
export class OtelMetricsBridge implements MetricProducer {
  private readonly source: MetricsSource;
  private readonly numbersViaProducer: boolean;
  private readonly scope: OtelMetricsScope;
  private readonly flushTimeoutMs: number;
  private readonly delta: DeltaState | undefined;
  private meter: Meter | undefined;
  private readonly instruments = new Map<string, InstrumentEntry>();
  private observables: Observable[] = [];
  private readonly skipped = new Set<string>();
  private syncQueued = false;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private counts = { producerCollections: 0, observations: 0, errors: 0 };

  /** @throws MvxConfigError when `source` has no `snapshots()`, or an option is invalid. */
  constructor(options: OtelMetricsBridgeOptions) {
    if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object with a `source`');
    const { source } = options;
    if (source === null || typeof source !== 'object' || typeof source.snapshots !== 'function') {
      throw new MvxConfigError('source', 'must be a MetricsSource (an object with snapshots()), e.g. a metrics recorder');
    }
    const mode = options.numberDimensions ?? 'meter';
    if (mode !== 'meter' && mode !== 'producer') {
      throw new MvxConfigError('numberDimensions', `must be 'meter' or 'producer', got ${JSON.stringify(mode)}`);
    }
    const flushTimeoutMs = options.flushTimeoutMs ?? 1000;
    if (typeof flushTimeoutMs !== 'number' || !(flushTimeoutMs >= 0) || !Number.isFinite(flushTimeoutMs)) {
      throw new MvxConfigError('flushTimeoutMs', 'must be a finite number >= 0 (0 disables the flush)');
    }
    const scope = options.scope ?? { name: 'mvx-common' };
    if (scope === null || typeof scope !== 'object' || typeof scope.name !== 'string' || scope.name === '') {
      throw new MvxConfigError('scope.name', 'must be a non-empty string');
    }
    const temporality = options.temporality ?? 'cumulative';
    if (temporality !== 'cumulative' && temporality !== 'delta') {
      throw new MvxConfigError('temporality', `must be 'cumulative' or 'delta', got ${JSON.stringify(temporality)}`);
    }
    if (mode === 'producer' && options.meter !== undefined) {
      throw new MvxConfigError('meter', "is not used when numberDimensions is 'producer'; remove one of them");
    }
    this.source = source;
    this.numbersViaProducer = mode === 'producer';
    this.scope = { ...scope };
    this.flushTimeoutMs = flushTimeoutMs;
    this.delta = temporality === 'delta' ? new DeltaState() : undefined;
    if (options.meter !== undefined) this.bindMeter(options.meter);
  }

  /**
   * Binds the Meter that gets the observable instruments (counters, up-down counters, gauges) and
   * creates instruments for every number dimension known now. Dimensions that appear later are
   * picked up at the next collection and observed from the one after (call {@link refresh} after
   * registering metrics to have them from the next one).
   *
   * @param meter the Meter; default `metrics.getMeter('mvx-common')` from the global API, which is
   *   a no-op Meter unless a global MeterProvider was set BEFORE this call.
   * @throws MvxConfigError when `numberDimensions` is `'producer'` or a Meter is already bound.
   */
  bindMeter(meter: Meter = metrics.getMeter(this.scope.name, this.scope.version)): void {
    if (this.numbersViaProducer) throw new MvxConfigError('meter', "cannot bind a Meter when numberDimensions is 'producer'");
    if (this.meter !== undefined) throw new MvxConfigError('meter', 'a Meter is already bound to this bridge');
    if (meter === null || typeof meter !== 'object' || typeof meter.addBatchObservableCallback !== 'function') {
      throw new MvxConfigError('meter', 'must be an OpenTelemetry Meter');
    }
    if (this.closed) return;
    this.meter = meter;
    this.refresh();
  }

  /** Reads the snapshots now and creates instruments for number dimensions not seen yet. */
  refresh(): void {
    if (this.meter === undefined || this.closed) return;
    let snapshots: MetricSnapshot[];
    try {
      snapshots = this.source.snapshots();
    } catch (error) {
      this.failed('snapshot.failed', 'reading the metric snapshots failed', error);
      return;
    }
    this.syncInstruments(snapshots);
  }

  /** MetricProducer: histograms (and, in `'producer'` mode, number dimensions) as cumulative data. */
  async collect(options?: MetricCollectOptions): Promise<CollectionResult> {
    const errors: unknown[] = [];
    const metricsOut: MetricData[] = [];
    if (!this.closed) {
      try {
        const snapshots = await this.read(options?.timeoutMillis);
        this.delta?.beginCollection();
        for (const snapshot of snapshots) this.convert(snapshot, metricsOut);
        this.delta?.endCollection();
      } catch (error) {
        errors.push(error);
        this.failed('collect.failed', 'the metric producer could not read the snapshots', error);
      }
      this.counts.producerCollections++;
    }
    return {
      resourceMetrics: { resource: EMPTY_RESOURCE, scopeMetrics: metricsOut.length > 0 ? [{ scope: this.scope, metrics: metricsOut }] : [] },
      errors,
    };
  }

  /** Activity counters. */
  stats(): OtelMetricsBridgeStats {
    return {
      ...this.counts,
      instruments: this.instruments.size,
      skippedDimensions: this.skipped.size,
    };
  }

  /**
   * Stops observing: the batch callback is removed and `collect()` returns no data. Idempotent
   * (the same promise on repeat). The source and the SDK are left to their owners.
   */
  shutdown(): Promise<void> {
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;
    this.closed = true;
    if (this.meter !== undefined && this.observables.length > 0) {
      try {
        this.meter.removeBatchObservableCallback(this.observe, this.observables);
      } catch (error) {
        this.failed('unbind.failed', 'removing the batch observable callback failed', error);
      }
    }
    this.shutdownPromise = Promise.resolve();
    return this.shutdownPromise;
  }

  // The batch observable callback: one snapshot read per collection, cumulative totals observed.
  private readonly observe = async (result: BatchObservableResult): Promise<void> => {
    if (this.closed) return;
    this.counts.observations++;
    let snapshots: MetricSnapshot[];
    try {
      snapshots = await this.read(undefined);
    } catch (error) {
      this.failed('snapshot.failed', 'reading the metric snapshots failed', error);
      return;
    }
    let unknown = false;
    for (const snapshot of snapshots) {
      for (const dim of snapshot.dimensions) {
        if (dim.kind === 'histogram') continue;
        const name = dimensionMetricName(snapshot.name, dim.name);
        const entry = this.instruments.get(name);
        if (entry === undefined || entry.kind !== dim.kind) {
          // A skipped name (invalid, or a kind conflict) stays skipped: no refresh for it.
          if (!this.skipped.has(name)) unknown = true;
          continue;
        }
        for (const s of dim.series) result.observe(entry.observable, s.value, s.attributes);
      }
    }
    // New dimensions: create their instruments and re-register the batch callback after this
    // collection (changing the SDK's callback list while it iterates would skip a callback).
    if (unknown && !this.syncQueued) {
      this.syncQueued = true;
      setImmediate(() => {
        this.syncQueued = false;
        this.refresh();
      }).unref();
    }
  };

  private async read(timeoutMillis: number | undefined): Promise<MetricSnapshot[]> {
    const flush = this.source.flush;
    const bound = Math.min(this.flushTimeoutMs, timeoutMillis ?? Infinity);
    if (flush !== undefined && bound > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, bound);
        timer.unref();
      });
      try {
        await Promise.race([flush.call(this.source, { timeoutMs: bound }), timeout]);
      } catch (error) {
        // A failed flush still leaves a readable snapshot: count, report and read it.
        this.failed('flush.failed', 'flushing the metrics source before a collection failed', error);
      } finally {
        clearTimeout(timer);
      }
    }
    return this.source.snapshots();
  }

  private convert(snapshot: MetricSnapshot, out: MetricData[]): void {
    for (const dim of snapshot.dimensions) {
      if (dim.kind !== 'histogram' && !this.numbersViaProducer) continue;
      const name = dimensionMetricName(snapshot.name, dim.name);
      if (!this.checkName(name)) continue;
      const data = dim.kind === 'histogram' ? histogramData(snapshot, dim, name, this.delta) : numberData(snapshot, dim, name, this.delta);
      if (data !== undefined) out.push(data);
    }
  }

  private syncInstruments(snapshots: MetricSnapshot[]): void {
    const meter = this.meter;
    if (meter === undefined) return;
    let added = false;
    for (const snapshot of snapshots) {
      for (const dim of snapshot.dimensions) {
        if (dim.kind === 'histogram') continue;
        const name = dimensionMetricName(snapshot.name, dim.name);
        const existing = this.instruments.get(name);
        if (existing !== undefined) {
          if (existing.kind !== dim.kind) this.skip(name, `'${name}' is already exported as a ${existing.kind}; a ${dim.kind} dimension of the same name is skipped`);
          continue;
        }
        if (!this.checkName(name)) continue;
        const instrumentOptions = {
          description: dim.description ?? snapshot.description ?? '',
          unit: dim.unit ?? snapshot.unit ?? '',
        };
        let observable: Observable;
        try {
          if (dim.kind === 'counter') observable = meter.createObservableCounter(name, instrumentOptions);
          else if (dim.kind === 'updown') observable = meter.createObservableUpDownCounter(name, instrumentOptions);
          else observable = meter.createObservableGauge(name, instrumentOptions);
        } catch (error) {
          this.failed('instrument.failed', `creating the instrument '${name}' failed`, error);
          continue;
        }
        this.instruments.set(name, { kind: dim.kind, observable });
        added = true;
      }
    }
    if (!added) return;
    try {
      if (this.observables.length > 0) meter.removeBatchObservableCallback(this.observe, this.observables);
      this.observables = [...this.instruments.values()].map((e) => e.observable);
      meter.addBatchObservableCallback(this.observe, this.observables);
    } catch (error) {
      this.failed('bind.failed', 'registering the batch observable callback failed', error);
    }
  }

  private checkName(name: string): boolean {
    if (isValidInstrumentName(name)) return true;
    this.skip(name, `'${name}' is not a valid OpenTelemetry instrument name (letter first, then [A-Za-z0-9_./-], at most 255); skipped`);
    return false;
  }

  private skip(name: string, message: string): void {
    if (this.skipped.has(name)) return;
    // Bounded: one entry per distinct skipped dimension name, which registered metrics bound.
    this.skipped.add(name);
    reportDiagnostic({ component: COMPONENT, code: 'dimension.skipped', message, details: { name } });
  }

  private failed(code: string, message: string, error: unknown): void {
    this.counts.errors++;
    reportDiagnostic({ component: COMPONENT, code, message, error });
  }
}

/**
 * The producer's resource. `MetricReader.collect()` ignores a producer's resource and uses the
 * SDK's, so this is an empty one (a complete implementation of the `Resource` interface, for
 * callers that call `collect()` directly).
 */
const EMPTY_RESOURCE: CollectionResult['resourceMetrics']['resource'] = Object.freeze({
  attributes: Object.freeze({}),
  asyncAttributesPending: false,
  waitForAsyncAttributes: () => Promise.resolve(),
  merge(other: CollectionResult['resourceMetrics']['resource'] | null) {
    return other ?? EMPTY_RESOURCE;
  },
  getRawAttributes: () => [],
});
