/**
 * A log sink that hands every event to an OpenTelemetry Logger as one log record
 * ({@link toOtelLogRecord} makes the record; this class keeps the lifecycle and the counts).
 */
import * as otelApi from '@opentelemetry/api';
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
  type ExitDrainRegistration,
  type LifecycleOptions,
} from '../../adapter-kit/index.ts';
import { composeEventName, MvxConfigError } from '../../index.ts';
import type { LogEvent, LogSink } from '../../index.ts';
import { logRecordContext, toOtelLogRecord } from './log-record.ts';
import { severityNumberOf } from './severity.ts';
import type { OtelLoggerLike, OtelLoggerProviderLike, OtelLogSinkExporter, OtelLogSinkOptions, OtelLogSinkReport, OtelLogSinkStats } from './otel-log-sink-options.ts';

const COMPONENT = 'OtelLogSink';

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
  #lastNamespace: unknown = undefined;
  #lastName: unknown = undefined;
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
      // One-entry memo by the two strings (each `ctx.info` call builds a new meta object, but a
      // call site keeps logging the same namespace and name): no string built per event.
      const meta = event.meta;
      let eventName = this.#lastEventName;
      if (meta.namespace !== this.#lastNamespace || meta.name !== this.#lastName) {
        eventName = composeEventName(meta);
        this.#lastNamespace = meta.namespace;
        this.#lastName = meta.name;
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
