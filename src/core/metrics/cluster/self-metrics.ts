/**
 * The aggregator's own metrics: how many workers are connected, how many answered the latest
 * collection, how many have exited, how stale each worker's values are, and how often a full
 * report had to be asked for. Served with the group's metrics, so a scrape shows its own health.
 */
import type { MetricSnapshot } from '../types.ts';

/** What the self metrics are made from. */
export interface SelfMetricsInput {
  readonly startTimeMs: number;
  readonly now: number;
  readonly workerAttribute: string;
  readonly connected: number;
  readonly answering: number;
  readonly exited: number;
  readonly resyncs: number;
  /** `[worker name, seconds since its last report]` per live worker that reported. */
  readonly ages: readonly (readonly [string, number])[];
}

/**
 * `mvx.cluster.workers` (`connected`, `answering`: gauges; `exited`: counter),
 * `mvx.cluster.worker.report_age` (seconds, by worker), `mvx.cluster.resyncs` (counter). In
 * Prometheus: `mvx_cluster_workers_connected`, `mvx_cluster_workers_answering`,
 * `mvx_cluster_workers_exited_total`, `mvx_cluster_worker_report_age_seconds{worker="…"}`,
 * `mvx_cluster_resyncs_total`.
 */
export function selfMetricSnapshots(i: SelfMetricsInput): MetricSnapshot[] {
  const one = (value: number) => [{ attributes: {}, value }];
  return [
    {
      name: 'mvx.cluster.workers',
      description: 'Workers of the cluster metrics aggregation',
      startTimeMs: i.startTimeMs,
      timeMs: i.now,
      dimensions: [
        { name: 'connected', kind: 'gauge', description: 'Workers attached and alive', series: one(i.connected) },
        { name: 'answering', kind: 'gauge', description: 'Live workers that answered the latest collection in time', series: one(i.answering) },
        { name: 'exited', kind: 'counter', description: 'Workers that exited, crashed, said goodbye or were detached', series: one(i.exited) },
      ],
    },
    {
      name: 'mvx.cluster.worker.report_age',
      description: "Seconds since each live worker's last report (its values are that old)",
      unit: 's',
      startTimeMs: i.startTimeMs,
      timeMs: i.now,
      dimensions: [{ name: '', kind: 'gauge', series: i.ages.map(([name, age]) => ({ attributes: { [i.workerAttribute]: name }, value: age })) }],
    },
    {
      name: 'mvx.cluster.resyncs',
      description: 'Full reports asked of workers after a lost, reordered or malformed report',
      startTimeMs: i.startTimeMs,
      timeMs: i.now,
      dimensions: [{ name: '', kind: 'counter', series: one(i.resyncs) }],
    },
  ];
}
