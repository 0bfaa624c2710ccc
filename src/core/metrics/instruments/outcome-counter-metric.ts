/**
 * The seeds' attempts metric, ready-made: a `total` dimension plus one counter dimension per
 * outcome (`success_total`, `failure_total`, ...), per attribute set.
 */
import { MvxConfigError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { MetricEvent, MetricSnapshot, NumberDimension } from '../types.ts';
import { SeriesStore } from '../series/series-store.ts';
import { compileBase } from './metric-options.ts';
import type { BaseMetricOptions } from './metric-options.ts';
import { StoreBackedMetric } from './store-backed-metric.ts';

/** Options of {@link OutcomeCounterMetric}. */
export interface OutcomeCounterMetricOptions<E extends MetricEvent = MetricEvent> extends BaseMetricOptions<E> {
  /** Where the outcome is read: an event key, or a function. @default 'outcome' */
  outcome?: string | ((event: E) => unknown);
  /**
   * A fixed outcome list: its dimensions are always present (0 until counted), in this order; any
   * other outcome is counted under `other_total`. Without it, outcomes get dimensions as they are
   * first seen, up to {@link maxOutcomes}.
   */
  outcomes?: readonly string[];
  /** Bound on dynamically discovered outcomes; later ones go to `other_total`. @default 32 */
  maxOutcomes?: number;
}

/** Outcome names become dimension names: letters, digits and `_`, not starting with a digit. */
const OUTCOME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Where unknown, invalid or excess outcomes are counted. */
export const OTHER_OUTCOME = 'other';

/**
 * Counts events by outcome. Dimensions, all of kind `counter`, in this order:
 * `total` (every accepted event), then `<outcome>_total` per outcome, then `other_total` once used.
 * Exported names are `<metric name>.<dimension>`, e.g. `document_storage.save.attempts.success_total`;
 * the Prometheus adapter maps them to `document_storage_save_attempts_success_total`.
 *
 * For Prometheus-idiomatic output (one counter with an `outcome` label) use a `CounterMetric` with
 * `attributes: ['outcome']` instead.
 *
 * @example
 * ```ts
 * new OutcomeCounterMetric<StorageEvent>({
 *   name: 'document_storage.save.attempts', eventTypes: 'document_storage.save.attempt',
 *   outcomes: ['success', 'failure'],
 * });
 * ```
 */
export class OutcomeCounterMetric<E extends MetricEvent = MetricEvent> extends StoreBackedMetric<E, number[]> {
  /** Epoch ms when counting started. */
  declare startTimeMs: number;
  readonly #readOutcome: (event: E) => unknown;
  readonly #fixed: boolean;
  readonly #maxOutcomes: number;
  /** Outcome name → index into a series' cell (index 0 is `total`). */
  readonly #index = new Map<string, number>();
  readonly #names: string[] = [];

  /** @throws MvxConfigError on an invalid option. */
  constructor(options: OutcomeCounterMetricOptions<E>) {
    const base = compileBase(options, 'OutcomeCounterMetric');
    const o = options.outcome ?? 'outcome';
    let readOutcome: (event: E) => unknown;
    if (typeof o === 'string') {
      if (o === '') throw new MvxConfigError('outcome', 'must be an event key or a function');
      readOutcome = (e) => (e as unknown as Record<string, unknown>)[o];
    } else if (typeof o === 'function') readOutcome = o;
    else throw new MvxConfigError('outcome', 'must be an event key or a function');
    const max = options.maxOutcomes ?? 32;
    if (!Number.isInteger(max) || max < 1) throw new MvxConfigError('maxOutcomes', 'must be an integer >= 1');
    if (options.outcomes !== undefined) {
      if (!Array.isArray(options.outcomes) || options.outcomes.length === 0) throw new MvxConfigError('outcomes', 'must be a non-empty list of outcome names');
      options.outcomes.forEach((name, i) => {
        if (typeof name !== 'string' || !OUTCOME_RE.test(name) || name === OTHER_OUTCOME || name === 'total') {
          throw new MvxConfigError(`outcomes[${i}]`, `must match ${OUTCOME_RE} and not be '${OTHER_OUTCOME}' or 'total'`);
        }
      });
    }
    super(base, new SeriesStore<number[]>(() => [0], options.seriesLimit, options.maxAttributeValueLength));
    this.#readOutcome = readOutcome;
    this.#maxOutcomes = max;
    this.#fixed = options.outcomes !== undefined;
    if (options.outcomes !== undefined) for (const name of options.outcomes) if (!this.#index.has(name)) this.#addOutcome(name);
  }

  #addOutcome(name: string): number {
    this.#names.push(name);
    const i = this.#names.length;
    this.#index.set(name, i);
    return i;
  }

  #slotOf(raw: unknown): number {
    const name = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined;
    if (name !== undefined) {
      const i = this.#index.get(name);
      if (i !== undefined) return i;
      if (!this.#fixed && name !== OTHER_OUTCOME && name !== 'total' && OUTCOME_RE.test(name) && this.#names.length < this.#maxOutcomes) {
        return this.#addOutcome(name);
      }
    }
    if (name === undefined || !OUTCOME_RE.test(name)) {
      this.invalidOutcomes++;
      reportDiagnostic({
        component: 'Metric',
        code: 'metric.outcome_invalid',
        message: `metric '${this.name}': outcome ${name === undefined ? 'missing or not a string' : JSON.stringify(name)} counted as '${OTHER_OUTCOME}'`,
      });
    }
    return this.#index.get(OTHER_OUTCOME) ?? this.#addOutcome(OTHER_OUTCOME);
  }

  handle(event: E): boolean {
    const b = this.base;
    if (!b.accepts(event.type)) return false;
    if (b.filter !== undefined && !b.filter(event)) return false;
    const slot = this.#slotOf(this.#readOutcome(event));
    const cell = b.seriesOf(this.store, event);
    (cell[0] as number)++;
    cell[slot] = (cell[slot] ?? 0) + 1;
    return true;
  }

  /** Outcomes with a dimension so far (fixed ones first), `other` included once used. */
  outcomeNames(): readonly string[] {
    return [...this.#names];
  }

  /** Events whose outcome was missing or not a valid name (counted as `other`, and reported). */
  invalidOutcomes = 0;

  snapshot(): MetricSnapshot {
    const dims: NumberDimension[] = [this.#dimension('total', 0)];
    for (let i = 0; i < this.#names.length; i++) dims.push(this.#dimension(`${this.#names[i] as string}_total`, i + 1));
    return this.snapshotOf(dims);
  }

  #dimension(name: string, slot: number): NumberDimension {
    return { name, kind: 'counter', series: this.store.toArray((e) => ({ attributes: e.attributes, value: e.state[slot] ?? 0 })) };
  }

  /** Forgets every series (dynamic outcomes are kept) and restarts the cumulative period. */
  override reset(): void {
    super.reset();
  }
}
