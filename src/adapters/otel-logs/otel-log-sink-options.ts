/**
 * The OpenTelemetry surfaces `OtelLogSink` uses (written structurally, so both OTel JS lines fit),
 * its options, and its counters.
 */
import type { Context } from '@opentelemetry/api';
import type { DeliveryStats, LifecycleReport } from '../../adapter-kit/index.ts';

/**
 * The Logger surface the sink uses (`emit`, and `enabled` when the API has it, ≥ 0.215). `emit`
 * is declared with a loose record type that the `LogRecord` of both lines is assignable to:
 * `@opentelemetry/api-logs` 0.2xx types `body` and attributes as its own `AnyValue` union and
 * timestamps as `TimeInput`, so a Logger of sdk-logs 0.2xx did not type-check against
 * `emit(record: OtelLogRecord)` (api ≥ 1.10 types them `unknown`). The sink emits an `OtelLogRecord`.
 */
export interface OtelLoggerLike {
  emit(record: { eventName?: string; timestamp?: unknown; severityNumber?: number; severityText?: string; body?: unknown; attributes?: unknown; exception?: unknown; context?: unknown }): void;
  enabled?(options?: { context?: Context; severityNumber?: number; eventName?: string }): boolean;
}

/**
 * The LoggerProvider surface the sink uses: an SDK `LoggerProvider` (sdk-logs 3.x or 0.2xx), the
 * global one, or any object with `getLogger`.
 */
export interface OtelLoggerProviderLike {
  getLogger(name: string, version?: string, options?: { schemaUrl?: string }): OtelLoggerLike;
  forceFlush?(options?: { timeoutMillis?: number }): Promise<unknown>;
  shutdown?(options?: { timeoutMillis?: number }): Promise<unknown>;
}

/** The part of a {@link CountingLogRecordExporter} the sink uses. */
export interface OtelLogSinkExporter {
  abandon(): void;
  /** Counts of exported and failed records (a `CountingLogRecordExporter` has it), read at exit. */
  stats?(): { readonly exported: number; readonly failed: number };
}

/** Options of {@link OtelLogSink}. */
export interface OtelLogSinkOptions {
  /**
   * The provider to get the Logger from. Default: the global LoggerProvider of
   * `@opentelemetry/api` ≥ 1.10 (`logs.getLogger`, which follows a provider registered later).
   * With `@opentelemetry/api-logs` (the previous line), pass `logs.getLoggerProvider()` from it.
   */
  readonly loggerProvider?: OtelLoggerProviderLike;
  /** Instrumentation scope name of the Logger. @default 'mvx-common' */
  readonly loggerName?: string;
  /** Instrumentation scope version of the Logger. */
  readonly loggerVersion?: string;
  /**
   * The record's body: `'summary'` = the composed event name, followed by the outcome when there
   * is one (`storage.save success`), for backends that show the body as the log line; `'none'`
   * leaves it empty (the event name is in `eventName` anyway).
   * @default 'summary'
   */
  readonly body?: 'summary' | 'none';
  /**
   * Whether `shutdown()` also shuts the provider down. Default: `true` when `loggerProvider` is
   * given (the sink's owner passed it in), `false` for the global provider (only flushed).
   */
  readonly shutdownProvider?: boolean;
  /** Default upper bound of `flush()`/`shutdown()` in ms. @default 5000 */
  readonly timeoutMs?: number;
  /**
   * The {@link CountingLogRecordExporter} in the provider's processor, if you use one. When
   * `shutdown()` reaches its bound, the sink abandons it (`exporter.abandon()`): the SDK stops
   * exporting its queued batches one export time-out after another (which kept the process alive
   * long after `shutdown()` resolved), and the counts are final at once except for the one export
   * in flight, which ends by the OTLP exporter's `timeoutMillis`. See docs/otel.md, "Shutdown".
   */
  readonly exporter?: OtelLogSinkExporter;
  /**
   * Flush the provider when the process is about to exit naturally (`beforeExit`: the event loop
   * ran out of work), so records waiting in a `BatchLogRecordProcessor`, whose timer is unref'ed,
   * are exported instead of lost. On `process.exit()` nothing can be exported any more: the
   * records the SDK had not exported are counted (`stats().notExportedAtExit`) and reported on
   * stderr. For signals, pass the sink to `installExitHandlers({ sinks: [sink] })`.
   * @default true
   */
  readonly flushOnExit?: boolean;
}

/**
 * Counters of an {@link OtelLogSink}, in records: `accepted = delivered + dropped + failed + pending`.
 * `delivered` counts records handed to the OpenTelemetry Logger; what its processor and exporter
 * then did with them is counted by a `CountingLogRecordExporter`.
 */
export interface OtelLogSinkStats extends DeliveryStats {
  /** Every `log()` call. */
  readonly accepted: number;
  /** Records handed to `logger.emit()`. */
  readonly delivered: number;
  /** Events not emitted on purpose: the sum of {@link droppedByReason}. */
  readonly dropped: number;
  /** Drops by reason: `disabled` (`logger.enabled()` said no: severity filter, trace-based sampling, no SDK), `shutdown` (logged after `shutdown()`). */
  readonly droppedByReason: Readonly<{ disabled: number; shutdown: number }>;
  /** Events dropped because mapping or `emit()` threw (each reported through the diagnostic channel). */
  readonly failed: number;
  /** Always 0: the sink keeps nothing; records wait in the SDK's processor. */
  readonly pending: number;
  /**
   * Records handed to the Logger that the SDK had not exported when the process exited
   * (`process.exit()`, an uncaught exception): exact with the `exporter` option (emitted − exported
   * − failed), otherwise the records emitted since the last completed flush (at most that many
   * were lost). A part of `delivered`. Reported on stderr when not 0.
   */
  readonly notExportedAtExit: number;
  /** @deprecated Use `delivered` (same count). */
  readonly emitted: number;
  /** @deprecated Use `droppedByReason.disabled` (same count). */
  readonly disabled: number;
  /** @deprecated Use `droppedByReason.shutdown` (same count). */
  readonly afterShutdown: number;
}

/** What `flush()` and `shutdown()` resolve with: the counters then, and whether the bound passed first. */
export type OtelLogSinkReport = OtelLogSinkStats & LifecycleReport;
