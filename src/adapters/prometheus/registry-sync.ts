/**
 * Registry reconciliation: keeps a bridge's collectors in a prom-client `Registry` in step with
 * the dimensions its source's snapshots have. New dimensions are registered (all or nothing at
 * creation, where a clash throws; one by one later, where a clash is reported and counted),
 * vanished ones unregistered, and names taken over by a newer bridge (re-registration after a hot
 * reload) are given up for good.
 * @module
 */
import type { Metric as PromMetric, Registry } from 'prom-client';
import { reportDiagnostic } from '../../adapter-kit/index.ts';
import { MvxError, MvxErrorCode } from '../../index.ts';
import type { MetricDimension, MetricSnapshot } from '../../index.ts';
import { DimensionCollector, isBridgeCollector } from './dimension-collector.ts';
import type { CollectorHost } from './dimension-collector.ts';
import { prometheusName } from './naming.ts';

const COMPONENT = 'PrometheusBridge';

/** Counters of the reconciliation (part of the bridge's stats). */
export interface RegistrySyncCounts {
  /** Dimensions found after creation whose name was taken, so they are not exported (each try). */
  clashes: number;
  /** Collectors of an earlier bridge replaced by this one (re-registration). */
  replaced: number;
  /** Collectors of this bridge that another bridge replaced or someone removed from the registry. */
  lost: number;
}

interface Planned {
  readonly metric: MetricSnapshot;
  readonly dim: MetricDimension;
  readonly collector: DimensionCollector;
}

/** One bridge's collectors in one registry. */
export class RegistrySync {
  readonly counts: RegistrySyncCounts = { clashes: 0, replaced: 0, lost: 0 };
  readonly #registry: Registry<any>;
  readonly #host: CollectorHost;
  readonly #prefix: string;
  // metric name → dimension name → collector (including lost ones, so they are not re-added).
  readonly #bindings = new Map<string, Map<string, DimensionCollector>>();
  readonly #lost = new WeakSet<DimensionCollector>();
  // Registered name → this bridge's live (not lost) collector.
  readonly #byName = new Map<string, DimensionCollector>();
  #generation = 0;
  #superseded = false;

  constructor(registry: Registry<any>, host: CollectorHost, prefix: string) {
    this.#registry = registry;
    this.#host = host;
    this.#prefix = prefix;
  }

  /** The generation of the latest {@link apply}: collectors seen by it hold that snapshot's data. */
  get generation(): number {
    return this.#generation;
  }

  /** Prometheus names this bridge currently has in the registry. */
  names(): string[] {
    const out: string[] = [];
    for (const [name, c] of this.#byName) if (this.#owns(c)) out.push(name);
    return out;
  }

  /** Every collector this bridge made (lost ones included), for the stats. */
  *collectors(): Iterable<DimensionCollector> {
    for (const dims of this.#bindings.values()) yield* dims.values();
  }

  /**
   * Whether newer bridges took over every collector this bridge had (hot reload, a test runner
   * re-creating it): it then retires, so old sources are no longer read.
   */
  get superseded(): boolean {
    return this.#superseded;
  }

  /**
   * Brings the registry in step with `snapshots`. With `strict`, any clash throws before anything is
   * registered; otherwise clashes are reported and the rest goes ahead.
   */
  apply(snapshots: readonly MetricSnapshot[], strict: boolean): void {
    const generation = ++this.#generation;
    const planned: Planned[] = [];
    for (const metric of snapshots) {
      const dims = this.#bindings.get(metric.name);
      for (const dim of metric.dimensions) {
        const unit = dim.unit ?? metric.unit;
        const existing = dims?.get(dim.name);
        if (existing !== undefined && existing.kind === dim.kind && existing.unit === unit) {
          if (!this.#lost.has(existing)) {
            existing.dimension = dim;
            existing.startTimeMs = metric.startTimeMs;
            existing.seenGeneration = generation;
          }
          continue;
        }
        if (existing !== undefined) this.#unregister(existing, metric.name, dim.name);
        const naming = prometheusName(metric.name, dim.name, dim.kind, unit, { prefix: this.#prefix });
        const help = dim.description ?? metric.description ?? (dim.name === '' ? metric.name : `${metric.name}.${dim.name}`);
        const collector = new DimensionCollector(this.#host, naming, help || naming.name, `${metric.name}\u0000${dim.name}`, dim.kind, unit);
        collector.dimension = dim;
        collector.startTimeMs = metric.startTimeMs;
        collector.seenGeneration = generation;
        planned.push({ metric, dim, collector });
      }
    }
    if (planned.length > 0) this.#registerPlanned(planned, strict);
    // Collectors whose dimension vanished from the source leave the registry.
    for (const [metricName, dims] of this.#bindings) {
      for (const [dimName, c] of dims) {
        if (c.seenGeneration !== generation && !this.#lost.has(c)) this.#unregister(c, metricName, dimName);
      }
      if (dims.size === 0) this.#bindings.delete(metricName);
    }
    this.#noticeLost();
  }

  /** Removes this bridge's collectors from the registry (those another bridge took over stay). */
  clear(): void {
    for (const [name, c] of this.#byName) if (this.#owns(c)) this.#registry.removeSingleMetric(name);
    this.#byName.clear();
    this.#bindings.clear();
  }

  #owns(c: DimensionCollector): boolean {
    return !this.#lost.has(c) && this.#registry.getSingleMetric(c.registeredName) === (c as unknown);
  }

  #bindingsFor(metricName: string): Map<string, DimensionCollector> {
    let dims = this.#bindings.get(metricName);
    if (dims === undefined) this.#bindings.set(metricName, (dims = new Map()));
    return dims;
  }

  #unregister(c: DimensionCollector, metricName: string, dimName: string): void {
    if (this.#owns(c)) this.#registry.removeSingleMetric(c.registeredName);
    if (this.#byName.get(c.registeredName) === c) this.#byName.delete(c.registeredName);
    this.#bindings.get(metricName)?.delete(dimName);
  }

  #registerPlanned(planned: Planned[], strict: boolean): void {
    const errors: MvxError[] = [];
    const names = new Map<string, Planned>();
    const accepted: Planned[] = [];
    for (const p of planned) {
      const name = p.collector.registeredName;
      const error = this.#clash(p, names.get(name) ?? this.#byName.get(name));
      if (error !== undefined) {
        if (strict) errors.push(error);
        else {
          this.counts.clashes++;
          reportDiagnostic({ component: COMPONENT, code: 'name.clash', message: `${error.message}; not exported`, details: { name } });
        }
        continue;
      }
      names.set(name, p);
      accepted.push(p);
    }
    if (errors.length > 0) {
      throw errors.length === 1
        ? errors[0]!
        : new MvxError(MvxErrorCode.ALREADY_EXISTS, errors.map((e) => e.message).join('; '), { details: { names: errors.map((e) => e.details['name']) } });
    }
    for (const p of accepted) {
      const name = p.collector.registeredName;
      if (this.#registry.getSingleMetric(name) !== undefined) {
        // Another bridge's collector (same or another source): re-registration takes it over.
        this.#registry.removeSingleMetric(name);
        this.counts.replaced++;
      }
      this.#registry.registerMetric(p.collector as unknown as PromMetric);
      this.#bindingsFor(p.metric.name).set(p.dim.name, p.collector);
      this.#byName.set(name, p.collector);
    }
  }

  /** The clash of a planned collector with a twin of this bridge or a hand-written metric, if any. */
  #clash(p: Planned, twin: Planned | DimensionCollector | undefined): MvxError | undefined {
    const name = p.collector.registeredName;
    if (twin !== undefined) {
      const twinLabel = 'metric' in twin ? describe(twin.metric.name, twin.dim.name) : describeKey(twin.sourceKey);
      return new MvxError(
        MvxErrorCode.ALREADY_EXISTS,
        `${describe(p.metric.name, p.dim.name)} and ${twinLabel} both map to the Prometheus name '${name}'; rename one of them`,
        { details: { name } },
      );
    }
    const existing = this.#registry.getSingleMetric(name) as unknown;
    if (existing === undefined || isBridgeCollector(existing)) return undefined;
    const type = (existing as { type?: unknown }).type;
    return new MvxError(
      MvxErrorCode.ALREADY_EXISTS,
      `${describe(p.metric.name, p.dim.name)} maps to the Prometheus name '${name}', which the registry already holds ` +
        `(a hand-written prom-client ${typeof type === 'string' ? type : 'metric'} '${name}'); ` +
        'rename one of them, give the bridge a `prefix`, or remove the hand-written metric once it is migrated',
      { details: { name, existingType: type } },
    );
  }

  #noticeLost(): void {
    let lostNow = 0;
    for (const [name, c] of this.#byName) {
      if (this.#registry.getSingleMetric(name) !== (c as unknown)) {
        this.#lost.add(c);
        this.#byName.delete(name);
        lostNow++;
      }
    }
    this.counts.lost += lostNow;
    if (lostNow > 0 && this.#byName.size === 0) {
      this.#superseded = true;
      this.#bindings.clear();
    }
  }
}

function describe(metric: string, dim: string): string {
  return dim === '' ? `mvx metric '${metric}'` : `mvx metric '${metric}' dimension '${dim}'`;
}

function describeKey(key: string): string {
  const [metric = '', dim = ''] = key.split('\u0000');
  return describe(metric, dim);
}
