/**
 * Options of the StatsD exporter, their defaults and their validation.
 */
import { checkBoolean, checkInteger, checkObjectWith, checkOneOf, checkString } from '../../adapter-kit/index.ts';
import { MvxConfigError } from '../../index.ts';
import type { MetricsSource } from '../../index.ts';
import type { StatsdClientLike } from './client-like.ts';
import { sanitizeStatsdName, type StatsdAttributeMode } from './naming.ts';

/**
 * Which StatsD server speaks on the other end:
 * - `statsd`: the Etsy daemon and compatibles (Graphite). Timers only (`|ms`); a leading `-` on a
 *   gauge means "decrease", so negative gauges are sent as `0` then the value.
 * - `dogstatsd`: the Datadog agent. `histogram` (`|h`) and `distribution` (`|d`) exist; gauges are
 *   absolute even when negative.
 * - `telegraf`: Telegraf's `statsd` input (configure the hot-shots client with `telegraf: true` so
 *   tags use its `name,k=v` form). Timers `|ms` and histograms `|h`; signed gauges are deltas.
 */
export type StatsdDialect = 'statsd' | 'dogstatsd' | 'telegraf';

/** Where aggregated-mode histogram values come from; see {@link StatsdExporterOptions.histogramValues}. */
export type StatsdHistogramValues = 'buckets' | 'exact';

/** The hot-shots method used for histogram dimensions: `|ms`, `|h` or `|d`. */
export type StatsdHistogramType = 'timing' | 'histogram' | 'distribution';

/**
 * When metrics are pushed:
 * - `aggregated`: every `flushIntervalMs`, the change since the previous push (one line per series
 *   per interval, whatever the number of events);
 * - `per-event`: after every change, through the source's `onMetricChanged` hook.
 */
export type StatsdExportMode = 'aggregated' | 'per-event';

/** Options of {@link StatsdExporter}. */
export interface StatsdExporterOptions {
  /**
   * The user's hot-shots `StatsD` client (hot-shots ≥ 17 for `flush(cb)`). Recommended settings:
   * `maxBufferSize` 1432 (MTU-safe UDP) up to 8192 (Datadog agent limit), an IP `host`, or for a
   * host name `udpSocketOptions: { type: 'udp4', lookup: createStatsdLookup() }` (resolved once per
   * TTL, cancelled at shutdown; see docs/statsd.md). The exporter wraps its `errorHandler` (see
   * {@link StatsdExporter}).
   */
  readonly client: StatsdClientLike;
  /** Where metrics come from: a `MetricsRecorder` of this package or any {@link MetricsSource}. */
  readonly source: MetricsSource;
  /** @default 'statsd' */
  readonly dialect?: StatsdDialect;
  /** @default 'aggregated' */
  readonly mode?: StatsdExportMode;
  /**
   * Interval between pushes in `aggregated` mode, in ms (StatsD's own flush interval is 10 s;
   * pushing at the same period gives one value per series per daemon interval).
   * @default 10000
   */
  readonly flushIntervalMs?: number;
  /**
   * Prepended to every name with a `.` (after the client's own `prefix`, which hot-shots adds).
   * @default ''
   */
  readonly prefix?: string;
  /**
   * How attributes are sent:
   * - `tags` (default): as tags; hot-shots writes `|#k:v` (DogStatsD, also read by Etsy statsd
   *   ≥ 0.9 as Graphite tags `name;k=v`) or `name,k=v` when the client has `telegraf: true`;
   * - `name`: appended to the name as `.<key>.<value>` segments (keys sorted) for servers without
   *   tags; every attribute set becomes its own StatsD name;
   * - `drop`: not sent; series of a metric merge into one name (counters add up, the last gauge
   *   wins), reported once per metric through diagnostics.
   * @default 'tags'
   */
  readonly attributes?: StatsdAttributeMode;
  /**
   * The method used for histogram dimensions. `timing` values are milliseconds: dimensions whose
   * unit is `s`, `us` or `ns` are converted. `statsd` has timers only.
   * @default 'timing' for `statsd` and `telegraf`, 'distribution' for `dogstatsd`
   */
  readonly histogramType?: StatsdHistogramType;
  /**
   * Aggregated mode, where histogram values come from:
   * - `buckets` (default): replayed from the interval's bucket changes at each push: exact counts
   *   and sums, values known to the bucket, no cost per event;
   * - `exact`: metrics with a histogram dimension are sent as their events arrive (through the
   *   source's `onMetricChanged`), each observation with its exact value; costs a snapshot of that
   *   metric and one client call per event (about per-event mode's cost, see docs/statsd.md).
   * Per-event mode always sends exact values.
   * @default 'buckets'
   */
  readonly histogramValues?: StatsdHistogramValues;
  /**
   * Aggregated mode: at most this many histogram lines per series per push. Over it, lines are
   * shared out among buckets in proportion to their counts and the shortfall is counted in
   * `stats().histogramObservationsNotSent` (the daemon's count is then too low).
   * @default 1000
   */
  readonly maxHistogramLinesPerSeries?: number;
  /**
   * Whether `shutdown()` closes the client (`client.close(cb)`) after the final flush. Set `false` when
   * the client is shared with other code that closes it.
   * @default true
   */
  readonly closeClient?: boolean;
  /** Default bound of `flush()` and `shutdown()`, in ms. @default 5000 */
  readonly timeoutMs?: number;
  /**
   * Bound on the source's `flush()` before a push of `flush()`/`shutdown()`, in ms. On time-out
   * the push goes on with what is aggregated so far (reported as a diagnostic), as the Prometheus
   * and OpenTelemetry bridges do at a scrape. @default 1000
   */
  readonly flushTimeoutMs?: number;
}

/** Options with their defaults applied. */
export interface ResolvedStatsdOptions {
  readonly dialect: StatsdDialect;
  readonly mode: StatsdExportMode;
  readonly flushIntervalMs: number;
  readonly prefix: string;
  readonly attributes: StatsdAttributeMode;
  readonly histogramType: StatsdHistogramType;
  readonly histogramValues: StatsdHistogramValues;
  readonly maxHistogramLinesPerSeries: number;
  readonly closeClient: boolean;
  readonly timeoutMs: number;
  readonly flushTimeoutMs: number;
  /** Negative gauges are sent as `0` then the value (a leading `-` means "decrease"). */
  readonly signedGaugesAreDeltas: boolean;
}

const DIALECTS: readonly StatsdDialect[] = ['statsd', 'dogstatsd', 'telegraf'];
const MODES: readonly StatsdExportMode[] = ['aggregated', 'per-event'];
const ATTRIBUTE_MODES: readonly StatsdAttributeMode[] = ['tags', 'name', 'drop'];
const HISTOGRAM_TYPES: readonly StatsdHistogramType[] = ['timing', 'histogram', 'distribution'];
const HISTOGRAM_VALUES: readonly StatsdHistogramValues[] = ['buckets', 'exact'];
const MAX_INT32 = 2_147_483_647;

/**
 * Validates options and applies defaults.
 * @throws MvxConfigError naming the option when one is invalid.
 */
export function resolveStatsdOptions(options: StatsdExporterOptions): ResolvedStatsdOptions {
  if (options === null || typeof options !== 'object') {
    throw new MvxConfigError('options', 'expected an object with at least `client` and `source`');
  }
  checkObjectWith('client', options.client, ['increment', 'gauge', 'timing'], 'a hot-shots StatsD client (new StatsD({...}))');
  const source = checkObjectWith<MetricsSource>('source', options.source, ['snapshots'], 'a MetricsSource');
  const dialect = checkOneOf('dialect', options.dialect, DIALECTS, 'statsd');
  const mode = checkOneOf('mode', options.mode, MODES, 'aggregated');
  if (mode === 'per-event' && typeof source.onMetricChanged !== 'function') {
    throw new MvxConfigError('mode', "'per-event' needs a source with onMetricChanged(); use 'aggregated'");
  }
  const histogramValues = checkOneOf('histogramValues', options.histogramValues, HISTOGRAM_VALUES, 'buckets');
  if (histogramValues === 'exact' && typeof source.onMetricChanged !== 'function') {
    throw new MvxConfigError('histogramValues', "'exact' needs a source with onMetricChanged(); use 'buckets'");
  }
  const attributes = checkOneOf('attributes', options.attributes, ATTRIBUTE_MODES, 'tags');
  const histogramType = checkOneOf('histogramType', options.histogramType, HISTOGRAM_TYPES, dialect === 'dogstatsd' ? 'distribution' : 'timing');
  if (dialect === 'statsd' && histogramType !== 'timing') {
    throw new MvxConfigError('histogramType', "the 'statsd' dialect has timers only: use 'timing'");
  }
  if (dialect === 'telegraf' && histogramType === 'distribution') {
    throw new MvxConfigError('histogramType', "the 'telegraf' dialect has no distribution: use 'timing' or 'histogram'");
  }
  const prefix = checkString('prefix', options.prefix, { default: '' });
  return {
    dialect,
    mode,
    flushIntervalMs: checkInteger('flushIntervalMs', options.flushIntervalMs, { min: 1, max: MAX_INT32, default: 10_000 }),
    prefix: prefix === '' ? '' : sanitizeStatsdName(prefix),
    attributes,
    histogramType,
    histogramValues,
    maxHistogramLinesPerSeries: checkInteger('maxHistogramLinesPerSeries', options.maxHistogramLinesPerSeries, { min: 1, max: MAX_INT32, default: 1000 }),
    closeClient: checkBoolean('closeClient', options.closeClient, true),
    timeoutMs: checkInteger('timeoutMs', options.timeoutMs, { min: 1, max: MAX_INT32, default: 5000 }),
    flushTimeoutMs: checkInteger('flushTimeoutMs', options.flushTimeoutMs, { min: 0, max: MAX_INT32, default: 1000 }),
    signedGaugesAreDeltas: dialect !== 'dogstatsd',
  };
}
