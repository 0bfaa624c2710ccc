/**
 * Turns a source's snapshots into the body of a report: definitions for metrics and series not
 * sent yet, and values only for the series that changed since the last report (see `protocol.ts`).
 * What it remembers is bounded by the source's own series: state of series that left the
 * snapshots is forgotten at the next diff.
 */
import { attributesKey } from '../series/attribute-key.ts';
import type { MetricDimension, MetricDimensionKind, MetricSnapshot } from '../types.ts';
import { toWire } from './protocol.ts';
import type { HistogramValue, MetricDef, SeriesDef, WireNumber } from './protocol.ts';

/** The definitions and values of one report. */
export interface ReportBody {
  readonly m: MetricDef[];
  readonly d: SeriesDef[];
  readonly n: (number | WireNumber)[];
  readonly hv: HistogramValue[];
  /** Series whose value is in this body. */
  readonly changed: number;
}

interface SeriesState {
  readonly id: number;
  gen: number;
  value: number;
  count: number;
  sum: number;
  min: number | undefined;
  max: number | undefined;
}

interface DimState {
  readonly kind: MetricDimensionKind;
  readonly boundsKey: string;
  /**
   * By attributes object: recorders hand out the same frozen object for a series in every
   * snapshot, so this lookup is the common case (no key string built). Pruned with `byKey`.
   */
  byObject: Map<object, SeriesState>;
  readonly byKey: Map<string, SeriesState>;
}

interface MetricState {
  readonly id: number;
  startTimeMs: number;
  description: string | null;
  unit: string | null;
  gen: number;
  readonly dims: Map<string, DimState>;
}

function boundsKeyOf(dim: MetricDimension): string {
  return dim.kind === 'histogram' ? dim.bounds.join(',') : '';
}

/** Keeps what was last reported per series and builds the next report body. */
export class SnapshotDiffer {
  #metrics = new Map<string, MetricState>();
  #nextId = 1;
  #gen = 0;

  /** Forgets every definition: the next {@link diff} defines and sends everything (a full report). */
  reset(): void {
    this.#metrics = new Map();
  }

  /** Series remembered (for tests and stats). */
  get size(): number {
    let n = 0;
    for (const m of this.#metrics.values()) for (const d of m.dims.values()) n += d.byKey.size;
    return n;
  }

  /** The body of the next report: what changed in `snapshots` since the previous call. */
  diff(snapshots: readonly MetricSnapshot[]): ReportBody {
    const gen = ++this.#gen;
    const body: ReportBody & { changed: number } = { m: [], d: [], n: [], hv: [], changed: 0 };
    for (const snap of snapshots) {
      const description = snap.description ?? null;
      const unit = snap.unit ?? null;
      let ms = this.#metrics.get(snap.name);
      let force = false;
      if (ms === undefined) {
        ms = { id: this.#nextId++, startTimeMs: snap.startTimeMs, description, unit, gen, dims: new Map() };
        this.#metrics.set(snap.name, ms);
        body.m.push([ms.id, snap.name, snap.startTimeMs, description, unit]);
      } else if (ms.startTimeMs !== snap.startTimeMs || ms.description !== description || ms.unit !== unit) {
        // A reset (a new start time) or new metadata: defined again, and every series resent.
        force = ms.startTimeMs !== snap.startTimeMs;
        ms.startTimeMs = snap.startTimeMs;
        ms.description = description;
        ms.unit = unit;
        body.m.push([ms.id, snap.name, snap.startTimeMs, description, unit]);
      }
      ms.gen = gen;
      for (const dim of snap.dimensions) this.#diffDimension(ms, dim, gen, force, body);
    }
    this.#prune(gen);
    return body;
  }

  #diffDimension(ms: MetricState, dim: MetricDimension, gen: number, force: boolean, body: ReportBody & { changed: number }): void {
    const boundsKey = boundsKeyOf(dim);
    let ds = ms.dims.get(dim.name);
    if (ds === undefined || ds.kind !== dim.kind || ds.boundsKey !== boundsKey) {
      // New, or redefined with another kind or buckets: new series ids.
      ds = { kind: dim.kind, boundsKey, byObject: new Map(), byKey: new Map() };
      ms.dims.set(dim.name, ds);
    }
    for (const series of dim.series) {
      const attrs = series.attributes;
      let st = ds.byObject.get(attrs);
      let isNew = false;
      if (st === undefined) {
        const key = attributesKey(attrs);
        st = ds.byKey.get(key);
        if (st === undefined) {
          st = { id: this.#nextId++, gen, value: NaN, count: -1, sum: NaN, min: undefined, max: undefined };
          ds.byKey.set(key, st);
          isNew = true;
          body.d.push([
            st.id,
            ms.id,
            dim.name,
            dim.kind,
            attrs,
            dim.unit ?? null,
            dim.description ?? null,
            dim.kind === 'histogram' ? dim.bounds : null,
          ]);
        }
        ds.byObject.set(attrs, st);
      }
      st.gen = gen;
      if ('value' in series) {
        const v = series.value;
        if (isNew || force || (v !== st.value && !(v !== v && st.value !== st.value))) {
          st.value = v;
          body.n.push(st.id, Number.isFinite(v) ? v : toWire(v));
          body.changed++;
        }
      } else if (isNew || force || st.count !== series.count || !Object.is(st.sum, series.sum) || st.min !== series.min || st.max !== series.max) {
        st.count = series.count;
        st.sum = series.sum;
        st.min = series.min;
        st.max = series.max;
        body.hv.push([
          st.id,
          series.counts,
          toWire(series.sum),
          series.count,
          series.min === undefined ? null : toWire(series.min),
          series.max === undefined ? null : toWire(series.max),
        ]);
        body.changed++;
      }
    }
  }

  /** Forgets metrics and series that were not in this diff. */
  #prune(gen: number): void {
    for (const [name, ms] of this.#metrics) {
      if (ms.gen !== gen) {
        this.#metrics.delete(name);
        continue;
      }
      for (const ds of ms.dims.values()) {
        let pruned = false;
        for (const [key, st] of ds.byKey) {
          if (st.gen !== gen) {
            ds.byKey.delete(key);
            pruned = true;
          }
        }
        // Attributes objects of series gone, or replaced by new objects: rebuilt from what is live.
        if (pruned || ds.byObject.size > 2 * ds.byKey.size) {
          const live = new Map<object, SeriesState>();
          for (const [obj, st] of ds.byObject) if (st.gen === gen) live.set(obj, st);
          ds.byObject = live;
        }
      }
    }
  }
}
