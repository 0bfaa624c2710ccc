/**
 * The demo's metrics: how the service's facts (metric events) become measurements.
 * The service only emits events; these definitions are the only place that knows about counters.
 */
import { AsyncMetricsRecorder, CounterMetric, HistogramMetric, OutcomeCounterMetric } from 'mvx-common';
import type { DemoMetricEvent } from './service.ts';
import { DEFAULT_LATENCY } from './storage.ts';
import type { StorageLatency } from './storage.ts';

/**
 * Bucket bounds (seconds) of `http.server.duration`, fitted to the storage's latency model: the
 * default bounds (5, 10, 25 ms, ... 250, 500 ms) put most requests in two buckets and every
 * time-out in (250, 500] ms, so a p99 read from them was the maximum in most runs. Here: 1 ms
 * steps through the typical latencies, then coarser steps, and fine ones just above the time-out,
 * where the slowest 1-2 % of the requests end.
 */
export function durationBuckets(latency: StorageLatency = DEFAULT_LATENCY): number[] {
  const ms = new Set<number>();
  for (let v = 1; v <= latency.maxMs + 5; v++) ms.add(v);
  for (const v of [25, 30, 40, 50, 75, 100, 150, 200]) if (v < latency.timeoutMs) ms.add(v);
  for (const d of [0, 1, 2, 3, 5, 10, 25, 50, 100, 250, 750]) ms.add(latency.timeoutMs + d);
  return [...ms].sort((a, b) => a - b).map((v) => v / 1000);
}

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
      buckets: durationBuckets(),
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
