/**
 * What the ready-made metrics share: the compiled common options, a {@link SeriesStore}, the
 * cumulative period's start, the overflow count, the snapshot envelope and `reset()`.
 */
import type { Metric, MetricDimension, MetricEvent, MetricSnapshot } from '../types.ts';
import type { SeriesStore } from '../series/series-store.ts';
import type { CompiledBase } from './metric-options.ts';

/**
 * Base of the ready-made metrics. Subclasses validate their own options, build the store, then
 * call `super(base, store)`; each keeps its own `handle()` so that its field accesses stay
 * monomorphic (one class per call site) and the hot path makes no extra call.
 *
 * @typeParam E the events the metric accepts.
 * @typeParam S the state of one series in the store.
 */
export abstract class StoreBackedMetric<E extends MetricEvent, S> implements Metric<E> {
  readonly name: string;
  readonly eventTypes: readonly string[] | '*';
  /** Epoch ms when the cumulative period started (construction or the last {@link reset}). */
  startTimeMs = Date.now();
  protected readonly base: CompiledBase<E>;
  protected readonly store: SeriesStore<S>;

  protected constructor(base: CompiledBase<E>, store: SeriesStore<S>) {
    this.name = base.name;
    this.eventTypes = base.eventTypes;
    this.base = base;
    this.store = store;
  }

  abstract handle(event: E): boolean;

  abstract snapshot(): MetricSnapshot;

  /** Updates that went to the overflow series because the series limit was reached. */
  get overflowUpdates(): number {
    return this.store.overflowUpdates;
  }

  /** Forgets every series and restarts the cumulative period. */
  reset(): void {
    this.store.clear();
    this.startTimeMs = Date.now();
  }

  /** The snapshot envelope (name, description, unit, period) around `dimensions`, timed now. */
  protected snapshotOf(dimensions: readonly MetricDimension[]): MetricSnapshot {
    return {
      name: this.name,
      description: this.base.description,
      unit: this.base.unit,
      startTimeMs: this.startTimeMs,
      timeMs: Date.now(),
      dimensions,
    };
  }
}
