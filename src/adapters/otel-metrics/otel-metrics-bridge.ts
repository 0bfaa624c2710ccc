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
import {
  checkMilliseconds,
  checkObjectWith,
  checkOneOf,
  checkString,
  lifecycleReport,
  Once,
  reportDiagnostic,
  waitBounded,
  type LifecycleOptions,
  type LifecycleReport,
} from '../../adapter-kit/index.ts';
import { MvxConfigError } from '../../index.ts';
import type { MetricsSource, MetricSnapshot, NumberDimension } from '../../index.ts';
import { DeltaState } from './delta-state.ts';
import type { OtelMetricsBridgeOptions, OtelMetricsBridgeStats, OtelMetricsScope } from './options.ts';
import { dimensionMetricName, isValidInstrumentName, toOtelMetricData } from './metric-data.ts';

const COMPONENT = 'OtelMetricsBridge';

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
  readonly #shutdown = new Once(() => this.#close());
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
  private counts = { producerCollections: 0, observations: 0, errors: 0, delivered: 0, skipped: 0, newDimension: 0 };

  /** @throws MvxConfigError when `source` has no `snapshots()`, or an option is invalid. */
  constructor(options: OtelMetricsBridgeOptions) {
    if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object with a `source`');
    const source = checkObjectWith<MetricsSource>('source', options.source, ['snapshots'], 'a MetricsSource, e.g. a metrics recorder');
    const mode = checkOneOf('numberDimensions', options.numberDimensions, ['meter', 'producer'], 'meter');
    const flushTimeoutMs = checkMilliseconds('flushTimeoutMs', options.flushTimeoutMs, { default: 1000 });
    const scope = options.scope ?? { name: 'mvx-common' };
    if (scope === null || typeof scope !== 'object') throw new MvxConfigError('scope', 'must be an object with a `name`');
    checkString('scope.name', scope.name, { nonEmpty: true });
    const temporality = checkOneOf('temporality', options.temporality, ['cumulative', 'delta'], 'cumulative');
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

  /** Counters since construction. */
  stats(): OtelMetricsBridgeStats {
    const { producerCollections, observations, errors, delivered, skipped, newDimension } = this.counts;
    return {
      accepted: delivered + skipped + newDimension,
      delivered,
      dropped: skipped + newDimension,
      droppedByReason: { skipped, newDimension },
      failed: 0,
      pending: 0,
      producerCollections,
      observations,
      errors,
      instruments: this.instruments.size,
      skippedDimensions: this.skipped.size,
    };
  }

  /** Nothing to deliver: the SDK pulls. Resolves at once with the counters (for the common lifecycle). */
  flush(_options: LifecycleOptions = {}): Promise<LifecycleReport & OtelMetricsBridgeStats> {
    return Promise.resolve(lifecycleReport(this.stats(), false));
  }

  /**
   * Stops observing: the batch callback is removed and `collect()` returns no data; nothing is read
   * from the source afterwards. Idempotent (the same promise on repeat); never rejects. The source
   * and the SDK are left to their owners.
   */
  shutdown(_options: LifecycleOptions = {}): Promise<LifecycleReport & OtelMetricsBridgeStats> {
    return this.#shutdown.call();
  }

  #close(): LifecycleReport & OtelMetricsBridgeStats {
    this.closed = true;
    if (this.meter !== undefined && this.observables.length > 0) {
      try {
        this.meter.removeBatchObservableCallback(this.observe, this.observables);
      } catch (error) {
        this.failed('unbind.failed', 'removing the batch observable callback failed', error);
      }
    }
    return lifecycleReport(this.stats(), false);
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
          if (this.skipped.has(name)) this.counts.skipped += dim.series.length;
          else {
            unknown = true;
            this.counts.newDimension += dim.series.length;
          }
          continue;
        }
        for (const s of dim.series) result.observe(entry.observable, s.value, s.attributes);
        this.counts.delivered += dim.series.length;
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
    const source = this.source;
    const bound = Math.min(this.flushTimeoutMs, timeoutMillis ?? Infinity);
    if (source.flush !== undefined && bound > 0) {
      const flushed = await waitBounded(() => source.flush!({ timeoutMs: bound }), { timeoutMs: bound });
      // A failed or late flush still leaves a readable snapshot: report it and read what is aggregated.
      if (flushed.status === 'failed') this.failed('flush.failed', 'flushing the metrics source before a collection failed', flushed.error);
      else if (flushed.status === 'timeout') {
        reportDiagnostic({ component: COMPONENT, code: 'flush.timeout', message: `the metrics source did not flush within ${bound} ms; collecting what is aggregated so far` });
      }
    }
    if (this.closed) return [];
    return source.snapshots();
  }

  private convert(snapshot: MetricSnapshot, out: MetricData[]): void {
    for (const dim of snapshot.dimensions) {
      if (dim.kind !== 'histogram' && !this.numbersViaProducer) continue;
      const name = dimensionMetricName(snapshot.name, dim.name);
      if (!this.checkName(name)) {
        this.counts.skipped += dim.series.length;
        continue;
      }
      const data = toOtelMetricData(snapshot, dim, name, this.delta);
      if (data !== undefined) {
        out.push(data);
        this.counts.delivered += data.dataPoints.length;
      }
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
