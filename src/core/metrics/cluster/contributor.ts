/**
 * One contributor to the aggregate (a worker, or the primary's own metrics): its dictionary of
 * metrics and series, and its contributions. Applies the body of a report (see `protocol.ts`) to the
 * {@link AggregateStore}.
 */
import { attributesKey } from '../series/attribute-key.ts';
import type { MetricAttributes, MetricDimensionKind } from '../types.ts';
import type { AggregateStore, Contribution, SeriesDefinition } from './aggregate-store.ts';
import { fromWire } from './protocol.ts';

/** A report that cannot be applied: the primary asks for a full one. */
export class ReportError extends Error {}

interface MetricEntry {
  readonly name: string;
  readonly startTimeMs: number;
  readonly description: string | undefined;
  readonly unit: string | undefined;
}

interface Held {
  readonly contribution: Contribution;
  readonly metric: string;
  readonly key: string;
}

const KINDS: ReadonlySet<string> = new Set(['counter', 'updown', 'gauge', 'histogram']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isAttributes(v: unknown): v is MetricAttributes {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  for (const x of Object.values(v)) if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') return false;
  return true;
}

/** One contributor's state. */
export class Contributor {
  /** The name used for the `worker` attribute and in stats. */
  readonly name: string;
  /** Epoch ms of the last report applied (0: none yet). */
  lastReportAt = 0;
  /** Definitions refused because the contributor already holds `maxSeries` series. */
  refused = 0;
  #metrics = new Map<number, MetricEntry>();
  /** Series id → contribution, `null` for a series the aggregate refused (values ignored). */
  #series = new Map<number, Held | null>();
  /** The contributor's own identity of a series (metric, dimension, attributes) → contribution. */
  readonly #byKey = new Map<string, Held>();
  readonly #store: AggregateStore;
  readonly #maxSeries: number;

  constructor(name: string, store: AggregateStore, maxSeries: number) {
    this.name = name;
    this.#store = store;
    this.#maxSeries = maxSeries;
  }

  /** Series held. */
  get size(): number {
    return this.#byKey.size;
  }

  /**
   * Applies a report body; returns the names of the metrics it changed.
   * @throws ReportError when the body refers to definitions it never sent, or is malformed.
   */
  apply(body: Readonly<Record<string, unknown>>, full: boolean, now: number): Set<string> {
    const touched = new Set<string>();
    let unseen: Set<Held> | undefined;
    if (full) {
      // A full report redefines everything; contributions it no longer lists have ended.
      unseen = new Set(this.#byKey.values());
      this.#metrics = new Map();
      this.#series = new Map();
    }
    const m = body.m ?? [];
    const d = body.d ?? [];
    const n = body.n ?? [];
    const hv = body.hv ?? [];
    if (!Array.isArray(m) || !Array.isArray(d) || !Array.isArray(n) || !Array.isArray(hv)) throw new ReportError('malformed report');
    for (const def of m as unknown[]) this.#defineMetric(def, touched);
    for (const def of d as unknown[]) this.#defineSeries(def, unseen, touched);
    for (let i = 0; i + 1 < n.length; i += 2) {
      const held = this.#held(n[i]);
      if (held === null) continue;
      this.#store.setNumber(held.contribution, fromWire(n[i + 1]), now);
      touched.add(held.metric);
    }
    for (const v of hv as unknown[]) {
      if (!Array.isArray(v) || v.length < 4 || !Array.isArray(v[1])) throw new ReportError('malformed histogram value');
      const held = this.#held(v[0]);
      if (held === null) continue;
      const counts = (v[1] as unknown[]).map((x) => (typeof x === 'number' ? x : 0));
      if (counts.length !== (held.contribution.series.dim.bounds?.length ?? -2) + 1) continue;
      this.#store.setHistogram(
        held.contribution,
        { counts, sum: fromWire(v[2]), count: typeof v[3] === 'number' ? v[3] : 0, min: v[4] == null ? undefined : fromWire(v[4]), max: v[5] == null ? undefined : fromWire(v[5]) },
        now,
      );
      touched.add(held.metric);
    }
    if (unseen !== undefined) {
      for (const held of unseen) this.#drop(held, touched);
    }
    this.lastReportAt = now;
    return touched;
  }

  #held(id: unknown): Held | null {
    const held = this.#series.get(id as number);
    if (held === undefined) throw new ReportError(`value for series ${String(id)}, never defined`);
    return held;
  }

  #defineMetric(def: unknown, touched: Set<string>): void {
    if (!Array.isArray(def) || typeof def[0] !== 'number' || typeof def[1] !== 'string' || typeof def[2] !== 'number') throw new ReportError('malformed metric definition');
    const [id, name, startTimeMs] = def as [number, string, number];
    const before = this.#metrics.get(id);
    this.#metrics.set(id, { name, startTimeMs, description: str(def[3]), unit: str(def[4]) });
    if (before !== undefined && before.startTimeMs !== startTimeMs) {
      // The metric was reset in the contributor: what it counted so far is kept.
      for (const held of this.#byKey.values()) if (held.metric === name) this.#store.restart(held.contribution);
      touched.add(name);
    }
  }

  #defineSeries(def: unknown, unseen: Set<Held> | undefined, touched: Set<string>): void {
    if (!Array.isArray(def) || def.length < 5 || typeof def[0] !== 'number' || typeof def[2] !== 'string' || !KINDS.has(def[3] as string) || !isAttributes(def[4])) {
      throw new ReportError('malformed series definition');
    }
    const metric = this.#metrics.get(def[1] as number);
    if (metric === undefined) throw new ReportError(`series of metric ${String(def[1])}, never defined`);
    const kind = def[3] as MetricDimensionKind;
    const bounds = Array.isArray(def[7]) ? (def[7] as unknown[]).filter((b): b is number => typeof b === 'number') : undefined;
    const sd: SeriesDefinition = {
      metric: metric.name,
      metricDescription: metric.description,
      metricUnit: metric.unit,
      dimension: def[2] as string,
      kind,
      unit: str(def[5]),
      description: str(def[6]),
      bounds: kind === 'histogram' ? (bounds ?? []) : undefined,
      attributes: def[4] as MetricAttributes,
    };
    const key = `${sd.metric}\u0000${sd.dimension}\u0000${attributesKey(sd.attributes)}`;
    const existing = this.#byKey.get(key);
    let held: Held | null = null;
    if (existing !== undefined && this.#store.fits(existing.contribution, sd, this.name)) {
      held = existing; // the same series, defined again (a full report, a redefinition)
    } else {
      // A series seen again after it left, or redefined with another kind: the old one has ended.
      if (existing !== undefined) this.#drop(existing, touched);
      if (this.#byKey.size >= this.#maxSeries) this.refused++;
      else {
        const c = this.#store.contribute(sd, this.name);
        if (c !== undefined) {
          held = { contribution: c, metric: sd.metric, key };
          this.#byKey.set(key, held);
        }
      }
    }
    if (held !== null) unseen?.delete(held);
    this.#series.set(def[0] as number, held);
  }

  #drop(held: Held, touched: Set<string>): void {
    this.#store.release(held.contribution);
    this.#byKey.delete(held.key);
    touched.add(held.metric);
  }

  /** The contributor is gone: counters and histograms keep its last values, gauges drop them. */
  releaseAll(): Set<string> {
    const touched = new Set<string>();
    for (const held of this.#byKey.values()) {
      this.#store.release(held.contribution);
      touched.add(held.metric);
    }
    this.#byKey.clear();
    this.#series.clear();
    this.#metrics.clear();
    return touched;
  }
}
