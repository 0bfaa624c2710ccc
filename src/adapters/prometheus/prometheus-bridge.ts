/**
 * Exposes a {@link MetricsSource}'s snapshots as prom-client metrics in a `Registry`.
 * @module
 */
import promClient from 'prom-client';
import type { Metric as PromMetric, Registry } from 'prom-client';
import { MvxConfigError, MvxError, MvxErrorCode } from '../../core/errors.ts';
import { reportDiagnostic } from '../../core/diagnostics.ts';
import type { MetricDimension, MetricSnapshot, MetricsSource } from '../../core/metrics/types.ts';
import { DimensionCollector, isBridgeCollector } from './dimension-collector.ts';
import type { CollectorHost } from './dimension-collector.ts';
import { prometheusName } from './naming.ts';

const COMPONENT = 'PrometheusBridge';

/** Options of {@link createPrometheusBridge}. */
export interface PrometheusBridgeOptions {
  /**
   * The prom-client registry to register in (the adapter takes the client, it does not make one).
   * @default prom-client's default `register`
   */
  registry?: Registry<any>;
  /** Prepended to every exported name, e.g. `myapp_` (sanitised). @default '' */
  prefix?: string;
  /**
   * Bound on the source's `flush()` at the start of each scrape, in ms. On time-out the scrape goes
   * on with what is aggregated so far (counted in `stats().flushTimeouts`, reported as a diagnostic).
   * `0` skips the flush.
   * @default 250
   */
  flushTimeoutMs?: number;
}

/** Counters of a bridge, for tests and health checks. */
export interface PrometheusBridgeStats {
  /** Snapshot views taken (one per scrape that reached this bridge's collectors). */
  views: number;
  /** Source flushes that did not finish within `flushTimeoutMs`. */
  flushTimeouts: number;
  /** Source flushes that threw or rejected. */
  flushFailures: number;
  /** `snapshots()` calls that threw (the scrape then fails: see `get()`). */
  snapshotFailures: number;
  /** Dimensions found after creation whose name was taken, so they are not exported (each try). */
  clashes: number;
  /** Collectors of an earlier bridge replaced by this one (re-registration). */
  replaced: number;
  /** Collectors of this bridge that another bridge replaced or someone removed from the registry. */
  lost: number;
  /**
   * Series merged into another of the same metric because their Prometheus labels are equal
   * (`200` and `'200'`, `a.b` and `a_b`), summed over collect passes; reported once per metric.
   */
  mergedSeries: number;
}

// Bridges per registry, so the metrics handler can prepare every bridge before a scrape.
const BRIDGES = new WeakMap<Registry<any>, Set<PrometheusBridge>>();

/** The live bridges registered in `registry` (used by the metrics handler). */
export function bridgesOf(registry: Registry<any>): readonly PrometheusBridge[] {
  const set = BRIDGES.get(registry);
  return set === undefined ? [] : [...set];
}

interface Planned {
  readonly metric: MetricSnapshot;
  readonly dim: MetricDimension;
  readonly collector: DimensionCollector;
}

/**
 * Registers every dimension of `source`'s snapshots as a prom-client metric in the registry and
 * keeps them in step with the source.
 *
 * - Each dimension becomes one Prometheus metric, named by {@link prometheusName} (sanitised,
 *   unit suffix, `_total` on counters; `ms` values converted to seconds): counters → `counter`,
 *   up-down counters and gauges → `gauge`, histograms → `histogram` with cumulative `le` buckets,
 *   `+Inf`, `_sum`, `_count`. Help text is the description, or the metric's name.
 * - At scrape time (`registry.metrics()`), the first collector read awaits `source.flush()`
 *   (bounded by `flushTimeoutMs`) and takes one snapshot, which every collector of this bridge
 *   shares, so a scrape is consistent and reflects every event emitted before it started.
 * - Metrics the source gains later are registered when a scrape sees them; through
 *   {@link createMetricsHandler} they appear in that same scrape, through a bare
 *   `registry.metrics()` from the next one (call {@link PrometheusBridge.refresh} to add them now).
 *   Dimensions that vanish from the source are unregistered.
 * - Coexistence: hand-written prom-client metrics in the same registry are left alone. A name
 *   already taken by one of them throws an `MvxError` (`MVX_ALREADY_EXISTS`) here, naming both; for a
 *   dimension found later it is reported as a diagnostic and counted in `stats().clashes`.
 * - Re-registration (hot reload, test runners creating the bridge again): a name held by another
 *   bridge's collector is taken over by the new bridge (counted in `stats().replaced`); the older
 *   bridge then leaves that name alone for good (`stats().lost`), and once it has lost every name
 *   it retires (as if closed), so superseded sources are no longer read.
 *
 * @throws MvxConfigError for an invalid option; MvxError `MVX_ALREADY_EXISTS` on a name clash with
 *   a metric that is not a bridge's, or between two dimensions of the source.
 * @example
 * ```ts
 * import { register } from 'prom-client';
 * const bridge = createPrometheusBridge(recorder, { registry: register });
 * // later, on shutdown or hot reload:
 * bridge.close();
 * ```
 */
export function createPrometheusBridge(source: MetricsSource, options: PrometheusBridgeOptions = {}): PrometheusBridge {
  return new PrometheusBridge(source, options);
}

/** A live bridge; see {@link createPrometheusBridge}. */
export class PrometheusBridge implements CollectorHost {
  /** The registry the collectors live in. */
  readonly registry: Registry<any>;
  private readonly source: MetricsSource;
  private readonly prefix: string;
  private readonly flushTimeoutMs: number;
  // metric name → dimension name → collector (including lost ones, so they are not re-added).
  private readonly bindings = new Map<string, Map<string, DimensionCollector>>();
  private readonly lostCollectors = new WeakSet<DimensionCollector>();
  // Registered name → this bridge's live (not lost) collector.
  private readonly byName = new Map<string, DimensionCollector>();
  private generation = 0;
  private pending: Promise<number> | undefined;
  private primed: Promise<number> | undefined;
  private closed = false;
  private readonly counters: Omit<PrometheusBridgeStats, 'mergedSeries'> = {
    views: 0,
    flushTimeouts: 0,
    flushFailures: 0,
    snapshotFailures: 0,
    clashes: 0,
    replaced: 0,
    lost: 0,
  };

  constructor(source: MetricsSource, options: PrometheusBridgeOptions = {}) {
    if (source === null || typeof source !== 'object' || typeof source.snapshots !== 'function') {
      throw new MvxConfigError('source', 'expected a MetricsSource (an object with a snapshots() method), such as a metrics recorder');
    }
    const registry = options.registry ?? promClient.register;
    if (registry === null || typeof registry !== 'object' || typeof registry.registerMetric !== 'function' || typeof registry.getSingleMetric !== 'function') {
      throw new MvxConfigError('registry', 'expected a prom-client Registry');
    }
    const prefix = options.prefix ?? '';
    if (typeof prefix !== 'string') throw new MvxConfigError('prefix', 'expected a string such as "myapp_"');
    if (prefix !== '' && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
      throw new MvxConfigError('prefix', `'${prefix}' is not a valid Prometheus name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)`);
    }
    const flushTimeoutMs = options.flushTimeoutMs ?? 250;
    if (typeof flushTimeoutMs !== 'number' || !Number.isFinite(flushTimeoutMs) || flushTimeoutMs < 0) {
      throw new MvxConfigError('flushTimeoutMs', 'expected a finite number of milliseconds >= 0');
    }
    this.source = source;
    this.registry = registry;
    this.prefix = prefix;
    this.flushTimeoutMs = flushTimeoutMs;

    let snapshots: MetricSnapshot[];
    try {
      snapshots = source.snapshots();
    } catch (error) {
      throw new MvxError(MvxErrorCode.STARTUP, 'the metrics source failed to give snapshots', { cause: error });
    }
    this.apply(snapshots, true);
    let set = BRIDGES.get(registry);
    if (set === undefined) BRIDGES.set(registry, (set = new Set()));
    set.add(this);
  }

  /** Prometheus names this bridge currently has in the registry. */
  names(): string[] {
    const out: string[] = [];
    for (const [name, c] of this.byName) if (this.owns(c)) out.push(name);
    return out;
  }

  /**
   * Registers dimensions the source has gained and unregisters those it lost, now (without a
   * flush). Never throws: clashes are reported and counted.
   */
  refresh(): void {
    if (this.closed) return;
    try {
      this.apply(this.source.snapshots(), false);
    } catch (error) {
      this.counters.snapshotFailures++;
      reportDiagnostic({ component: COMPONENT, code: 'snapshot.failed', message: 'the metrics source threw from snapshots()', error });
    }
  }

  /** A copy of the counters. */
  stats(): PrometheusBridgeStats {
    let mergedSeries = 0;
    for (const dims of this.bindings.values()) for (const c of dims.values()) mergedSeries += c.mergedSeries;
    return { ...this.counters, mergedSeries };
  }

  /**
   * Removes this bridge's collectors from the registry (those another bridge took over stay).
   * Idempotent. Hand-written metrics are never touched.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [name, c] of this.byName) if (this.owns(c)) this.registry.removeSingleMetric(name);
    this.byName.clear();
    this.bindings.clear();
    BRIDGES.get(this.registry)?.delete(this);
  }

  /**
   * The snapshot view of the current scrape: collectors read during one synchronous pass (as
   * `registry.metrics()` and `getMetricsAsJSON()` do) share one flush and one snapshot.
   * @internal
   */
  view(): Promise<number> {
    if (this.pending !== undefined) return this.pending;
    let p = this.primed;
    this.primed = undefined;
    p ??= this.takeView();
    this.pending = p;
    const clear = (): void => {
      if (this.pending === p) this.pending = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /**
   * Takes the view of the next scrape now, registering new dimensions before the registry lists
   * its metrics, so they appear in that scrape. Used by the metrics handler.
   * @internal
   */
  async prepareScrape(): Promise<void> {
    if (this.closed) return;
    const p = this.takeView();
    this.primed = p;
    try {
      await p;
    } catch {
      // The scrape's own view() sees the same rejection.
    }
  }

  /** Drops a prepared view that no scrape used. @internal */
  discardPrepared(): void {
    this.primed = undefined;
  }

  private async takeView(): Promise<number> {
    this.counters.views++;
    if (this.source.flush !== undefined && this.flushTimeoutMs > 0) await this.boundedFlush();
    let snapshots: MetricSnapshot[];
    try {
      snapshots = this.source.snapshots();
    } catch (error) {
      this.counters.snapshotFailures++;
      reportDiagnostic({ component: COMPONENT, code: 'snapshot.failed', message: 'the metrics source threw from snapshots(); the scrape fails', error });
      throw new MvxError(MvxErrorCode.UNEXPECTED, 'the metrics source failed to give snapshots', { cause: error });
    }
    if (!this.closed) this.apply(snapshots, false);
    return this.generation;
  }

  private async boundedFlush(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(resolve, this.flushTimeoutMs, 'timeout');
      timer.unref();
    });
    try {
      const flushed = Promise.resolve(this.source.flush!({ timeoutMs: this.flushTimeoutMs }));
      if ((await Promise.race([flushed, timedOut])) === 'timeout') {
        flushed.catch(() => undefined);
        this.counters.flushTimeouts++;
        reportDiagnostic({
          component: COMPONENT,
          code: 'flush.timeout',
          message: `the metrics source did not flush within ${this.flushTimeoutMs} ms; scraping what is aggregated so far`,
        });
      }
    } catch (error) {
      this.counters.flushFailures++;
      reportDiagnostic({ component: COMPONENT, code: 'flush.failed', message: 'the metrics source failed to flush; scraping what is aggregated so far', error });
    } finally {
      clearTimeout(timer);
    }
  }

  private owns(c: DimensionCollector): boolean {
    return !this.lostCollectors.has(c) && this.registry.getSingleMetric(c.registeredName) === (c as unknown);
  }

  /**
   * Brings the registry in step with `snapshots`. With `strict`, any clash throws before anything is
   * registered; otherwise clashes are reported and the rest goes ahead.
   */
  private apply(snapshots: readonly MetricSnapshot[], strict: boolean): void {
    const generation = ++this.generation;
    const planned: Planned[] = [];
    for (const metric of snapshots) {
      const dims = this.bindings.get(metric.name);
      for (const dim of metric.dimensions) {
        const unit = dim.unit ?? metric.unit;
        const existing = dims?.get(dim.name);
        if (existing !== undefined && existing.kind === dim.kind && existing.unit === unit) {
          if (!this.lostCollectors.has(existing)) {
            existing.dimension = dim;
            existing.seenGeneration = generation;
          }
          continue;
        }
        if (existing !== undefined) this.unregister(existing, metric.name, dim.name);
        const naming = prometheusName(metric.name, dim.name, dim.kind, unit, { prefix: this.prefix });
        const help = dim.description ?? metric.description ?? (dim.name === '' ? metric.name : `${metric.name}.${dim.name}`);
        const collector = new DimensionCollector(this, naming, help || naming.name, `${metric.name}\u0000${dim.name}`, dim.kind, unit);
        collector.dimension = dim;
        collector.seenGeneration = generation;
        planned.push({ metric, dim, collector });
      }
    }
    if (planned.length > 0) this.registerPlanned(planned, strict);
    // Collectors whose dimension vanished from the source leave the registry.
    for (const [metricName, dims] of this.bindings) {
      for (const [dimName, c] of dims) {
        if (c.seenGeneration !== generation && !this.lostCollectors.has(c)) this.unregister(c, metricName, dimName);
      }
      if (dims.size === 0) this.bindings.delete(metricName);
    }
    this.noticeLost();
  }

  private bindingsFor(metricName: string): Map<string, DimensionCollector> {
    let dims = this.bindings.get(metricName);
    if (dims === undefined) this.bindings.set(metricName, (dims = new Map()));
    return dims;
  }

  private unregister(c: DimensionCollector, metricName: string, dimName: string): void {
    if (this.owns(c)) this.registry.removeSingleMetric(c.registeredName);
    if (this.byName.get(c.registeredName) === c) this.byName.delete(c.registeredName);
    this.bindings.get(metricName)?.delete(dimName);
  }

  private registerPlanned(planned: Planned[], strict: boolean): void {
    const errors: MvxError[] = [];
    const names = new Map<string, Planned>();
    const accepted: Planned[] = [];
    for (const p of planned) {
      const name = p.collector.registeredName;
      const twin = names.get(name) ?? this.byName.get(name);
      const existing = this.registry.getSingleMetric(name) as unknown;
      let error: MvxError | undefined;
      if (twin !== undefined) {
        const twinLabel = 'metric' in twin ? describe(twin.metric.name, twin.dim.name) : describeKey(twin.sourceKey);
        error = new MvxError(
          MvxErrorCode.ALREADY_EXISTS,
          `${describe(p.metric.name, p.dim.name)} and ${twinLabel} both map to the Prometheus name '${name}'; rename one of them`,
          { details: { name } },
        );
      } else if (existing !== undefined && !isBridgeCollector(existing)) {
        const type = (existing as { type?: unknown }).type;
        error = new MvxError(
          MvxErrorCode.ALREADY_EXISTS,
          `${describe(p.metric.name, p.dim.name)} maps to the Prometheus name '${name}', which the registry already holds ` +
            `(a hand-written prom-client ${typeof type === 'string' ? type : 'metric'} '${name}'); ` +
            'rename one of them, give the bridge a `prefix`, or remove the hand-written metric once it is migrated',
          { details: { name, existingType: type } },
        );
      }
      if (error !== undefined) {
        if (strict) errors.push(error);
        else {
          this.counters.clashes++;
          reportDiagnostic({ component: COMPONENT, code: 'name.clash', message: `${error.message}; not exported`, details: { name } });
        }
        continue;
      }
      names.set(name, p);
      accepted.push(p);
    }
    if (errors.length > 0) {
      throw errors.length === 1
        ? errors[0]!
        : new MvxError(MvxErrorCode.ALREADY_EXISTS, errors.map((e) => e.message).join('; '), { details: { names: errors.map((e) => e.details['name']) } });
    }
    for (const p of accepted) {
      const name = p.collector.registeredName;
      if (this.registry.getSingleMetric(name) !== undefined) {
        // Another bridge's collector (same or another source): re-registration takes it over.
        this.registry.removeSingleMetric(name);
        this.counters.replaced++;
      }
      this.registry.registerMetric(p.collector as unknown as PromMetric);
      this.bindingsFor(p.metric.name).set(p.dim.name, p.collector);
      this.byName.set(name, p.collector);
    }
  }

  private noticeLost(): void {
    let lostNow = 0;
    for (const [name, c] of this.byName) {
      if (this.registry.getSingleMetric(name) !== (c as unknown)) {
        this.lostCollectors.add(c);
        this.byName.delete(name);
        lostNow++;
      }
    }
    if (lostNow === 0) return;
    this.counters.lost += lostNow;
    // Every collector taken over by newer bridges: this one was superseded (hot reload, a test
    // runner re-creating it). Stop preparing scrapes for it so old sources are not kept busy.
    if (this.byName.size === 0) {
      this.closed = true;
      this.bindings.clear();
      BRIDGES.get(this.registry)?.delete(this);
    }
  }
}

function describe(metric: string, dim: string): string {
  return dim === '' ? `mvx metric '${metric}'` : `mvx metric '${metric}' dimension '${dim}'`;
}

function describeKey(key: string): string {
  const [metric = '', dim = ''] = key.split('\u0000');
  return describe(metric, dim);
}
