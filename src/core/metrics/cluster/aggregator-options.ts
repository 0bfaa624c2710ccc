/** Options of the {@link ClusterMetricsAggregator} and their validation. */
import { MvxConfigError } from '../../errors.ts';
import { DEFAULT_SERIES_LIMIT } from '../series/series-store.ts';
import type { MetricsSource } from '../types.ts';
import type { GaugeAggregation } from './aggregate-store.ts';

/** Options of {@link createClusterMetricsAggregator}. */
export interface ClusterMetricsAggregatorOptions {
  /**
   * The primary's own metrics (its recorder), merged into the same view: a metric the primary and
   * the workers share is one metric. @default none
   */
  local?: MetricsSource;
  /** The `worker` attribute value of the primary's own series (when broken down per worker). @default 'primary' */
  localName?: string;
  /**
   * Time budget of a collection before a scrape or export (`flush()`), in ms: workers that have
   * not answered by then are served with the last values they reported (their staleness shows in
   * `mvx.cluster.worker.report_age`). Capped at 80 % of the caller's own `timeoutMs`, so the
   * adapter's own bound is never reached.
   * @default 200
   */
  collectTimeoutMs?: number;
  /**
   * How several workers' values of a gauge or up-down counter make one, by metric name:
   * `'sum' | 'max' | 'min' | 'last' | 'per-worker'`. Counters and histograms are always summed.
   * @default {} (every gauge and up-down counter: `defaultGaugeAggregation`)
   */
  gaugeAggregation?: Readonly<Record<string, GaugeAggregation>>;
  /** The rule of gauges and up-down counters not named in `gaugeAggregation`. @default 'sum' */
  defaultGaugeAggregation?: GaugeAggregation;
  /**
   * Break metrics down per worker with a `worker` attribute: `true` for every metric, or the
   * names of the metrics to break down. Off by default: it multiplies series by the number of
   * workers (cardinality). A counter's per-worker series continues across restarts when the new
   * worker has the same name (the default names are slot numbers, reused).
   * @default false
   */
  perWorker?: boolean | readonly string[];
  /** Name of the per-worker attribute. @default 'worker' */
  workerAttribute?: string;
  /** Series limit per dimension, overflow series included (then one `otel.metric.overflow=true` series). @default 2000 */
  seriesLimit?: number;
  /** Bound on the series one worker may define; definitions beyond it are refused and counted. @default 100000 */
  maxSeriesPerWorker?: number;
  /**
   * Add the aggregator's own metrics: `mvx.cluster.workers` (`connected`, `answering`, `exited`),
   * `mvx.cluster.worker.report_age` (seconds since each live worker last reported, by `worker`),
   * `mvx.cluster.resyncs`.
   * @default true
   */
  selfMetrics?: boolean;
}

/** Validated options. */
export interface ResolvedAggregatorOptions {
  readonly local: MetricsSource | undefined;
  readonly localName: string;
  readonly collectTimeoutMs: number;
  readonly gaugeAggregation: ReadonlyMap<string, GaugeAggregation>;
  readonly defaultGaugeAggregation: GaugeAggregation;
  readonly perWorker: boolean | ReadonlySet<string>;
  readonly workerAttribute: string;
  readonly seriesLimit: number;
  readonly maxSeriesPerWorker: number;
  readonly selfMetrics: boolean;
}

const RULES: ReadonlySet<string> = new Set(['sum', 'max', 'min', 'last', 'per-worker']);

function rule(value: unknown, option: string): GaugeAggregation {
  if (typeof value === 'string' && RULES.has(value)) return value as GaugeAggregation;
  throw new MvxConfigError(option, `must be one of 'sum', 'max', 'min', 'last', 'per-worker', got ${JSON.stringify(value) ?? String(value)}`);
}

function integer(value: unknown, option: string, min: number, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new MvxConfigError(option, `must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

function name(value: unknown, option: string, dflt: string): string {
  if (value === undefined) return dflt;
  if (typeof value !== 'string' || value.trim() === '') throw new MvxConfigError(option, 'must be a non-empty string');
  return value.trim();
}

/** Validates the options. @throws MvxConfigError naming the option. */
export function resolveAggregatorOptions(o: ClusterMetricsAggregatorOptions): ResolvedAggregatorOptions {
  if (o === null || typeof o !== 'object') throw new MvxConfigError('options', 'must be an object');
  if (o.local !== undefined && (o.local === null || typeof o.local !== 'object' || typeof o.local.snapshots !== 'function')) {
    throw new MvxConfigError('local', 'expected a MetricsSource (an object with a snapshots() method), such as the primary\'s recorder');
  }
  const collectTimeoutMs = o.collectTimeoutMs ?? 200;
  if (typeof collectTimeoutMs !== 'number' || !Number.isFinite(collectTimeoutMs) || collectTimeoutMs < 0) {
    throw new MvxConfigError('collectTimeoutMs', `must be a finite number of milliseconds >= 0, got ${String(collectTimeoutMs)}`);
  }
  const gaugeAggregation = new Map<string, GaugeAggregation>();
  if (o.gaugeAggregation !== undefined) {
    if (o.gaugeAggregation === null || typeof o.gaugeAggregation !== 'object') throw new MvxConfigError('gaugeAggregation', 'must be an object { metricName: rule }');
    for (const [k, v] of Object.entries(o.gaugeAggregation)) gaugeAggregation.set(k, rule(v, `gaugeAggregation.${k}`));
  }
  let perWorker: boolean | ReadonlySet<string> = false;
  if (o.perWorker !== undefined) {
    if (typeof o.perWorker === 'boolean') perWorker = o.perWorker;
    else if (Array.isArray(o.perWorker) && o.perWorker.every((x) => typeof x === 'string')) perWorker = new Set(o.perWorker);
    else throw new MvxConfigError('perWorker', 'must be a boolean or an array of metric names');
  }
  if (o.selfMetrics !== undefined && typeof o.selfMetrics !== 'boolean') throw new MvxConfigError('selfMetrics', 'must be a boolean');
  return {
    local: o.local,
    localName: name(o.localName, 'localName', 'primary'),
    collectTimeoutMs,
    gaugeAggregation,
    defaultGaugeAggregation: o.defaultGaugeAggregation === undefined ? 'sum' : rule(o.defaultGaugeAggregation, 'defaultGaugeAggregation'),
    perWorker,
    workerAttribute: name(o.workerAttribute, 'workerAttribute', 'worker'),
    seriesLimit: integer(o.seriesLimit, 'seriesLimit', 2, DEFAULT_SERIES_LIMIT),
    maxSeriesPerWorker: integer(o.maxSeriesPerWorker, 'maxSeriesPerWorker', 1, 100_000),
    selfMetrics: o.selfMetrics ?? true,
  };
}
