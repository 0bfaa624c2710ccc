/**
 * Spans from `logInvocation`: an invocation observer that opens one span per observed call. The
 * span attributes come from `toSpanAttributes` / `toSpanOutcome` (`span-attributes.ts`); this file
 * keeps the registration, the span's lifecycle and the counts.
 */
import { context, SpanKind, trace, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import {
  checkBoolean,
  checkInteger,
  checkObjectWith,
  lifecycleReport,
  Once,
  reportDiagnostic,
  type DeliveryStats,
  type LifecycleOptions,
  type LifecycleReport,
} from '../../adapter-kit/index.ts';
import { addInvocationObserver, composeEventName, getLogCorrelationProvider, MvxConfigError, setLogCorrelationProvider } from '../../index.ts';
import type { InvocationEnd, InvocationObserver, InvocationScope, InvocationStart, LogContext, LogCorrelationProvider, LogEventMeta } from '../../index.ts';
import { toSpanAttributes, toSpanOutcome, type FlattenLimits } from './span-attributes.ts';
import { createTraceCorrelationProvider, spanCorrelation } from './trace-correlation.ts';

const COMPONENT = 'OtelTracing';

/** Options of {@link registerOtelTracing}. */
export interface OtelTracingOptions {
  /** The Tracer to start spans with. Takes precedence over `tracerProvider`. */
  readonly tracer?: Tracer;
  /**
   * The TracerProvider to get the Tracer from (`getTracer('mvx-common')`). Default: the global
   * one (`trace.getTracer`, which follows a provider registered later).
   */
  readonly tracerProvider?: TracerProvider;
  /** Observe only calls logging through this LogContext or below it. @default every call */
  readonly context?: LogContext;
  /**
   * Register the log correlation provider, so every log event built inside an active span carries
   * `correlation: { trace_id, span_id, trace_flags }` (one provider per process: the previous one
   * is restored on unregister, if it was not replaced meanwhile).
   * @default true
   */
  readonly correlation?: boolean;
  /**
   * Also call `span.recordException(error)` on `failed` (a span event named `exception`). Off by
   * default: OpenTelemetry is deprecating span events for exceptions in favour of log records
   * correlated with the span, which is what the `failed` log event becomes through `OtelLogSink`.
   * @default false
   */
  readonly recordException?: boolean;
  /** Maximum attributes taken from the invoke payload. @default 64 */
  readonly maxAttributes?: number;
  /** Maximum object depth flattened into dotted keys (`args.doc.id` is depth 3); deeper values become JSON text. @default 6 */
  readonly maxAttributeDepth?: number;
  /** Maximum length of a value written as JSON text. @default 1024 */
  readonly maxJsonLength?: number;
}

/**
 * Counters of a tracing registration, in spans: `accepted = delivered + dropped + failed + pending`.
 */
export interface OtelTracingStats extends DeliveryStats {
  /** Spans started (one per observed call). */
  readonly accepted: number;
  /** Spans ended (handed to the SDK's span processor), with their outcome set. */
  readonly delivered: number;
  /** Always 0: every started span is ended. */
  readonly dropped: number;
  /** Spans ended whose outcome could not be set (reported; the span was ended anyway). */
  readonly failed: number;
  /** Spans of calls still running. */
  readonly pending: number;
}

/**
 * A live registration: `shutdown()` stops it. Calling it as a function, as the unregister function
 * `registerOtelTracing()` used to return, does the same.
 */
export interface OtelTracing {
  /** @deprecated Call `shutdown()`: same effect (kept for one release). */
  (): void;
  /** Nothing to deliver (spans are ended as calls end): resolves at once with the counters. */
  flush(options?: LifecycleOptions): Promise<LifecycleReport & OtelTracingStats>;
  /**
   * Stops observing calls (spans of calls still running are ended when they end) and restores the
   * previous log correlation provider if it was not replaced meanwhile. Synchronous work;
   * idempotent (the same promise); never rejects.
   */
  shutdown(options?: LifecycleOptions): Promise<LifecycleReport & OtelTracingStats>;
  /** Counters since registration. */
  stats(): OtelTracingStats;
}

/**
 * Turns `logInvocation` calls into spans until {@link OtelTracing.shutdown}.
 *
 * Each observed call gets a span: name = the composed event name (`namespace.event`), kind
 * INTERNAL, parent = the active span; attributes = the normalised invoke payload flattened
 * (`kwargs.id`), `mvx.namespace`, `mvx.entity_id`, `code.function.name`, and at the end
 * `mvx.outcome`. The span is active while the call runs (nested calls become children) and always
 * ended: at return, or when a returned promise settles.
 *
 * Outcomes: `success` leaves the status UNSET (instrumentation should not set OK); `failed` sets
 * status ERROR with the error's message, `error.type`, `exception.type` and `exception.message`
 * (the stack trace is in the `failed` log record); `cancelled` leaves the status UNSET and sets
 * `mvx.outcome=cancelled`: a cancellation is the caller's decision (an abort, a time-out upstream),
 * not a failure of the operation, and counting it as an error would inflate error rates.
 *
 * Each registration adds one observer: registering twice gives two spans per call (shut the
 * first one down, or give each a distinct `context` subtree).
 *
 * @throws MvxConfigError on an invalid option.
 */
export function registerOtelTracing(options: OtelTracingOptions = {}): OtelTracing {
  if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object');
  const tracer = resolveTracer(options);
  const limits: FlattenLimits = {
    maxAttributes: checkInteger('maxAttributes', options.maxAttributes, { min: 1, default: 64 }),
    maxDepth: checkInteger('maxAttributeDepth', options.maxAttributeDepth, { min: 1, default: 6 }),
    maxJsonLength: checkInteger('maxJsonLength', options.maxJsonLength, { min: 1, default: 1024 }),
  };
  const recordException = checkBoolean('recordException', options.recordException, false);
  const correlation = checkBoolean('correlation', options.correlation, true);

  const counts = { started: 0, ended: 0, failed: 0 };
  // One-entry memo of the span name: calls of one decorated function share their frozen meta.
  let lastMeta: LogEventMeta | undefined;
  let lastName = '';
  const observer: InvocationObserver = {
    start: (start) => {
      if (start.meta !== lastMeta) {
        lastMeta = start.meta;
        lastName = composeEventName(start.meta);
      }
      counts.started++;
      return startSpan(tracer, lastName, start, limits, recordException, correlation, counts);
    },
  };
  const removeObserver = addInvocationObserver(observer, options.context === undefined ? {} : { context: options.context });

  let provider: LogCorrelationProvider | undefined;
  let previous: LogCorrelationProvider | undefined;
  if (correlation) {
    previous = getLogCorrelationProvider();
    provider = createTraceCorrelationProvider();
    setLogCorrelationProvider(provider);
  }
  const stats = (): OtelTracingStats => ({
    accepted: counts.started,
    delivered: counts.ended - counts.failed,
    dropped: 0,
    failed: counts.failed,
    pending: counts.started - counts.ended,
  });
  const shutdown = new Once(() => {
    removeObserver();
    if (provider !== undefined && getLogCorrelationProvider() === provider) setLogCorrelationProvider(previous);
    return lifecycleReport(stats(), false);
  });
  const handle = (() => void shutdown.call()) as OtelTracing;
  handle.flush = () => Promise.resolve(lifecycleReport(stats(), false));
  handle.shutdown = () => shutdown.call();
  handle.stats = stats;
  return handle;
}

function resolveTracer(options: OtelTracingOptions): Tracer {
  if (options.tracer !== undefined) return checkObjectWith<Tracer>('tracer', options.tracer, ['startSpan'], 'an OpenTelemetry Tracer');
  if (options.tracerProvider !== undefined) {
    return checkObjectWith<TracerProvider>('tracerProvider', options.tracerProvider, ['getTracer'], 'an OpenTelemetry TracerProvider').getTracer('mvx-common');
  }
  return trace.getTracer('mvx-common');
}

function startSpan(
  tracer: Tracer,
  name: string,
  start: InvocationStart,
  limits: FlattenLimits,
  recordException: boolean,
  correlate: boolean,
  counts: { ended: number; failed: number },
): InvocationScope {
  const parent = context.active();
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: toSpanAttributes(start, limits) }, parent);
  let ended = false;
  return {
    // The call's own invoke and outcome events carry this span's ids (not the enclosing span's).
    correlation: correlate ? spanCorrelation(span.spanContext()) : undefined,
    run: <T>(fn: () => T): T => context.with(trace.setSpan(context.active(), span), fn),
    end: (end: InvocationEnd): void => {
      if (ended) return;
      ended = true;
      counts.ended++;
      try {
        finish(span, end, recordException);
      } catch (error) {
        counts.failed++;
        reportDiagnostic({ component: COMPONENT, code: 'span.end-failed', message: 'setting the span outcome failed; the span was ended', error });
      }
      span.end();
    },
  };
}

function finish(span: Span, end: InvocationEnd, recordException: boolean): void {
  const outcome = toSpanOutcome(end);
  span.setAttributes(outcome.attributes);
  if (outcome.status === undefined) return;
  span.setStatus(outcome.status);
  if (recordException && outcome.exception !== undefined && typeof span.recordException === 'function') span.recordException(outcome.exception);
}
