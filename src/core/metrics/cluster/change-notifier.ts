/**
 * The aggregator's change hook (`onMetricChanged`): after a report changed a metric, each listener
 * gets a view of that metric whose `snapshot()` is the aggregate (what the StatsD exporter's
 * per-event mode and other hook users read), and the event `{ type: 'mvx.cluster.report' }`.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { epochMsNow } from '../../internal/clock.ts';
import type { Metric, MetricChangedListener, MetricSnapshot } from '../types.ts';

const EVENT = Object.freeze({ type: 'mvx.cluster.report' });

/** Listeners, and one metric view per name. */
export class ChangeNotifier {
  readonly #listeners = new Set<MetricChangedListener>();
  readonly #views = new Map<string, Metric>();
  readonly #snapshotOf: (name: string, now: number) => MetricSnapshot | undefined;
  readonly #startTimeMs: number;

  constructor(snapshotOf: (name: string, now: number) => MetricSnapshot | undefined, startTimeMs: number) {
    this.#snapshotOf = snapshotOf;
    this.#startTimeMs = startTimeMs;
  }

  /** Subscribes; returns the unsubscriber. */
  add(listener: MetricChangedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener about each metric in `names`; a throwing listener is reported and ignored. */
  notify(names: ReadonlySet<string>): void {
    if (this.#listeners.size === 0 || names.size === 0) return;
    for (const name of names) {
      let metric = this.#views.get(name);
      if (metric === undefined) {
        const startTimeMs = this.#startTimeMs;
        metric = {
          name,
          eventTypes: [],
          handle: () => false,
          snapshot: () => this.#snapshotOf(name, epochMsNow()) ?? { name, startTimeMs, timeMs: epochMsNow(), dimensions: [] },
        };
        this.#views.set(name, metric);
      }
      for (const l of this.#listeners) {
        try {
          l(metric, EVENT);
        } catch (error) {
          reportDiagnostic({ component: 'ClusterMetricsAggregator', code: 'listener.failed', message: 'a metric-changed listener threw; ignored', error });
        }
      }
    }
  }
}
