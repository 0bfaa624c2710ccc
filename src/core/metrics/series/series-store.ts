/**
 * The series of one metric, keyed by attributes, with a series limit and one overflow series:
 * once the limit is reached, new attribute sets are folded into a single series carrying
 * `{ 'otel.metric.overflow': true }` (the OpenTelemetry SDK's cardinality limit, whose default is
 * also 2000). Ready-made metrics use it; custom metrics can too.
 */
import { MvxConfigError } from '../../errors.ts';
import { OVERFLOW_ATTRIBUTE } from '../types.ts';
import type { MetricAttributes, MetricAttributeValue } from '../types.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { attributesKey, storedAttributeValue } from './attribute-key.ts';
import { checkMaxAttributeValueLength, cutAttributeValue } from './attribute-value.ts';
import { frozenAttributes } from './attribute-object.ts';

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
  /** Bound on string attribute values, in UTF-16 code units; longer ones are cut and marked. */
  readonly maxAttributeValueLength: number;
  /** Updates that went to the overflow series because the limit was reached. */
  overflowUpdates = 0;
  /** Attribute values cut to {@link maxAttributeValueLength} (one per value per update). */
  cutAttributeValues = 0;
  readonly #create: () => S;
  // Series in creation order as two parallel arrays, attributes and states, rather than one entry
  // object per series: the entry cost 40 bytes a series (issue 16, memory per series). The
  // overflow series is kept apart.
  readonly #attributes: MetricAttributes[] = [];
  readonly #states: S[] = [];
  /** Index by canonical key (`get`, `getByKey`). */
  readonly #byKey = new Map<string, S>();
  /** Index by attribute values in a fixed key order (`getByValues`): nested maps, one level per key. */
  readonly #trie = new Map<unknown, unknown>();
  #overflow: SeriesEntry<S> | undefined;

  /**
   * @param create makes the state of a new series.
   * @param limit series limit, overflow series included; an integer ≥ 2. @default 2000
   * @param maxAttributeValueLength bound on string attribute values in UTF-16 code units, 1 to
   *   2^20: a longer value is cut and ends with `…[+N chars]` (values equal up to the cut share a
   *   series). @default 1024 (`DEFAULT_MAX_ATTRIBUTE_VALUE_LENGTH`)
   * @throws MvxConfigError when `limit` is not an integer ≥ 2, or `maxAttributeValueLength` is invalid.
   */
  constructor(create: () => S, limit: number = DEFAULT_SERIES_LIMIT, maxAttributeValueLength?: number) {
    if (!Number.isInteger(limit) || limit < 2) {
      throw new MvxConfigError('seriesLimit', `must be an integer >= 2 (one series plus the overflow series), got ${String(limit)}`);
    }
    this.#create = create;
    this.limit = limit;
    this.maxAttributeValueLength = checkMaxAttributeValueLength(maxAttributeValueLength);
  }

  /** Number of series, the overflow series included. */
  get size(): number {
    return this.#states.length + (this.#overflow === undefined ? 0 : 1);
  }

  /**
   * The state of the series for `attributes` (created on first use, or the overflow series).
   * String values longer than {@link maxAttributeValueLength} are cut first.
   */
  get(attributes: MetricAttributes): S {
    const max = this.maxAttributeValueLength;
    for (const k in attributes) {
      const v = attributes[k];
      if (typeof v === 'string' && v.length > max) return this.#getCut(attributes, max);
    }
    return this.getByKey(attributesKey(attributes), attributes);
  }

  /** `get` for attributes holding a value over the bound: a copy with the long values cut. */
  #getCut(attributes: MetricAttributes, max: number): S {
    const cut: [string, unknown][] = [];
    for (const k of Object.keys(attributes)) {
      const v: unknown = attributes[k];
      if (typeof v === 'string' && v.length > max) cut.push([k, this.#cut(k, v, max)]);
      else cut.push([k, v]);
    }
    // Entries, not assignments: an own `__proto__` key stays an attribute.
    const copy = Object.fromEntries(cut) as MetricAttributes;
    return this.getByKey(attributesKey(copy), copy);
  }

  /**
   * The state for a precomputed canonical key (see `attributesKey`).
   * `attributes` is only read when the series is created; pass a function to build it lazily.
   */
  getByKey(key: string, attributes: MetricAttributes | (() => MetricAttributes)): S {
    const state = this.#byKey.get(key);
    if (state !== undefined) return state;
    if (this.#states.length >= this.limit - 1) return this.#overflowState();
    const created = this.#newSeries(key === '' ? EMPTY_ATTRIBUTES : typeof attributes === 'function' ? attributes() : attributes);
    this.#byKey.set(key, created);
    return created;
  }

  /**
   * The hot path for attributes read by a fixed key list: `values[i]` is the value of the i-th key
   * (`undefined` = absent), the key order being the caller's and never changing for this store.
   * No string key is built: values index nested maps (which keep `1` and `'1'` apart).
   * `build` makes the attribute object when a series is created, from `values`. String values
   * longer than {@link maxAttributeValueLength} are cut in place first (so `build` sees them cut).
   * Do not mix with `get`/`getByKey` on the same store.
   */
  getByValues(values: unknown[], build: () => MetricAttributes): S {
    const n = values.length;
    if (n === 0) return this.getByKey('', EMPTY_ATTRIBUTES);
    const max = this.maxAttributeValueLength;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'string' && v.length > max) values[i] = this.#cut(i, v, max);
    }
    let node = this.#trie;
    for (let i = 0; i < n - 1; i++) {
      let next = node.get(values[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        if (this.#states.length >= this.limit - 1) return this.#overflowState();
        next = new Map();
        node.set(values[i], next);
      }
      node = next;
    }
    const leaf = node.get(values[n - 1]) as S | undefined;
    if (leaf !== undefined) return leaf;
    if (this.#states.length >= this.limit - 1) return this.#overflowState();
    const created = this.#newSeries(build());
    node.set(values[n - 1], created);
    return created;
  }

  /** Cuts one value, counted and reported (`key`: its name, or its index for `getByValues`). */
  #cut(key: string | number, value: string, max: number): string {
    this.cutAttributeValues++;
    reportDiagnostic({
      component: 'Metric',
      code: 'metric.attribute_cut',
      message: `an attribute value of ${value.length} characters was cut to maxAttributeValueLength (${max})`,
      details: { key, length: value.length, maxAttributeValueLength: max },
    });
    return cutAttributeValue(value, max);
  }

  #newSeries(attributes: MetricAttributes): S {
    const state = this.#create();
    this.#attributes.push(storedAttributes(attributes));
    this.#states.push(state);
    return state;
  }

  #overflowState(): S {
    this.overflowUpdates++;
    if (this.#overflow === undefined) this.#overflow = { attributes: OVERFLOW_ATTRIBUTES, state: this.#create() };
    return this.#overflow.state;
  }

  /** Every series in creation order, the overflow series last. */
  *entries(): IterableIterator<SeriesEntry<S>> {
    const attributes = this.#attributes;
    const states = this.#states;
    for (let i = 0; i < states.length; i++) yield { attributes: attributes[i]!, state: states[i]! };
    if (this.#overflow !== undefined) yield this.#overflow;
  }

  /**
   * Maps every series (creation order, overflow last) to an array; cheaper than spreading
   * `entries()`. The entry handed to `fn` is reused from one series to the next: read it, do not keep it.
   */
  toArray<T>(fn: (entry: SeriesEntry<S>) => T): T[] {
    const attributes = this.#attributes;
    const states = this.#states;
    const n = states.length;
    const out: T[] = new Array<T>(n + (this.#overflow === undefined ? 0 : 1));
    if (n > 0) {
      const entry = { attributes: attributes[0]!, state: states[0]! };
      for (let i = 0; i < n; i++) {
        entry.attributes = attributes[i]!;
        entry.state = states[i]!;
        out[i] = fn(entry);
      }
    }
    if (this.#overflow !== undefined) out[n] = fn(this.#overflow);
    return out;
  }

  /** Removes every series and resets the overflow count. */
  clear(): void {
    this.#attributes.length = 0;
    this.#states.length = 0;
    this.#byKey.clear();
    this.#trie.clear();
    this.#overflow = undefined;
    this.overflowUpdates = 0;
  }
}

/**
 * A frozen copy of `attributes` holding only attribute values (see `storedAttributeValue`): an
 * `attributes` function returning `undefined`, `null` or an object for some key must not export
 * it (as the label value "undefined", or an attribute OTLP cannot encode). Such keys are left out,
 * as the key-list reader does, and reported when the value was not merely absent.
 */
function storedAttributes(attributes: MetricAttributes): MetricAttributes {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return EMPTY_ATTRIBUTES;
  // Entries, not assignments: an own `__proto__` key stays an attribute.
  const out: [string, MetricAttributeValue][] = [];
  for (const k of keys) {
    const raw: unknown = attributes[k];
    const v = storedAttributeValue(raw);
    if (v !== undefined) out.push([k, v]);
    else if (raw !== undefined && raw !== null) {
      reportDiagnostic({
        component: 'Metric',
        code: 'metric.attribute_invalid',
        message: `attribute '${k}' is not a string, number or boolean; left out`,
      });
    }
  }
  return out.length === 0 ? EMPTY_ATTRIBUTES : frozenAttributes(out);
}
