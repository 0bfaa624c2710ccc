/**
 * An explicit-bucket histogram of a value read from each event, per attribute set (OTel Histogram;
 * Prometheus histogram).
 */
import { MvxConfigError } from '../../errors.ts';
import type { MetricEvent, MetricSnapshot } from '../types.ts';
import { SeriesStore } from '../series/series-store.ts';
import { compileBase } from './metric-options.ts';
import type { BaseMetricOptions } from './metric-options.ts';
import { bucketIndex, defaultBucketsForUnit, validateBounds } from './histogram-buckets.ts';
import { reportInvalidValue } from './report-value.ts';
import { StoreBackedMetric } from './store-backed-metric.ts';
import { compileExemplarOptions, HistogramExemplars } from '../exemplars/exemplar-store.ts';
import type { ExemplarMetricOptions } from '../exemplars/exemplar-store.ts';
import type { ExemplarContext } from '../exemplars/exemplar.ts';

/** Options of {@link HistogramMetric}. */
export interface HistogramMetricOptions<E extends MetricEvent = MetricEvent> extends BaseMetricOptions<E>, ExemplarMetricOptions {
  /**
   * The observed value, in the metric's unit; NaN and infinite values are reported and ignored, and
   * so is a value that would make the series' sum overflow to ±Infinity.
   */
  value: (event: E) => number;
  /**
   * Bucket upper bounds: finite, strictly increasing. @default by unit: `ms` →
   * `DEFAULT_MILLISECONDS_BUCKETS`, `By` → `DEFAULT_BYTES_BUCKETS`, otherwise `DEFAULT_SECONDS_BUCKETS`.
   */
  buckets?: readonly number[];
}

interface Cell {
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

/**
 * A histogram. Bucket semantics are OpenTelemetry's: `counts[i]` counts `bounds[i-1] < v <= bounds[i]`,
 * `counts.length === bounds.length + 1`. Snapshot: one dimension `''` of kind `histogram`.
 *
 * Exemplars (unless `exemplars: false`): one per bucket of each series, the latest observation in
 * that bucket among the events the recorder's `exemplarFilter` let through (the OTel SDK's
 * aligned-histogram-bucket reservoir); see `HistogramSeries.exemplars`.
 *
 * @example
 * ```ts
 * new HistogramMetric<HttpEvent>({
 *   name: 'http.server.request.duration', unit: 's', eventTypes: 'http.request.end',
 *   attributes: ['method'], value: (e) => e.durationMs / 1000,
 * });
 * ```
 */
export class HistogramMetric<E extends MetricEvent = MetricEvent> extends StoreBackedMetric<E, Cell> {
  /** The bucket upper bounds in use. */
  readonly bounds: readonly number[];
  /** Epoch ms when observation started (construction or the last {@link reset}). */
  declare startTimeMs: number;
  readonly #value: (event: E) => number;
  readonly #exemplars: HistogramExemplars<Cell> | undefined;

  /** @throws MvxConfigError on an invalid option. */
  constructor(options: HistogramMetricOptions<E>) {
    const base = compileBase(options, 'HistogramMetric');
    if (typeof options.value !== 'function') throw new MvxConfigError('value', 'must be a function (event) => number');
    const bounds = options.buckets === undefined ? defaultBucketsForUnit(options.unit) : validateBounds(options.buckets);
    const n = bounds.length + 1;
    const exemplars = compileExemplarOptions(options);
    super(
      base,
      new SeriesStore<Cell>(() => ({ counts: new Array<number>(n).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity }), options.seriesLimit, options.maxAttributeValueLength),
    );
    this.bounds = bounds;
    this.#value = options.value;
    this.#exemplars = exemplars === undefined ? undefined : new HistogramExemplars<Cell>(n, exemplars.attributes);
  }

  handle(event: E, exemplar?: ExemplarContext): boolean {
    const b = this.base;
    if (!b.accepts(event.type)) return false;
    if (b.filter !== undefined && !b.filter(event)) return false;
    const v = this.#value(event);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.invalidValues++;
      reportInvalidValue(this.name, v, 'a finite number');
      return false;
    }
    const c = b.seriesOf(this.store, event);
    const sum = c.sum + v;
    if (!Number.isFinite(sum)) {
      this.invalidValues++;
      reportInvalidValue(this.name, v, `a value that keeps the sum finite (it is ${c.sum})`);
      return false;
    }
    const bucket = bucketIndex(this.bounds, v);
    (c.counts[bucket] as number)++;
    if (exemplar !== undefined && this.#exemplars !== undefined) this.#exemplars.offer(c, bucket, v, exemplar, event);
    c.sum = sum;
    c.count++;
    if (v < c.min) c.min = v;
    if (v > c.max) c.max = v;
    return true;
  }

  /** Events ignored because their value was invalid or would overflow the sum (each also reported as a diagnostic). */
  invalidValues = 0;

  /** Number of series, the overflow series included. */
  get seriesCount(): number {
    return this.store.size;
  }

  snapshot(): MetricSnapshot {
    return this.snapshotOf([
      {
        name: '',
        kind: 'histogram',
        bounds: this.bounds,
        series: this.store.toArray((e) => {
          const c = e.state;
          const exemplars = this.#exemplars?.of(c);
          if (c.count === 0) return { attributes: e.attributes, counts: c.counts.slice(), sum: 0, count: 0 };
          const series = { attributes: e.attributes, counts: c.counts.slice(), sum: c.sum, count: c.count, min: c.min, max: c.max };
          return exemplars === undefined ? series : { ...series, exemplars };
        }),
      },
    ]);
  }

  override reset(): void {
    super.reset();
    this.#exemplars?.clear();
  }
}
