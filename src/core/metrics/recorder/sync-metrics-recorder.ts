/**
 * A recorder that aggregates on the caller's stack: no buffer, no scheduling. For tests, simple
 * scripts and code that wants snapshots exact right after `emit()`. Routing, isolation and the
 * change hook are the same as {@link AsyncMetricsRecorder}'s.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { eventTypeOf } from '../internal/event-type.ts';
import type { LifecycleReport } from '../../lifecycle/types.ts';
import type { Metric, MetricChangedListener, MetricEvent, MetricSnapshot, MetricsRecorder, MetricsSource } from '../types.ts';
import { MetricDispatcher } from './metric-dispatcher.ts';
import { RecorderState } from './recorder-stats.ts';
import type { MetricsRecorderStats } from './recorder-stats.ts';
import { captureExemplarIds, compileExemplarFilter, FILTER_OFF, ReusedExemplarContext } from '../exemplars/capture.ts';
import { epochMsNow } from '../../internal/clock.ts';
import type { ExemplarFilter } from '../exemplars/exemplar.ts';

/** A synchronous recorder: `emit()` aggregates at once and never throws. */
export class SyncMetricsRecorder<E extends MetricEvent = MetricEvent> implements MetricsRecorder<E>, MetricsSource {
  readonly id: string;
  readonly #dispatcher: MetricDispatcher;
  readonly #exemplarFilter: number;
  readonly #exemplarContext = new ReusedExemplarContext();
  #accepted = 0;
  #invalid = 0;

  /**
   * @param options.exemplarFilter which events may leave exemplars (see `ExemplarFilter`). @default 'trace_based'
   * @throws MvxConfigError on an invalid `exemplarFilter`.
   */
  constructor(options: { id?: string; exemplarFilter?: ExemplarFilter } = {}) {
    this.id = options.id ?? 'metrics';
    this.#exemplarFilter = compileExemplarFilter(options.exemplarFilter);
    this.#dispatcher = new MetricDispatcher(`SyncMetricsRecorder(${this.id})`);
  }

  /** @throws MvxConfigError when `metric` is not a Metric. */
  registerMetric(metric: Metric<any>): void {
    this.#dispatcher.register(metric);
  }

  emit(event: E): void {
    if (eventTypeOf(event) === undefined) {
      this.#invalid++;
      reportDiagnostic({ component: `SyncMetricsRecorder(${this.id})`, code: 'event.invalid', message: 'emit() needs an object with a string `type`; dropped' });
      return;
    }
    this.#accepted++;
    const ids = this.#exemplarFilter === FILTER_OFF ? undefined : captureExemplarIds(this.#exemplarFilter, event);
    this.#dispatcher.dispatch(event, ids === undefined ? undefined : this.#exemplarContext.set(epochMsNow(), ids));
  }

  snapshots(): MetricSnapshot[] {
    return this.#dispatcher.snapshots();
  }

  metrics(): readonly Metric<any>[] {
    return this.#dispatcher.metrics();
  }

  onMetricChanged(listener: MetricChangedListener): () => void {
    return this.#dispatcher.onMetricChanged(listener);
  }

  /** Nothing is ever pending: resolves at once with the report in events (`accepted` counts invalid events too). */
  flush(): Promise<LifecycleReport> {
    return Promise.resolve({ accepted: this.#accepted + this.#invalid, delivered: this.#accepted, dropped: this.#invalid, failed: 0, pending: 0, timedOut: false });
  }

  stats(): MetricsRecorderStats {
    return {
      state: RecorderState.RUNNING,
      accepted: this.#accepted,
      dispatched: this.#accepted,
      delivered: this.#accepted,
      pending: 0,
      dropped: { total: this.#invalid, overflow: 0, invalid: this.#invalid, stopped: 0 },
      failed: { ...this.#dispatcher.failures },
    };
  }
}
