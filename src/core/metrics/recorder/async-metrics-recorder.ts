/**
 * The default recorder: `emit()` buffers the event (bounded, counted) and returns; aggregation runs
 * in batches off the caller's stack. A throwing metric or listener is isolated and reported, and
 * the recorder keeps running.
 */
import { MvxStateError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { Once } from '../../lifecycle/once.ts';
import type { LifecycleReport } from '../../lifecycle/types.ts';
import { eventTypeOf } from '../internal/event-type.ts';
import type { Metric, MetricChangedListener, MetricEvent, MetricSnapshot, MetricsRecorder, MetricsSource } from '../types.ts';
import { MetricDispatcher } from './metric-dispatcher.ts';
import { attachMetricsPort } from '../worker/attach-metrics-port.ts';
import type { MessagePortLike } from '../worker/protocol.ts';
import { LIFECYCLE_LEVEL, logLifecycle } from '../internal/lifecycle-log.ts';
import type { LifecycleLogContext } from '../internal/lifecycle-log.ts';
import { DEFAULT_TIMEOUT_MS, validateRecorderOptions } from './recorder-options.ts';
import type { AsyncMetricsRecorderOptions, TimeoutOptions } from './recorder-options.ts';
import { RecorderState } from './recorder-stats.ts';
import { compileExemplarFilter } from '../exemplars/capture.ts';
import { ExemplarRing } from '../exemplars/exemplar-ring.ts';
import type { MetricsRecorderStats, OverflowPolicy, RecorderStateValue } from './recorder-stats.ts';

export type { AsyncMetricsRecorderOptions, TimeoutOptions } from './recorder-options.ts';
export { validateRecorderOptions } from './recorder-options.ts';

/**
 * An asynchronous, bounded metrics recorder.
 *
 * - `emit(event)`: synchronous, O(1), never throws; an invalid event, a full buffer or a stopped
 *   recorder drops the event and counts it ({@link stats}); the first emit starts the recorder.
 * - Aggregation: batches off the caller's stack (see `dispatch`), routed by event type.
 * - `flush()`: resolves once every event emitted before the call is aggregated.
 * - `stop()`: flushes, then refuses events until `start()` is called again (metrics survive): a pause.
 * - `shutdown()`: flushes, then refuses events for good: the end of the recorder's life.
 *
 * `flush()` and `shutdown()` resolve with a {@link LifecycleReport} in events: `accepted` (every
 * `emit()`, refused ones included) = `delivered` (aggregated) + `dropped` + `failed` (always 0: a
 * throwing metric or listener is isolated, the event is still aggregated by the others) +
 * `pending`. `stats()` keeps its own shape (see {@link MetricsRecorderStats}).
 *
 * @example
 * ```ts
 * const recorder = new AsyncMetricsRecorder();
 * recorder.registerMetric(new CounterMetric({ name: 'jobs.done', eventTypes: 'job.done' }));
 * recorder.emit({ type: 'job.done' });
 * await recorder.flush();
 * recorder.snapshots(); // [{ name: 'jobs.done', dimensions: [{ name: '', kind: 'counter', series: [{ attributes: {}, value: 1 }] }] ... }]
 * ```
 */
export class AsyncMetricsRecorder<E extends MetricEvent = MetricEvent> implements MetricsRecorder<E>, MetricsSource {
  readonly id: string;
  readonly maxQueueSize: number;
  readonly overflowPolicy: OverflowPolicy;
  readonly #dispatchMode: 'immediate' | 'microtask';
  readonly #dispatcher: MetricDispatcher;
  readonly #logContext: LifecycleLogContext | undefined;
  #stateValue: RecorderStateValue = RecorderState.IDLE;
  // Ring buffer.
  readonly #ring: (MetricEvent | undefined)[];
  /** Trace ids of the buffered events for exemplars, slot for slot with `#ring`. */
  readonly #exemplars: ExemplarRing;
  #head = 0;
  #length = 0;
  // Sequence numbers: events accepted so far / events that left the buffer (dispatched or evicted).
  #acceptedSeq = 0;
  #doneSeq = 0;
  #dispatchedCount = 0;
  readonly #drops = { overflow: 0, invalid: 0, stopped: 0 };
  /** Accepted events dropped (counted in `#drops.stopped`) because a stop could not flush them. */
  #abandoned = 0;
  readonly #shutdown = new Once((options: TimeoutOptions) => this.#close(options));
  #scheduled = false;
  #draining = false;
  #stopPromise: Promise<void> | undefined;
  readonly #runDrain = (): void => {
    this.#scheduled = false;
    this.#drainTurn();
  };

  /** @throws MvxConfigError on an invalid option. */
  constructor(options: AsyncMetricsRecorderOptions = {}) {
    validateRecorderOptions(options);
    this.id = options.id?.trim() ?? 'metrics';
    this.maxQueueSize = options.maxQueueSize ?? 10_000;
    this.overflowPolicy = options.overflowPolicy ?? 'drop-newest';
    this.#dispatchMode = options.dispatch ?? 'immediate';
    this.#logContext = options.logContext;
    this.#dispatcher = new MetricDispatcher(`AsyncMetricsRecorder(${this.id})`, (kind, metric, eventType, error) =>
      this.#log('dispatch_error', LIFECYCLE_LEVEL.failure, { kind, metric, eventType, error: errorPayload(error) }, 'failed'),
    );
    this.#ring = new Array<MetricEvent | undefined>(this.maxQueueSize);
    this.#exemplars = new ExemplarRing(compileExemplarFilter(options.exemplarFilter), this.maxQueueSize);
  }

  /** Current lifecycle state. */
  get state(): RecorderStateValue {
    return this.#stateValue;
  }

  /** Events waiting to be aggregated. */
  get pending(): number {
    return this.#length;
  }

  /**
   * Registers a metric (same name replaces it). Allowed in every state; the registry survives
   * stop/start.
   * @throws MvxConfigError when `metric` is not a Metric.
   */
  registerMetric(metric: Metric<any>): void {
    this.#dispatcher.register(metric);
    if (this.#logContext !== undefined) this.#log('register_metric', LIFECYCLE_LEVEL.detail, { metric: metric.name, state: this.#stateValue }, 'success');
  }

  #log(event: string, level: number, payload: Record<string, unknown>, outcome: string): void {
    logLifecycle(this.#logContext, `metrics_recorder.${event}`, level, payload, { outcome, entityId: this.id });
  }

  /** Hands an event over; never throws. */
  emit(event: E): void {
    if (eventTypeOf(event) === undefined) {
      this.#drops.invalid++;
      reportDiagnostic({ component: `AsyncMetricsRecorder(${this.id})`, code: 'event.invalid', message: 'emit() needs an object with a string `type`; dropped' });
      return;
    }
    const s = this.#stateValue;
    if (s !== RecorderState.RUNNING) {
      if (s === RecorderState.IDLE) this.#enterRunning(); // lazy start
      else if (s !== RecorderState.STOPPING) {
        this.#drops.stopped++;
        return;
      }
    }
    const cap = this.maxQueueSize;
    if (this.#length === cap) {
      this.#drops.overflow++;
      if (this.overflowPolicy === 'drop-newest') return;
      // drop-oldest: evict the head.
      this.#ring[this.#head] = undefined;
      this.#exemplars.evict(this.#head);
      this.#head = this.#head + 1 === cap ? 0 : this.#head + 1;
      this.#length--;
      this.#doneSeq++;
    }
    let tail = this.#head + this.#length;
    if (tail >= cap) tail -= cap;
    this.#ring[tail] = event;
    this.#exemplars.capture(tail, event);
    this.#length++;
    this.#acceptedSeq++;
    if (!this.#scheduled) this.#schedule();
  }

  #schedule(): void {
    this.#scheduled = true;
    if (this.#dispatchMode === 'microtask') queueMicrotask(this.#runDrain);
    else setImmediate(this.#runDrain).unref();
  }

  /** One scheduled turn: aggregates what was pending when it began (events emitted by listeners wait for the next turn). */
  #drainTurn(): void {
    if (this.#draining) return;
    this.#drainUntil(this.#acceptedSeq);
    if (this.#length > 0 && !this.#scheduled) this.#schedule();
  }

  /** Aggregates events in order until `doneSeq >= target` (synchronously). */
  #drainUntil(target: number): void {
    this.#draining = true;
    try {
      const cap = this.maxQueueSize;
      const d = this.#dispatcher;
      const exemplars = this.#exemplars;
      exemplars.startBatch();
      while (this.#doneSeq < target && this.#length > 0) {
        const e = this.#ring[this.#head] as MetricEvent;
        this.#ring[this.#head] = undefined;
        const ctx = exemplars.take(this.#head);
        this.#head = this.#head + 1 === cap ? 0 : this.#head + 1;
        this.#length--;
        this.#doneSeq++;
        this.#dispatchedCount++;
        d.dispatch(e, ctx);
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Aggregates a batch at once, on the caller's stack, after the events already buffered (keeps
   * order). Used by the worker-thread bridge, whose sending side is bounded; counted as accepted.
   * Invalid events are dropped and counted; after `stop()` the whole batch is counted as dropped.
   */
  ingestBatch(events: readonly MetricEvent[]): void {
    if (this.#stateValue === RecorderState.STOPPED) {
      this.#drops.stopped += events.length;
      return;
    }
    if (this.#stateValue === RecorderState.IDLE) this.#enterRunning();
    if (this.#length > 0 && !this.#draining) this.#drainUntil(this.#acceptedSeq);
    const d = this.#dispatcher;
    for (const e of events) {
      if (eventTypeOf(e) === undefined) {
        this.#drops.invalid++;
        continue;
      }
      this.#acceptedSeq++;
      this.#doneSeq++;
      this.#dispatchedCount++;
      d.dispatch(e);
    }
  }

  /**
   * Starts the recorder (from `idle` or `stopped`); resolves at once when running.
   * @throws (rejects) MvxStateError while stopping, and after `shutdown()`.
   */
  start(): Promise<void> {
    const s = this.#stateValue;
    if (s === RecorderState.STOPPING) return Promise.reject(new MvxStateError(`recorder '${this.id}' is stopping; start it again once stop() resolved`, s));
    if (this.#shutdown.called) return Promise.reject(new MvxStateError(`recorder '${this.id}' was shut down; make a new one`, s));
    if (s !== RecorderState.RUNNING) {
      this.#stopPromise = undefined;
      this.#enterRunning();
    }
    return Promise.resolve();
  }

  #enterRunning(): void {
    const from = this.#stateValue;
    this.#stateValue = RecorderState.RUNNING;
    this.#runHook('onStarting');
    if (this.#logContext !== undefined) this.#log('start', LIFECYCLE_LEVEL.lifecycle, { from, state: this.#stateValue }, 'success');
  }

  #runHook(name: 'onStarting' | 'onStopped'): void {
    try {
      this[name]();
    } catch (error) {
      reportDiagnostic({ component: `AsyncMetricsRecorder(${this.id})`, code: 'hook.failed', message: `${name}() threw; ignored, the recorder goes on`, error });
    }
  }

  /**
   * Hook for subclasses (custom recorders): runs when the recorder enters `running` (first
   * `emit()` or `start()`, and each restart). A throw is reported and ignored.
   */
  protected onStarting(): void {}

  /** Hook for subclasses: runs once `stop()` has flushed, as the state becomes `stopped`. A throw is reported and ignored. */
  protected onStopped(): void {}

  /**
   * Resolves when every event emitted before the call is aggregated (snapshots reflect them), with
   * a report in events. Never rejects: when that takes longer than `timeoutMs`, which can only
   * happen when called from inside a metric or listener, it resolves with `timedOut: true`
   * (reported as a diagnostic).
   */
  flush(options: TimeoutOptions = {}): Promise<LifecycleReport> {
    const target = this.#acceptedSeq;
    if (this.#doneSeq >= target) return Promise.resolve(this.#report(false));
    if (!this.#draining) {
      this.#drainUntil(target);
      return Promise.resolve(this.#report(false));
    }
    // Called from inside a metric or a listener: wait for the current turn to finish.
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<LifecycleReport>((resolve) => {
      const started = Date.now();
      const retry = (): void => {
        if (this.#doneSeq >= target) return resolve(this.#report(false));
        if (!this.#draining) {
          this.#drainUntil(target);
          return resolve(this.#report(false));
        }
        if (Date.now() - started >= timeoutMs) {
          reportDiagnostic({
            component: `AsyncMetricsRecorder(${this.id})`,
            code: 'flush.timeout',
            message: `flush did not finish within ${timeoutMs} ms (called from inside a metric or listener)`,
            details: { pending: this.#length },
          });
          return resolve(this.#report(true));
        }
        setImmediate(retry).unref();
      };
      setImmediate(retry).unref();
    });
  }

  /** The lifecycle report now (see the class comment). */
  #report(timedOut: boolean): LifecycleReport {
    const { overflow, invalid, stopped } = this.#drops;
    const dropped = overflow + invalid + stopped;
    // Refused at emit(): invalid, stopped (not the abandoned ones, accepted earlier), overflow under drop-newest.
    const refused = invalid + (stopped - this.#abandoned) + (this.overflowPolicy === 'drop-newest' ? overflow : 0);
    return { accepted: this.#acceptedSeq + refused, delivered: this.#dispatchedCount, dropped, failed: 0, pending: this.#length, timedOut };
  }

  /**
   * Flushes, then moves to `stopped` (events emitted afterwards, here or by attached workers, are
   * dropped and counted). Idempotent: repeated calls return the same promise until `start()`.
   */
  stop(options: TimeoutOptions = {}): Promise<void> {
    if (this.#stopPromise !== undefined) return this.#stopPromise;
    if (this.#stateValue === RecorderState.IDLE) {
      this.#stateValue = RecorderState.STOPPED;
      this.#stopPromise = Promise.resolve();
      return this.#stopPromise;
    }
    this.#stateValue = RecorderState.STOPPING;
    this.#stopPromise = this.flush(options)
      .then((flushed) => {
        if (!flushed.timedOut) return;
        const abandoned = this.#length;
        this.#drops.stopped += abandoned;
        this.#abandoned += abandoned;
        this.#clearBuffer();
        reportDiagnostic({ component: `AsyncMetricsRecorder(${this.id})`, code: 'stop.flush_failed', message: `stop() could not flush; ${abandoned} pending events dropped` });
      })
      .finally(() => {
        // Events accepted while stopping (emitted after stop() was called, before this runs) are
        // aggregated now, so none is left pending in a stopped recorder.
        if (this.#length > 0 && !this.#draining) this.#drainUntil(this.#acceptedSeq);
        this.#stateValue = RecorderState.STOPPED;
        this.#runHook('onStopped');
        if (this.#logContext !== undefined) {
          const { accepted, dispatched, dropped, failed } = this.stats();
          this.#log('stop', LIFECYCLE_LEVEL.lifecycle, { state: this.#stateValue, accepted, dispatched, dropped: dropped.total, failed: failed.metric + failed.listener }, 'success');
        }
      });
    return this.#stopPromise;
  }

  /**
   * Flushes, then moves to `stopped` for good: events emitted afterwards are dropped and counted,
   * and `start()` rejects. Idempotent (the same promise); never rejects; resolves with the report
   * in events. Use `stop()` to pause a recorder you will start again.
   */
  shutdown(options: TimeoutOptions = {}): Promise<LifecycleReport> {
    return this.#shutdown.call(options);
  }

  async #close(options: TimeoutOptions): Promise<LifecycleReport> {
    const flushed = await this.flush(options);
    await this.stop(options);
    return this.#report(flushed.timedOut);
  }

  #clearBuffer(): void {
    this.#ring.fill(undefined);
    this.#exemplars.clear();
    this.#doneSeq += this.#length;
    this.#head = 0;
    this.#length = 0;
  }

  /** Snapshots of every registered metric, in registration order. Works in every state. */
  snapshots(): MetricSnapshot[] {
    const out = this.#dispatcher.snapshots();
    if (this.#logContext !== undefined) this.#log('snapshots', LIFECYCLE_LEVEL.detail, { metrics: out.length }, 'success');
    return out;
  }

  /** The registered metrics, in registration order. */
  metrics(): readonly Metric<any>[] {
    return this.#dispatcher.metrics();
  }

  /**
   * Subscribes to post-aggregation changes: `listener(metric, event)` runs after `metric.handle(event)`
   * returned true. A throwing listener is isolated, counted and reported once. Returns an unsubscriber.
   */
  onMetricChanged(listener: MetricChangedListener): () => void {
    return this.#dispatcher.onMetricChanged(listener);
  }

  /**
   * Aggregates the events a worker's `WorkerMetricsRecorder` sends over `port` (a `MessagePort`,
   * or a `Worker` whose side uses `parentPort`). The port stays attached across `stop()`/`start()`:
   * while stopped, arriving events are acknowledged and counted as `dropped.stopped`. Returns a
   * detach function (the worker side is told and counts later events as `dropped.closed`).
   */
  attachPort(port: MessagePortLike): () => void {
    return attachMetricsPort(this, port);
  }

  /** Counters: accepted, dispatched, pending, dropped by reason, failed. */
  stats(): MetricsRecorderStats {
    const { overflow, invalid, stopped } = this.#drops;
    return {
      state: this.#stateValue,
      accepted: this.#acceptedSeq,
      dispatched: this.#dispatchedCount,
      delivered: this.#dispatchedCount,
      pending: this.#length,
      dropped: { total: overflow + invalid + stopped, overflow, invalid, stopped },
      failed: { ...this.#dispatcher.failures },
    };
  }
}

function errorPayload(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { type: error.name, message: error.message } : { type: typeof error, message: String(error) };
}
