/**
 * The default recorder: `emit()` buffers the event (bounded, counted) and returns; aggregation runs
 * in batches off the caller's stack. A throwing metric or listener is isolated and reported, and
 * the recorder keeps running.
 */
import { MvxConfigError, MvxError, MvxErrorCode, MvxStateError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { eventTypeOf } from '../internal/event-type.ts';
import type { Metric, MetricChangedListener, MetricEvent, MetricSnapshot, MetricsRecorder, MetricsSource } from '../types.ts';
import { MetricDispatcher } from './metric-dispatcher.ts';
import { attachMetricsPort } from '../worker/attach-metrics-port.ts';
import type { MessagePortLike } from '../worker/protocol.ts';
import { LIFECYCLE_LEVEL, isLifecycleLogContext, logLifecycle } from '../internal/lifecycle-log.ts';
import type { LifecycleLogContext } from '../internal/lifecycle-log.ts';
import { RecorderState } from './recorder-stats.ts';
import type { MetricsRecorderStats, OverflowPolicy, RecorderStateValue } from './recorder-stats.ts';

/** Options of {@link AsyncMetricsRecorder}. */
export interface AsyncMetricsRecorderOptions {
  /** Identity used in diagnostics and by `MetricsRuntime`. @default 'metrics' */
  id?: string;
  /** Buffer bound, in events. @default 10000 */
  maxQueueSize?: number;
  /** What to drop when the buffer is full. @default 'drop-newest' */
  overflowPolicy?: OverflowPolicy;
  /**
   * When a batch is aggregated after `emit()`:
   * - `immediate` (default): in a `setImmediate` callback, after I/O callbacks — batches are larger
   *   under load and aggregation never runs in the business code's microtask tail;
   * - `microtask`: at the end of the current task (`queueMicrotask`) — snapshots are fresh sooner,
   *   but aggregation runs on the business path's tail.
   * @default 'immediate'
   */
  dispatch?: 'immediate' | 'microtask';
  /**
   * A log context (e.g. a `LogContext`) for lifecycle events, with the recorder id as entity id:
   * `metrics_recorder.start` / `.stop` (INFO), `.register_metric` (DEBUG), `.dispatch_error`
   * (ERROR, once per broken metric or listener). @default none (no logging)
   */
  logContext?: LifecycleLogContext;
}

/** Options of bounded lifecycle calls. */
export interface TimeoutOptions {
  /** Upper bound of the wait, in ms. @default 30000 */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Validates the options shared by the recorder and the runtime's defaults. */
export function validateRecorderOptions(o: AsyncMetricsRecorderOptions, prefix = ''): void {
  if (o.maxQueueSize !== undefined && (!Number.isInteger(o.maxQueueSize) || o.maxQueueSize < 1)) {
    throw new MvxConfigError(`${prefix}maxQueueSize`, `must be an integer >= 1, got ${String(o.maxQueueSize)}`);
  }
  if (o.overflowPolicy !== undefined && o.overflowPolicy !== 'drop-newest' && o.overflowPolicy !== 'drop-oldest') {
    throw new MvxConfigError(`${prefix}overflowPolicy`, `must be 'drop-newest' or 'drop-oldest', got ${String(o.overflowPolicy)}`);
  }
  if (o.dispatch !== undefined && o.dispatch !== 'immediate' && o.dispatch !== 'microtask') {
    throw new MvxConfigError(`${prefix}dispatch`, `must be 'immediate' or 'microtask', got ${String(o.dispatch)}`);
  }
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id.trim() === '')) throw new MvxConfigError(`${prefix}id`, 'must be a non-empty string');
  if (o.logContext !== undefined && !isLifecycleLogContext(o.logContext)) throw new MvxConfigError(`${prefix}logContext`, 'must be a LogContext (an object with logEvent())');
}

/**
 * An asynchronous, bounded metrics recorder.
 *
 * - `emit(event)`: synchronous, O(1), never throws; an invalid event, a full buffer or a stopped
 *   recorder drops the event and counts it ({@link stats}); the first emit starts the recorder.
 * - Aggregation: batches off the caller's stack (see `dispatch`), routed by event type.
 * - `flush()`: resolves once every event emitted before the call is aggregated.
 * - `stop()`: flushes, then refuses events until `start()` is called again (metrics survive).
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
  #head = 0;
  #length = 0;
  // Sequence numbers: events accepted so far / events that left the buffer (dispatched or evicted).
  #acceptedSeq = 0;
  #doneSeq = 0;
  #dispatchedCount = 0;
  readonly #drops = { overflow: 0, invalid: 0, stopped: 0 };
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
      this.#head = this.#head + 1 === cap ? 0 : this.#head + 1;
      this.#length--;
      this.#doneSeq++;
    }
    let tail = this.#head + this.#length;
    if (tail >= cap) tail -= cap;
    this.#ring[tail] = event;
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
      while (this.#doneSeq < target && this.#length > 0) {
        const e = this.#ring[this.#head] as MetricEvent;
        this.#ring[this.#head] = undefined;
        this.#head = this.#head + 1 === cap ? 0 : this.#head + 1;
        this.#length--;
        this.#doneSeq++;
        this.#dispatchedCount++;
        d.dispatch(e);
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

  /** Starts the recorder (from `idle` or `stopped`); resolves at once when running. @throws (rejects) MvxStateError while stopping. */
  start(): Promise<void> {
    const s = this.#stateValue;
    if (s === RecorderState.STOPPING) return Promise.reject(new MvxStateError(`recorder '${this.id}' is stopping; start it again once stop() resolved`, s));
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
   * Resolves when every event emitted before the call is aggregated (snapshots reflect them).
   * Rejects with an MvxError of code `MVX_TIMEOUT` if that takes longer than `timeoutMs`, which
   * can only happen when called from inside a metric or listener.
   */
  flush(options: TimeoutOptions = {}): Promise<void> {
    const target = this.#acceptedSeq;
    if (this.#doneSeq >= target) return Promise.resolve();
    if (!this.#draining) {
      this.#drainUntil(target);
      return Promise.resolve();
    }
    // Called from inside a metric or a listener: wait for the current turn to finish.
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const retry = (): void => {
        if (this.#doneSeq >= target) return resolve();
        if (!this.#draining) {
          this.#drainUntil(target);
          return resolve();
        }
        if (Date.now() - started >= timeoutMs) {
          return reject(new MvxError(MvxErrorCode.TIMEOUT, `flush of recorder '${this.id}' did not finish within ${timeoutMs} ms`, { details: { pending: this.#length } }));
        }
        setImmediate(retry).unref();
      };
      setImmediate(retry).unref();
    });
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
      .catch((error: unknown) => {
        const abandoned = this.#length;
        this.#drops.stopped += abandoned;
        this.#clearBuffer();
        reportDiagnostic({ component: `AsyncMetricsRecorder(${this.id})`, code: 'stop.flush_failed', message: `stop() could not flush; ${abandoned} pending events dropped`, error });
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

  #clearBuffer(): void {
    this.#ring.fill(undefined);
    this.#doneSeq += this.#length;
    this.#head = 0;
    this.#length = 0;
  }

  /** Snapshots of every registered metric, in registration order. Works in every state. */
  snapshots(): MetricSnapshot[] {
    return this.#dispatcher.snapshots();
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
      pending: this.#length,
      dropped: { total: overflow + invalid + stopped, overflow, invalid, stopped },
      failed: { ...this.#dispatcher.failures },
    };
  }
}

function errorPayload(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { type: error.name, message: error.message } : { type: typeof error, message: String(error) };
}
