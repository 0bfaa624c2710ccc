/**
 * The practical entry point: owns recorders by id, with runtime-wide defaults, and shuts them all
 * down within a bound. Calls are synchronous (there is no loop of its own to own); lifecycles are
 * promises. docs/metrics.md compares it with the Python reference's `MetricsRuntime`.
 */
import { MvxConfigError, MvxErrorCode } from '../../errors.ts';
import type { MetricEvent } from '../types.ts';
import { AsyncMetricsRecorder, validateRecorderOptions } from '../recorder/async-metrics-recorder.ts';
import type { AsyncMetricsRecorderOptions, TimeoutOptions } from '../recorder/async-metrics-recorder.ts';
import type { MessagePortLike } from '../worker/protocol.ts';
import { MetricsRuntimeError } from './metrics-runtime-error.ts';
import { LIFECYCLE_LEVEL, logLifecycle } from '../internal/lifecycle-log.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import type { LifecycleReport } from '../../lifecycle/types.ts';

/** Runtime states: `running` from construction (or `start()`), `stopping` during `shutdown()`, then `closed` (no restart). */
export const MetricsRuntimeState = {
  RUNNING: 'running',
  STOPPING: 'stopping',
  CLOSED: 'closed',
} as const;
/** One of {@link MetricsRuntimeState}. */
export type MetricsRuntimeStateValue = (typeof MetricsRuntimeState)[keyof typeof MetricsRuntimeState];

/** Options of {@link MetricsRuntime}. */
export interface MetricsRuntimeOptions {
  /** Name of the runtime, used in diagnostics and errors. @default 'mvx.metrics' */
  namespace?: string;
  /**
   * Defaults for every recorder created by {@link MetricsRuntime.createRecorder} (a `factory`
   * included). A `logContext`
   * here also logs the runtime's own lifecycle (`metrics_runtime.create_recorder`,
   * `.stop_recorder`, `.stop_and_remove_recorder`, `.shutdown`, entity id = namespace).
   */
  defaults?: CreateRecorderOptions;
}

/** Options of {@link MetricsRuntime.createRecorder}: per-recorder overrides of the runtime defaults. */
export interface CreateRecorderOptions extends Omit<AsyncMetricsRecorderOptions, 'id'> {
  /**
   * Builds the recorder, for custom recorders (subclasses of `AsyncMetricsRecorder`), from the
   * merged options (`id` included). @default `(o) => new AsyncMetricsRecorder(o)`
   */
  factory?: (options: AsyncMetricsRecorderOptions) => AsyncMetricsRecorder<any>;
}

/**
 * Creates, finds, lists, stops and removes {@link AsyncMetricsRecorder}s by id.
 *
 * Errors (all {@link MetricsRuntimeError}, `recorderId` set): duplicate id → `MVX_ALREADY_EXISTS`;
 * unknown id → `MVX_NOT_FOUND`; any call after `shutdown()` → `MVX_INVALID_STATE`; a recorder
 * that fails to stop → `MVX_SHUTDOWN`. Invalid ids and options → `MvxConfigError`.
 *
 * @example
 * ```ts
 * const runtime = new MetricsRuntime({ namespace: 'app' });
 * const recorder = runtime.createRecorder('document_storage');
 * // ... emit, read snapshots ...
 * await runtime.shutdown({ timeoutMs: 5000 });
 * ```
 */
export class MetricsRuntime {
  readonly namespace: string;
  readonly #defaults: CreateRecorderOptions;
  readonly #recorders = new Map<string, AsyncMetricsRecorder<any>>();
  /** Worker connections per recorder, detached when the recorder is removed or at shutdown. */
  readonly #connections = new Map<AsyncMetricsRecorder<any>, Set<() => void>>();
  #stateValue: MetricsRuntimeStateValue = MetricsRuntimeState.RUNNING;
  #shutdownPromise: Promise<LifecycleReport> | undefined;

  #log(event: string, payload: Record<string, unknown>, outcome: string): void {
    const level = outcome === 'failed' ? LIFECYCLE_LEVEL.failure : LIFECYCLE_LEVEL.lifecycle;
    logLifecycle(this.#defaults.logContext, `metrics_runtime.${event}`, level, payload, { outcome, entityId: this.namespace });
  }

  /** @throws MvxConfigError on an invalid option. */
  constructor(options: MetricsRuntimeOptions = {}) {
    if (options.namespace !== undefined && (typeof options.namespace !== 'string' || options.namespace.trim() === '')) {
      throw new MvxConfigError('namespace', 'must be a non-empty string');
    }
    validateRecorderOptions(options.defaults ?? {}, 'defaults.');
    if (options.defaults?.factory !== undefined && typeof options.defaults.factory !== 'function') {
      throw new MvxConfigError('defaults.factory', 'must be a function (options) => AsyncMetricsRecorder');
    }
    this.namespace = options.namespace?.trim() ?? 'mvx.metrics';
    this.#defaults = { ...(options.defaults ?? {}) };
  }

  /** Current state. */
  get state(): MetricsRuntimeStateValue {
    return this.#stateValue;
  }

  /** Kept for the reference's shape: the runtime runs from construction. Resolves at once; rejects after shutdown. */
  start(): Promise<void> {
    try {
      this.#assertRunning('start');
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  #assertRunning(operation: string, recorderId?: string): void {
    if (this.#stateValue !== MetricsRuntimeState.RUNNING) {
      throw new MetricsRuntimeError(MvxErrorCode.INVALID_STATE, `metrics runtime '${this.namespace}' is ${this.#stateValue}; ${operation} is not allowed`, {
        recorderId,
        details: { state: this.#stateValue, expectedStates: [MetricsRuntimeState.RUNNING] },
      });
    }
  }

  #normalizeId(id: unknown): string {
    if (typeof id !== 'string' || id.trim() === '') throw new MvxConfigError('recorderId', 'must be a non-empty string');
    return id.trim();
  }

  /**
   * Creates and starts a recorder with the runtime defaults overridden by `options`.
   * @throws MetricsRuntimeError `MVX_ALREADY_EXISTS` when the id (trimmed) is taken, `MVX_INVALID_STATE`
   *   after shutdown, `MVX_STARTUP` when the factory throws or returns something else than an
   *   `AsyncMetricsRecorder` (nothing is registered then).
   * @throws MvxConfigError on an invalid id or option.
   */
  createRecorder<E extends MetricEvent = MetricEvent>(recorderId: string, options: CreateRecorderOptions = {}): AsyncMetricsRecorder<E> {
    const id = this.#normalizeId(recorderId);
    this.#assertRunning('createRecorder', id);
    if (this.#recorders.has(id)) {
      throw new MetricsRuntimeError(MvxErrorCode.ALREADY_EXISTS, `metrics runtime recorder error -> recorder '${id}' already exists`, { recorderId: id });
    }
    const { factory: localFactory, ...local } = options;
    const { factory: defaultFactory, ...defaults } = this.#defaults;
    const merged: AsyncMetricsRecorderOptions = { ...defaults, ...local, id };
    validateRecorderOptions(merged);
    const factory = localFactory ?? defaultFactory;
    let recorder: AsyncMetricsRecorder<E>;
    try {
      recorder = factory === undefined ? new AsyncMetricsRecorder<E>(merged) : (factory(merged) as AsyncMetricsRecorder<E>);
      if (!(recorder instanceof AsyncMetricsRecorder)) throw new TypeError('the factory did not return an AsyncMetricsRecorder');
    } catch (cause) {
      this.#log('create_recorder', { recorderId: id, error: cause instanceof Error ? cause.message : String(cause) }, 'failed');
      throw new MetricsRuntimeError(MvxErrorCode.STARTUP, `metrics runtime recorder error -> recorder '${id}' could not be created`, { recorderId: id, cause });
    }
    this.#recorders.set(id, recorder);
    this.#log('create_recorder', { recorderId: id, maxQueueSize: recorder.maxQueueSize, overflowPolicy: recorder.overflowPolicy }, 'success');
    void recorder.start();
    return recorder;
  }

  /** The read-only calls, logged at DEBUG (the `inspection` preset lets them through). */
  #inspect(event: string, payload: Record<string, unknown>, outcome: string): void {
    const ctx = this.#defaults.logContext;
    if (ctx !== undefined) logLifecycle(ctx, `metrics_runtime.${event}`, LIFECYCLE_LEVEL.detail, payload, { outcome, entityId: this.namespace });
  }

  /** @throws MetricsRuntimeError `MVX_NOT_FOUND` when there is no such recorder. */
  getRecorder<E extends MetricEvent = MetricEvent>(recorderId: string): AsyncMetricsRecorder<E> {
    const id = this.#normalizeId(recorderId);
    const r = this.#recorders.get(id);
    this.#inspect('get_recorder', { recorderId: id }, r === undefined ? 'failed' : 'success');
    if (r === undefined) throw this.#notFound(id);
    return r;
  }

  /** The recorder, or `undefined`. */
  tryGetRecorder<E extends MetricEvent = MetricEvent>(recorderId: string): AsyncMetricsRecorder<E> | undefined {
    const id = this.#normalizeId(recorderId);
    const r = this.#recorders.get(id);
    this.#inspect('try_get_recorder', { recorderId: id, found: r !== undefined }, 'success');
    return r;
  }

  /** Recorder ids in creation order. */
  listRecorderIds(): string[] {
    const ids = [...this.#recorders.keys()];
    this.#inspect('list_recorder_ids', { count: ids.length }, 'success');
    return ids;
  }

  #notFound(id: string): MetricsRuntimeError {
    return new MetricsRuntimeError(MvxErrorCode.NOT_FOUND, `metrics runtime recorder error -> recorder '${id}' not found`, { recorderId: id });
  }

  /**
   * Stops a recorder (flushing it); it stays registered and can be started again.
   * @throws (rejects) MetricsRuntimeError `MVX_NOT_FOUND`, or `MVX_SHUTDOWN` when its stop fails.
   */
  async stopRecorder(recorderId: string, options: TimeoutOptions = {}): Promise<void> {
    const id = this.#normalizeId(recorderId);
    const r = this.#recorders.get(id);
    if (r === undefined) throw this.#notFound(id);
    await this.#stopOne(id, r, options, 'stop_recorder');
  }

  /**
   * Removes a recorder at once (a concurrent call gets `MVX_NOT_FOUND`), then stops it and
   * detaches the workers connected to it with {@link connectWorker}; it is
   * removed even when its stop fails (then rejects with `MVX_SHUTDOWN`). Resolves to the recorder.
   */
  async stopAndRemoveRecorder<E extends MetricEvent = MetricEvent>(recorderId: string, options: TimeoutOptions = {}): Promise<AsyncMetricsRecorder<E>> {
    const id = this.#normalizeId(recorderId);
    const r = this.#recorders.get(id);
    if (r === undefined) throw this.#notFound(id);
    this.#recorders.delete(id);
    try {
      await this.#stopOne(id, r, options, 'stop_and_remove_recorder');
    } finally {
      this.#detachAll(r);
    }
    return r;
  }

  async #stopOne(id: string, r: AsyncMetricsRecorder<any>, options: TimeoutOptions, event: string): Promise<void> {
    try {
      await r.stop(options);
    } catch (cause) {
      this.#log(event, { recorderId: id, error: cause instanceof Error ? cause.message : String(cause) }, 'failed');
      throw new MetricsRuntimeError(MvxErrorCode.SHUTDOWN, `metrics runtime recorder error -> recorder '${id}' failed to stop`, { recorderId: id, cause });
    }
    this.#log(event, { recorderId: id }, 'success');
  }

  /**
   * Connects a worker thread to a recorder: the worker's `createWorkerMetricsRecorder()` events are
   * aggregated by the recorder `recorderId`. `target` is the `Worker` (worker side on `parentPort`)
   * or a `MessagePort` whose other end the worker uses. Returns a detach function.
   * @throws MetricsRuntimeError `MVX_NOT_FOUND` when there is no such recorder.
   */
  connectWorker(target: MessagePortLike, recorderId: string): () => void {
    this.#assertRunning('connectWorker', recorderId);
    const id = this.#normalizeId(recorderId);
    const recorder = this.#recorders.get(id);
    if (recorder === undefined) throw this.#notFound(id);
    const detach = recorder.attachPort(target);
    let set = this.#connections.get(recorder);
    if (set === undefined) this.#connections.set(recorder, (set = new Set()));
    set.add(detach);
    const owned = set;
    return () => {
      owned.delete(detach);
      detach();
    };
  }

  #detachAll(recorder: AsyncMetricsRecorder<any>): void {
    const set = this.#connections.get(recorder);
    this.#connections.delete(recorder);
    if (set !== undefined) for (const detach of set) detach();
  }

  /**
   * Stops and removes every recorder (each flushed) and detaches their worker connections,
   * within `timeoutMs`; then `closed`. Resolves with the recorders' reports added up (in events,
   * see `AsyncMetricsRecorder`).
   * Idempotent: every call returns the same promise. Rejects with MetricsRuntimeError
   * `MVX_SHUTDOWN` (details: `failedRecorderIds`, `recorderErrors`) when some recorder failed or
   * the bound was hit; the runtime is closed regardless.
   */
  shutdown(options: TimeoutOptions = {}): Promise<LifecycleReport> {
    if (this.#shutdownPromise !== undefined) return this.#shutdownPromise;
    this.#stateValue = MetricsRuntimeState.STOPPING;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const entries = [...this.#recorders.entries()];
    this.#recorders.clear();
    const failures = new Map<string, unknown>();
    const all = Promise.all(
      entries.map(([id, r]) => r.stop({ timeoutMs }).catch((error: unknown) => void failures.set(id, error))),
    );
    this.#shutdownPromise = waitBounded(all, { timeoutMs }).then(async (result) => {
      const timedOut = result.status === 'timeout';
      for (const [, r] of entries) this.#detachAll(r);
      this.#stateValue = MetricsRuntimeState.CLOSED;
      const ok = !timedOut && failures.size === 0;
      this.#log('shutdown', { recorderIds: entries.map(([id]) => id), timedOut, failedRecorderIds: [...failures.keys()] }, ok ? 'success' : 'failed');
      if (timedOut) {
        const stuck = entries.filter(([, r]) => r.state !== 'stopped').map(([id]) => id);
        throw new MetricsRuntimeError(MvxErrorCode.SHUTDOWN, `metrics runtime '${this.namespace}' did not shut down within ${timeoutMs} ms`, {
          details: { failedRecorderIds: stuck, recorderErrors: {} },
        });
      }
      if (failures.size > 0) {
        const recorderErrors: Record<string, { errorType: string; errorMessage: string }> = {};
        for (const [id, e] of failures) recorderErrors[id] = { errorType: e instanceof Error ? e.name : typeof e, errorMessage: e instanceof Error ? e.message : String(e) };
        throw new MetricsRuntimeError(MvxErrorCode.SHUTDOWN, `metrics runtime '${this.namespace}': ${failures.size} recorder(s) failed to stop`, {
          cause: failures.values().next().value,
          details: { failedRecorderIds: [...failures.keys()], recorderErrors },
        });
      }
      // Every recorder is stopped: its flush reports at once.
      const reports = await Promise.all(entries.map(([, r]) => r.flush({ timeoutMs })));
      const total: LifecycleReport = { accepted: 0, delivered: 0, dropped: 0, failed: 0, pending: 0, timedOut: false };
      return reports.reduce(
        (sum, r) => ({
          accepted: sum.accepted + r.accepted,
          delivered: sum.delivered + r.delivered,
          dropped: sum.dropped + r.dropped,
          failed: sum.failed + r.failed,
          pending: sum.pending + r.pending,
          timedOut: false,
        }),
        total,
      );
    });
    return this.#shutdownPromise;
  }
}
