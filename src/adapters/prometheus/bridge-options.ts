/**
 * Options and counters of the Prometheus bridge.
 */
import type { Registry } from 'prom-client';
import type { DeliveryStats } from '../../adapter-kit/index.ts';
import type { RegistrySyncCounts } from './registry-sync.ts';
import type { ScrapeViewCounts } from './scrape-view.ts';

/** Options of {@link createPrometheusBridge}. */
export interface PrometheusBridgeOptions {
  /**
   * The prom-client registry to register in (the adapter takes the client, it does not make one).
   * @default prom-client's default `register`
   */
  registry?: Registry<any>;
  /** Prepended to every exported name, e.g. `myapp_` (sanitised). @default '' */
  prefix?: string;
  /**
   * Bound on the source's `flush()` at the start of each scrape, in ms. On time-out the scrape goes
   * on with what is aggregated so far (counted in `stats().flushTimeouts`, reported as a diagnostic).
   * `0` skips the flush.
   * @default 250
   */
  flushTimeoutMs?: number;
}

/**
 * Counters of a bridge, for tests and health checks. The delivery counts are in series (one per
 * series of a dimension per scrape): `accepted = delivered + dropped + failed + pending`.
 */
export interface PrometheusBridgeStats extends DeliveryStats, ScrapeViewCounts, RegistrySyncCounts {
  /** Series read from the snapshots by scrapes. */
  readonly accepted: number;
  /** Series exported (each as its own Prometheus series). */
  readonly delivered: number;
  /** Series not exported as their own: merged into another with the same labels, or left out of a merge that would overflow. */
  readonly dropped: number;
  /** Always 0: a scrape whose source failed fails as a whole (`snapshotFailures`). */
  readonly failed: number;
  /** Always 0: the bridge holds nothing; Prometheus pulls. */
  readonly pending: number;
  /**
   * Series merged into another of the same metric because their Prometheus labels are equal
   * (`200` and `'200'`, `a.b` and `a_b`), summed over collect passes; reported once per metric.
   */
  readonly mergedSeries: number;
  /** Merges refused because the sum would not be finite (the exported series keeps its finite value); reported once per metric. */
  readonly mergeOverflows: number;
}
