/**
 * In-process harness for the cluster aggregation tests: each "worker" is a recorder and a reporter
 * on one end of a `MessageChannel`, the aggregator on the other end, with the worker's outgoing
 * messages recorded (and, on demand, held back or dropped) to test the protocol itself.
 */
import { MessageChannel } from 'node:worker_threads';
import type { ClusterMetricsAggregator } from '../../../../src/core/metrics/cluster/cluster-metrics-aggregator.ts';
import { createClusterMetricsReporter } from '../../../../src/core/metrics/cluster/cluster-metrics-reporter.ts';
import type { ClusterMetricsReporter, ClusterMetricsReporterOptions } from '../../../../src/core/metrics/cluster/cluster-metrics-reporter.ts';
import { SyncMetricsRecorder } from '../../../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import type { MetricAttributes, MetricSnapshot } from '../../../../src/core/metrics/types.ts';

export interface FakeWorker {
  readonly recorder: SyncMetricsRecorder<any>;
  readonly reporter: ClusterMetricsReporter;
  /** Every message the worker posted (reports), in order. */
  readonly sent: Record<string, any>[];
  /** Serialised size of each posted report (what process IPC would carry, without the newline). */
  readonly bytes: number[];
  /** Drop the next `n` reports (never delivered). */
  drop(n: number): void;
  /** Hold every report back until `release()`; `release(order)` delivers them in that order of indices. */
  hold(): void;
  release(order?: number[]): void;
  /** A crash: the channel closes, nothing more is sent (the reporter is not shut down). */
  crash(): void;
}

/** A fake worker attached to `aggregator`; `setup` registers its metrics. */
export function fakeWorker(
  aggregator: ClusterMetricsAggregator,
  setup: (r: SyncMetricsRecorder<any>) => void,
  options: ClusterMetricsReporterOptions = {},
): FakeWorker {
  const { port1, port2 } = new MessageChannel();
  aggregator.attach(port2);
  const sent: Record<string, any>[] = [];
  const bytes: number[] = [];
  let dropping = 0;
  let held: unknown[] | undefined;
  const post = port1.postMessage.bind(port1);
  port1.postMessage = (m: unknown): void => {
    const msg = m as Record<string, any>;
    if (msg.t === 'report') {
      sent.push(msg);
      bytes.push(JSON.stringify(msg).length);
      if (dropping > 0) {
        dropping--;
        return;
      }
      if (held !== undefined) {
        held.push(m);
        return;
      }
    }
    post(m);
  };
  const recorder = new SyncMetricsRecorder<any>();
  setup(recorder);
  const reporter = createClusterMetricsReporter(recorder, { intervalMs: 0, ...options, port: port1 });
  return {
    recorder,
    reporter,
    sent,
    bytes,
    drop: (n) => (dropping = n),
    hold: () => (held = []),
    release(order) {
      const list = held ?? [];
      held = undefined;
      for (const i of order ?? list.map((_, i) => i)) post(list[i]);
    },
    crash() {
      port1.close();
    },
  };
}

/** Waits for messages in flight on the ports (a few turns of the event loop). */
export async function settle(ms = 20): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Waits (bounded, 10 s) until `predicate()` holds; throws when it never does. The bound is no claim
 * about speed: it only ends a wait that will never succeed. A child process started on a 2-core
 * machine under load from other jobs took more than 5 s to report once.
 */
export async function until(predicate: () => boolean, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within 10 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The value of a number series (`undefined` when absent). */
export function valueOf(snaps: readonly MetricSnapshot[], metric: string, dim: string, attributes: MetricAttributes = {}): number | undefined {
  const d = snaps.find((s) => s.name === metric)?.dimensions.find((x) => x.name === dim);
  if (d === undefined || d.kind === 'histogram') return undefined;
  const key = JSON.stringify(Object.entries(attributes).sort());
  return d.series.find((s) => JSON.stringify(Object.entries(s.attributes).sort()) === key)?.value;
}

/** The series of a dimension, as `{ attributes: value }` lines, sorted. */
export function seriesOf(snaps: readonly MetricSnapshot[], metric: string, dim = ''): string[] {
  const d = snaps.find((s) => s.name === metric)?.dimensions.find((x) => x.name === dim);
  if (d === undefined) return [];
  return d.series
    .map((s) => `${JSON.stringify(s.attributes)} ${'value' in s ? s.value : `count=${s.count} sum=${s.sum} counts=${s.counts.join(',')}`}`)
    .sort();
}
