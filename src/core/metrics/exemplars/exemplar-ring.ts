/**
 * The asynchronous recorder's side of exemplars: the trace ids of buffered events, in a ring
 * parallel to the recorder's event ring (same slots), read at `emit()` and handed to the metrics
 * with a timestamp when the event is aggregated.
 */
import { epochMsNow } from '../../internal/clock.ts';
import type { MetricEvent } from '../types.ts';
import { captureExemplarIds, FILTER_OFF, ReusedExemplarContext } from './capture.ts';
import type { ExemplarIds } from './capture.ts';
import type { ExemplarContext } from './exemplar.ts';

/** Trace ids per ring slot; the array is made when the first ids are captured (none with the `off` filter). */
export class ExemplarRing {
  readonly #filter: number;
  readonly #capacity: number;
  #ids: (ExemplarIds | undefined)[] | undefined;
  readonly #context = new ReusedExemplarContext();
  #batchTimeMs = -1;

  /** @param filter a compiled exemplar filter (`compileExemplarFilter`). */
  constructor(filter: number, capacity: number) {
    this.#filter = filter;
    this.#capacity = capacity;
  }

  /** At `emit()`: reads the trace context of `event`, stored in `slot` (it must be read now: aggregation runs later, outside the caller's context). */
  capture(slot: number, event: MetricEvent): void {
    if (this.#filter === FILTER_OFF) return;
    const ids = captureExemplarIds(this.#filter, event);
    if (ids !== undefined) (this.#ids ??= new Array<ExemplarIds | undefined>(this.#capacity))[slot] = ids;
  }

  /** Forgets the ids of `slot` (its event was evicted). */
  evict(slot: number): void {
    if (this.#ids !== undefined) this.#ids[slot] = undefined;
  }

  /** Starts an aggregation batch: its exemplars share one clock reading (a clock read costs as much as the rest of an emit). */
  startBatch(): void {
    this.#batchTimeMs = -1;
  }

  /** At aggregation: the exemplar context of the event in `slot`, or `undefined`; frees the slot. The context is reused by the next call. */
  take(slot: number): ExemplarContext | undefined {
    const ids = this.#ids?.[slot];
    if (ids === undefined) return undefined;
    this.#ids![slot] = undefined;
    if (this.#batchTimeMs < 0) this.#batchTimeMs = epochMsNow();
    return this.#context.set(this.#batchTimeMs, ids);
  }

  /** Forgets every slot. */
  clear(): void {
    this.#ids?.fill(undefined);
  }
}
