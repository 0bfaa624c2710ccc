/**
 * `AsyncLogSink`: the base class of every sink that does I/O (files, HTTP, OTLP, databases).
 *
 * The caller hands an event off synchronously; everything else happens in the sink, off the
 * caller's stack: a bounded queue, batching, delivery with retries, flush, shutdown and exact
 * accounting. Unlike the Python reference (one failing dispatch kills the sink for good, no flush
 * timeout, silent drops) and Ko-Log (flush deadlocks after an eviction, unbounded drain), a failing
 * batch only costs that batch, every drop is counted by reason, and every lifecycle promise is
 * bounded.
 *
 * Subclasses implement one method, {@link AsyncLogSink.deliver}, and may override the
 * {@link AsyncLogSink.onStart} / {@link AsyncLogSink.onStop} hooks.
 */
import { MvxError, MvxErrorCode, MvxStateError, isMvxError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import type { LifecycleOptions, LogSink } from '../sink.ts';
import {
  AsyncLogSinkState,
  LogSinkDropReason,
  LogSinkOverflowPolicy,
  resolveAsyncLogSinkOptions,
} from './async-log-sink-options.ts';
import type {
  AsyncLogSinkOptions,
  AsyncLogSinkReport,
  AsyncLogSinkStateValue,
  AsyncLogSinkStats,
  LogSinkDropReasonValue,
  ResolvedAsyncLogSinkOptions,
} from './async-log-sink-options.ts';
import { untrackLiveSink, trackLiveSink } from './live-sinks.ts';
import { RingQueue } from './ring-queue.ts';

interface Waiter {
  readonly target: number;
  readonly resolve: (timedOut: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

const noop = (): void => {};

/**
 * Base class of asynchronous sinks.
 *
 * **Contract**
 * - `log(event)` never blocks and never throws: the event enters a bounded queue
 *   (`maxQueueSize`, default 10,000); when the queue is full, `overflowPolicy` drops the new event
 *   (`drop-newest`, default) or the oldest queued one (`drop-oldest`). Every drop is counted by
 *   reason and passed to `onDrop`. Because `log` never throws, the log context's error handling
 *   (which applies to exceptions thrown by a sink's `log`) never fires for an `AsyncLogSink`:
 *   failures are reported through `stats()`, the `onError` hook and `reportDiagnostic`
 *   (component = the sink's `name`) instead.
 * - Delivery happens in batches of at most `maxBatchSize` events, one batch at a time, in order,
 *   through {@link deliver}: at once when a batch is full or a flush/shutdown waits, otherwise after
 *   `batchIntervalMs`.
 * - A batch whose `deliver` throws or rejects is retried with exponential backoff
 *   (`retryBaseDelayMs`·2^(n-1), at most `retryMaxDelayMs`) up to `maxRetries` times, then counted
 *   as failed (`onError(error, batch)` is called once) and the sink goes on with the next batch.
 * - Accounting: `accepted === delivered + dropped + failed + pending` at every moment
 *   (see {@link AsyncLogSinkStats}).
 *
 * **Lifecycle** (see {@link AsyncLogSinkState}): `idle` → `starting` → `running` → `stopping` →
 * `stopped`. The first `log()` starts the sink lazily (`start()` may also be called up front: it
 * rejects with an `MvxError` when `onStart()` fails, e.g. a file that cannot be opened). When a
 * start fails, the events queued so far are counted as failed, the sink returns to `idle` and the
 * next event tries again, no sooner than the retry backoff. `flush()` and `shutdown()` are bounded
 * by `timeoutMs` and resolve (never reject, never hang) with an {@link AsyncLogSinkReport};
 * repeated calls share one promise (`flush()` calls share one while no event arrived in between).
 * `stopped` is terminal.
 *
 * **Process lifetime**: every timer is `unref()`ed, so a sink never keeps a process alive by itself
 * (the one-shot `setImmediate` that starts a delivery is not: it runs on the next turn of the loop),
 * except while a `flush()` or `shutdown()` is pending: the process then waits for its report, at
 * most its `timeoutMs`.
 * When the process is about to exit naturally (`beforeExit`), running sinks deliver what is still
 * queued; on `process.exit()` or an uncaught exception (the `exit` event), sinks that implement
 * {@link deliverSync} write their queue synchronously (even if their start had not finished), and
 * the others count their queue as dropped with reason `exit` and report it on stderr; for signals
 * install `installExitHandlers()`.
 *
 * Subclass fields never clash with the base: its state lives in ES `#private` fields.
 *
 * @example A minimal HTTP sink
 * ```ts
 * class HttpSink extends AsyncLogSink {
 *   protected override async deliver(batch: readonly LogEvent[], signal: AbortSignal) {
 *     const res = await fetch('https://logs.example/ingest', {
 *       method: 'POST', body: JSON.stringify(batch), signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
 *     });
 *     if (!res.ok) throw new Error(`HTTP ${res.status}`); // retried, then counted as failed
 *   }
 * }
 * ```
 */
export abstract class AsyncLogSink implements LogSink {
  /** Resolved options (defaults applied). */
  protected readonly sinkOptions: ResolvedAsyncLogSinkOptions;

  #currentState: AsyncLogSinkStateValue = AsyncLogSinkState.IDLE;
  readonly #queue: RingQueue<LogEvent>;
  #accepted = 0;
  #delivered = 0;
  #failed = 0;
  #droppedTotal = 0;
  readonly #drops: Record<LogSinkDropReasonValue, number> = { queue_full: 0, shutdown: 0, shutdown_timeout: 0, exit: 0 };
  #retries = 0;
  #batches = 0;
  #inFlight = 0;
  /** The batch being delivered (for the exit path). */
  #inFlightBatch: LogEvent[] | undefined;
  #lastError: unknown = undefined;

  // Sequence numbers for flush targets: events ever queued, events ever removed from the queue head
  // (taken into a batch, evicted, failed at start, abandoned), and where the batch in flight began.
  #enqueued = 0;
  #dequeued = 0;
  #inFlightFrom = 0;

  #pumping = false;
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #startTimer: NodeJS.Timeout | undefined;
  #startPromise: Promise<void> | undefined;
  #started = false;
  #startFailures = 0;
  #nextStartAt = 0;
  #shutdownPromise: Promise<AsyncLogSinkReport> | undefined;
  #flushShared: { target: number; promise: Promise<AsyncLogSinkReport> } | undefined;
  readonly #waiters = new Set<Waiter>();
  #abandoned = false;
  #abort: AbortController | undefined;
  #wakeRetry: (() => void) | undefined;
  #lastDropReportAt = -Infinity;
  #dropsSinceReport = 0;

  /**
   * @throws MvxConfigError when an option is invalid (the message names it).
   */
  constructor(options: AsyncLogSinkOptions = {}) {
    this.sinkOptions = resolveAsyncLogSinkOptions(options, new.target.name);
    this.#queue = new RingQueue<LogEvent>(this.sinkOptions.maxQueueSize);
  }

  /**
   * Delivers one batch (1 to `maxBatchSize` events, oldest first). Called once at a time, off the
   * caller's stack; the one exception: an attempt abandoned by `deliveryTimeoutMs` (its signal
   * aborted) may still be running when the retry starts: stop at the signal, or have the retry wait
   * for it (as `FileSink` does). Throw or reject to signal failure: the batch is retried
   * (so deliveries are at-least-once per attempt: a batch that was partly written may be written
   * again), then counted as failed. The array is the sink's own copy: it may be kept.
   *
   * @param signal Aborted when `deliveryTimeoutMs` passes or when `shutdown()` runs out of time;
   *   pass it to `fetch` and the like so a hung request ends.
   */
  protected abstract deliver(batch: readonly LogEvent[], signal: AbortSignal): Promise<void> | void;

  /**
   * Optional synchronous delivery, used only when the process exits with events still queued (see
   * `drainOnExit`): write what you can without yielding, return how many events of `batch` (from the
   * start) were delivered; the rest are counted as failed. `FileSink` implements it with
   * `fs.writeSync`; network sinks usually cannot.
   */
  protected deliverSync?(batch: readonly LogEvent[]): number;

  /**
   * Optional, with {@link deliverSync}: at process exit, completes synchronously the batch that
   * `deliver` was working on (its asynchronous work cannot finish any more), before the queued events
   * are written; returns `true` when the whole batch is now delivered. Without it, or when it returns
   * `false`, the batch stays `pending` (its outcome unknown) and is reported. `FileSink` implements it.
   */
  protected finishInFlightSync?(batch: readonly LogEvent[]): boolean;

  /**
   * Optional: when a batch fails for good (after its retries, or abandoned at shutdown), how many of
   * its events, from the start, earlier attempts did deliver (a file sink that wrote part of a batch
   * before the disk filled up). They are counted as delivered, the rest as failed (and only the rest
   * is passed to `onError`). Without it, the whole batch counts as failed.
   */
  protected deliveredOfFailedBatch?(batch: readonly LogEvent[]): number;

  /** Hook: acquire resources (open a file, a connection). A throw makes `start()` reject. */
  protected onStart(): Promise<void> | void {}

  /** Hook: release resources, called once by `shutdown()` after the queue was drained (if `onStart` had succeeded). */
  protected onStop(): Promise<void> | void {}

  /** The current lifecycle state. */
  get state(): AsyncLogSinkStateValue {
    return this.#currentState;
  }

  /** The sink's name, as used in diagnostics. */
  get name(): string {
    return this.sinkOptions.name;
  }

  /** Hands one event to the sink. Never blocks, never throws. */
  log(event: LogEvent): void {
    this.#accepted++;
    const state = this.#currentState;
    if (state === AsyncLogSinkState.STOPPING || state === AsyncLogSinkState.STOPPED) {
      this.#drop(event, LogSinkDropReason.SHUTDOWN);
      return;
    }
    const queue = this.#queue;
    if (!queue.push(event)) {
      if (this.sinkOptions.overflowPolicy === LogSinkOverflowPolicy.DROP_NEWEST) {
        this.#drop(event, LogSinkDropReason.QUEUE_FULL);
        return;
      }
      const oldest = queue.shift() as LogEvent;
      this.#dequeued++;
      queue.push(event);
      this.#drop(oldest, LogSinkDropReason.QUEUE_FULL);
    }
    this.#enqueued++;
    if (state === AsyncLogSinkState.RUNNING) {
      // Cheap guard first: most calls find a delivery already scheduled.
      if (!this.#pumping && this.#immediate === undefined) this.#schedule();
    } else if (state === AsyncLogSinkState.IDLE) {
      this.#kickStart();
    }
  }

  /**
   * Starts the sink (calls `onStart()`); idempotent: concurrent and later calls get the same promise.
   * Not needed before logging (the first event starts the sink), but useful to fail fast.
   *
   * @throws (rejects) MvxError with code `MVX_STARTUP` (or the `MvxError` thrown by `onStart`) when
   *   the start fails; MvxStateError after `shutdown()`.
   */
  start(): Promise<void> {
    const state = this.#currentState;
    if (state === AsyncLogSinkState.STOPPING || state === AsyncLogSinkState.STOPPED) {
      return Promise.reject(new MvxStateError(`${this.sinkOptions.name}: cannot start after shutdown()`, state));
    }
    if (this.#startPromise !== undefined) return this.#startPromise;
    // From the first event on, not only once running: a process that exits before the (asynchronous)
    // start finished must still write or count what was queued.
    trackLiveSink(this);
    if (this.#startTimer !== undefined) {
      clearTimeout(this.#startTimer);
      this.#startTimer = undefined;
    }
    this.#currentState = AsyncLogSinkState.STARTING;
    const promise = this.#runStart();
    this.#startPromise = promise;
    return promise;
  }

  /**
   * Waits until every event accepted before the call is delivered, dropped or failed, at most
   * `timeoutMs` (default `flushTimeoutMs`, 5,000 ms). Never rejects; resolves with a report whose
   * `timedOut` says whether the bound was hit. Starts an idle sink that has queued events.
   */
  flush(options: LifecycleOptions = {}): Promise<AsyncLogSinkReport> {
    const target = this.#enqueued;
    const shared = this.#flushShared;
    if (shared !== undefined && shared.target === target) return shared.promise;
    const timeoutMs = timeoutOf(options, this.sinkOptions.flushTimeoutMs);
    const promise = this.#runFlush(target, timeoutMs);
    const entry = { target, promise };
    this.#flushShared = entry;
    void promise.then(() => {
      if (this.#flushShared === entry) this.#flushShared = undefined;
    });
    return promise;
  }

  /**
   * Stops accepting events (later ones are dropped with reason `shutdown`), delivers what is queued,
   * then calls `onStop()`, all within `timeoutMs` (default `shutdownTimeoutMs`, 5,000 ms). When the
   * time runs out, queued events are dropped with reason `shutdown_timeout`, the batch in flight is
   * abandoned (its `AbortSignal` aborts; it stays `pending` until its `deliver` settles) and the
   * report says `timedOut: true`. Idempotent: every call returns the same promise. Never rejects.
   */
  shutdown(options: LifecycleOptions = {}): Promise<AsyncLogSinkReport> {
    if (this.#shutdownPromise === undefined) {
      this.#shutdownPromise = this.#runShutdown(timeoutOf(options, this.sinkOptions.shutdownTimeoutMs));
    }
    return this.#shutdownPromise;
  }

  /** A snapshot of the delivery statistics. */
  stats(): AsyncLogSinkStats {
    const queued = this.#queue.length;
    return {
      state: this.#currentState,
      accepted: this.#accepted,
      delivered: this.#delivered,
      dropped: this.#droppedTotal,
      droppedByReason: { ...this.#drops },
      failed: this.#failed,
      pending: queued + this.#inFlight,
      queued,
      inFlight: this.#inFlight,
      batches: this.#batches,
      retries: this.#retries,
      lastError: this.#lastError,
    };
  }

  /**
   * Starts delivering queued events now instead of waiting for the batch interval, with a ref'ed
   * immediate so the process stays up for it. Called when the process is about to exit naturally
   * (`beforeExit`). Does nothing while a batch is in flight. Internal: not part of the public API.
   *
   * @internal
   */
  drainBeforeExit(): void {
    if (this.#pumping || this.#queue.length === 0) return;
    if (this.#currentState !== AsyncLogSinkState.RUNNING && this.#currentState !== AsyncLogSinkState.STOPPING) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#immediate === undefined) this.#immediate = setImmediate(this.#onTick);
  }

  /**
   * Runs when the process exits (`process.exit()`, an uncaught exception, or the end of the event
   * loop: the `exit` event, where nothing asynchronous can run any more), whatever the state (a sink
   * whose start has not finished included). With {@link deliverSync}: completes the batch in flight
   * ({@link finishInFlightSync}), then writes the queue synchronously; what it cannot write is counted
   * as failed. Without: the queued events are dropped with reason `exit`. Either way, every event
   * not delivered is reported on stderr (a diagnostic, printed at once during the exit). Internal:
   * not part of the public API.
   *
   * @internal
   */
  drainOnExit(): void {
    if (this.#queue.length === 0 && this.#inFlight === 0) return;
    const name = this.sinkOptions.name;
    if (this.deliverSync === undefined) {
      const rest = this.#queue.take(this.#queue.length);
      this.#dequeued += rest.length;
      for (const event of rest) this.#drop(event, LogSinkDropReason.EXIT);
      const inFlight = this.#inFlight > 0 ? `; ${this.#inFlight} event(s) were being delivered, outcome unknown (pending)` : '';
      reportDiagnostic({
        component: name,
        code: 'sink.exit_dropped',
        message: `${rest.length} queued event(s) dropped at process exit: this sink cannot deliver synchronously${inFlight}`,
        details: { dropped: rest.length, inFlight: this.#inFlight },
      });
      return;
    }
    const inFlightBatch = this.#inFlightBatch;
    if (this.#inFlight > 0 && inFlightBatch !== undefined && this.finishInFlightSync !== undefined) {
      let done = false;
      try {
        done = this.finishInFlightSync(inFlightBatch) === true;
      } catch (err) {
        this.#lastError = err;
      }
      if (done) {
        this.#delivered += this.#inFlight;
        this.#batches++;
        this.#inFlight = 0;
        this.#inFlightBatch = undefined;
      }
    }
    if (this.#queue.length > 0) {
      const batch = this.#queue.take(this.#queue.length);
      this.#dequeued += batch.length;
      let written = 0;
      try {
        const n = Math.trunc(Number(this.deliverSync(batch)));
        written = Number.isFinite(n) ? Math.max(0, Math.min(batch.length, n)) : 0;
      } catch (err) {
        this.#lastError = err;
      }
      this.#delivered += written;
      this.#failed += batch.length - written;
      if (written < batch.length) {
        this.#reportFailure('sink.exit_failed', this.#lastError, batch.slice(written), `${batch.length - written} queued event(s) could not be written at process exit`);
      }
    }
    if (this.#inFlight > 0) {
      reportDiagnostic({
        component: name,
        code: 'sink.exit_in_flight',
        message: `${this.#inFlight} event(s) were being delivered at process exit; their outcome is unknown (counted as pending)`,
        details: { inFlight: this.#inFlight },
      });
    }
  }

  // --- internals ---------------------------------------------------------------------------------

  #kickStart(): void {
    if (this.#startPromise !== undefined) return;
    trackLiveSink(this); // a start waiting for its backoff: the exit path still sees the queue
    if (this.#startTimer !== undefined) return;
    const wait = this.#startFailures === 0 ? 0 : this.#nextStartAt - Date.now();
    if (wait <= 0) {
      this.start().catch(noop);
      return;
    }
    this.#startTimer = setTimeout(() => {
      this.#startTimer = undefined;
      if (this.#currentState === AsyncLogSinkState.IDLE && this.#queue.length > 0) this.start().catch(noop);
    }, wait);
    this.#startTimer.unref();
  }

  async #runStart(): Promise<void> {
    try {
      // Called in a microtask, never synchronously: a plain `onStart` that throws would otherwise run
      // this catch before the caller stored the start promise, leaving a stale rejected one that
      // blocked every later start attempt (and let shutdown() deliver through a sink never started).
      await Promise.resolve().then(() => this.onStart());
    } catch (err) {
      const error = isMvxError(err)
        ? err
        : new MvxError(MvxErrorCode.STARTUP, `${this.sinkOptions.name} failed to start`, { cause: err });
      this.#lastError = error;
      this.#startFailures++;
      this.#nextStartAt = Date.now() + this.#backoff(this.#startFailures);
      this.#startPromise = undefined;
      if (this.#currentState === AsyncLogSinkState.STARTING) this.#currentState = AsyncLogSinkState.IDLE;
      const batch = this.#queue.take(this.#queue.length);
      this.#dequeued += batch.length;
      this.#failed += batch.length;
      this.#reportFailure('sink.start_failed', error, batch, `start failed; ${batch.length} queued event(s) counted as failed`);
      this.#checkWaiters();
      throw error;
    }
    this.#started = true;
    this.#startFailures = 0;
    if (this.#currentState === AsyncLogSinkState.STARTING) {
      this.#currentState = AsyncLogSinkState.RUNNING;
    } else if (this.#currentState === AsyncLogSinkState.STOPPED) {
      // shutdown() gave up waiting for this start: release what it acquired.
      this.#runStop().catch(noop);
      return;
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#pumping || this.#immediate !== undefined || this.#queue.length === 0) return;
    const state = this.#currentState;
    if (state !== AsyncLogSinkState.RUNNING && state !== AsyncLogSinkState.STOPPING) return;
    const o = this.sinkOptions;
    if (this.#queue.length >= o.maxBatchSize || this.#waiters.size > 0 || state === AsyncLogSinkState.STOPPING || o.batchIntervalMs === 0) {
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
      // Ref'ed on purpose: an unref'ed immediate does not stop the event loop from blocking in its
      // poll phase, so it would run only when unrelated I/O or a timer woke the loop (seconds later).
      // It fires on the next turn, so it cannot hold the process open.
      this.#immediate = setImmediate(this.#onTick);
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#onTick, o.batchIntervalMs);
      this.#timer.unref();
    }
  }

  readonly #onTick = (): void => {
    this.#immediate = undefined;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    void this.#pump();
  };

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        const state = this.#currentState;
        if (this.#abandoned || this.#queue.length === 0) break;
        if (state !== AsyncLogSinkState.RUNNING && state !== AsyncLogSinkState.STOPPING) break;
        const batch = this.#queue.take(this.sinkOptions.maxBatchSize);
        this.#inFlightFrom = this.#dequeued;
        this.#dequeued += batch.length;
        this.#inFlight = batch.length;
        this.#inFlightBatch = batch;
        await this.#deliverWithRetry(batch);
        this.#inFlight = 0;
        this.#inFlightBatch = undefined;
        if (this.#waiters.size > 0) this.#checkWaiters();
        // A partial batch waits for the interval unless someone is waiting for it.
        if (this.#queue.length < this.sinkOptions.maxBatchSize && this.#waiters.size === 0 && this.#currentState === AsyncLogSinkState.RUNNING) break;
      }
    } finally {
      this.#pumping = false;
    }
    this.#schedule();
  }

  async #deliverWithRetry(batch: LogEvent[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      this.#abort = controller;
      try {
        await this.#deliverOnce(batch, controller);
        this.#delivered += batch.length;
        this.#batches++;
        return;
      } catch (err) {
        this.#lastError = err;
        if (attempt >= this.sinkOptions.maxRetries || this.#abandoned) {
          this.#settleFailed(batch, err, `failed after ${attempt + 1} attempt(s)`);
          return;
        }
      } finally {
        this.#abort = undefined;
      }
      this.#retries++;
      await this.#sleep(this.#backoff(attempt + 1));
      if (this.#abandoned) {
        this.#settleFailed(batch, this.#lastError, 'was abandoned at shutdown while waiting for a retry');
        return;
      }
    }
  }

  /** A batch failed for good: what earlier attempts delivered of it counts as delivered, the rest as failed. */
  #settleFailed(batch: LogEvent[], error: unknown, why: string): void {
    let done = 0;
    if (this.deliveredOfFailedBatch !== undefined) {
      try {
        const n = Math.trunc(Number(this.deliveredOfFailedBatch(batch)));
        done = Number.isFinite(n) ? Math.max(0, Math.min(batch.length, n)) : 0;
      } catch (err) {
        reportDiagnostic({ component: this.sinkOptions.name, code: 'sink.hook_failed', message: 'deliveredOfFailedBatch threw', error: err });
      }
    }
    this.#delivered += done;
    this.#failed += batch.length - done;
    const rest = done === 0 ? batch : batch.slice(done);
    const part = done === 0 ? '' : ` (${done} of its events had been delivered before)`;
    this.#reportFailure('sink.batch_failed', error, rest, `a batch of ${batch.length} event(s) ${why}${part}`);
  }

  async #deliverOnce(batch: LogEvent[], controller: AbortController): Promise<void> {
    const limit = this.sinkOptions.deliveryTimeoutMs;
    if (limit === 0) {
      await this.deliver(batch, controller.signal);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new MvxError(MvxErrorCode.TIMEOUT, `${this.sinkOptions.name}: deliver() took longer than ${limit} ms`);
        controller.abort(error);
        reject(error);
      }, limit);
      timer.unref();
      Promise.resolve()
        .then(() => this.deliver(batch, controller.signal))
        .then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (err: unknown) => {
            clearTimeout(timer);
            reject(err);
          },
        );
    });
  }

  #backoff(attempt: number): number {
    const o = this.sinkOptions;
    return Math.min(o.retryMaxDelayMs, o.retryBaseDelayMs * 2 ** Math.min(attempt - 1, 30));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeRetry = undefined;
        resolve();
      }, ms);
      timer.unref();
      this.#wakeRetry = () => {
        clearTimeout(timer);
        this.#wakeRetry = undefined;
        resolve();
      };
    });
  }

  #isSettled(target: number): boolean {
    return this.#dequeued >= target && (this.#inFlight === 0 || this.#inFlightFrom >= target);
  }

  #checkWaiters(): void {
    for (const w of this.#waiters) {
      if (this.#isSettled(w.target)) {
        if (w.timer !== undefined) clearTimeout(w.timer);
        this.#waiters.delete(w);
        w.resolve(false);
      }
    }
  }

  /** Resolves `true` when `timeoutMs` passed before every event up to `target` settled. */
  #waitFor(target: number, timeoutMs: number): Promise<boolean> {
    if (this.#isSettled(target)) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const w: Waiter = { target, resolve, timer: undefined };
      w.timer = setTimeout(() => {
        this.#waiters.delete(w);
        resolve(true);
      }, Math.max(0, timeoutMs));
      w.timer.unref();
      this.#waiters.add(w);
      if (!this.#pumping) this.#schedule();
    });
  }

  async #runFlush(target: number, timeoutMs: number): Promise<AsyncLogSinkReport> {
    if (this.#currentState === AsyncLogSinkState.IDLE && this.#queue.length > 0 && this.#startPromise === undefined) {
      this.start().catch(noop);
    }
    if (this.#isSettled(target)) return this.#report(false);
    const keepAlive = holdProcess(timeoutMs);
    try {
      const timedOut = await this.#waitFor(target, timeoutMs);
      return this.#report(timedOut);
    } finally {
      clearTimeout(keepAlive);
    }
  }

  async #runShutdown(timeoutMs: number): Promise<AsyncLogSinkReport> {
    const keepAlive = holdProcess(timeoutMs);
    try {
      return await this.#shutdownWithin(timeoutMs);
    } finally {
      clearTimeout(keepAlive);
    }
  }

  async #shutdownWithin(timeoutMs: number): Promise<AsyncLogSinkReport> {
    const deadline = Date.now() + timeoutMs;
    this.#currentState = AsyncLogSinkState.STOPPING;
    if (this.#startTimer !== undefined) {
      clearTimeout(this.#startTimer);
      this.#startTimer = undefined;
    }
    let timedOut = false;
    if (!this.#started && this.#queue.length > 0 && this.#startPromise === undefined) this.#startPromise = this.#runStart();
    if (!this.#started && this.#startPromise !== undefined) {
      timedOut = await untilDeadline(this.#startPromise.catch(noop), deadline);
    }
    if (!timedOut) timedOut = await this.#waitFor(this.#enqueued, deadline - Date.now());
    if (timedOut) this.#abandonQueue();
    let stopError: unknown = undefined;
    if (this.#started) {
      try {
        await untilDeadline(this.#runStop(), deadline);
      } catch (err) {
        stopError = err;
      }
    }
    this.#currentState = AsyncLogSinkState.STOPPED;
    untrackLiveSink(this);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (timedOut) {
      reportDiagnostic({
        component: this.sinkOptions.name,
        code: 'sink.shutdown_timeout',
        message: `shutdown did not finish within ${timeoutMs} ms; ${this.#drops.shutdown_timeout} queued event(s) dropped, ${this.#inFlight} still in flight`,
      });
    }
    const report = this.#report(timedOut);
    return stopError === undefined ? report : { ...report, stopError };
  }

  #runStop(): Promise<void> {
    return Promise.resolve()
      .then(() => this.onStop())
      .catch((err: unknown) => {
        reportDiagnostic({ component: this.sinkOptions.name, code: 'sink.stop_failed', message: 'onStop() failed', error: err });
        throw err;
      });
  }

  #abandonQueue(): void {
    this.#abandoned = true;
    this.#abort?.abort(new MvxError(MvxErrorCode.TIMEOUT, `${this.sinkOptions.name}: shutdown timed out`));
    this.#wakeRetry?.();
    const rest = this.#queue.take(this.#queue.length);
    this.#dequeued += rest.length;
    for (const event of rest) this.#drop(event, LogSinkDropReason.SHUTDOWN_TIMEOUT);
    this.#checkWaiters();
  }

  #report(timedOut: boolean): AsyncLogSinkReport {
    return { ...this.stats(), timedOut };
  }

  #drop(event: LogEvent, reason: LogSinkDropReasonValue): void {
    this.#drops[reason]++;
    this.#droppedTotal++;
    const onDrop = this.sinkOptions.onDrop;
    if (onDrop !== undefined) {
      try {
        onDrop(event, reason);
      } catch (err) {
        reportDiagnostic({ component: this.sinkOptions.name, code: 'sink.hook_failed', message: 'onDrop threw', error: err });
      }
    }
    // At most one diagnostic per second for drops, carrying the count since the previous one.
    this.#dropsSinceReport++;
    const now = Date.now();
    if (now - this.#lastDropReportAt >= 1_000) {
      reportDiagnostic({
        component: this.sinkOptions.name,
        code: 'sink.dropped',
        message: `${this.#dropsSinceReport} event(s) dropped (last reason: ${reason}); see stats().droppedByReason`,
        details: { reason, count: this.#dropsSinceReport, total: this.#droppedTotal },
      });
      this.#lastDropReportAt = now;
      this.#dropsSinceReport = 0;
    }
  }

  #reportFailure(code: string, error: unknown, batch: readonly LogEvent[], message: string): void {
    reportDiagnostic({ component: this.sinkOptions.name, code, message, error, details: { events: batch.length } });
    const onError = this.sinkOptions.onError;
    // Events only: a start that fails with nothing queued is the caller's rejected start().
    if (onError === undefined || batch.length === 0) return;
    try {
      onError(error, batch);
    } catch (err) {
      reportDiagnostic({ component: this.sinkOptions.name, code: 'sink.hook_failed', message: 'onError threw', error: err });
    }
  }
}

/**
 * A ref'ed timer for the bound of an awaited `flush()`/`shutdown()`: the sink's own timers are
 * unref'ed, so during a retry backoff nothing else may hold the event loop, and a program whose last
 * step is `await sink.shutdown()` would end (exit code 13, unsettled top-level await) before the
 * report. Held at most `timeoutMs`, cleared as soon as the operation resolves.
 */
function holdProcess(timeoutMs: number): NodeJS.Timeout {
  return setTimeout(noop, timeoutMs);
}

function timeoutOf(options: LifecycleOptions | undefined, dflt: number): number {
  const t = options?.timeoutMs;
  return typeof t === 'number' && t >= 0 && !Number.isNaN(t) ? Math.min(t, 2_147_483_647) : dflt;
}

/** Resolves `true` if the deadline passes first, `false` when the promise settles first (rejections propagate). */
function untilDeadline(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => resolve(true), Math.max(0, deadline - Date.now()));
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(false);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err as Error);
      },
    );
  });
}
