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
} from '../../adapter-kit/index.ts';
import { addInvocationObserver, composeEventName, getLogCorrelationProvider, MvxConfigError, setLogCorrelationProvider } from '../../index.ts';
import type { InvocationEnd, InvocationObserver, InvocationScope, InvocationStart, LogCorrelationProvider, LogEventMeta } from '../../index.ts';
import { toSpanAttributes, toSpanOutcome, type FlattenLimits } from './span-attributes.ts';
import { createTraceCorrelationProvider, spanCorrelation } from './trace-correlation.ts';
import type { OtelTracing, OtelTracingOptions, OtelTracingStats } from './tracing-options.ts';

const COMPONENT = 'OtelTracing';

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
