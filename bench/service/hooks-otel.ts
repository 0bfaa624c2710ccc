/**
 * The same information as the demo's instrumentation sent through the OpenTelemetry SDK by hand:
 * per call a span (the demo's `registerOtelTracing` attributes) and two log records (`invoke`,
 * then `success`/`failed` with the duration, the attributes `OtelLogSink` writes), and the demo
 * metrics as OTel instruments with the same names, attributes and buckets.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { durationBuckets } from '../../examples/demo/metrics.ts';
import { isExpected } from './hand-service.ts';
import type { Hooks } from './hand-service.ts';
import type { OtelPipeline } from './otel-pipeline.ts';

const SEVERITY = { debug: { severityNumber: 5, severityText: 'DEBUG' }, info: { severityNumber: 9, severityText: 'INFO' }, error: { severityNumber: 17, severityText: 'ERROR' } };

export function createOtelHooks(pipeline: OtelPipeline, namespace: string): Hooks {
  const logger = pipeline.loggerProvider.getLogger('bench-service');
  const tracer = pipeline.tracerProvider.getTracer('bench-service');
  const meter = pipeline.meterProvider.getMeter('bench-service');
  const requests = meter.createCounter('http.server.requests', { description: 'HTTP requests handled, by route, method, status code and outcome.' });
  const duration = meter.createHistogram('http.server.duration', { unit: 's', description: 'Time to handle an HTTP request.', advice: { explicitBucketBoundaries: durationBuckets() } });
  const payload = meter.createHistogram('document_storage.payload.size', { unit: 'By', description: 'Size of document contents written to or read from the storage.' });
  const attempts = meter.createCounter('document_storage.attempts', { description: 'Storage calls by outcome.' });
  const namespaces = { http: `${namespace}.http`, storage: `${namespace}.storage` };

  return {
    call(spec, args, fn, result) {
      const base: Attributes = { 'mvx.namespace': namespaces[spec.namespace], 'code.function.name': spec.functionName };
      if (spec.entityId !== undefined) base['mvx.entity_id'] = spec.entityId;
      return tracer.startActiveSpan(spec.event, { kind: SpanKind.INTERNAL, attributes: base }, async (span) => {
        logger.emit({ eventName: spec.event, ...SEVERITY.debug, body: `${spec.event} invoke`, attributes: { ...base, 'mvx.outcome': 'invoke', args } as Attributes });
        const started = performance.now();
        try {
          const value = await fn();
          const durationMs = performance.now() - started;
          const r = result?.(value);
          const attributes = { ...base, 'mvx.outcome': 'success', durationMs, ...(r === undefined ? {} : { result: r }) } as Attributes;
          logger.emit({ eventName: spec.event, ...SEVERITY[spec.successLevel], body: `${spec.event} success`, attributes });
          span.setAttribute('mvx.outcome', 'success');
          return value;
        } catch (err) {
          const durationMs = performance.now() - started;
          const expected = isExpected(err);
          const attributes: Attributes = { ...base, 'mvx.outcome': 'failed', durationMs };
          if (!expected) {
            attributes['exception.type'] = (err as Error)?.name;
            attributes['exception.message'] = (err as Error)?.message;
            span.recordException(err as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          logger.emit({ eventName: spec.event, ...(expected ? SEVERITY.debug : SEVERITY.error), body: `${spec.event} failed`, attributes });
          span.setAttribute('mvx.outcome', 'failed');
          throw err;
        } finally {
          span.end();
        }
      });
    },
    request(route, method, status, outcome, durationS) {
      requests.add(1, { route, method, status, outcome });
      duration.record(durationS, { route, method });
    },
    attempt(operation, outcome) {
      attempts.add(1, { operation, outcome });
    },
    payload(operation, bytes) {
      payload.record(bytes, { operation });
    },
  };
}
