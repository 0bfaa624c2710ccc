/**
 * `mvx-common/statsd`: pushes a metrics recorder to StatsD through the user's hot-shots client,
 * aggregated per interval (default) or per event. See `docs/statsd.md`.
 *
 * The mapping of a snapshot series to StatsD lines is `lines.ts` ({@link counterLine},
 * {@link gaugeLines}, {@link histogramLines}); {@link StatsdExporter} keeps what was last pushed,
 * the timer and the lifecycle.
 */
export { StatsdExporter } from './statsd-exporter.ts';
export type { StatsdExporterStats, StatsdExporterReport } from './exporter-stats.ts';
export { counterLine, gaugeLines, histogramLines, histogramValueFactor, statsdSeriesName } from './lines.ts';
export type { StatsdLine, StatsdSeriesName, HistogramLineOptions } from './lines.ts';
export { createStatsdLookup } from './statsd-lookup.ts';
export type { StatsdLookup, StatsdLookupOptions, StatsdLookupStats, StatsdResolveFunction } from './statsd-lookup.ts';
export type {
  StatsdExporterOptions,
  StatsdDialect,
  StatsdExportMode,
  StatsdHistogramType,
  StatsdHistogramValues,
} from './options.ts';
export type { StatsdClientLike, StatsdCallOptions, StatsdTags } from './client-like.ts';
export type { StatsdAttributeMode } from './naming.ts';
export { sanitizeStatsdName } from './naming.ts';
