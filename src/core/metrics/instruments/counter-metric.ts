/**
 * A monotonic counter: counts events, or adds a non-negative value read from each event, per
 * attribute set (OTel Counter; Prometheus counter).
 */
import { MvxConfigError } from '../../errors.ts';
import type { MetricEvent, MetricSnapshot } from '../types.ts';
import { SeriesStore } from '../series/series-store.ts';
import { compileBase } from './metric-options.ts';
import type { BaseMetricOptions } from './metric-options.ts';
import { reportInvalidValue } from './report-value.ts';
import { StoreBackedMetric } from './store-backed-metric.ts';
import { compileExemplarOptions, SumExemplars } from '../exemplars/exemplar-store.ts';
import type { ExemplarMetricOptions } from '../exemplars/exemplar-store.ts';
import type { ExemplarContext } from '../exemplars/exemplar.ts';

/** Options of {@link CounterMetric}. */
export interface CounterMetricOptions<E extends MetricEvent = MetricEvent> extends BaseMetricOptions<E>, ExemplarMetricOptions {
  /**
   * The amount an event adds: a finite number ≥ 0 (negative, NaN or infinite values are reported
   * through the diagnostic channel and the event is ignored, and so is a value that would make the
   * series' sum overflow to `+Infinity`). @default 1 (counts events)
   */
  value?: (event: E) => number;
}

interface Cell {
  value: number;
}

/**
 * A monotonic counter. Snapshot: one dimension named `''` of kind `counter` (exported under the
 * metric name; the Prometheus adapter adds `_total`).
 *
 * Exemplars (unless `exemplars: false`): one per series, reservoir-sampled among the increments of
 * the events the recorder's `exemplarFilter` let through since the last snapshot (the OTel SDK's
 * simple fixed-size reservoir, size 1); see `NumberSeries.exemplars`.
 *
 * @example
 * ```ts
 * const requests = new CounterMetric<HttpEvent>({
 *   name: 'http.server.requests', eventTypes: 'http.request.end', attributes: ['method', 'status'],
 * });
 * ```
 */
export class CounterMetric<E extends MetricEvent = MetricEvent> extends StoreBackedMetric<E, Cell> {
  /** Epoch ms when counting started (construction or the last {@link reset}). */
  declare startTimeMs: number;
  readonly #value: ((event: E) => number) | undefined;
  readonly #exemplars: SumExemplars<Cell> | undefined;

  /** @throws MvxConfigError on an invalid option. */
  constructor(options: CounterMetricOptions<E>) {
    const base = compileBase(options, 'CounterMetric');
    if (options.value !== undefined && typeof options.value !== 'function') throw new MvxConfigError('value', 'must be a function (event) => number');
    const exemplars = compileExemplarOptions(options);
    super(base, new SeriesStore<Cell>(() => ({ value: 0 }), options.seriesLimit, options.maxAttributeValueLength));
    this.#value = options.value;
    this.#exemplars = exemplars === undefined ? undefined : new SumExemplars<Cell>(exemplars.attributes);
  }

  handle(event: E, exemplar?: ExemplarContext): boolean {
    const b = this.base;
    if (!b.accepts(event.type)) return false;
    if (b.filter !== undefined && !b.filter(event)) return false;
    let v = 1;
    if (this.#value !== undefined) {
      v = this.#value(event);
      if (typeof v !== 'number' || !(v >= 0) || v === Infinity) {
        this.invalidValues++;
        reportInvalidValue(this.name, v, 'a finite number >= 0 (counters are monotonic)');
        return false;
      }
      if (v === 0) return false;
    }
    const cell = b.seriesOf(this.store, event);
    const sum = cell.value + v;
    if (sum === Infinity) {
      this.invalidValues++;
      reportInvalidValue(this.name, v, `a value that keeps the sum finite (it is ${cell.value})`);
      return false;
    }
    cell.value = sum;
    if (exemplar !== undefined && this.#exemplars !== undefined) this.#exemplars.offer(cell, v, exemplar, event);
    return true;
  }

  /** Events ignored because their value was invalid or would overflow the sum (each also reported as a diagnostic). */
  invalidValues = 0;

  /** Number of series, the overflow series included. */
  get seriesCount(): number {
    return this.store.size;
  }

  snapshot(): MetricSnapshot {
    const ex = this.#exemplars;
    if (ex === undefined) {
      return this.snapshotOf([{ name: '', kind: 'counter', series: this.store.toArray((e) => ({ attributes: e.attributes, value: e.state.value })) }]);
    }
    const series = this.store.toArray((e) => {
      const exemplars = ex.of(e.state);
      return exemplars === undefined ? { attributes: e.attributes, value: e.state.value } : { attributes: e.attributes, value: e.state.value, exemplars };
    });
    ex.collected();
    return this.snapshotOf([{ name: '', kind: 'counter', series }]);
  }

  override reset(): void {
    super.reset();
    this.#exemplars?.clear();
  }
}
