/**
 * A `LogRecordExporter` wrapper that counts what reaches the exporter and how each export ends.
 *
 * Why: the SDK's `BatchLogRecordProcessor` drops records when its queue is full (default 2048) and
 * loses failed exports without a trace unless a `selfObsMeterProvider` is configured (then it
 * counts them in `otel.sdk.processor.log.processed` with `error.type`). Wrapping the exporter gives
 * exact, always-on counts of exported and failed records; with the sink's `emitted` count, what the
 * processor dropped is `emitted − exported − failed − pending` (`pending` = 0 after a flush).
 */
import { MvxConfigError } from '../../core/errors.ts';

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
  /** Records handed to the exporter whose result is not in yet. */
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
    this.counts.inFlight += n;
    let done = false;
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
      resultCallback(result);
    };
    try {
      this.inner.export(records, finish);
    } catch (error) {
      finish({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  /** Counters since construction. */
  stats(): CountingLogRecordExporterStats {
    return this.lastError === undefined ? { ...this.counts } : { ...this.counts, lastError: this.lastError };
  }
}
