/**
 * When an `AsyncLogSink` batch goes: at once (next turn of the loop) when a batch is full, someone
 * waits or the sink is stopping, otherwise after `batchIntervalMs`; then batches one at a time
 * through `BatchDelivery` until the queue holds less than a batch. Internal.
 */
import { AsyncLogSinkState } from './async-log-sink-options.ts';
import type { AsyncLogSinkStateValue, ResolvedAsyncLogSinkOptions } from './async-log-sink-options.ts';
import type { BatchDelivery } from './batch-delivery.ts';
import type { PendingEvents } from './pending-events.ts';

/** Schedules and runs the deliveries of one sink. */
export class BatchPump {
  readonly #o: ResolvedAsyncLogSinkOptions;
  readonly #pending: PendingEvents;
  readonly #delivery: BatchDelivery;
  readonly #state: () => AsyncLogSinkStateValue;
  readonly #onIdle: () => void;
  #pumping = false;
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** @param onIdle called when a batch settled and nothing is queued or in flight any more. */
  constructor(options: ResolvedAsyncLogSinkOptions, pending: PendingEvents, delivery: BatchDelivery, state: () => AsyncLogSinkStateValue, onIdle: () => void) {
    this.#o = options;
    this.#pending = pending;
    this.#delivery = delivery;
    this.#state = state;
    this.#onIdle = onIdle;
  }

  /** Whether a delivery is running now. */
  get pumping(): boolean {
    return this.#pumping;
  }

  /** For `log()`: schedules a delivery unless one already is (the cheap guard first: most calls find one). */
  onEvent(): void {
    if (!this.#pumping && this.#immediate === undefined) this.schedule();
  }

  /** Schedules a delivery of the queue, if the sink is running or stopping and none is scheduled. */
  schedule(): void {
    const queue = this.#pending.queue;
    if (this.#pumping || this.#immediate !== undefined || queue.length === 0) return;
    const state = this.#state();
    if (state !== AsyncLogSinkState.RUNNING && state !== AsyncLogSinkState.STOPPING) return;
    const o = this.#o;
    if (queue.length >= o.maxBatchSize || this.#pending.waiting || state === AsyncLogSinkState.STOPPING || o.batchIntervalMs === 0) {
      this.#clearTimer();
      // Ref'ed on purpose: an unref'ed immediate does not stop the event loop from blocking in its
      // poll phase, so it would run only when unrelated I/O or a timer woke the loop (seconds later).
      // It fires on the next turn, so it cannot hold the process open.
      this.#immediate = setImmediate(this.#onTick);
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#onTick, o.batchIntervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Starts delivering the queue now instead of waiting for the batch interval, with a ref'ed
   * immediate so the process stays up for it (`beforeExit`). Does nothing while a batch is in flight.
   */
  drainNow(): void {
    if (this.#pumping || this.#pending.queue.length === 0) return;
    const state = this.#state();
    if (state !== AsyncLogSinkState.RUNNING && state !== AsyncLogSinkState.STOPPING) return;
    this.#clearTimer();
    if (this.#immediate === undefined) this.#immediate = setImmediate(this.#onTick);
  }

  /** Cancels the interval timer (at shutdown). */
  stop(): void {
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  readonly #onTick = (): void => {
    this.#immediate = undefined;
    this.#clearTimer();
    void this.#pump();
  };

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const pending = this.#pending;
    try {
      for (;;) {
        const state = this.#state();
        if (this.#delivery.abandoned || pending.queue.length === 0) break;
        if (state !== AsyncLogSinkState.RUNNING && state !== AsyncLogSinkState.STOPPING) break;
        const batch = pending.startBatch(this.#o.maxBatchSize);
        await this.#delivery.deliverWithRetry(batch);
        pending.endBatch();
        if (pending.waiting) pending.checkWaiters();
        if (pending.count === 0) this.#onIdle();
        // A partial batch waits for the interval unless someone is waiting for it.
        if (pending.queue.length < this.#o.maxBatchSize && !pending.waiting && this.#state() === AsyncLogSinkState.RUNNING) break;
      }
    } finally {
      this.#pumping = false;
    }
    this.schedule();
  }
}
