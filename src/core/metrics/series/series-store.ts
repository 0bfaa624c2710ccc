/**
 * The series of one metric, keyed by attributes, with a series limit and one overflow series:
 * once the limit is reached, new attribute sets are folded into a single series carrying
 * `{ 'otel.metric.overflow': true }` (the OpenTelemetry SDK's cardinality limit, whose default is
 * also 2000). Ready-made metrics use it; custom metrics can too.
 */
import { MvxConfigError } from '../../errors.ts';
import { OVERFLOW_ATTRIBUTE } from '../types.ts';
import type { MetricAttributes } from '../types.ts';
import { attributesKey } from './attribute-key.ts';

/** Default series limit per metric (the OpenTelemetry SDK's default cardinality limit). */
export const DEFAULT_SERIES_LIMIT = 2000;

/** One series: its attributes (frozen) and its mutable state. */
export interface SeriesEntry<S> {
  readonly attributes: MetricAttributes;
  readonly state: S;
}

const OVERFLOW_ATTRIBUTES: MetricAttributes = Object.freeze({ [OVERFLOW_ATTRIBUTE]: true });
const EMPTY_ATTRIBUTES: MetricAttributes = Object.freeze({});

/**
 * A bounded map from attribute sets to series state.
 *
 * At most `limit` series exist, the overflow series included (as in the OpenTelemetry SDK): the
 * first `limit - 1` distinct attribute sets get their own series, every later one updates the
 * overflow series, and {@link SeriesStore.overflowUpdates} counts those updates.
 *
 * @example
 * ```ts
 * const store = new SeriesStore(() => ({ value: 0 }));
 * store.get({ route: '/a' }).value += 1;
 * ```
 */
export class SeriesStore<S> {
  /** Maximum number of series, the overflow series included. */
  readonly limit: number;
  /** Updates that went to the overflow series because the limit was reached. */
  overflowUpdates = 0;
  private readonly create: () => S;
  private readonly map = new Map<string, SeriesEntry<S>>();
  private overflow: SeriesEntry<S> | undefined;

  /**
   * @param create makes the state of a new series.
   * @param limit series limit, overflow series included; an integer ≥ 2. @default 2000
   * @throws MvxConfigError when `limit` is not an integer ≥ 2.
   */
  constructor(create: () => S, limit: number = DEFAULT_SERIES_LIMIT) {
    if (!Number.isInteger(limit) || limit < 2) {
      throw new MvxConfigError('seriesLimit', `must be an integer >= 2 (one series plus the overflow series), got ${String(limit)}`);
    }
    this.create = create;
    this.limit = limit;
  }

  /** Number of series, the overflow series included. */
  get size(): number {
    return this.map.size + (this.overflow === undefined ? 0 : 1);
  }

  /** The state of the series for `attributes` (created on first use, or the overflow series). */
  get(attributes: MetricAttributes): S {
    return this.getByKey(attributesKey(attributes), attributes);
  }

  /**
   * The state for a precomputed canonical key (see `attributesKey`, `keyOfValues`).
   * `attributes` is only read when the series is created; pass a function to build it lazily.
   */
  getByKey(key: string, attributes: MetricAttributes | (() => MetricAttributes)): S {
    const entry = this.map.get(key);
    if (entry !== undefined) return entry.state;
    if (this.map.size >= this.limit - 1) return this.overflowState();
    const attrs = typeof attributes === 'function' ? attributes() : attributes;
    const created: SeriesEntry<S> = {
      attributes: key === '' ? EMPTY_ATTRIBUTES : Object.freeze({ ...attrs }),
      state: this.create(),
    };
    this.map.set(key, created);
    return created.state;
  }

  private overflowState(): S {
    this.overflowUpdates++;
    if (this.overflow === undefined) this.overflow = { attributes: OVERFLOW_ATTRIBUTES, state: this.create() };
    return this.overflow.state;
  }

  /** Every series in creation order, the overflow series last. */
  *entries(): IterableIterator<SeriesEntry<S>> {
    yield* this.map.values();
    if (this.overflow !== undefined) yield this.overflow;
  }

  /** Maps every series (creation order, overflow last) to an array; cheaper than spreading `entries()`. */
  toArray<T>(fn: (entry: SeriesEntry<S>) => T): T[] {
    const out: T[] = new Array<T>(this.size);
    let i = 0;
    for (const e of this.map.values()) out[i++] = fn(e);
    if (this.overflow !== undefined) out[i] = fn(this.overflow);
    return out;
  }

  /** Removes every series and resets the overflow count. */
  clear(): void {
    this.map.clear();
    this.overflow = undefined;
    this.overflowUpdates = 0;
  }
}
