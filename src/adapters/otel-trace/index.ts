/**
 * `mvx-common/otel-trace`: spans from `logInvocation` calls, and trace ids on log events.
 *
 * The span attributes of a call are {@link toSpanAttributes} and {@link toSpanOutcome}
 * (`span-attributes.ts`).
 *
 * @module
 */
export { registerOtelTracing } from './otel-tracing.ts';
export type { OtelTracing, OtelTracingOptions, OtelTracingStats } from './tracing-options.ts';
export { OtelSpanAttribute, toSpanAttributes, toSpanOutcome } from './span-attributes.ts';
export type { FlattenLimits, SpanOutcome } from './span-attributes.ts';
export { createTraceCorrelationProvider } from './trace-correlation.ts';
