/**
 * A `LogRecordExporter` wrapper that counts what reaches the exporter and how each export ends.
 *
 * Why: the SDK's `BatchLogRecordProcessor` drops records when its queue is full (default 2048) and
 * loses failed exports without a trace unless a `selfObsMeterProvider` is configured (then it
 * counts them in `otel.sdk.processor.log.processed` with `error.type`). Wrapping the exporter gives
 * exact, always-on counts of exported and failed records; with the sink's `emitted` count, what the
 * processor dropped is `emitted − exported − failed − pending` (`pending` = 0 after a flush).
 *
 * It is also the part of the export path that is ours to stop: at shutdown the SDK's
 * `BatchLogRecordProcessor` exports every queued batch one after another, each waiting up to the
 * exporter's `timeoutMillis` (10 s by default, retries included) when the endpoint hangs or
 * refuses, so the process lived 15–18 s past a `shutdown()` that had resolved at its bound.
 * {@link CountingLogRecordExporter.abandon} ends that wait (`OtelLogSink` calls it when its
 * `shutdown()` reaches its bound, given the exporter).
 */
import { MvxConfigError } from '../../index.ts';

/** `ExportResult` of `@opentelemetry/core`: `code` 0 = SUCCESS, 1 = FAILED. */
export interface ExportResultLike {
  code: number;
  error?: Error;
}

/** The `LogRecordExporter` surface (sdk-logs 3.x and 0.2xx). */
export interface LogRecordExporterLike<R> {
  export(records: R[], resultCallback: (result: ExportResultLike) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** Counters of a {@link CountingLogRecordExporter}. */
export interface CountingLogRecordExporterStats {
  /** Records whose export succeeded. */
  readonly exported: number;
  /** Records whose export failed (endpoint down, 5xx, time-out, exporter threw). */
  readonly failed: number;
  /**
   * Records handed to the exporter whose result is not in yet (after {@link
   * CountingLogRecordExporter.abandon}, possibly for up to the wrapped exporter's `timeoutMillis`).
   */
  readonly inFlight: number;
  /** Export calls (batches) started. */
  readonly batches: number;
  /** Batches that failed. */
  readonly failedBatches: number;
  /** The last export error, if any. */
  readonly lastError?: Error;
}

const SUCCESS = 0;
const FAILED = 1;

/**
 * Wraps a log record exporter (e.g. `OTLPLogExporter`) and counts records by outcome.
 *
 * @example
 * ```ts
 * const exporter = new CountingLogRecordExporter(new OTLPLogExporter());
 * const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter })] });
 * // later: exporter.stats() → { exported, failed, inFlight, batches, failedBatches }
 * ```
 */
export class CountingLogRecordExporter<R = unknown> implements LogRecordExporterLike<R> {
  private readonly inner: LogRecordExporterLike<R>;
  private counts = { exported: 0, failed: 0, inFlight: 0, batches: 0, failedBatches: 0 };
  private lastError: Error | undefined;
  private abandoned = false;
  /** Processor callbacks of exports in flight, so that {@link abandon} can answer them at once. */
  private readonly waiting = new Set<(result: ExportResultLike) => void>();

  /** @throws MvxConfigError when `exporter` has no `export()`/`shutdown()`. */
  constructor(exporter: LogRecordExporterLike<R>) {
    if (exporter === null || typeof exporter !== 'object' || typeof exporter.export !== 'function' || typeof exporter.shutdown !== 'function') {
      throw new MvxConfigError('exporter', 'must be a LogRecordExporter (export(records, callback) and shutdown())');
    }
    this.inner = exporter;
  }

  export(records: R[], resultCallback: (result: ExportResultLike) => void): void {
    const n = records.length;
    this.counts.batches++;
    if (this.abandoned) {
      // Never reaches the wrapped exporter: failed now, not one export time-out later.
      this.counts.failed += n;
      this.counts.failedBatches++;
      this.lastError = new Error('export abandoned: the log pipeline is shutting down past its bound');
      resultCallback({ code: FAILED, error: this.lastError });
      return;
    }
    this.counts.inFlight += n;
    let done = false;
    let answered = false;
    const answer = (result: ExportResultLike): void => {
      if (answered) return;
      answered = true;
      this.waiting.delete(answer);
      resultCallback(result);
    };
    const finish = (result: ExportResultLike): void => {
      if (done) return; // an exporter calling back twice must not count twice
      done = true;
      this.counts.inFlight -= n;
      if (result.code === SUCCESS) {
        this.counts.exported += n;
      } else {
        this.counts.failed += n;
        this.counts.failedBatches++;
        this.lastError = result.error;
      }
      answer(result);
    };
    this.waiting.add(answer);
    try {
      this.inner.export(records, finish);
    } catch (error) {
      finish({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  /**
   * Stops making the processor wait, for good: exports in flight are reported to the processor as
   * failed now (their records stay `inFlight` here until the wrapped exporter's own result, which
   * is still counted when it comes), later exports fail at once without reaching the wrapped
   * exporter (counted in `failed`), and `forceFlush()`/`shutdown()` no longer wait for it.
   *
   * For shutdown paths that gave up: the SDK then runs through its queued batches at once instead
   * of one export time-out after another. What it cannot stop is the request already in flight
   * (and its retries): that ends by the wrapped exporter's `timeoutMillis`. Idempotent.
   */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    const error = new Error('export abandoned: the log pipeline is shutting down past its bound');
    for (const answer of [...this.waiting]) answer({ code: FAILED, error });
  }

  forceFlush(): Promise<void> {
    if (this.abandoned) return Promise.resolve();
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    if (this.abandoned) {
      // Still tell the wrapped exporter, but do not wait for its exports in flight.
      void Promise.resolve()
        .then(() => this.inner.shutdown())
        .catch(() => {});
      return Promise.resolve();
    }
    return this.inner.shutdown();
  }

  /** Counters since construction. */
  stats(): CountingLogRecordExporterStats {
    return this.lastError === undefined ? { ...this.counts } : { ...this.counts, lastError: this.lastError };
  }
}
