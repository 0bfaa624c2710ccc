/**
 * A log sink that hands every event to an OpenTelemetry Logger as one log record
 * ({@link toOtelLogRecord} makes the record; this class keeps the lifecycle and the counts).
 */
import * as otelApi from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import {
  checkBoolean,
  checkMilliseconds,
  checkObjectWith,
  checkOneOf,
  checkOptionsObject,
  checkString,
  lifecycleReport,
  Once,
  registerExitDrain,
  reportDiagnostic,
  waitBounded,
  type DeliveryStats,
  type ExitDrainRegistration,
  type LifecycleOptions,
  type LifecycleReport,
} from '../../adapter-kit/index.ts';
import { composeEventName, MvxConfigError } from '../../index.ts';
import type { LogEvent, LogEventMeta, LogSink } from '../../index.ts';
import { logRecordContext, toOtelLogRecord } from './log-record.ts';
import { severityNumberOf } from './severity.ts';

const COMPONENT = 'OtelLogSink';

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

type LogsApi = { getLogger(name: string, version?: string): OtelLoggerLike; getLoggerProvider(): OtelLoggerProviderLike };

/**
 * Turns each {@link LogEvent} into an OpenTelemetry log record (see `toOtelLogRecord` for the
 * mapping) and emits it on the Logger.
 *
 * `log()` is synchronous and never throws. It asks `logger.enabled({ severityNumber, eventName,
 * context })` first and does no mapping work when the answer is no.
 */
export class OtelLogSink implements LogSink {
  readonly #logger: OtelLoggerLike;
  readonly #provider: OtelLoggerProviderLike | undefined;
  readonly #ownsProvider: boolean;
  readonly #body: 'summary' | 'none';
  readonly #timeoutMs: number;
  readonly #exporter: OtelLogSinkExporter | undefined;
  readonly #exit: ExitDrainRegistration | undefined;
  readonly #shutdown = new Once((options: LifecycleOptions) => this.#close(options));
  #closed = false;
  #counts = { emitted: 0, disabled: 0, failed: 0, afterShutdown: 0, notExportedAtExit: 0 };
  #lastMeta: LogEventMeta | undefined;
  #lastEventName = '';
  /** `emitted` when the last flush that finished in time began: what came later may still be in the SDK. */
  #flushedThrough = 0;
  #holding = false;
  #exitFlushing = false;
  /** `emitted` when the last exit flush began: one try per batch of new records, failed or not. */
  #exitFlushedAt = 0;

  /** @throws MvxConfigError on an invalid option, or when no provider is given and the API has no logs API. */
  constructor(options: OtelLogSinkOptions = {}) {
    checkOptionsObject(options);
    const name = checkString('loggerName', options.loggerName, { default: 'mvx-common', nonEmpty: true });
    if (options.loggerVersion !== undefined) checkString('loggerVersion', options.loggerVersion);
    this.#body = checkOneOf('body', options.body, ['summary', 'none'], 'summary');
    this.#timeoutMs = checkMilliseconds('timeoutMs', options.timeoutMs, { min: 1, default: 5000 });
    const given = options.loggerProvider;
    if (given !== undefined) {
      checkObjectWith('loggerProvider', given, ['getLogger'], 'an OpenTelemetry LoggerProvider');
      this.#logger = given.getLogger(name, options.loggerVersion);
      this.#provider = given;
    } else {
      const logs = (otelApi as unknown as { logs?: LogsApi }).logs;
      if (logs === undefined) {
        throw new MvxConfigError(
          'loggerProvider',
          'is required with @opentelemetry/api < 1.10 (no built-in logs API): pass logs.getLoggerProvider() from @opentelemetry/api-logs',
        );
      }
      // A ProxyLogger: follows a global provider registered after this sink was made.
      this.#logger = logs.getLogger(name, options.loggerVersion);
      this.#provider = undefined;
    }
    if (this.#logger === null || typeof this.#logger !== 'object' || typeof this.#logger.emit !== 'function') {
      throw new MvxConfigError('loggerProvider', 'getLogger() did not return a Logger with emit()');
    }
    const flushOnExit = checkBoolean('flushOnExit', options.flushOnExit, true);
    if (options.exporter !== undefined) {
      checkObjectWith('exporter', options.exporter, ['abandon'], 'a CountingLogRecordExporter');
    }
    this.#exporter = options.exporter;
    this.#ownsProvider = options.shutdownProvider ?? given !== undefined;
    this.#exit = flushOnExit ? registerExitDrain({ drainBeforeExit: () => this.#drainBeforeExit(), drainOnExit: () => this.#drainOnExit() }) : undefined;
  }

  /** Emits one event as a log record. Never throws. */
  log(event: LogEvent): void {
    if (this.#closed) {
      this.#counts.afterShutdown++;
      return;
    }
    try {
      const logger = this.#logger;
      // One-entry memo: events of one call site usually share their frozen meta object.
      const meta = event.meta;
      let eventName = this.#lastEventName;
      if (meta !== this.#lastMeta) {
        eventName = composeEventName(meta);
        this.#lastMeta = meta;
        this.#lastEventName = eventName;
      }
      const context = logRecordContext(event);
      if (logger.enabled !== undefined && !logger.enabled({ severityNumber: severityNumberOf(event.level), eventName, context })) {
        this.#counts.disabled++;
        return;
      }
      logger.emit(toOtelLogRecord(event, { body: this.#body, eventName, context }));
      this.#counts.emitted++;
      // Records now wait in the SDK: keep this sink until they are flushed, even if nobody else holds it.
      if (!this.#holding && this.#exit !== undefined) {
        this.#holding = true;
        this.#exit.hold();
      }
    } catch (error) {
      this.#counts.failed++;
      reportDiagnostic({
        component: COMPONENT,
        code: 'emit.failed',
        message: 'an event could not be emitted as an OpenTelemetry log record; it was dropped',
        error,
        details: { event: safeEventName(event) },
      });
    }
  }

  /**
   * Flushes the provider (`forceFlush`), bounded by `timeoutMs` (default: the `timeoutMs` option).
   * Resolves with the counters and `timedOut`; never rejects (a failing flush is reported).
   */
  async flush(options: LifecycleOptions = {}): Promise<OtelLogSinkReport> {
    const provider = this.#currentProvider();
    if (provider?.forceFlush === undefined) return lifecycleReport(this.stats(), false);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const inTime = await this.#bounded('flush', () => provider.forceFlush!({ timeoutMillis: timeoutMs }), timeoutMs);
    return lifecycleReport(this.stats(), !inTime);
  }

  /**
   * Stops accepting events (later ones are counted in `droppedByReason.shutdown`), then flushes,
   * and shuts the provider down when the sink owns it (see `shutdownProvider`). Bounded,
   * idempotent (the same promise), never rejects. When the bound is reached, the `exporter` option
   * (if given) is abandoned, so the SDK stops waiting on its queued exports. Nothing of the sink's
   * own keeps the process alive afterwards; what the SDK may still run is its export in flight
   * (docs/otel.md).
   */
  shutdown(options: LifecycleOptions = {}): Promise<OtelLogSinkReport> {
    return this.#shutdown.call(options);
  }

  async #close(options: LifecycleOptions): Promise<OtelLogSinkReport> {
    this.#closed = true;
    this.#exit?.unregister();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const provider = this.#currentProvider();
    let inTime = true;
    if (provider !== undefined) {
      if (this.#ownsProvider && provider.shutdown !== undefined) {
        inTime = await this.#bounded('shutdown', () => provider.shutdown!({ timeoutMillis: timeoutMs }), timeoutMs);
      } else if (provider.forceFlush !== undefined) {
        inTime = await this.#bounded('flush', () => provider.forceFlush!({ timeoutMillis: timeoutMs }), timeoutMs);
      }
      if (!inTime && this.#exporter !== undefined) abandon(this.#exporter);
    }
    return lifecycleReport(this.stats(), !inTime);
  }

  /** Counters since construction. */
  stats(): OtelLogSinkStats {
    const { emitted, disabled, failed, afterShutdown, notExportedAtExit } = this.#counts;
    return {
      accepted: emitted + disabled + failed + afterShutdown,
      delivered: emitted,
      dropped: disabled + afterShutdown,
      droppedByReason: { disabled, shutdown: afterShutdown },
      failed,
      pending: 0,
      notExportedAtExit,
      emitted,
      disabled,
      afterShutdown,
    };
  }

  /** Waits for a provider call within the bound; `true` when it finished in time (a failure is reported). */
  async #bounded(what: 'flush' | 'shutdown', call: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
    const emitted = this.#counts.emitted;
    const result = await waitBounded(call, { timeoutMs });
    if (result.status === 'timeout') {
      reportDiagnostic({ component: COMPONENT, code: `${what}.timeout`, message: `the LoggerProvider ${what} did not finish within ${timeoutMs} ms` });
      return false;
    }
    if (result.status === 'failed') {
      reportDiagnostic({ component: COMPONENT, code: `${what}.failed`, message: `the LoggerProvider ${what} failed`, error: result.error });
      return false;
    }
    this.#flushedThrough = Math.max(this.#flushedThrough, emitted);
    if (this.#flushedThrough === this.#counts.emitted && this.#holding) {
      this.#holding = false;
      this.#exit?.release();
    }
    return true;
  }

  /**
   * `beforeExit` (the event loop ran out of work): flushes the provider when records were emitted
   * since the last flush; the export keeps the process up until it ends, then `beforeExit` comes
   * again and finds nothing new.
   */
  #drainBeforeExit(): void {
    const emitted = this.#counts.emitted;
    if (this.#exitFlushing || this.#closed || emitted === this.#exitFlushedAt || emitted === this.#flushedThrough) return;
    this.#exitFlushing = true;
    void this.flush().finally(() => {
      this.#exitFlushing = false;
      this.#exitFlushedAt = emitted;
    });
  }

  /** `exit`: nothing can be exported synchronously; what the SDK still holds is counted and reported. */
  #drainOnExit(): void {
    if (this.#shutdown.called) return;
    const emitted = this.#counts.emitted;
    let notExported = emitted - this.#flushedThrough;
    let exact = false;
    const counts = this.#exporter?.stats?.();
    if (counts !== undefined) {
      notExported = Math.max(0, emitted - counts.exported - counts.failed);
      exact = true;
    }
    if (notExported <= 0) return;
    this.#counts.notExportedAtExit += notExported;
    reportDiagnostic({
      component: COMPONENT,
      code: 'exit.not_exported',
      message: exact
        ? `${notExported} log record(s) handed to the OpenTelemetry SDK were not exported when the process exited (queued in its processor or in flight)`
        : `up to ${notExported} log record(s) emitted since the last completed flush may not have been exported when the process exited (pass the CountingLogRecordExporter as \`exporter\` for an exact count)`,
      details: { notExported, exact },
    });
  }

  #currentProvider(): OtelLoggerProviderLike | undefined {
    if (this.#provider !== undefined) return this.#provider;
    const logs = (otelApi as unknown as { logs?: LogsApi }).logs;
    return logs?.getLoggerProvider();
  }
}

function abandon(exporter: OtelLogSinkExporter): void {
  try {
    exporter.abandon();
  } catch (error) {
    reportDiagnostic({ component: COMPONENT, code: 'shutdown.abandon_failed', message: 'exporter.abandon() threw', error });
  }
}

function safeEventName(event: LogEvent): string | undefined {
  try {
    return composeEventName(event.meta);
  } catch {
    return undefined;
  }
}
