/**
 * A gauge: the last value read from an event (OTel Gauge), or a running sum that may go down
 * (OTel UpDownCounter), per attribute set. Both map to a Prometheus gauge.
 */
import { MvxConfigError } from '../../errors.ts';
import type { MetricEvent, MetricSnapshot } from '../types.ts';
import { SeriesStore } from '../series/series-store.ts';
import { compileBase } from './metric-options.ts';
import type { BaseMetricOptions } from './metric-options.ts';
import { reportInvalidValue } from './report-value.ts';
import { StoreBackedMetric } from './store-backed-metric.ts';

/** Options of {@link GaugeMetric}. */
export interface GaugeMetricOptions<E extends MetricEvent = MetricEvent> extends BaseMetricOptions<E> {
  /**
   * The value (`last`) or the delta (`updown`, may be negative); NaN/infinite values are reported
   * and ignored, and so is a delta that would make the running sum overflow to ±Infinity.
   */
  value: (event: E) => number;
  /** `last`: keep the last value (kind `gauge`); `updown`: add deltas (kind `updown`). @default 'last' */
  mode?: 'last' | 'updown';
}

interface Cell {
  value: number;
}

/**
 * A gauge. Snapshot: one dimension `''` of kind `gauge` (mode `last`) or `updown`.
 *
 * @example
 * ```ts
 * new GaugeMetric<PoolEvent>({ name: 'db.pool.in_use', eventTypes: ['db.acquire', 'db.release'], mode: 'updown',
 *   value: (e) => (e.type === 'db.acquire' ? 1 : -1) });
 * ```
 */
export class GaugeMetric<E extends MetricEvent = MetricEvent> extends StoreBackedMetric<E, Cell> {
  readonly mode: 'last' | 'updown';
  /** Epoch ms when the cumulative period started (meaningful for `updown`). */
  declare startTimeMs: number;
  readonly #value: (event: E) => number;

  /** @throws MvxConfigError on an invalid option. */
  constructor(options: GaugeMetricOptions<E>) {
    const base = compileBase(options, 'GaugeMetric');
    if (typeof options.value !== 'function') throw new MvxConfigError('value', 'must be a function (event) => number');
    const mode = options.mode ?? 'last';
    if (mode !== 'last' && mode !== 'updown') throw new MvxConfigError('mode', "must be 'last' or 'updown'");
    super(base, new SeriesStore<Cell>(() => ({ value: 0 }), options.seriesLimit, options.maxAttributeValueLength));
    this.mode = mode;
    this.#value = options.value;
  }

  handle(event: E): boolean {
    const b = this.base;
    if (!b.accepts(event.type)) return false;
    if (b.filter !== undefined && !b.filter(event)) return false;
    const v = this.#value(event);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.invalidValues++;
      reportInvalidValue(this.name, v, 'a finite number');
      return false;
    }
    const cell = b.seriesOf(this.store, event);
    if (this.mode === 'last') {
      cell.value = v;
      return true;
    }
    const sum = cell.value + v;
    if (!Number.isFinite(sum)) {
      this.invalidValues++;
      reportInvalidValue(this.name, v, `a delta that keeps the sum finite (it is ${cell.value})`);
      return false;
    }
    cell.value = sum;
    return true;
  }

  /** Events ignored because their value was invalid or would overflow the sum (each also reported as a diagnostic). */
  invalidValues = 0;

  snapshot(): MetricSnapshot {
    return this.snapshotOf([
      {
        name: '',
        kind: this.mode === 'last' ? 'gauge' : 'updown',
        series: this.store.toArray((e) => ({ attributes: e.attributes, value: e.state.value })),
      },
    ]);
  }
}
