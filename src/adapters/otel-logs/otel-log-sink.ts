/**
 * A log sink that hands every event to an OpenTelemetry Logger as one log record.
 */
import * as otelApi from '@opentelemetry/api';
import { context as contextApi, trace, type Context } from '@opentelemetry/api';
import { MvxConfigError } from '../../core/errors.ts';
import { reportDiagnostic } from '../../core/diagnostics.ts';
import { epochMsToHrTime } from '../../core/internal/hr-time.ts';
import { composeEventName, type LogEvent, type LogEventMeta } from '../../core/logger/event.ts';
import type { LifecycleOptions, LogSink } from '../../core/logger/sinks/log-sink.ts';
import { trackLiveSink, untrackLiveSink } from '../../core/logger/sinks/live-sinks.ts';
import { attributesOf } from './attributes.ts';
import { severityNumberOf, severityTextOf } from './severity.ts';

const COMPONENT = 'OtelLogSink';

/**
 * The log record this sink emits: the `LogRecord` of `@opentelemetry/api` ≥ 1.10 (and of
 * `@opentelemetry/api-logs` ≥ 0.212), written structurally so both lines fit.
 */
export interface OtelLogRecord {
  eventName?: string;
  /** Always an `HrTime` here: a small epoch-ms number would be read as a `performance.now()` offset. */
  timestamp?: otelApi.HrTime;
  severityNumber?: number;
  severityText?: string;
  body?: unknown;
  attributes?: Record<string, unknown>;
  exception?: unknown;
  context?: Context;
}

/**
 * The Logger surface the sink uses (`emit`, and `enabled` when the API has it, ≥ 0.215). `emit`
 * is declared with a loose record type that the `LogRecord` of both lines is assignable to:
 * `@opentelemetry/api-logs` 0.2xx types `body` and attributes as its own `AnyValue` union and
 * timestamps as `TimeInput`, so a Logger of sdk-logs 0.2xx did not type-check against
 * `emit(record: OtelLogRecord)` (api ≥ 1.10 types them `unknown`). The sink emits an {@link OtelLogRecord}.
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
  readonly exporter?: { abandon(): void };
  /**
   * Flush the provider when the process is about to exit naturally (`beforeExit`: the event loop
   * ran out of work), so records waiting in a `BatchLogRecordProcessor`, whose timer is unref'ed,
   * are exported instead of lost. For signals and `process.exit()`, pass the sink to
   * `installExitHandlers({ sinks: [sink] })`.
   * @default true
   */
  readonly flushOnExit?: boolean;
}

/** Counters of an {@link OtelLogSink}. */
export interface OtelLogSinkStats {
  /** Records handed to `logger.emit()`. */
  readonly emitted: number;
  /** Events skipped because `logger.enabled()` said no (severity filter, trace-based sampling, no SDK). */
  readonly disabled: number;
  /** Events dropped because mapping or `emit()` threw (each reported through the diagnostic channel). */
  readonly failed: number;
  /** Events dropped because the sink was shut down. */
  readonly afterShutdown: number;
}

type LogsApi = { getLogger(name: string, version?: string): OtelLoggerLike; getLoggerProvider(): OtelLoggerProviderLike };

/**
 * Turns each {@link LogEvent} into an OpenTelemetry log record:
 * `eventName` = the composed event name; `severityNumber`/`severityText` by the OTel ranges (see
 * `severity.ts`); `timestamp` = the event's time as `HrTime`; attributes = the payload plus
 * `mvx.*`, `code.*` and `exception.*` (see `attributes.ts`); `context` = the active context, or one
 * rebuilt from `event.correlation` when the event is delivered outside its span (behind a queue).
 *
 * `log()` is synchronous and never throws. It asks `logger.enabled({ severityNumber, eventName,
 * context })` first and does no mapping work when the answer is no.
 */
export class OtelLogSink implements LogSink {
  private readonly logger: OtelLoggerLike;
  private readonly provider: OtelLoggerProviderLike | undefined;
  private readonly ownsProvider: boolean;
  private readonly summaryBody: boolean;
  private readonly timeoutMs: number;
  private readonly exporter: { abandon(): void } | undefined;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private counts = { emitted: 0, disabled: 0, failed: 0, afterShutdown: 0 };
  private lastMeta: LogEventMeta | undefined;
  private lastEventName = '';
  private exitFlushing = false;
  private exitFlushedAt = 0;

  /** @throws MvxConfigError on an invalid option, or when no provider is given and the API has no logs API. */
  constructor(options: OtelLogSinkOptions = {}) {
    if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object');
    const name = options.loggerName ?? 'mvx-common';
    if (typeof name !== 'string' || name === '') throw new MvxConfigError('loggerName', 'must be a non-empty string');
    if (options.loggerVersion !== undefined && typeof options.loggerVersion !== 'string') {
      throw new MvxConfigError('loggerVersion', 'must be a string');
    }
    const body = options.body ?? 'summary';
    if (body !== 'summary' && body !== 'none') throw new MvxConfigError('body', `must be 'summary' or 'none', got ${JSON.stringify(body)}`);
    const timeoutMs = options.timeoutMs ?? 5000;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new MvxConfigError('timeoutMs', 'must be a finite number > 0');
    }
    const given = options.loggerProvider;
    if (given !== undefined) {
      if (given === null || typeof given !== 'object' || typeof given.getLogger !== 'function') {
        throw new MvxConfigError('loggerProvider', 'must be an OpenTelemetry LoggerProvider (an object with getLogger)');
      }
      this.logger = given.getLogger(name, options.loggerVersion);
      this.provider = given;
    } else {
      const logs = (otelApi as unknown as { logs?: LogsApi }).logs;
      if (logs === undefined) {
        throw new MvxConfigError(
          'loggerProvider',
          'is required with @opentelemetry/api < 1.10 (no built-in logs API): pass logs.getLoggerProvider() from @opentelemetry/api-logs',
        );
      }
      // A ProxyLogger: follows a global provider registered after this sink was made.
      this.logger = logs.getLogger(name, options.loggerVersion);
      this.provider = undefined;
    }
    if (this.logger === null || typeof this.logger !== 'object' || typeof this.logger.emit !== 'function') {
      throw new MvxConfigError('loggerProvider', 'getLogger() did not return a Logger with emit()');
    }
    const flushOnExit = options.flushOnExit ?? true;
    if (typeof flushOnExit !== 'boolean') throw new MvxConfigError('flushOnExit', 'must be a boolean');
    if (options.exporter !== undefined && (options.exporter === null || typeof options.exporter.abandon !== 'function')) {
      throw new MvxConfigError('exporter', 'must be a CountingLogRecordExporter (an object with abandon())');
    }
    this.exporter = options.exporter;
    this.ownsProvider = options.shutdownProvider ?? given !== undefined;
    this.summaryBody = body === 'summary';
    this.timeoutMs = timeoutMs;
    if (flushOnExit) trackLiveSink(this);
  }

  /**
   * Flushes the provider when records were emitted since the last exit flush. Called on
   * `beforeExit`; the export keeps the process up until it ends, then `beforeExit` comes again and
   * finds nothing new. Internal: not part of the public API.
   *
   * @internal
   */
  drainBeforeExit(): void {
    const emitted = this.counts.emitted;
    if (this.exitFlushing || emitted === this.exitFlushedAt || this.closed) return;
    this.exitFlushing = true;
    void this.flush().finally(() => {
      this.exitFlushing = false;
      this.exitFlushedAt = emitted;
    });
  }

  /**
   * Nothing can be exported synchronously on `exit`. Internal: not part of the public API.
   *
   * @internal
   */
  drainOnExit(): void {}

  /** Emits one event as a log record. Never throws. */
  log(event: LogEvent): void {
    if (this.closed) {
      this.counts.afterShutdown++;
      return;
    }
    try {
      const logger = this.logger;
      const severityNumber = severityNumberOf(event.level);
      // One-entry memo: events of one call site usually share their frozen meta object.
      const meta = event.meta;
      let eventName = this.lastEventName;
      if (meta !== this.lastMeta) {
        eventName = composeEventName(meta);
        this.lastMeta = meta;
        this.lastEventName = eventName;
      }
      const ctx = event.correlation === undefined ? contextApi.active() : correlatedContext(event.correlation);
      if (logger.enabled !== undefined && !logger.enabled({ severityNumber, eventName, context: ctx })) {
        this.counts.disabled++;
        return;
      }
      // One object literal with every field (body possibly undefined): one shape for the SDK's spread.
      logger.emit({
        eventName,
        timestamp: epochMsToHrTime(event.timestamp),
        severityNumber,
        severityText: severityTextOf(event.level),
        body: this.summaryBody ? (event.outcome === undefined ? eventName : `${eventName} ${event.outcome}`) : undefined,
        attributes: attributesOf(event),
        context: ctx,
      });
      this.counts.emitted++;
    } catch (error) {
      this.counts.failed++;
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
   * Flushes the provider (`forceFlush`), bounded by `timeoutMs`. Resolves `true` when the provider
   * finished in time, `false` on time-out or failure (reported); never rejects.
   */
  flush(options: LifecycleOptions = {}): Promise<boolean> {
    const provider = this.currentProvider();
    if (provider?.forceFlush === undefined) return Promise.resolve(true);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return bounded(() => provider.forceFlush!({ timeoutMillis: timeoutMs }), timeoutMs, 'flush');
  }

  /**
   * Stops accepting events (later ones are counted in `afterShutdown`), then flushes, and shuts the
   * provider down when the sink owns it (see `shutdownProvider`). Bounded, idempotent (same
   * promise), never rejects. When the bound is reached, the `exporter` option (if given) is
   * abandoned, so the SDK stops waiting on its queued exports. Nothing of the sink's own keeps the
   * process alive afterwards; what the SDK may still run is its export in flight (docs/otel.md).
   */
  shutdown(options: LifecycleOptions = {}): Promise<void> {
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;
    this.closed = true;
    untrackLiveSink(this);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const provider = this.currentProvider();
    this.shutdownPromise = (async () => {
      if (provider === undefined) return;
      let inTime = true;
      if (this.ownsProvider && provider.shutdown !== undefined) {
        inTime = await bounded(() => provider.shutdown!({ timeoutMillis: timeoutMs }), timeoutMs, 'shutdown');
      } else if (provider.forceFlush !== undefined) {
        inTime = await bounded(() => provider.forceFlush!({ timeoutMillis: timeoutMs }), timeoutMs, 'flush');
      }
      if (!inTime && this.exporter !== undefined) abandon(this.exporter);
    })();
    return this.shutdownPromise;
  }

  /** Counters since construction. */
  stats(): OtelLogSinkStats {
    return { ...this.counts };
  }

  private currentProvider(): OtelLoggerProviderLike | undefined {
    if (this.provider !== undefined) return this.provider;
    const logs = (otelApi as unknown as { logs?: LogsApi }).logs;
    return logs?.getLoggerProvider();
  }
}

/**
 * The context for an event that carries correlation ids: the active one when its span is the
 * event's (the usual, synchronous case), else a context rebuilt from the ids, so records delivered
 * behind a queue (outside the span's async scope) still carry the right trace and span ids.
 */
function correlatedContext(correlation: Readonly<Record<string, string>>): Context {
  const active = contextApi.active();
  const traceId = correlation['trace_id'];
  const spanId = correlation['span_id'];
  if (traceId === undefined || spanId === undefined) return active;
  const current = trace.getSpanContext(active);
  if (current !== undefined && current.spanId === spanId && current.traceId === traceId) return active;
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(correlation['trace_flags'] ?? '0', 16) || 0, isRemote: true };
  return otelApi.isSpanContextValid(spanContext) ? trace.setSpanContext(active, spanContext) : active;
}

async function bounded(op: () => Promise<unknown>, timeoutMs: number, what: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(op), timeout]);
    if (result === 'timeout') {
      reportDiagnostic({ component: COMPONENT, code: `${what}.timeout`, message: `the LoggerProvider ${what} did not finish within ${timeoutMs} ms` });
      return false;
    }
    return true;
  } catch (error) {
    reportDiagnostic({ component: COMPONENT, code: `${what}.failed`, message: `the LoggerProvider ${what} failed`, error });
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function abandon(exporter: { abandon(): void }): void {
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
