/**
 * End to end against the real Etsy statsd daemon: known counts, gauges and timings pushed through a
 * real hot-shots client and the exporter, read back through the daemon's management interface.
 */
import { StatsD } from 'hot-shots';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsdExporter } from '../../src/adapters/statsd/index.ts';
import { configureDiagnostics } from '../../src/core/diagnostics.ts';
import { GaugeMetric } from '../../src/core/metrics/instruments/gauge-metric.ts';
import { HistogramMetric } from '../../src/core/metrics/instruments/histogram-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { registerJobMetrics, type JobEvent } from '../adapters/statsd/job-metrics.ts';
import { startStatsdDaemon, type StatsdDaemon } from './statsd-daemon.ts';

type AppEvent = JobEvent | { type: 'queue.depth'; depth: number } | { type: 'inflight'; delta: number };

let daemon: StatsdDaemon;

beforeAll(async () => {
  configureDiagnostics({ stderr: 'off' });
  daemon = await startStatsdDaemon();
});

afterAll(async () => {
  await daemon?.stop();
});

describe('StatsdExporter against the Etsy statsd daemon', () => {
  it('delivers exact counters, gauges and timers (aggregated and per-event) read back through the management port', async () => {
    const recorder = new AsyncMetricsRecorder<AppEvent>();
    registerJobMetrics(recorder);
    recorder.registerMetric(
      new GaugeMetric<Extract<AppEvent, { type: 'queue.depth' }>>({ name: 'queue.depth', eventTypes: 'queue.depth', value: (e) => e.depth }),
    );
    recorder.registerMetric(
      new GaugeMetric<Extract<AppEvent, { type: 'inflight' }>>({ name: 'inflight', eventTypes: 'inflight', mode: 'updown', value: (e) => e.delta }),
    );
    const source = recorder;
    const client = new StatsD({ host: '127.0.0.1', port: daemon.port, maxBufferSize: 1432 });
    const exporter = new StatsdExporter({ client, source, prefix: 'e2e' });

    const latency = new AsyncMetricsRecorder<JobEvent>();
    latency.registerMetric(
      new HistogramMetric<JobEvent>({ name: 'jobs.latency', unit: 's', eventTypes: 'job.done', buckets: [0.1, 1], value: (e) => e.ms / 1000 }),
    );
    const perEvent = new StatsdExporter({ client, source: latency, prefix: 'e2e', mode: 'per-event', closeClient: false });

    try {
      for (let i = 0; i < 1000; i++) recorder.emit({ type: 'job.done', queue: i % 4 === 0 ? 'a' : 'b', ms: 20 + (i % 3) * 10 });
      recorder.emit({ type: 'queue.depth', depth: 42.5 });
      recorder.emit({ type: 'inflight', delta: 10 });
      for (const ms of [3, 250, 1500]) latency.emit({ type: 'job.done', queue: 'q', ms });
      await latency.flush();
      await exporter.flush();

      // Second interval of our own, same daemon interval: counter deltas add up there.
      for (let i = 0; i < 7; i++) recorder.emit({ type: 'job.done', queue: 'a', ms: 5 });
      recorder.emit({ type: 'queue.depth', depth: 40 });
      recorder.emit({ type: 'inflight', delta: -13 });
      await exporter.flush();

      const counters = await daemon.waitFor<Record<string, number>>('counters', (c) => c['e2e.jobs.done;queue=a'] === 257);
      expect(counters['e2e.jobs.done;queue=a']).toBe(257);
      expect(counters['e2e.jobs.done;queue=b']).toBe(750);

      const g = await daemon.waitFor<Record<string, number>>('gauges', (v) => v['e2e.inflight'] === -3);
      expect(g['e2e.queue.depth']).toBe(40);
      // 10 then -3: sent as 0 then -3, because a bare '-3' would mean "decrease by 3" (→ 7).
      expect(g['e2e.inflight']).toBe(-3);

      const timers = await daemon.waitFor<Record<string, number[]>>('timers', (t) => (t['e2e.jobs.duration']?.length ?? 0) >= 1007 && (t['e2e.jobs.latency']?.length ?? 0) >= 3);
      const duration = timers['e2e.jobs.duration']!;
      // Exact count; all 1000 first values in one bucket (10, 100] → their exact mean 29.97, then 7 × 5.
      expect(duration).toHaveLength(1007);
      const firstMean = (334 * 20 + 333 * 30 + 333 * 40) / 1000;
      expect(duration.filter((v) => v === firstMean)).toHaveLength(1000);
      expect(duration.filter((v) => v === 5)).toHaveLength(7);
      // Per-event: the exact observations, seconds converted to milliseconds.
      expect(timers['e2e.jobs.latency']).toEqual([3, 250, 1500]);

      expect(exporter.stats().sendErrors).toBe(0);
    } finally {
      await perEvent.close();
      await exporter.close();
      await recorder.stop();
      await latency.stop();
    }
  });
});
