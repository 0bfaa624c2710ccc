/**
 * Worker side of the worker-thread bridge: a {@link MetricsRecorder} for code running in a
 * `worker_threads` worker. Events are batched (per task, and every `maxBatchSize` events) and
 * posted over a port to the recorder that owns the metrics, so a pool of workers yields exact
 * totals in one place.
 *
 * Events cross the port by structured clone: plain objects, arrays, strings, numbers, booleans,
 * `Date`, `Map`, `Set`, typed arrays. Functions, symbols and class instances with methods do not
 * survive (a batch that cannot be cloned is retried event by event; uncloneable events are
 * reported and counted as dropped).
 */
import { randomUUID } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { MvxConfigError, MvxError, MvxErrorCode } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import { Once } from '../../lifecycle/once.ts';
import type { LifecycleReport } from '../../lifecycle/types.ts';
import { eventTypeOf } from '../internal/event-type.ts';
import type { Metric, MetricEvent, MetricSnapshot, MetricsRecorder } from '../types.ts';
import { ENVELOPE, isEnvelope } from './protocol.ts';
import type { MessagePortLike, ToWorker } from './protocol.ts';

/** Options of {@link createWorkerMetricsRecorder}. */
export interface WorkerMetricsRecorderOptions {
  /** Bound on events buffered plus posted but not yet acknowledged by the owner. @default 10000 */
  maxPending?: number;
  /** A batch is posted as soon as it holds this many events (otherwise at the end of the task). @default 512 */
  maxBatchSize?: number;
}

/** Counters of a worker-side recorder. */
export interface WorkerMetricsRecorderStats {
  /** Events taken (buffered or posted). */
  readonly accepted: number;
  /** Events acknowledged by the owner (aggregated there). */
  readonly acknowledged: number;
  /** The lifecycle vocabulary's name for `acknowledged` (the reports of `shutdown()` carry the flat vocabulary). */
  readonly delivered: number;
  /** Buffered plus posted-but-unacknowledged. */
  readonly pending: number;
  readonly dropped: {
    readonly total: number;
    /** `maxPending` reached. */
    readonly overflow: number;
    /** Not an object with a string `type`. */
    readonly invalid: number;
    /** Could not be structured-cloned. */
    readonly uncloneable: number;
    /** Emitted after the owner detached or `close()`, or posted to an owner that detached before aggregating them. */
    readonly closed: number;
  };
}

/**
 * The worker-side recorder. `registerMetric` only records the metric locally (`metrics()` lists
 * it) — metrics are owned and aggregated by the owner's recorder, so register them there;
 * `snapshots()` here returns `[]`.
 */
export class WorkerMetricsRecorder<E extends MetricEvent = MetricEvent> implements MetricsRecorder<E> {
  private readonly port: MessagePortLike;
  /** Tags this handle's messages, so that handles sharing a port take only their own answers. */
  private readonly handleId = randomUUID();
  private readonly maxPending: number;
  private readonly maxBatchSize: number;
  private batch: MetricEvent[] = [];
  private inflight = 0;
  private scheduled = false;
  private closed = false;
  private listening = false;
  private nextFlushId = 1;
  private readonly flushWaiters = new Map<number, () => void>();
  private readonly shutdownOnce = new Once((options: { timeoutMs?: number }) => this.closeForGood(options));
  private readonly local = new Map<string, Metric<any>>();
  private counts = { accepted: 0, acknowledged: 0, overflow: 0, invalid: 0, uncloneable: 0, closed: 0 };
  private readonly onMessage = (value: unknown): void => {
    if (!isEnvelope(value)) return;
    const msg = value as ToWorker;
    // Another handle's answer on a shared port (an owner that echoes no handle id answers everyone).
    if (msg.t !== 'closed' && msg.h !== undefined && msg.h !== this.handleId) return;
    if (msg.t === 'ack') {
      this.inflight -= msg.n;
      this.counts.acknowledged += msg.n;
    } else if (msg.t === 'flushed') {
      const resolve = this.flushWaiters.get(msg.id);
      this.flushWaiters.delete(msg.id);
      resolve?.();
    } else if (msg.t === 'closed') {
      // The owner posted its acks before this notice (a port keeps order): batches still
      // unacknowledged reached it after it detached and were never aggregated.
      this.counts.closed += this.inflight;
      this.counts.accepted -= this.inflight;
      this.inflight = 0;
      this.markClosed();
    }
    this.updateListening();
  };
  private readonly sendScheduled = (): void => {
    this.scheduled = false;
    this.send();
  };

  constructor(port: MessagePortLike, options: WorkerMetricsRecorderOptions = {}) {
    if (port === null || typeof port !== 'object' || typeof port.postMessage !== 'function' || typeof port.on !== 'function') {
      throw new MvxConfigError('port', 'must be a MessagePort (or parentPort) connected to the owning recorder');
    }
    const maxPending = options.maxPending ?? 10_000;
    const maxBatchSize = options.maxBatchSize ?? 512;
    if (!Number.isInteger(maxPending) || maxPending < 1) throw new MvxConfigError('maxPending', 'must be an integer >= 1');
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new MvxConfigError('maxBatchSize', 'must be an integer >= 1');
    this.port = port;
    this.maxPending = maxPending;
    this.maxBatchSize = maxBatchSize;
  }

  /** Records the metric locally only; register metrics on the owner's recorder. */
  registerMetric(metric: Metric<any>): void {
    if (metric !== null && typeof metric === 'object' && typeof metric.name === 'string') this.local.set(metric.name, metric);
  }

  /** Batches the event for the owner; never throws. */
  emit(event: E): void {
    if (eventTypeOf(event) === undefined) {
      this.counts.invalid++;
      reportDiagnostic({ component: 'WorkerMetricsRecorder', code: 'event.invalid', message: 'emit() needs an object with a string `type`; dropped' });
      return;
    }
    if (this.closed) {
      this.counts.closed++;
      return;
    }
    if (this.batch.length + this.inflight >= this.maxPending) {
      this.counts.overflow++;
      return;
    }
    this.counts.accepted++;
    this.batch.push(event);
    if (this.batch.length >= this.maxBatchSize) this.send();
    else if (!this.scheduled) {
      this.scheduled = true;
      // A microtask, not a timer: the batch leaves before the worker could exit, and no timer
      // needs unref'ing.
      queueMicrotask(this.sendScheduled);
    }
  }

  private send(): void {
    const events = this.batch;
    if (events.length === 0) return;
    this.batch = [];
    if (this.closed) {
      this.counts.closed += events.length;
      this.counts.accepted -= events.length;
      return;
    }
    try {
      this.port.postMessage({ mvx: ENVELOPE, t: 'batch', events, h: this.handleId });
      this.inflight += events.length;
    } catch {
      // Some event could not be cloned: send one by one, drop and count the bad ones.
      const ok: MetricEvent[] = [];
      for (const e of events) {
        try {
          structuredClone(e);
          ok.push(e);
        } catch (error) {
          this.counts.uncloneable++;
          this.counts.accepted--;
          reportDiagnostic({
            component: 'WorkerMetricsRecorder',
            code: 'event.uncloneable',
            message: `event '${String(eventTypeOf(e))}' cannot be structured-cloned to the owning thread; dropped`,
            error,
          });
        }
      }
      if (ok.length > 0) {
        try {
          this.port.postMessage({ mvx: ENVELOPE, t: 'batch', events: ok, h: this.handleId });
          this.inflight += ok.length;
        } catch (error) {
          this.counts.uncloneable += ok.length;
          this.counts.accepted -= ok.length;
          reportDiagnostic({ component: 'WorkerMetricsRecorder', code: 'bridge.post_failed', message: 'could not post a batch; dropped', error });
        }
      }
    }
    this.updateListening();
  }

  /** Listen for acks only while something is outstanding, so an idle worker can exit. */
  private updateListening(): void {
    const want = !this.closed && (this.inflight > 0 || this.flushWaiters.size > 0);
    if (want && !this.listening) {
      this.port.on('message', this.onMessage);
      this.listening = true;
    } else if (!want && this.listening) {
      this.port.off('message', this.onMessage);
      this.listening = false;
    }
  }

  private markClosed(): void {
    this.closed = true;
    this.counts.closed += this.batch.length;
    this.counts.accepted -= this.batch.length;
    this.batch = [];
    for (const resolve of this.flushWaiters.values()) resolve();
    this.flushWaiters.clear();
  }

  /**
   * Posts the current batch and resolves when the owner has aggregated every event emitted before
   * the call. Rejects with an MvxError `MVX_TIMEOUT` after `timeoutMs`.
   */
  flush(options: { timeoutMs?: number } = {}): Promise<void> {
    this.send();
    if (this.closed) return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const id = this.nextFlushId++;
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    this.flushWaiters.set(id, answer);
    this.updateListening();
    try {
      this.port.postMessage({ mvx: ENVELOPE, t: 'flush', id, h: this.handleId });
    } catch (error) {
      this.flushWaiters.delete(id);
      this.updateListening();
      return Promise.reject(new MvxError(MvxErrorCode.UNEXPECTED, 'could not post a flush request', { cause: error }));
    }
    return waitBounded(answered, { timeoutMs }).then((result) => {
      if (result.status === 'done') return;
      this.flushWaiters.delete(id);
      this.updateListening();
      throw new MvxError(MvxErrorCode.TIMEOUT, `worker metrics flush not acknowledged within ${timeoutMs} ms`, { details: { pending: this.pending } });
    });
  }

  /**
   * Flushes, then refuses further events for good (counted as `dropped.closed`). Idempotent (the
   * same promise); never rejects: a flush the owner did not acknowledge within `timeoutMs`
   * resolves with `timedOut: true`. The report is in events: `accepted` (every `emit()`, refused
   * ones included) = `delivered` (acknowledged by the owner) + `dropped` + `failed` (0) + `pending`.
   */
  shutdown(options: { timeoutMs?: number } = {}): Promise<LifecycleReport> {
    return this.shutdownOnce.call(options);
  }

  /** @deprecated Use `shutdown()` (which resolves with a report and never rejects); kept for one release. Rejects like `flush()`. */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.flush(options);
    } finally {
      this.markClosed();
      this.updateListening();
    }
  }

  private async closeForGood(options: { timeoutMs?: number }): Promise<LifecycleReport> {
    let timedOut = false;
    try {
      await this.close(options);
    } catch {
      timedOut = true;
    }
    const s = this.stats();
    return { accepted: s.accepted + s.dropped.total, delivered: s.acknowledged, dropped: s.dropped.total, failed: 0, pending: s.pending, timedOut };
  }

  /** Buffered plus posted-but-unacknowledged events. */
  get pending(): number {
    return this.batch.length + this.inflight;
  }

  /** Always `[]`: the metrics are aggregated by the owner. */
  snapshots(): MetricSnapshot[] {
    return [];
  }

  /** Metrics registered here (locally only). */
  metrics(): readonly Metric<any>[] {
    return [...this.local.values()];
  }

  stats(): WorkerMetricsRecorderStats {
    const c = this.counts;
    return {
      accepted: c.accepted,
      acknowledged: c.acknowledged,
      delivered: c.acknowledged,
      pending: this.pending,
      dropped: { total: c.overflow + c.invalid + c.uncloneable + c.closed, overflow: c.overflow, invalid: c.invalid, uncloneable: c.uncloneable, closed: c.closed },
    };
  }
}

/**
 * Creates the worker-side recorder. In a worker started by `new Worker(...)`, the default port is
 * `parentPort` (connect the owner with `runtime.connectWorker(worker, recorderId)` or
 * `recorder.attachPort(worker)`); a `MessagePort` passed through `workerData` works as well.
 *
 * @throws MvxConfigError when there is no port (not in a worker and none given) or on a bad option.
 */
export function createWorkerMetricsRecorder<E extends MetricEvent = MetricEvent>(
  port: MessagePortLike | null | undefined = parentPort as MessagePortLike | null,
  options: WorkerMetricsRecorderOptions = {},
): WorkerMetricsRecorder<E> {
  if (port === null || port === undefined) throw new MvxConfigError('port', 'no port given and not running in a worker thread (parentPort is null)');
  return new WorkerMetricsRecorder<E>(port, options);
}
