/**
 * Exposes a {@link MetricsSource}'s snapshots as prom-client metrics in a `Registry`.
 *
 * A scrape, step by step (through `createMetricsHandler`; a bare `registry.metrics()` starts at 3
 * and takes the view in the first collector's `get()`):
 *
 * ```text
 *  metrics handler        PrometheusBridge / ScrapeView              RegistrySync            prom-client registry
 *  ───────────────        ─────────────────────────────              ────────────            ────────────────────
 *  1 prepareScrape() ──▶  take a view:
 *                           source.flush()  (≤ flushTimeoutMs)
 *                           source.snapshots() ────────────────▶  apply(): register new
 *                                                                 dimensions, unregister ──▶ registerMetric /
 *                                                                 vanished ones              removeSingleMetric
 *  2 registry.metrics() ─────────────────────────────────────────────────────────────────▶ each collector:
 *  3                      view() ◀──────────────────────────────────────────────────────── get(): await view()
 *                         (the prepared view, else one taken now,
 *                          shared by every collector of the pass)
 *  4                                                                                       samples of its
 *                                                                                          dimension (samples.ts)
 *  5 discardPrepared()    (a prepared view no scrape used)
 * ```
 * @module
 */
import promClient from 'prom-client';
import type { Registry } from 'prom-client';
import {
  checkMilliseconds,
  checkObjectWith,
  checkString,
  lifecycleReport,
  Once,
  reportDiagnostic,
  type LifecycleOptions,
  type LifecycleReport,
} from '../../adapter-kit/index.ts';
import { MvxError, MvxErrorCode } from '../../index.ts';
import type { MetricSnapshot, MetricsSource } from '../../index.ts';
import type { CollectorHost } from './dimension-collector.ts';
import { RegistrySync } from './registry-sync.ts';
import { ScrapeView } from './scrape-view.ts';
import type { PrometheusBridgeOptions, PrometheusBridgeStats } from './bridge-options.ts';

const COMPONENT = 'PrometheusBridge';

// Bridges per registry, so the metrics handler can prepare every bridge before a scrape.
const BRIDGES = new WeakMap<Registry<any>, Set<PrometheusBridge>>();

/** The live bridges registered in `registry` (used by the metrics handler). */
export function bridgesOf(registry: Registry<any>): readonly PrometheusBridge[] {
  const set = BRIDGES.get(registry);
  return set === undefined ? [] : [...set];
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
 * await bridge.shutdown();
 * ```
 */
export function createPrometheusBridge(source: MetricsSource, options: PrometheusBridgeOptions = {}): PrometheusBridge {
  return new PrometheusBridge(source, options);
}

/** A live bridge; see {@link createPrometheusBridge}. */
export class PrometheusBridge implements CollectorHost {
  /** The registry the collectors live in. */
  readonly registry: Registry<any>;
  readonly #source: MetricsSource;
  readonly #sync: RegistrySync;
  readonly #view: ScrapeView;
  readonly #shutdown = new Once(() => this.#close());
  #closed = false;

  constructor(source: MetricsSource, options: PrometheusBridgeOptions = {}) {
    checkObjectWith('source', source, ['snapshots'], 'a MetricsSource, such as a metrics recorder');
    const registry = options.registry ?? promClient.register;
    checkObjectWith('registry', registry, ['registerMetric', 'getSingleMetric'], 'a prom-client Registry');
    const prefix = checkString('prefix', options.prefix, { default: '', pattern: { regex: /^(|[a-zA-Z_:][a-zA-Z0-9_:]*)$/, text: 'a Prometheus name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*) such as "myapp_"' } });
    const flushTimeoutMs = checkMilliseconds('flushTimeoutMs', options.flushTimeoutMs, { default: 250 });
    this.#source = source;
    this.registry = registry;
    this.#sync = new RegistrySync(registry, this, prefix);
    this.#view = new ScrapeView(source, flushTimeoutMs, (snapshots) => {
      if (!this.#closed) this.#apply(snapshots, false);
      return this.#sync.generation;
    });

    let snapshots: MetricSnapshot[];
    try {
      snapshots = source.snapshots();
    } catch (error) {
      throw new MvxError(MvxErrorCode.STARTUP, 'the metrics source failed to give snapshots', { cause: error });
    }
    this.#apply(snapshots, true);
    let set = BRIDGES.get(registry);
    if (set === undefined) BRIDGES.set(registry, (set = new Set()));
    set.add(this);
  }

  /** Prometheus names this bridge currently has in the registry. */
  names(): string[] {
    return this.#sync.names();
  }

  /**
   * Registers dimensions the source has gained and unregisters those it lost, now (without a
   * flush). Never throws: clashes are reported and counted.
   */
  refresh(): void {
    if (this.#closed) return;
    try {
      this.#apply(this.#source.snapshots(), false);
    } catch (error) {
      this.#view.counts.snapshotFailures++;
      reportDiagnostic({ component: COMPONENT, code: 'snapshot.failed', message: 'the metrics source threw from snapshots()', error });
    }
  }

  /** A copy of the counters. */
  stats(): PrometheusBridgeStats {
    let mergedSeries = 0;
    let mergeOverflows = 0;
    let accepted = 0;
    for (const c of this.#sync.collectors()) {
      mergedSeries += c.mergedSeries;
      mergeOverflows += c.mergeOverflows;
      accepted += c.seriesRead;
    }
    return {
      accepted,
      delivered: accepted - mergedSeries,
      dropped: mergedSeries,
      failed: 0,
      pending: 0,
      ...this.#view.counts,
      ...this.#sync.counts,
      mergedSeries,
      mergeOverflows,
    };
  }

  /** Nothing to deliver (Prometheus pulls): resolves at once with the counters. */
  flush(_options: LifecycleOptions = {}): Promise<PrometheusBridgeStats & LifecycleReport> {
    return Promise.resolve(lifecycleReport(this.stats(), false));
  }

  /**
   * Removes this bridge's collectors from the registry (those another bridge took over stay); the
   * source is not read afterwards. Idempotent (the same promise); never rejects. Hand-written
   * metrics are never touched.
   */
  shutdown(_options: LifecycleOptions = {}): Promise<PrometheusBridgeStats & LifecycleReport> {
    return this.#shutdown.call();
  }

  /** @deprecated Use `shutdown()` (same effect, kept for one release). Synchronous. */
  close(): void {
    void this.shutdown();
  }

  #close(): PrometheusBridgeStats & LifecycleReport {
    const report = lifecycleReport(this.stats(), false);
    this.#retire();
    this.#sync.clear();
    return report;
  }

  #retire(): void {
    this.#closed = true;
    BRIDGES.get(this.registry)?.delete(this);
  }

  #apply(snapshots: readonly MetricSnapshot[], strict: boolean): void {
    this.#sync.apply(snapshots, strict);
    // Every collector taken over by newer bridges: stop preparing scrapes for it so old sources are not kept busy.
    if (this.#sync.superseded) this.#retire();
  }

  /**
   * The snapshot view of the current scrape: collectors read during one synchronous pass (as
   * `registry.metrics()` and `getMetricsAsJSON()` do) share one flush and one snapshot.
   * @internal
   */
  view(): Promise<number> {
    if (this.#closed) return Promise.resolve(this.#sync.generation);
    return this.#view.view();
  }

  /**
   * Takes the view of the next scrape now, registering new dimensions before the registry lists
   * its metrics, so they appear in that scrape. Used by the metrics handler.
   * @internal
   */
  async prepareScrape(): Promise<void> {
    if (this.#closed) return;
    await this.#view.prepare();
  }

  /** Whether a view is being taken or prepared and not yet read. @internal */
  viewOutstanding(): boolean {
    return this.#view.outstanding;
  }

  /** Drops a prepared view that no scrape used. @internal */
  discardPrepared(): void {
    this.#view.discard();
  }
}
