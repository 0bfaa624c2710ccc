/**
 * Spans from `logInvocation`: an invocation observer that opens one span per observed call.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { MvxConfigError } from '../../core/errors.ts';
import { reportDiagnostic } from '../../core/diagnostics.ts';
import type { LogContext } from '../../core/logger/context/log-context.ts';
import { getLogCorrelationProvider, setLogCorrelationProvider, type LogCorrelationProvider } from '../../core/logger/correlation.ts';
import { composeEventName, type LogEventMeta } from '../../core/logger/event.ts';
import {
  addInvocationObserver,
  type InvocationEnd,
  type InvocationObserver,
  type InvocationScope,
  type InvocationStart,
} from '../../core/logger/invocation/observers.ts';
import { flattenPayload, type FlattenLimits } from './span-attributes.ts';
import { createTraceCorrelationProvider, spanCorrelation } from './trace-correlation.ts';

const COMPONENT = 'OtelTracing';

/** Attribute names set on spans besides the flattened invoke payload. */
export const OtelSpanAttribute = {
  NAMESPACE: 'mvx.namespace',
  ENTITY_ID: 'mvx.entity_id',
  OUTCOME: 'mvx.outcome',
  /** Invoke-payload attributes that did not fit `maxAttributes`. */
  ATTRIBUTES_DROPPED: 'mvx.attributes_dropped',
  CODE_FUNCTION_NAME: 'code.function.name',
  /** Semantic convention: the class of error the operation ended with (set on `failed`). */
  ERROR_TYPE: 'error.type',
  EXCEPTION_TYPE: 'exception.type',
  EXCEPTION_MESSAGE: 'exception.message',
} as const;

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
 * Turns `logInvocation` calls into spans and returns a function that stops it (idempotent).
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
 * Each registration adds one observer: registering twice gives two spans per call (unregister
 * the first one, or give each a distinct `context` subtree).
 *
 * @throws MvxConfigError on an invalid option.
 */
export function registerOtelTracing(options: OtelTracingOptions = {}): () => void {
  if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object');
  const tracer = resolveTracer(options);
  const limits: FlattenLimits = {
    maxAttributes: positiveInt(options.maxAttributes, 64, 'maxAttributes'),
    maxDepth: positiveInt(options.maxAttributeDepth, 6, 'maxAttributeDepth'),
    maxJsonLength: positiveInt(options.maxJsonLength, 1024, 'maxJsonLength'),
  };
  const recordException = options.recordException ?? false;
  if (typeof recordException !== 'boolean') throw new MvxConfigError('recordException', 'must be a boolean');
  const correlation = options.correlation ?? true;
  if (typeof correlation !== 'boolean') throw new MvxConfigError('correlation', 'must be a boolean');

  // One-entry memo of the span name: calls of one decorated function share their frozen meta.
  let lastMeta: LogEventMeta | undefined;
  let lastName = '';
  const observer: InvocationObserver = {
    start: (start) => {
      if (start.meta !== lastMeta) {
        lastMeta = start.meta;
        lastName = composeEventName(start.meta);
      }
      return startSpan(tracer, lastName, start, limits, recordException, correlation);
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
  let done = false;
  return () => {
    if (done) return;
    done = true;
    removeObserver();
    if (provider !== undefined && getLogCorrelationProvider() === provider) setLogCorrelationProvider(previous);
  };
}

function resolveTracer(options: OtelTracingOptions): Tracer {
  if (options.tracer !== undefined) {
    const t = options.tracer;
    if (t === null || typeof t !== 'object' || typeof t.startSpan !== 'function') throw new MvxConfigError('tracer', 'must be an OpenTelemetry Tracer');
    return t;
  }
  if (options.tracerProvider !== undefined) {
    const p = options.tracerProvider;
    if (p === null || typeof p !== 'object' || typeof p.getTracer !== 'function') {
      throw new MvxConfigError('tracerProvider', 'must be an OpenTelemetry TracerProvider');
    }
    return p.getTracer('mvx-common');
  }
  return trace.getTracer('mvx-common');
}

function positiveInt(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new MvxConfigError(option, 'must be an integer >= 1');
  return value;
}

function startSpan(
  tracer: Tracer,
  name: string,
  start: InvocationStart,
  limits: FlattenLimits,
  recordException: boolean,
  correlate: boolean,
): InvocationScope {
  const meta = start.meta;
  const attributes: Attributes = {};
  if (meta.namespace) attributes[OtelSpanAttribute.NAMESPACE] = meta.namespace;
  if (meta.entityId !== undefined) attributes[OtelSpanAttribute.ENTITY_ID] = meta.entityId;
  const fn = meta.source?.functionName;
  if (fn !== undefined) attributes[OtelSpanAttribute.CODE_FUNCTION_NAME] = fn;
  if (start.invokePayload !== undefined) {
    const dropped = flattenPayload(start.invokePayload, attributes, limits);
    if (dropped > 0) attributes[OtelSpanAttribute.ATTRIBUTES_DROPPED] = dropped;
  }
  const parent = context.active();
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
  let ended = false;
  return {
    // The call's own invoke and outcome events carry this span's ids (not the enclosing span's).
    correlation: correlate ? spanCorrelation(span.spanContext()) : undefined,
    run: <T>(fn: () => T): T => context.with(trace.setSpan(context.active(), span), fn),
    end: (end: InvocationEnd): void => {
      if (ended) return;
      ended = true;
      try {
        finish(span, end, recordException);
      } catch (error) {
        reportDiagnostic({ component: COMPONENT, code: 'span.end-failed', message: 'setting the span outcome failed; the span was ended', error });
      }
      span.end();
    },
  };
}

function finish(span: Span, end: InvocationEnd, recordException: boolean): void {
  span.setAttribute(OtelSpanAttribute.OUTCOME, end.outcome);
  if (end.outcome !== 'failed') return;
  const { type, message } = describeError(end.error);
  span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
  span.setAttribute(OtelSpanAttribute.ERROR_TYPE, type);
  span.setAttribute(OtelSpanAttribute.EXCEPTION_TYPE, type);
  if (message !== undefined) span.setAttribute(OtelSpanAttribute.EXCEPTION_MESSAGE, message);
  if (recordException && typeof span.recordException === 'function') {
    span.recordException(end.error instanceof Error ? end.error : { name: type, ...(message === undefined ? {} : { message }) });
  }
}

/** The error's class name (semconv `error.type`: low cardinality, `_OTHER` when unknown) and message. */
function describeError(error: unknown): { type: string; message: string | undefined } {
  if (error instanceof Error) return { type: error.name || error.constructor.name || '_OTHER', message: error.message || undefined };
  if (typeof error === 'string') return { type: '_OTHER', message: error };
  if (error !== null && typeof error === 'object') {
    const e = error as { name?: unknown; message?: unknown };
    return {
      type: typeof e.name === 'string' && e.name !== '' ? e.name : '_OTHER',
      message: typeof e.message === 'string' ? e.message : undefined,
    };
  }
  return { type: '_OTHER', message: error === undefined ? undefined : safeString(error) };
}

function safeString(value: unknown): string | undefined {
  try {
    return String(value);
  } catch {
    return undefined;
  }
}
