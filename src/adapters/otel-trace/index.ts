/**
 * `mvx-common/otel-trace`: spans from `logInvocation` calls, and trace ids on log events.
 *
 * @module
 */
export { registerOtelTracing, OtelSpanAttribute } from './otel-tracing.ts';
export type { OtelTracingOptions } from './otel-tracing.ts';
export { createTraceCorrelationProvider } from './trace-correlation.ts';
