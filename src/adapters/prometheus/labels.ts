/**
 * Series attributes → Prometheus label sets, cached so that a scrape does not rebuild them.
 * @module
 */
import type { MetricAttributes } from '../../index.ts';
import { sanitizeLabelName } from './naming.ts';

/** A Prometheus label set as prom-client prints it: label name → string value. */
export type Labels = Readonly<Record<string, string>>;

// Attribute key → label name, shared by every bridge (keys are few and long-lived). Bounded in
// entries and in characters, and long keys are never cached, so a source with unbounded or huge
// attribute *keys* cannot grow it; past the bounds names are computed each time.
const LABEL_NAMES = new Map<string, string>();
const MAX_CACHED_LABEL_NAMES = 10_000;
const MAX_CACHED_KEY_LENGTH = 256;
const MAX_CACHED_CHARS = 1_000_000;
let cachedChars = 0;

function labelName(key: string, reservedLe: boolean): string {
  let name = LABEL_NAMES.get(key);
  if (name === undefined) {
    name = sanitizeLabelName(key);
    if (key.length <= MAX_CACHED_KEY_LENGTH && LABEL_NAMES.size < MAX_CACHED_LABEL_NAMES && cachedChars < MAX_CACHED_CHARS) {
      LABEL_NAMES.set(key, name);
      cachedChars += key.length + name.length;
    }
  }
  // `le` is the bucket bound label of histograms (Prometheus exposition format); an attribute of
  // that name is exported as `_le` rather than corrupting the buckets.
  return reservedLe && name === 'le' ? '_le' : name;
}

function labelValue(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/**
 * Converts attributes to labels. Attribute keys that sanitise to the same label name are joined
 * with `;` in the order of their original keys, as the OpenTelemetry→Prometheus specification
 * says. The result is frozen and may be shared.
 */
export function toLabels(attributes: MetricAttributes, reservedLe: boolean): Labels {
  const out: Record<string, string> = {};
  const keys = Object.keys(attributes);
  let collided = false;
  for (const key of keys) {
    const name = labelName(key, reservedLe);
    // Own keys only: `in` would see Object.prototype's `toString`, `constructor`, ... as taken.
    if (Object.hasOwn(out, name)) collided = true;
    else out[name] = labelValue(attributes[key]);
  }
  if (collided) {
    for (const k of Object.keys(out)) delete out[k];
    for (const key of [...keys].sort()) {
      const name = labelName(key, reservedLe);
      const v = labelValue(attributes[key]);
      out[name] = Object.hasOwn(out, name) ? `${out[name]};${v}` : v;
    }
  }
  return Object.freeze(out);
}

/** A series' label set, canonical within its collector, with per-collect bookkeeping. */
export interface LabelEntry {
  readonly labels: Labels;
  /** The label set's canonical text (its key among the collector's label sets). */
  readonly key: string;
  /** The collect pass that last used this label set (see `DimensionCollector`). */
  stamp: number;
  /** Where that pass put this label set's first sample. */
  index: number;
  /** Whether the entry is in the canonical index (entries of vanished series are swept out). */
  indexed: boolean;
}

/**
 * A per-collector cache from attribute objects to label entries. Snapshots that reuse the same
 * attribute objects between scrapes (the core's series store does) convert each series once;
 * the WeakMap lets series that disappear be collected.
 *
 * Distinct attribute sets can give the same labels (`{status: 200}` and `{status: '200'}` are two
 * series in the core, as in OpenTelemetry, but one in Prometheus; so are `{'a.b': 1}` and
 * `{a_b: 1}`). Equal label sets share one entry, so the collector can merge them instead of
 * exposing a duplicate series, which Prometheus would reject.
 *
 * The canonical index holds the label sets of the latest collect pass only ({@link sweep}): its
 * memory follows the series the source has now, whatever came and went before (a metric reset
 * between scrapes with new attribute values, a custom metric with fresh attribute objects).
 */
export class LabelCache {
  private readonly cache = new WeakMap<MetricAttributes, LabelEntry>();
  // Canonical text of a label set → its entry, for the label sets of the latest pass.
  private readonly canonical = new Map<string, LabelEntry>();
  private readonly reservedLe: boolean;

  constructor(reservedLe: boolean) {
    this.reservedLe = reservedLe;
  }

  /** The label entry of `attributes`, converted once per attributes object. */
  get(attributes: MetricAttributes): LabelEntry {
    let entry = this.cache.get(attributes);
    if (entry === undefined) {
      const labels = toLabels(attributes, this.reservedLe);
      const keys = Object.keys(labels).sort();
      let text = '';
      for (const k of keys) text += `${k.length}:${k}${labels[k]!.length}:${labels[k]}`;
      entry = this.canonical.get(text);
      if (entry === undefined) {
        entry = { labels, key: text, stamp: -1, index: -1, indexed: true };
        this.canonical.set(text, entry);
      }
      this.cache.set(attributes, entry);
    } else if (!entry.indexed) {
      // A series swept out of the index came back (its attributes object was kept elsewhere).
      const other = this.canonical.get(entry.key);
      if (other !== undefined) {
        this.cache.set(attributes, other);
        return other;
      }
      entry.indexed = true;
      this.canonical.set(entry.key, entry);
    }
    return entry;
  }

  /**
   * After a collect pass that read `seriesCount` series and stamped their entries with `pass`:
   * drops from the index every label set that pass did not use. Costs a walk of the index only
   * when it holds more label sets than the pass had series (some must be gone).
   */
  sweep(pass: number, seriesCount: number): void {
    if (this.canonical.size <= seriesCount) return;
    for (const [text, entry] of this.canonical) {
      if (entry.stamp !== pass) {
        entry.indexed = false;
        this.canonical.delete(text);
      }
    }
  }
}
