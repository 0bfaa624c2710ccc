/**
 * The exit path of an `AsyncLogSink` (`drainOnExit`): at the process's `exit` event nothing
 * asynchronous can run any more, so the sink writes what it can synchronously and counts the rest.
 * Internal.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { registerExitDrain, type ExitDrainable, type ExitDrainRegistration } from '../../lifecycle/exit-drain.ts';
import type { LogEvent } from '../event.ts';
import { LogSinkDropReason } from './async-log-sink-options.ts';
import type { PendingEvents } from './pending-events.ts';
import { clampCount } from './sink-ledger.ts';
import type { SinkLedger } from './sink-ledger.ts';

/** The subclass's synchronous hooks (see `AsyncLogSink.deliverSync` and `finishInFlightSync`). */
export interface SyncDeliverer {
  deliverSync?: ((batch: readonly LogEvent[]) => number) | undefined;
  finishInFlightSync?: ((batch: readonly LogEvent[]) => boolean) | undefined;
}

/**
 * With `deliverSync`: completes the batch in flight (`finishInFlightSync`), then writes the queue
 * synchronously; what it cannot write is counted as failed. Without: the queued events are dropped
 * with reason `exit`. Either way, every event not delivered is reported (a diagnostic).
 */
export function drainAtExit(name: string, pending: PendingEvents, ledger: SinkLedger, sink: SyncDeliverer): void {
  if (pending.queue.length === 0 && pending.inFlight === 0) return;
  if (sink.deliverSync === undefined) {
    const rest = pending.take(pending.queue.length);
    for (const event of rest) ledger.drop(event, LogSinkDropReason.EXIT);
    const inFlight = pending.inFlight > 0 ? `; ${pending.inFlight} event(s) were being delivered, outcome unknown (pending)` : '';
    reportDiagnostic({
      component: name,
      code: 'sink.exit_dropped',
      message: `${rest.length} queued event(s) dropped at process exit: this sink cannot deliver synchronously${inFlight}`,
      details: { dropped: rest.length, inFlight: pending.inFlight },
    });
    return;
  }
  const inFlightBatch = pending.inFlightBatch;
  if (pending.inFlight > 0 && inFlightBatch !== undefined && sink.finishInFlightSync !== undefined) {
    let done = false;
    try {
      done = sink.finishInFlightSync(inFlightBatch) === true;
    } catch (err) {
      ledger.lastError = err;
    }
    if (done) {
      ledger.delivered += pending.inFlight;
      ledger.batches++;
      pending.endBatch();
    }
  }
  if (pending.queue.length > 0) {
    const batch = pending.take(pending.queue.length);
    let written = 0;
    try {
      written = clampCount(sink.deliverSync(batch), batch.length);
    } catch (err) {
      ledger.lastError = err;
    }
    ledger.delivered += written;
    ledger.failed += batch.length - written;
    if (written < batch.length) {
      ledger.reportFailure(
        'sink.exit_failed',
        ledger.lastError,
        batch.slice(written),
        `${batch.length - written} queued event(s) could not be written at process exit`,
      );
    }
  }
  if (pending.inFlight > 0) {
    reportDiagnostic({
      component: name,
      code: 'sink.exit_in_flight',
      message: `${pending.inFlight} event(s) were being delivered at process exit; their outcome is unknown (counted as pending)`,
      details: { inFlight: pending.inFlight },
    });
  }
}

/**
 * A sink's entry in the exit registry: made on the first event or `start()`, held strongly while
 * events are pending (a sink nobody refers to any more is not collected with its queue), weakly
 * once the queue is empty, removed after `shutdown()`.
 */
export class ExitHold {
  readonly #sink: ExitDrainable;
  readonly #pending: () => number;
  #entry: ExitDrainRegistration | undefined;
  holding = false;

  constructor(sink: ExitDrainable, pending: () => number) {
    this.#sink = sink;
    this.#pending = pending;
  }

  /** Registers the sink (weakly) if it is not yet. */
  track(): void {
    this.#entry ??= registerExitDrain(this.#sink);
  }

  /** Events are pending: hold the sink strongly. */
  hold(): void {
    this.holding = true;
    this.track();
    this.#entry!.hold();
  }

  /** Nothing pending any more: the sink may be collected with its owner again. */
  release(): void {
    if (!this.holding || this.#pending() > 0) return;
    this.holding = false;
    this.#entry?.release();
  }

  /** After shutdown. */
  unregister(): void {
    this.holding = false;
    this.#entry?.unregister();
  }
}
