/**
 * Exemplar reservoirs of the ready-made metrics, kept beside their series store (keyed by a
 * series' state object) so that series without exemplars cost nothing. Bounded: at most one
 * exemplar per bucket of each histogram series, one per counter series; the series store's limit
 * bounds the series.
 *
 * Replacement rules, after the OpenTelemetry SDK's reservoirs:
 * - histograms ({@link HistogramExemplars}): the aligned-histogram-bucket reservoir: one exemplar
 *   per bucket, and the latest measurement that falls in a bucket replaces its exemplar (as
 *   `AlignedHistogramBucketExemplarReservoir` of the OTel JS SDK);
 * - counters ({@link SumExemplars}): the simple fixed-size reservoir, size 1: within one
 *   collection interval (between two snapshots of the metric) the first measurement is kept and
 *   the n-th replaces it with probability 1/n (reservoir sampling, so each measurement of the
 *   interval is equally likely to be the one kept), the count restarting at each snapshot as the
 *   OTel SDK's does at each collection. Unlike the SDK's, an exemplar is not forgotten at
 *   collection: it stays until a later measurement replaces it, so every reader (a Prometheus
 *   scrape, an OTLP export) sees it.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import type { MetricAttributes, MetricAttributeValue, MetricEvent } from '../types.ts';
import type { Exemplar, ExemplarContext } from './exemplar.ts';

/** Most event keys a metric may name in `exemplarAttributes`. */
export const MAX_EXEMPLAR_ATTRIBUTES = 4;
/** Bound on a string exemplar attribute value, in UTF-16 code units (OpenMetrics allows 128 characters for a whole exemplar label set). */
export const MAX_EXEMPLAR_ATTRIBUTE_LENGTH = 64;

/** Exemplar options of the ready-made metrics that keep exemplars (counters, histograms). */
export interface ExemplarMetricOptions {
  /**
   * Whether the metric keeps exemplars of the measurements its recorder's `exemplarFilter` lets
   * through (see `ExemplarFilter`). @default true
   */
  exemplars?: boolean;
  /**
   * Event keys (at most 4) whose values an exemplar carries as attributes (OTel "filtered
   * attributes"): what identifies one request rather than a series, e.g. `['user.id']`. Values
   * that are not strings, numbers or booleans are left out; strings are cut to 64 characters.
   * @default none
   */
  exemplarAttributes?: readonly string[];
}

/** Reads the exemplar attributes of an event. */
type AttributeReader = (event: MetricEvent) => MetricAttributes | undefined;

/**
 * Validates the exemplar options; `undefined` when the metric keeps no exemplars.
 * @throws MvxConfigError naming the option.
 */
export function compileExemplarOptions(options: ExemplarMetricOptions): { readonly attributes: AttributeReader | undefined } | undefined {
  const { exemplars, exemplarAttributes } = options;
  if (exemplars !== undefined && typeof exemplars !== 'boolean') throw new MvxConfigError('exemplars', 'must be a boolean');
  let attributes: AttributeReader | undefined;
  if (exemplarAttributes !== undefined) {
    if (!Array.isArray(exemplarAttributes) || exemplarAttributes.length > MAX_EXEMPLAR_ATTRIBUTES) {
      throw new MvxConfigError('exemplarAttributes', `must be a list of at most ${MAX_EXEMPLAR_ATTRIBUTES} event keys`);
    }
    exemplarAttributes.forEach((k, i) => {
      if (typeof k !== 'string' || k === '') throw new MvxConfigError(`exemplarAttributes[${i}]`, 'must be a non-empty string');
    });
    if (exemplarAttributes.length > 0) attributes = attributeReader(Object.freeze([...new Set(exemplarAttributes as string[])]));
  }
  return exemplars === false ? undefined : { attributes };
}

function attributeReader(keys: readonly string[]): AttributeReader {
  return (event) => {
    const rec = event as unknown as Record<string, unknown>;
    let out: Record<string, MetricAttributeValue> | undefined;
    for (const k of keys) {
      const v = rec[k];
      if (typeof v === 'string') (out ??= {})[k] = v.length > MAX_EXEMPLAR_ATTRIBUTE_LENGTH ? v.slice(0, MAX_EXEMPLAR_ATTRIBUTE_LENGTH) : v;
      else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') (out ??= {})[k] = v;
    }
    return out;
  };
}

/** One kept measurement, updated in place (a snapshot copies it: see {@link toExemplar}). */
class Slot {
  value = 0;
  timeMs = 0;
  traceId: string | undefined = undefined;
  spanId: string | undefined = undefined;
  attributes: MetricAttributes | undefined = undefined;
  /** Counters: measurements offered in the collection interval `interval`. */
  seen = 0;
  interval = 0;

  set(value: number, ctx: ExemplarContext, event: MetricEvent, read: AttributeReader | undefined): void {
    this.value = value;
    this.timeMs = ctx.timeMs;
    this.traceId = ctx.traceId;
    this.spanId = ctx.spanId;
    this.attributes = read === undefined ? undefined : read(event);
  }
}

/** The snapshot form of a slot: a new object holding only the fields present. */
function toExemplar(slot: Slot): Exemplar {
  const ex: { value: number; timeMs: number; traceId?: string; spanId?: string; attributes?: MetricAttributes } = { value: slot.value, timeMs: slot.timeMs };
  if (slot.traceId !== undefined) {
    ex.traceId = slot.traceId;
    ex.spanId = slot.spanId;
  }
  if (slot.attributes !== undefined) ex.attributes = slot.attributes;
  return ex;
}

/** Aligned-histogram-bucket reservoirs: the latest exemplar per bucket of each series. */
export class HistogramExemplars<K extends object> {
  readonly #buckets: number;
  readonly #read: AttributeReader | undefined;
  readonly #bySeries = new Map<K, (Slot | undefined)[]>();

  /** @param buckets bucket count of a series (`bounds.length + 1`). */
  constructor(buckets: number, read: AttributeReader | undefined) {
    this.#buckets = buckets;
    this.#read = read;
  }

  /** Offers the measurement `value`, which fell in bucket `bucket` of `series`: it replaces that bucket's exemplar. */
  offer(series: K, bucket: number, value: number, ctx: ExemplarContext, event: MetricEvent): void {
    let slots = this.#bySeries.get(series);
    if (slots === undefined) {
      slots = new Array<Slot | undefined>(this.#buckets).fill(undefined);
      this.#bySeries.set(series, slots);
    }
    (slots[bucket] ??= new Slot()).set(value, ctx, event, this.#read);
  }

  /** The exemplars of `series` in bucket order (at most one per bucket), or `undefined` when it has none. */
  of(series: K): Exemplar[] | undefined {
    const slots = this.#bySeries.get(series);
    if (slots === undefined) return undefined;
    const out: Exemplar[] = [];
    for (const e of slots) if (e !== undefined) out.push(toExemplar(e));
    return out;
  }

  /** Forgets every exemplar (the metric was reset). */
  clear(): void {
    this.#bySeries.clear();
  }
}

/** Simple fixed-size reservoirs of size 1: one exemplar per counter series, reservoir-sampled per collection interval. */
export class SumExemplars<K extends object> {
  readonly #read: AttributeReader | undefined;
  readonly #random: () => number;
  readonly #bySeries = new Map<K, Slot>();
  #interval = 0;

  /** @param random uniform in [0, 1) (tests pass a deterministic one). */
  constructor(read: AttributeReader | undefined, random: () => number = Math.random) {
    this.#read = read;
    this.#random = random;
  }

  /** Offers the measurement `value` (an increment) of `series`. */
  offer(series: K, value: number, ctx: ExemplarContext, event: MetricEvent): void {
    let slot = this.#bySeries.get(series);
    if (slot === undefined) {
      slot = new Slot();
      slot.interval = this.#interval;
      this.#bySeries.set(series, slot);
    } else if (slot.interval !== this.#interval) {
      slot.interval = this.#interval;
      slot.seen = 0;
    }
    const n = ++slot.seen;
    if (n === 1 || this.#random() * n < 1) slot.set(value, ctx, event, this.#read);
  }

  /** The exemplar of `series` as a list, or `undefined` when it has none. */
  of(series: K): Exemplar[] | undefined {
    const slot = this.#bySeries.get(series);
    return slot === undefined ? undefined : [toExemplar(slot)];
  }

  /** Starts a new collection interval (called when the metric is snapshotted). */
  collected(): void {
    this.#interval++;
  }

  /** Forgets every exemplar (the metric was reset). */
  clear(): void {
    this.#bySeries.clear();
  }
}
