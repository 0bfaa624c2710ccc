/**
 * `mvx-common/statsd`: pushes a metrics recorder to StatsD through the user's hot-shots client,
 * aggregated per interval (default) or per event. See `docs/statsd.md`.
 */
export { StatsdExporter } from './statsd-exporter.ts';
export { createStatsdLookup } from './statsd-lookup.ts';
export type { StatsdLookup, StatsdLookupOptions, StatsdLookupStats, StatsdResolveFunction } from './statsd-lookup.ts';
export type { StatsdExporterStats } from './statsd-exporter.ts';
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
