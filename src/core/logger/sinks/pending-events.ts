/**
 * The `pending` term of an `AsyncLogSink`'s accounting: the bounded queue and the batch in flight,
 * with the sequence numbers that `flush()` and `shutdown()` wait on. Internal.
 */
import type { LogEvent } from '../event.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import { RingQueue } from './ring-queue.ts';

/** A `flush()` or `shutdown()` waiting until every event up to `target` settled. */
interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
}

/** Queued events and the batch being delivered. */
export class PendingEvents {
  readonly queue: RingQueue<LogEvent>;
  // Sequence numbers for flush targets: events ever queued, events ever removed from the queue head
  // (taken into a batch, evicted, failed at start, abandoned), and where the batch in flight began.
  enqueued = 0;
  dequeued = 0;
  inFlightFrom = 0;
  /** Events of the batch being delivered (0 when none). */
  inFlight = 0;
  /** The batch being delivered (for the exit path). */
  inFlightBatch: LogEvent[] | undefined;
  readonly #waiters = new Set<Waiter>();

  constructor(maxQueueSize: number) {
    this.queue = new RingQueue<LogEvent>(maxQueueSize);
  }

  /** Queued plus in flight. */
  get count(): number {
    return this.queue.length + this.inFlight;
  }

  /** Removes up to `n` events from the head of the queue (counted as dequeued). */
  take(n: number): LogEvent[] {
    const batch = this.queue.take(n);
    this.dequeued += batch.length;
    return batch;
  }

  /** Takes the next batch off the queue and marks it in flight. */
  startBatch(maxBatchSize: number): LogEvent[] {
    this.inFlightFrom = this.dequeued;
    const batch = this.take(maxBatchSize);
    this.inFlight = batch.length;
    this.inFlightBatch = batch;
    return batch;
  }

  /** The batch in flight has settled (delivered or failed). */
  endBatch(): void {
    this.inFlight = 0;
    this.inFlightBatch = undefined;
  }

  /** Whether every event queued before sequence number `target` has left the queue and is no longer in flight. */
  isSettled(target: number): boolean {
    return this.dequeued >= target && (this.inFlight === 0 || this.inFlightFrom >= target);
  }

  /** Whether a `flush()` or `shutdown()` is waiting (deliver now rather than after the interval). */
  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  /**
   * Resolves `true` when `timeoutMs` passed before every event up to sequence number `target`
   * settled, `false` when they did (see {@link checkWaiters}). The wait holds the process: it is an
   * awaited `flush()` or `shutdown()` (see `lifecycle-timers.ts`).
   */
  async waitFor(target: number, timeoutMs: number): Promise<boolean> {
    if (this.isSettled(target)) return false;
    let waiter: Waiter | undefined;
    const settled = new Promise<void>((resolve) => {
      waiter = { target, resolve };
      this.#waiters.add(waiter);
    });
    const result = await waitBounded(settled, { timeoutMs, holdProcess: true });
    if (result.status !== 'timeout') return false;
    this.#waiters.delete(waiter!);
    return true;
  }

  /** Resolves the waiters whose events have all settled. */
  checkWaiters(): void {
    for (const w of this.#waiters) {
      if (this.isSettled(w.target)) {
        this.#waiters.delete(w);
        w.resolve();
      }
    }
  }
}
