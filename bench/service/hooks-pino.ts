/**
 * The hand-written instrumentation users write today with pino and prom-client: per call an
 * `invoke` line and a `success`/`failed` line with the duration (the same fields the demo's
 * `logInvocation` events carry), JSON to a file through `pino.destination` (asynchronous, pino's
 * faster configuration to a real file in `npm run bench`), and prom-client counters and histograms
 * with the demo metrics' names, labels and buckets.
 */
import pino from 'pino';
import promClient from 'prom-client';
import { durationBuckets } from '../../examples/demo/metrics.ts';
import { isExpected } from './hand-service.ts';
import type { Hooks } from './hand-service.ts';

export interface PinoPromHooks {
  readonly hooks: Hooks;
  readonly registry: promClient.Registry;
  /** Writes what pino buffered; resolves when the file has it. */
  flush(): Promise<void>;
}

export function createPinoPromHooks(path: string, namespace: string): PinoPromHooks {
  const destination = pino.destination({ dest: path, sync: false, mkdir: true });
  const root = pino({ level: 'debug', base: undefined }, destination);
  const loggers = { http: root.child({ namespace: `${namespace}.http` }), storage: root.child({ namespace: `${namespace}.storage` }) };
  const registry = new promClient.Registry();
  const requests = new promClient.Counter({ name: 'http_server_requests_total', help: 'HTTP requests handled, by route, method, status code and outcome.', labelNames: ['route', 'method', 'status', 'outcome'], registers: [registry] });
  const duration = new promClient.Histogram({ name: 'http_server_duration_seconds', help: 'Time to handle an HTTP request.', labelNames: ['route', 'method'], buckets: durationBuckets(), registers: [registry] });
  const payload = new promClient.Histogram({ name: 'document_storage_payload_size_bytes', help: 'Size of document contents written to or read from the storage.', labelNames: ['operation'], registers: [registry] });
  const attempts = new promClient.Counter({ name: 'document_storage_attempts_total', help: 'Storage calls by outcome.', labelNames: ['operation', 'outcome'], registers: [registry] });

  const hooks: Hooks = {
    async call(spec, args, fn, result) {
      const log = loggers[spec.namespace];
      const base = { event: spec.event, entityId: spec.entityId, source: { functionName: spec.functionName } };
      log.debug({ ...base, outcome: 'invoke', payload: { args } });
      const started = performance.now();
      try {
        const value = await fn();
        const durationMs = performance.now() - started;
        const r = result?.(value);
        log[spec.successLevel]({ ...base, outcome: 'success', payload: r === undefined ? { durationMs } : { result: r, durationMs } });
        return value;
      } catch (err) {
        const durationMs = performance.now() - started;
        if (isExpected(err)) log.debug({ ...base, outcome: 'failed', payload: { durationMs } });
        else log.error({ ...base, outcome: 'failed', err, payload: { durationMs } });
        throw err;
      }
    },
    request(route, method, status, outcome, durationS) {
      requests.inc({ route, method, status, outcome });
      duration.observe({ route, method }, durationS);
    },
    attempt(operation, outcome) {
      attempts.inc({ operation, outcome });
    },
    payload(operation, bytes) {
      payload.observe({ operation }, bytes);
    },
  };
  return {
    hooks,
    registry,
    flush: () => new Promise((resolve) => destination.flush(() => resolve())),
  };
}
