/**
 * `AsyncLogSink`: the base class of every sink that does I/O (files, HTTP, OTLP, databases).
 *
 * The caller hands an event off synchronously; everything else happens in the sink, off the
 * caller's stack: a bounded queue, batching, delivery with retries, flush, shutdown and exact
 * accounting: a failing batch only costs that batch, every drop is counted by reason, and every
 * lifecycle promise is bounded. This file holds the state machine (start, flush, shutdown); the
 * queue is in `pending-events.ts`, the scheduling of batches in `batch-pump.ts`, their delivery with
 * retries in `batch-delivery.ts`, the accounting in `sink-ledger.ts`, the exit path in
 * `async-sink-exit.ts`.
 */
import { MvxError, MvxErrorCode, MvxStateError, isMvxError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import type { LifecycleOptions, LogSink } from './log-sink.ts';
import { AsyncLogSinkState, LogSinkDropReason, LogSinkOverflowPolicy, resolveAsyncLogSinkOptions } from './async-log-sink-options.ts';
import type {
  AsyncLogSinkOptions,
  AsyncLogSinkReport,
  AsyncLogSinkStateValue,
  AsyncLogSinkStats,
  ResolvedAsyncLogSinkOptions,
} from './async-log-sink-options.ts';
import { ExitHold, drainAtExit } from './async-sink-exit.ts';
import { BatchDelivery } from './batch-delivery.ts';
import { BatchPump } from './batch-pump.ts';
import { timeoutOf, untilDeadline } from './lifecycle-timers.ts';
import { Once } from '../../lifecycle/once.ts';
import { PendingEvents } from './pending-events.ts';
import { SinkLedger } from './sink-ledger.ts';
import { StartBackoff } from './start-backoff.ts';

const noop = (): void => {};

/**
 * Base class of asynchronous sinks. **Contract**
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
 * Subclass fields never clash with the base: its state lives in ES `#private` fields. A subclass
 * (an HTTP sink) is shown in docs/async-sinks.md.
 */
export abstract class AsyncLogSink implements LogSink {
  /** Resolved options (defaults applied). */
  protected readonly sinkOptions: ResolvedAsyncLogSinkOptions;

  #currentState: AsyncLogSinkStateValue = AsyncLogSinkState.IDLE;
  readonly #pending: PendingEvents;
  readonly #ledger: SinkLedger;
  readonly #delivery: BatchDelivery;
  readonly #pump: BatchPump;
  readonly #startBackoff: StartBackoff;
  #startPromise: Promise<void> | undefined;
  #started = false;
  readonly #shutdown = new Once((timeoutMs: number) => this.#runShutdown(timeoutMs));
  #flushShared: { target: number; promise: Promise<AsyncLogSinkReport> } | undefined;
  readonly #exit = new ExitHold(this, () => this.#pending.count);

  /**
   * @throws MvxConfigError when an option is invalid (the message names it).
   */
  constructor(options: AsyncLogSinkOptions = {}) {
    this.sinkOptions = resolveAsyncLogSinkOptions(options, new.target.name);
    this.#pending = new PendingEvents(this.sinkOptions.maxQueueSize);
    this.#ledger = new SinkLedger(this.sinkOptions);
    this.#delivery = new BatchDelivery(this.sinkOptions, this.#ledger, {
      deliver: (batch, signal) => this.deliver(batch, signal),
      deliveredOfFailedBatch: (batch) => this.deliveredOfFailedBatch?.(batch),
    });
    this.#pump = new BatchPump(this.sinkOptions, this.#pending, this.#delivery, () => this.#currentState, () => this.#exit.release());
    this.#startBackoff = new StartBackoff(this.sinkOptions);
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
    this.#ledger.accepted++;
    const state = this.#currentState;
    if (state === AsyncLogSinkState.STOPPING || state === AsyncLogSinkState.STOPPED) {
      this.#ledger.drop(event, LogSinkDropReason.SHUTDOWN);
      return;
    }
    const pending = this.#pending;
    const queue = pending.queue;
    if (!queue.push(event)) {
      if (this.sinkOptions.overflowPolicy === LogSinkOverflowPolicy.DROP_NEWEST) {
        this.#ledger.drop(event, LogSinkDropReason.QUEUE_FULL);
        return;
      }
      const oldest = queue.shift() as LogEvent;
      pending.dequeued++;
      queue.push(event);
      this.#ledger.drop(oldest, LogSinkDropReason.QUEUE_FULL);
    }
    pending.enqueued++;
    if (!this.#exit.holding) this.#exit.hold(); // pending events: the exit registry keeps the sink
    if (state === AsyncLogSinkState.RUNNING) {
      this.#pump.onEvent();
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
    this.#exit.track();
    this.#startBackoff.cancel();
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
    const target = this.#pending.enqueued;
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
    return this.#shutdown.call(timeoutOf(options, this.sinkOptions.shutdownTimeoutMs));
  }

  /** A snapshot of the delivery statistics. */
  stats(): AsyncLogSinkStats {
    return this.#ledger.snapshot(this.#currentState, this.#pending.queue.length, this.#pending.inFlight);
  }

  /**
   * Starts delivering queued events now instead of waiting for the batch interval, with a ref'ed
   * immediate so the process stays up for it. Called when the process is about to exit naturally
   * (`beforeExit`). Does nothing while a batch is in flight. Internal: not part of the public API.
   *
   * @internal
   */
  drainBeforeExit(): void {
    this.#pump.drainNow();
  }

  /**
   * Runs when the process exits (`process.exit()`, an uncaught exception, the end of the loop),
   * whatever the state: writes the queue with {@link deliverSync} or counts it as dropped with reason
   * `exit`, and reports every event not delivered (see `async-sink-exit.ts`). Internal.
   *
   * @internal
   */
  drainOnExit(): void {
    drainAtExit(this.sinkOptions.name, this.#pending, this.#ledger, {
      deliverSync: this.deliverSync?.bind(this),
      finishInFlightSync: this.finishInFlightSync?.bind(this),
    });
  }

  // --- internals ---------------------------------------------------------------------------------

  #kickStart(): void {
    if (this.#startPromise !== undefined) return;
    this.#exit.track(); // a start waiting for its backoff: the exit path still sees the queue
    this.#startBackoff.kick(
      () => this.start().catch(noop),
      () => this.#currentState === AsyncLogSinkState.IDLE && this.#pending.queue.length > 0,
    );
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
      this.#ledger.lastError = error;
      this.#startBackoff.failed();
      this.#startPromise = undefined;
      if (this.#currentState === AsyncLogSinkState.STARTING) this.#currentState = AsyncLogSinkState.IDLE;
      const batch = this.#pending.take(this.#pending.queue.length);
      this.#ledger.failed += batch.length;
      // Nothing queued: the rejection is the whole story (its caller reports it); lost events are reported.
      if (batch.length > 0) this.#ledger.reportFailure('sink.start_failed', error, batch, `start failed; ${batch.length} queued event(s) counted as failed`);
      this.#pending.checkWaiters();
      throw error;
    }
    this.#started = true;
    this.#startBackoff.succeeded();
    if (this.#currentState === AsyncLogSinkState.STARTING) {
      this.#currentState = AsyncLogSinkState.RUNNING;
    } else if (this.#currentState === AsyncLogSinkState.STOPPED) {
      // shutdown() gave up waiting for this start: release what it acquired.
      this.#runStop().catch(noop);
      return;
    }
    this.#pump.schedule();
  }

  /** Resolves `true` when `timeoutMs` passed before every event up to `target` settled. */
  #waitFor(target: number, timeoutMs: number): Promise<boolean> {
    if (this.#pending.isSettled(target)) return Promise.resolve(false);
    const settled = this.#pending.waitFor(target, timeoutMs);
    if (!this.#pump.pumping) this.#pump.schedule();
    return settled;
  }

  async #runFlush(target: number, timeoutMs: number): Promise<AsyncLogSinkReport> {
    if (this.#currentState === AsyncLogSinkState.IDLE && this.#pending.queue.length > 0 && this.#startPromise === undefined) {
      this.start().catch(noop);
    }
    if (this.#pending.isSettled(target)) return this.#report(false);
    return this.#report(await this.#waitFor(target, timeoutMs));
  }

  async #runShutdown(timeoutMs: number): Promise<AsyncLogSinkReport> {
    const deadline = Date.now() + timeoutMs;
    this.#currentState = AsyncLogSinkState.STOPPING;
    this.#startBackoff.cancel();
    let timedOut = false;
    if (!this.#started && this.#pending.queue.length > 0 && this.#startPromise === undefined) this.#startPromise = this.#runStart();
    if (!this.#started && this.#startPromise !== undefined) {
      timedOut = await untilDeadline(this.#startPromise.catch(noop), deadline);
    }
    if (!timedOut) timedOut = await this.#waitFor(this.#pending.enqueued, deadline - Date.now());
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
    this.#exit.unregister();
    this.#pump.stop();
    if (timedOut) {
      reportDiagnostic({
        component: this.sinkOptions.name,
        code: 'sink.shutdown_timeout',
        message: `shutdown did not finish within ${timeoutMs} ms; ${this.#ledger.droppedByReason.shutdown_timeout} queued event(s) dropped, ${this.#pending.inFlight} still in flight`,
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
    this.#delivery.abandon();
    const rest = this.#pending.take(this.#pending.queue.length);
    for (const event of rest) this.#ledger.drop(event, LogSinkDropReason.SHUTDOWN_TIMEOUT);
    this.#pending.checkWaiters();
  }

  #report(timedOut: boolean): AsyncLogSinkReport {
    return { ...this.stats(), timedOut };
  }
}
