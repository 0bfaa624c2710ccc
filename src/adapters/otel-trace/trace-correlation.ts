/**
 * The log correlation provider: the active span's ids, as `LogEvent.correlation` carries them
 * (`trace_id`, `span_id`, `trace_flags`: the field names of the OTel log-correlation convention
 * used by instrumentation-pino/-winston/-bunyan).
 */
import { context, isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';
import type { LogCorrelationProvider } from '../../index.ts';

/** Creates a provider returning the active span's ids, or `undefined` outside a valid span. */
export function createTraceCorrelationProvider(): LogCorrelationProvider {
  // One-entry cache: events logged inside one span reuse one frozen record (no allocation).
  let lastSpanContext: SpanContext | undefined;
  let lastIds: Readonly<Record<string, string>> | undefined;
  return () => {
    const spanContext = trace.getSpanContext(context.active());
    if (spanContext === undefined) return undefined;
    if (spanContext === lastSpanContext) return lastIds;
    const ids = spanCorrelation(spanContext);
    lastSpanContext = spanContext;
    lastIds = ids;
    return ids;
  };
}

/**
 * The log correlation ids of a span context (`trace_id`, `span_id` as lower-case hex, `trace_flags`
 * as two hex digits, the W3C Trace Context forms), frozen; `undefined` for an invalid context.
 */
export function spanCorrelation(spanContext: SpanContext): Readonly<Record<string, string>> | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  return Object.freeze({
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0'),
  });
}
