/**
 * The demo's metrics: how the service's facts (metric events) become measurements.
 * The service only emits events; these definitions are the only place that knows about counters.
 */
import { AsyncMetricsRecorder, CounterMetric, HistogramMetric, OutcomeCounterMetric } from 'mvx-common';
import type { DemoMetricEvent } from './service.ts';

/** Creates the recorder with every demo metric registered. */
export function createDemoMetrics(): AsyncMetricsRecorder<DemoMetricEvent> {
  const recorder = new AsyncMetricsRecorder<DemoMetricEvent>({ id: 'demo' });
  recorder.registerMetric(
    new CounterMetric<DemoMetricEvent>({
      name: 'http.server.requests',
      description: 'HTTP requests handled, by route, method, status code and outcome.',
      eventTypes: 'http.request',
      attributes: ['route', 'method', 'status', 'outcome'],
    }),
  );
  recorder.registerMetric(
    new HistogramMetric<DemoMetricEvent & { type: 'http.request' }>({
      name: 'http.server.duration',
      description: 'Time to handle an HTTP request, from the first byte read to the last byte written.',
      unit: 's',
      eventTypes: 'http.request',
      value: (e) => e.durationS,
      attributes: ['route', 'method'],
    }),
  );
  recorder.registerMetric(
    new HistogramMetric<DemoMetricEvent & { type: 'document_storage.payload' }>({
      name: 'document_storage.payload.size',
      description: 'Size of document contents written to or read from the storage.',
      unit: 'By',
      eventTypes: 'document_storage.payload',
      value: (e) => e.bytes,
      attributes: ['operation'],
    }),
  );
  recorder.registerMetric(
    new OutcomeCounterMetric<DemoMetricEvent>({
      name: 'document_storage.attempts',
      description: 'Storage calls by outcome (the seeds attempts metric: total plus one counter per outcome).',
      eventTypes: 'document_storage.attempt',
      outcomes: ['success', 'failure', 'timeout', 'cancelled'],
      attributes: ['operation'],
    }),
  );
  return recorder;
}
