/**
 * StatsD names and tags: sanitising, prefixing and turning attributes into tags or name segments.
 */
import type { MetricAttributes } from '../../index.ts';

/** How attributes reach StatsD. See {@link StatsdExporterOptions.attributes}. */
export type StatsdAttributeMode = 'tags' | 'name' | 'drop';

// Anything outside letters, digits, `_`, `-` and the `.` hierarchy separator would break the line
// protocol (`:`, `|`, `@`, `#`, `,`, newlines) or be rewritten by the daemon (Etsy statsd keeps
// `[A-Za-z0-9_.\-;=]` and drops the rest), so it becomes `_` here, where the user can see it.
const UNSAFE = /[^A-Za-z0-9_.-]/g;
const DOTS = /\.{2,}/g;
const EDGE_DOTS = /^\.+|\.+$/g;

/**
 * Sanitises a metric name for StatsD: characters outside `A-Z a-z 0-9 _ - .` become `_`, runs of
 * dots collapse to one and leading/trailing dots are removed (Graphite has no empty path nodes).
 * An empty result becomes `_`.
 */
export function sanitizeStatsdName(name: string): string {
  const out = name.replace(UNSAFE, '_').replace(DOTS, '.').replace(EDGE_DOTS, '');
  return out === '' ? '_' : out;
}

/** A name segment (attribute key or value in `name` mode): like a name, but dots become `_` too. */
export function sanitizeStatsdSegment(segment: string): string {
  const out = segment.replace(UNSAFE, '_').replace(/\./g, '_');
  return out === '' ? '_' : out;
}

/** `<metric>.<dimension>`, or the metric alone when the dimension name is `''` (snapshot naming rule). */
export function dimensionStatName(prefix: string, metric: string, dimension: string): string {
  const base = dimension === '' ? metric : `${metric}.${dimension}`;
  return sanitizeStatsdName(prefix === '' ? base : `${prefix}.${base}`);
}

/** hot-shots tags (`{ key: 'value' }`); hot-shots sanitises and formats them per its `telegraf` option. */
export function attributesToTags(attributes: MetricAttributes): Record<string, string> | undefined {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return undefined;
  const tags: Record<string, string> = {};
  for (const k of keys) tags[k] = String(attributes[k]);
  return tags;
}

/** `name` mode: `<name>.<key>.<value>` for each attribute, keys sorted. */
export function attributesToNameSuffix(attributes: MetricAttributes): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  keys.sort();
  let out = '';
  for (const k of keys) out += `.${sanitizeStatsdSegment(k)}.${sanitizeStatsdSegment(String(attributes[k]))}`;
  return out;
}
