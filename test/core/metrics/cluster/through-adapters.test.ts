/**
 * The aggregator is a MetricsSource like a recorder: the Prometheus bridge, the OpenTelemetry
 * metrics bridge and the StatsD exporter read it unchanged, each giving one view of the group.
 */
import { StatsD } from 'hot-shots';
import { Registry } from 'prom-client';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { HistogramMetricData, SumMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { OtelMetricsBridge } from '../../../../src/adapters/otel-metrics/index.ts';
import { createPrometheusBridge } from '../../../../src/adapters/prometheus/index.ts';
import { StatsdExporter } from '../../../../src/adapters/statsd/index.ts';
import { ClusterMetricsAggregator } from '../../../../src/core/metrics/cluster/cluster-metrics-aggregator.ts';
import { CounterMetric } from '../../../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../../../src/core/metrics/instruments/histogram-metric.ts';
import type { SyncMetricsRecorder } from '../../../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import { startUdpReceiver } from '../../../adapters/statsd/udp-receiver.ts';
import { fakeWorker, until } from './in-process.ts';
import type { FakeWorker } from './in-process.ts';

const setup = (r: SyncMetricsRecorder<any>): void => {
  r.registerMetric(new CounterMetric({ name: 'jobs', eventTypes: 'job', attributes: ['q'] }));
  r.registerMetric(new HistogramMetric<any>({ name: 'latency', unit: 's', eventTypes: 'job', value: (e) => e.s, buckets: [0.1, 1] }));
};

function group(): { agg: ClusterMetricsAggregator; a: FakeWorker; b: FakeWorker } {
  const agg = new ClusterMetricsAggregator();
  const a = fakeWorker(agg, setup);
  const b = fakeWorker(agg, setup);
  for (let i = 0; i < 3; i++) a.recorder.emit({ type: 'job', q: 'x', s: 0.05 });
  for (let i = 0; i < 2; i++) b.recorder.emit({ type: 'job', q: 'x', s: 0.5 });
  return { agg, a, b };
}

describe('the aggregator through the existing adapters', () => {
  it('Prometheus: one scrape for the group, collected before it is rendered', async () => {
    const { agg, a } = group();
    await agg.flush(); // the first collection defines the workers' metrics
    const registry = new Registry();
    createPrometheusBridge(agg, { registry });
    a.recorder.emit({ type: 'job', q: 'x', s: 5 });
    const text = await registry.metrics(); // the bridge's flush collects from the workers first
    const lines = text.split('\n').filter((l) => /^(jobs|latency|mvx_cluster_workers_connected)/.test(l));
    expect(lines).toEqual([
      'jobs_total{q="x"} 6',
      'latency_seconds_bucket{le="0.1"} 3',
      'latency_seconds_bucket{le="1"} 5',
      'latency_seconds_bucket{le="+Inf"} 6',
      'latency_seconds_sum 6.15',
      'latency_seconds_count 6',
      'mvx_cluster_workers_connected 2',
    ]);
  });

  it('OpenTelemetry: one export for the group, with a stable start time', async () => {
    const { agg, a } = group();
    await agg.flush(); // the first collection defines the workers' metrics
    const bridge = new OtelMetricsBridge({ source: agg });
    const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000, metricProducers: [bridge] });
    const provider = new MeterProvider({ readers: [reader] });
    bridge.bindMeter(provider.getMeter('cluster'));
    const read = async (): Promise<{ jobs: SumMetricData; latency: HistogramMetricData }> => {
      const { resourceMetrics } = await reader.collect();
      const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      return { jobs: all.find((m) => m.descriptor.name === 'jobs') as SumMetricData, latency: all.find((m) => m.descriptor.name === 'latency') as HistogramMetricData };
    };
    const first = await read();
    expect(first.jobs.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ q: 'x' }, 5]]);
    expect(first.latency.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(first.latency.dataPoints[0]!.value).toMatchObject({ count: 5, buckets: { boundaries: [0.1, 1], counts: [3, 2, 0] } });
    a.crash(); // its counts stay
    await until(() => agg.stats().workers.exited === 1);
    const second = await read();
    expect(second.jobs.dataPoints[0]!.value).toBe(5);
    expect(second.jobs.dataPoints[0]!.startTime).toEqual(first.jobs.dataPoints[0]!.startTime);
    await provider.shutdown();
  });

  it('StatsD: one push for the group; a worker that crashes between two pushes is neither lost nor counted twice', async () => {
    const receiver = await startUdpReceiver();
    const { agg, a, b } = group();
    const client = new StatsD({ host: '127.0.0.1', port: receiver.port });
    const exporter = new StatsdExporter({ client, source: agg, flushIntervalMs: 3_600_000 });
    await exporter.flush();
    a.crash();
    await until(() => agg.stats().workers.exited === 1, 'the crash being seen');
    b.recorder.emit({ type: 'job', q: 'x', s: 0.5 });
    await exporter.flush();
    await exporter.close();
    const increments = (await receiver.waitFor((l) => l.filter((x) => x.startsWith('jobs:')).length >= 2)).filter((l) => l.startsWith('jobs:'));
    expect(increments).toEqual(['jobs:5|c|#q:x', 'jobs:1|c|#q:x']);
    await receiver.close();
  });
});
