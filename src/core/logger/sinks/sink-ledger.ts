/**
 * The accounting of an `AsyncLogSink`: what was accepted, delivered, failed and dropped (by reason),
 * and the reports that go with each loss (the `onDrop` / `onError` hooks, diagnostics). The sink
 * keeps `accepted === delivered + dropped + failed + pending`; this ledger holds every term but
 * `pending` (the queue and the batch in flight, see `pending-events.ts`). Internal.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import type { AsyncLogSinkStateValue, AsyncLogSinkStats, LogSinkDropReasonValue, ResolvedAsyncLogSinkOptions } from './async-log-sink-options.ts';

/** At most one `sink.dropped` diagnostic per this many ms, carrying the count since the previous one. */
const DROP_REPORT_INTERVAL_MS = 1_000;

/** Counters of one sink, and the one place where a lost event is counted and reported. */
export class SinkLedger {
  accepted = 0;
  delivered = 0;
  failed = 0;
  dropped = 0;
  readonly droppedByReason: Record<LogSinkDropReasonValue, number> = { queue_full: 0, shutdown: 0, shutdown_timeout: 0, exit: 0 };
  retries = 0;
  batches = 0;
  lastError: unknown = undefined;
  readonly #options: ResolvedAsyncLogSinkOptions;
  #lastDropReportAt = -Infinity;
  #dropsSinceReport = 0;

  constructor(options: ResolvedAsyncLogSinkOptions) {
    this.#options = options;
  }

  /** Counts one dropped event, calls `onDrop`, and reports drops at most once a second. */
  drop(event: LogEvent, reason: LogSinkDropReasonValue): void {
    this.droppedByReason[reason]++;
    this.dropped++;
    const onDrop = this.#options.onDrop;
    if (onDrop !== undefined) {
      try {
        onDrop(event, reason);
      } catch (err) {
        this.hookFailed('onDrop threw', err);
      }
    }
    this.#dropsSinceReport++;
    const now = Date.now();
    if (now - this.#lastDropReportAt >= DROP_REPORT_INTERVAL_MS) {
      reportDiagnostic({
        component: this.#options.name,
        code: 'sink.dropped',
        message: `${this.#dropsSinceReport} event(s) dropped (last reason: ${reason}); see stats().droppedByReason`,
        details: { reason, count: this.#dropsSinceReport, total: this.dropped },
      });
      this.#lastDropReportAt = now;
      this.#dropsSinceReport = 0;
    }
  }

  /** Reports failed events (a diagnostic with `code`, then `onError(error, batch)` when `batch` is not empty). */
  reportFailure(code: string, error: unknown, batch: readonly LogEvent[], message: string): void {
    reportDiagnostic({ component: this.#options.name, code, message, error, details: { events: batch.length } });
    const onError = this.#options.onError;
    // Events only: a start that fails with nothing queued is the caller's rejected start().
    if (onError === undefined || batch.length === 0) return;
    try {
      onError(error, batch);
    } catch (err) {
      this.hookFailed('onError threw', err);
    }
  }

  /** The sink's `stats()`: these counters with the state and the pending events. */
  snapshot(state: AsyncLogSinkStateValue, queued: number, inFlight: number): AsyncLogSinkStats {
    return {
      state,
      accepted: this.accepted,
      delivered: this.delivered,
      dropped: this.dropped,
      droppedByReason: { ...this.droppedByReason },
      failed: this.failed,
      pending: queued + inFlight,
      queued,
      inFlight,
      batches: this.batches,
      retries: this.retries,
      lastError: this.lastError,
    };
  }

  /** A user hook (`onDrop`, `onError`, a subclass's optional method) threw: reported, never rethrown. */
  hookFailed(message: string, error: unknown): void {
    reportDiagnostic({ component: this.#options.name, code: 'sink.hook_failed', message, error });
  }
}

/** A count returned by a subclass hook, as an integer in [0, max] (0 when not a finite number). */
export function clampCount(value: unknown, max: number): number {
  const n = Math.trunc(Number(value));
  return Number.isFinite(n) ? Math.max(0, Math.min(max, n)) : 0;
}
