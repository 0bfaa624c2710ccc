/**
 * The aggregation side shared by every recorder: the metric registry, routing by event type,
 * per-metric and per-listener isolation, and the post-aggregation hook.
 *
 * Routing: each event type maps to the metrics that declared it plus the `'*'` metrics, in
 * registration order, computed once per type (cached; rebuilt when a metric is registered), so an
 * event costs only the metrics that want it.
 */
import { MvxConfigError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { eventTypeOf } from '../internal/event-type.ts';
import type { Metric, MetricChangedListener, MetricEvent, MetricSnapshot } from '../types.ts';
import type { ExemplarContext } from '../exemplars/exemplar.ts';

/** Counts of failures isolated by the dispatcher. */
export interface DispatchFailures {
  /** `metric.handle()` calls that threw (one per event and metric). */
  metric: number;
  /** Listener calls that threw (one per change and listener). */
  listener: number;
}

const NO_METRICS: readonly Metric<any>[] = Object.freeze([]);

/** Registry + routing + isolation; recorders own one and decide when to call {@link dispatch}. */
export class MetricDispatcher {
  readonly failures: DispatchFailures = { metric: 0, listener: 0 };
  readonly #component: string;
  readonly #byName = new Map<string, Metric<any>>();
  #routes = new Map<string, readonly Metric<any>[]>();
  #wildcard: readonly Metric<any>[] = NO_METRICS;
  #listeners: MetricChangedListener[] = [];
  // Report each broken metric/listener once, not once per event.
  readonly #reportedMetrics = new WeakSet<object>();
  readonly #reportedListeners = new WeakSet<object>();

  readonly #onFailure: ((kind: 'metric' | 'listener', metricName: string, eventType: string, error: unknown) => void) | undefined;

  /** @param onFailure called once per broken metric or listener (after the diagnostic), e.g. to log it. */
  constructor(component: string, onFailure?: (kind: 'metric' | 'listener', metricName: string, eventType: string, error: unknown) => void) {
    this.#component = component;
    this.#onFailure = onFailure;
  }

  /**
   * Registers a metric (same name replaces the previous one, keeping its position).
   * @throws MvxConfigError when `metric` does not look like a Metric.
   */
  register(metric: Metric<any>): void {
    if (metric === null || typeof metric !== 'object') throw new MvxConfigError('metric', 'must be a Metric object');
    if (typeof metric.name !== 'string' || metric.name === '') throw new MvxConfigError('metric.name', 'must be a non-empty string');
    if (typeof metric.handle !== 'function' || typeof metric.snapshot !== 'function') {
      throw new MvxConfigError('metric', `metric '${metric.name}' must have handle(event) and snapshot() methods`);
    }
    const types = metric.eventTypes;
    if (types !== '*' && (!Array.isArray(types) || types.some((t) => typeof t !== 'string'))) {
      throw new MvxConfigError('metric.eventTypes', `metric '${metric.name}': must be a list of event types or '*'`);
    }
    this.#byName.set(metric.name, metric);
    this.#rebuildRoutes();
  }

  #rebuildRoutes(): void {
    const routes = new Map<string, Metric<any>[]>();
    const wildcard: Metric<any>[] = [];
    for (const m of this.#byName.values()) {
      if (m.eventTypes === '*') wildcard.push(m);
      else for (const t of m.eventTypes) if (!routes.has(t)) routes.set(t, []);
    }
    // Each type's list keeps registration order across specific and '*' metrics.
    for (const [t, list] of routes) {
      for (const m of this.#byName.values()) if (m.eventTypes === '*' || m.eventTypes.includes(t)) list.push(m);
    }
    this.#routes = routes;
    this.#wildcard = wildcard.length === 0 ? NO_METRICS : wildcard;
  }

  /** Metrics in registration order. */
  metrics(): readonly Metric<any>[] {
    return [...this.#byName.values()];
  }

  /** Snapshots in registration order; a throwing `snapshot()` is reported and left out. */
  snapshots(): MetricSnapshot[] {
    const out: MetricSnapshot[] = [];
    for (const m of this.#byName.values()) {
      try {
        out.push(m.snapshot());
      } catch (error) {
        reportDiagnostic({ component: this.#component, code: 'metric.snapshot_failed', message: `metric '${m.name}' threw in snapshot(); left out`, error });
      }
    }
    return out;
  }

  /** Adds a post-aggregation listener; returns its remover. */
  onMetricChanged(listener: MetricChangedListener): () => void {
    if (typeof listener !== 'function') throw new MvxConfigError('listener', 'must be a function (metric, event) => void');
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Offers one event to the metrics routed for its type; never throws. Returns false when a
   * metric threw (the event counts as failed for that metric; the others still got it).
   * `exemplar`: the event's exemplar context, captured at emit, passed to every metric.
   */
  dispatch(event: MetricEvent, exemplar?: ExemplarContext): boolean {
    const type = eventTypeOf(event);
    const list = (type === undefined ? undefined : this.#routes.get(type)) ?? this.#wildcard;
    let ok = true;
    for (let i = 0; i < list.length; i++) {
      const m = list[i] as Metric<any>;
      let changed: boolean;
      try {
        changed = m.handle(event, exemplar);
      } catch (error) {
        ok = false;
        this.failures.metric++;
        if (!this.#reportedMetrics.has(m)) {
          this.#reportedMetrics.add(m);
          reportDiagnostic({
            component: this.#component,
            code: 'metric.handle_failed',
            message: `metric '${m.name}' threw while handling '${String(type)}'; the event is counted as failed for it (reported once per metric)`,
            error,
          });
          this.#onFailure?.('metric', m.name, String(type), error);
        }
        continue;
      }
      if (changed === true && this.#listeners.length !== 0) this.#notify(m, event);
    }
    return ok;
  }

  #notify(metric: Metric<any>, event: MetricEvent): void {
    const ls = this.#listeners;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i] as MetricChangedListener;
      try {
        const r = l(metric, event) as unknown;
        // A listener returning a promise: its rejection is isolated too.
        if (r !== undefined && r !== null && typeof (r as PromiseLike<unknown>).then === 'function') {
          (r as Promise<unknown>).then(undefined, (error: unknown) => this.#listenerFailed(l, error, metric, event));
        }
      } catch (error) {
        this.#listenerFailed(l, error, metric, event);
      }
    }
  }

  #listenerFailed(l: MetricChangedListener, error: unknown, metric: Metric<any>, event: MetricEvent): void {
    this.failures.listener++;
    if (this.#reportedListeners.has(l)) return;
    this.#reportedListeners.add(l);
    reportDiagnostic({
      component: this.#component,
      code: 'metric.listener_failed',
      message: 'a metric-changed listener threw; isolated (reported once per listener)',
      error,
    });
    this.#onFailure?.('listener', metric.name, String(eventTypeOf(event)), error);
  }
}
