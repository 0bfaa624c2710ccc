/**
 * Delivery of one `AsyncLogSink` batch: each attempt bounded by `deliveryTimeoutMs` (its signal
 * aborted when the time is up), retries with exponential backoff, and the batch settled as
 * delivered or failed in the ledger. `abandon()` (a shutdown out of time) aborts the attempt and
 * cuts a backoff short. Internal.
 */
import { MvxError, MvxErrorCode } from '../../errors.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import type { LogEvent } from '../event.ts';
import type { ResolvedAsyncLogSinkOptions } from './async-log-sink-options.ts';
import { clampCount } from './sink-ledger.ts';
import type { SinkLedger } from './sink-ledger.ts';

/** The subclass's side of a delivery. */
export interface BatchDeliverer {
  deliver(batch: readonly LogEvent[], signal: AbortSignal): Promise<void> | void;
  /** How many events of a batch that failed for good earlier attempts did deliver; `undefined`: the hook is absent. */
  deliveredOfFailedBatch(batch: readonly LogEvent[]): number | undefined;
}

/** The delay before retry number `attempt` (1-based): `retryBaseDelayMs`·2^(attempt-1), at most `retryMaxDelayMs`. */
export function retryBackoff(o: ResolvedAsyncLogSinkOptions, attempt: number): number {
  return Math.min(o.retryMaxDelayMs, o.retryBaseDelayMs * 2 ** Math.min(attempt - 1, 30));
}

/** Delivers batches one at a time, with the retries and time limits of the sink's options. */
export class BatchDelivery {
  /** Set by `abandon()`: no further attempt, no further batch. */
  abandoned = false;
  readonly #o: ResolvedAsyncLogSinkOptions;
  readonly #ledger: SinkLedger;
  readonly #sink: BatchDeliverer;
  #abort: AbortController | undefined;
  #wakeRetry: (() => void) | undefined;

  constructor(options: ResolvedAsyncLogSinkOptions, ledger: SinkLedger, sink: BatchDeliverer) {
    this.#o = options;
    this.#ledger = ledger;
    this.#sink = sink;
  }

  /** Delivers `batch` (retrying), then counts it as delivered or failed. Never rejects. */
  async deliverWithRetry(batch: LogEvent[]): Promise<void> {
    const ledger = this.#ledger;
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      this.#abort = controller;
      try {
        await this.#deliverOnce(batch, controller);
        ledger.delivered += batch.length;
        ledger.batches++;
        return;
      } catch (err) {
        ledger.lastError = err;
        if (attempt >= this.#o.maxRetries || this.abandoned) {
          this.#settleFailed(batch, err, `failed after ${attempt + 1} attempt(s)`);
          return;
        }
      } finally {
        this.#abort = undefined;
      }
      ledger.retries++;
      await this.#sleep(retryBackoff(this.#o, attempt + 1));
      if (this.abandoned) {
        this.#settleFailed(batch, ledger.lastError, 'was abandoned at shutdown while waiting for a retry');
        return;
      }
    }
  }

  /** A shutdown ran out of time: aborts the attempt in flight and ends a retry's backoff now. */
  abandon(): void {
    this.abandoned = true;
    this.#abort?.abort(new MvxError(MvxErrorCode.TIMEOUT, `${this.#o.name}: shutdown timed out`));
    this.#wakeRetry?.();
  }

  /** A batch failed for good: what earlier attempts delivered of it counts as delivered, the rest as failed. */
  #settleFailed(batch: LogEvent[], error: unknown, why: string): void {
    const ledger = this.#ledger;
    let done = 0;
    try {
      const n = this.#sink.deliveredOfFailedBatch(batch);
      if (n !== undefined) done = clampCount(n, batch.length);
    } catch (err) {
      ledger.hookFailed('deliveredOfFailedBatch threw', err);
    }
    ledger.delivered += done;
    ledger.failed += batch.length - done;
    const rest = done === 0 ? batch : batch.slice(done);
    const part = done === 0 ? '' : ` (${done} of its events had been delivered before)`;
    ledger.reportFailure('sink.batch_failed', error, rest, `a batch of ${batch.length} event(s) ${why}${part}`);
  }

  async #deliverOnce(batch: LogEvent[], controller: AbortController): Promise<void> {
    const limit = this.#o.deliveryTimeoutMs;
    if (limit === 0) {
      await this.#sink.deliver(batch, controller.signal);
      return;
    }
    const result = await waitBounded(
      Promise.resolve().then(() => this.#sink.deliver(batch, controller.signal)),
      { timeoutMs: limit },
    );
    if (result.status === 'failed') throw result.error;
    if (result.status === 'timeout') {
      const error = new MvxError(MvxErrorCode.TIMEOUT, `${this.#o.name}: deliver() took longer than ${limit} ms`);
      controller.abort(error);
      throw error;
    }
  }

  /** The backoff before a retry: `ms`, or less when `#wakeRetry` is called (a shutdown giving up). */
  async #sleep(ms: number): Promise<void> {
    const woken = new Promise<void>((resolve) => (this.#wakeRetry = resolve));
    await waitBounded(woken, { timeoutMs: ms });
    this.#wakeRetry = undefined;
  }
}
