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
import { parentPort } from 'node:worker_threads';
import { MvxConfigError, MvxError, MvxErrorCode } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { Once } from '../../lifecycle/once.ts';
import type { LifecycleReport } from '../../lifecycle/types.ts';
import { BatchSender } from '../../internal/ipc/batch-sender.ts';
import { sharedPortChannel } from '../../internal/ipc/channel.ts';
import { eventTypeOf } from '../internal/event-type.ts';
import type { Metric, MetricEvent, MetricSnapshot, MetricsRecorder } from '../types.ts';
import { ENVELOPE } from './protocol.ts';
import type { MessagePortLike } from './protocol.ts';

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
 * `snapshots()` here returns `[]`. Batching, acknowledgements and flushes are the shared batch
 * protocol (`core/internal/ipc/batch-sender.ts`), over the port shared with the application and
 * listened to only while something is outstanding, so an idle worker can exit.
 */
export class WorkerMetricsRecorder<E extends MetricEvent = MetricEvent> implements MetricsRecorder<E> {
  readonly #sender: BatchSender<MetricEvent>;
  readonly #local = new Map<string, Metric<any>>();
  readonly #shutdown = new Once((options: { timeoutMs?: number }) => this.#closeForGood(options));
  #invalid = 0;

  constructor(port: MessagePortLike, options: WorkerMetricsRecorderOptions = {}) {
    if (port === null || typeof port !== 'object' || typeof port.postMessage !== 'function' || typeof port.on !== 'function') {
      throw new MvxConfigError('port', 'must be a MessagePort (or parentPort) connected to the owning recorder');
    }
    const maxPending = options.maxPending ?? 10_000;
    const maxBatchSize = options.maxBatchSize ?? 512;
    if (!Number.isInteger(maxPending) || maxPending < 1) throw new MvxConfigError('maxPending', 'must be an integer >= 1');
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new MvxConfigError('maxBatchSize', 'must be an integer >= 1');
    this.#sender = new BatchSender<MetricEvent>(sharedPortChannel(port), {
      envelope: ENVELOPE,
      component: 'WorkerMetricsRecorder',
      maxPending,
      maxBatchSize,
      describe: (e) => String(eventTypeOf(e)),
    });
  }

  /** Records the metric locally only; register metrics on the owner's recorder. */
  registerMetric(metric: Metric<any>): void {
    if (metric !== null && typeof metric === 'object' && typeof metric.name === 'string') this.#local.set(metric.name, metric);
  }

  /** Batches the event for the owner; never throws. */
  emit(event: E): void {
    if (eventTypeOf(event) === undefined) {
      this.#invalid++;
      reportDiagnostic({ component: 'WorkerMetricsRecorder', code: 'event.invalid', message: 'emit() needs an object with a string `type`; dropped' });
      return;
    }
    this.#sender.offer(event);
  }

  /**
   * Posts the current batch and resolves when the owner has aggregated every event emitted before
   * the call. Rejects with an MvxError `MVX_TIMEOUT` after `timeoutMs`.
   */
  async flush(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const outcome = await this.#sender.flush(timeoutMs);
    if (outcome.status === 'timeout') {
      throw new MvxError(MvxErrorCode.TIMEOUT, `worker metrics flush not acknowledged within ${timeoutMs} ms`, { details: { pending: this.pending } });
    }
    if (outcome.status === 'failed') throw new MvxError(MvxErrorCode.UNEXPECTED, 'could not post a flush request', { cause: outcome.error });
  }

  /**
   * Flushes, then refuses further events for good (counted as `dropped.closed`). Idempotent (the
   * same promise); never rejects: a flush the owner did not acknowledge within `timeoutMs`
   * resolves with `timedOut: true`. The report is in events: `accepted` (every `emit()`, refused
   * ones included) = `delivered` (acknowledged by the owner) + `dropped` + `failed` (0) + `pending`.
   */
  shutdown(options: { timeoutMs?: number } = {}): Promise<LifecycleReport> {
    return this.#shutdown.call(options);
  }

  /** @deprecated Use `shutdown()` (which resolves with a report and never rejects); kept for one release. Rejects like `flush()`. */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.flush(options);
    } finally {
      this.#sender.close();
    }
  }

  async #closeForGood(options: { timeoutMs?: number }): Promise<LifecycleReport> {
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
    return this.#sender.pending;
  }

  /** Always `[]`: the metrics are aggregated by the owner. */
  snapshots(): MetricSnapshot[] {
    return [];
  }

  /** Metrics registered here (locally only). */
  metrics(): readonly Metric<any>[] {
    return [...this.#local.values()];
  }

  stats(): WorkerMetricsRecorderStats {
    const c = this.#sender.counts;
    return {
      accepted: c.accepted,
      acknowledged: c.acknowledged,
      delivered: c.acknowledged,
      pending: this.pending,
      dropped: {
        total: c.overflow + this.#invalid + c.uncloneable + c.closed,
        overflow: c.overflow,
        invalid: this.#invalid,
        uncloneable: c.uncloneable,
        closed: c.closed,
      },
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
