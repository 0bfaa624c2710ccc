/** The job metrics the StatsD exporter tests (unit and e2e) push: a counter and a ms histogram. */
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../../src/core/metrics/instruments/histogram-metric.ts';
import type { MetricsRecorder } from '../../../src/core/metrics/types.ts';

export interface JobEvent {
  type: 'job.done';
  queue: string;
  ms: number;
}

/**
 * Registers `jobs.done` (counter by `queue`) and `jobs.duration` (histogram of `ms`, unit `ms`,
 * buckets 10/100/1000) on `recorder`.
 */
export function registerJobMetrics(recorder: Pick<MetricsRecorder<any>, 'registerMetric'>): void {
  recorder.registerMetric(new CounterMetric<JobEvent>({ name: 'jobs.done', eventTypes: 'job.done', attributes: ['queue'] }));
  recorder.registerMetric(
    new HistogramMetric<JobEvent>({
      name: 'jobs.duration',
      unit: 'ms',
      eventTypes: 'job.done',
      buckets: [10, 100, 1000],
      value: (e) => e.ms,
    }),
  );
}
