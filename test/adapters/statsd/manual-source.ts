/**
 * A hand-written MetricsSource for the kinds the ready-made metrics do not cover yet (gauges,
 * up-down counters, resets): the test sets the snapshot and fires the change hook itself.
 */
import type { Metric, MetricChangedListener, MetricSnapshot, MetricsSource } from '../../../src/core/metrics/types.ts';

export class ManualSource implements MetricsSource {
  private current: MetricSnapshot[] = [];
  private readonly listeners = new Set<MetricChangedListener>();

  set(snapshots: MetricSnapshot[]): void {
    this.current = snapshots;
  }

  /** Replaces one metric's snapshot and tells the listeners it changed. */
  change(snapshot: MetricSnapshot): void {
    this.current = [...this.current.filter((s) => s.name !== snapshot.name), snapshot];
    const metric: Metric = { name: snapshot.name, eventTypes: '*', handle: () => true, snapshot: () => snapshot };
    for (const l of this.listeners) l(metric, { type: 'manual' });
  }

  snapshots(): MetricSnapshot[] {
    return this.current;
  }

  onMetricChanged(listener: MetricChangedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function numberSnapshot(
  name: string,
  kind: 'counter' | 'updown' | 'gauge',
  series: { attributes?: Record<string, string | number | boolean>; value: number }[],
  startTimeMs = 1000,
): MetricSnapshot {
  return {
    name,
    startTimeMs,
    timeMs: Date.now(),
    dimensions: [{ name: '', kind, series: series.map((s) => ({ attributes: s.attributes ?? {}, value: s.value })) }],
  };
}
