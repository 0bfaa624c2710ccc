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

/**
 * A series' labels as handed to prom-client (`sharedLabels`): the attributes object itself when it
 * can serve as is, else a converted copy. Values are strings, or numbers and booleans that
 * prom-client prints as `String(value)`, exactly as {@link toLabels} converts them.
 */
export type SeriesLabelSet = Readonly<Record<string, string | number | boolean>>;

/**
 * A per-collector cache from attribute objects to the label sets handed to prom-client, which
 * formats each label-set object once and keeps the text in a WeakMap: a label set must therefore
 * be the same object from scrape to scrape, and snapshots that reuse their attribute objects (the
 * core's series store does) convert nothing after the first scrape.
 *
 * Memory per series is what a scrape needs and no more: when every key of an attributes object is
 * already a valid label name (the usual case: `route`, `method`, `status`), the attributes object
 * itself is the label set and nothing is kept; otherwise (`http.route`, or `le` on a histogram)
 * the converted copy is kept in a WeakMap, so it goes with its series. Series that map to the
 * same labels are found per collect pass by `labelSetKey` (see `appendSamples`), not by an index
 * kept between scrapes.
 */
export class LabelCache {
  private readonly converted = new WeakMap<MetricAttributes, Labels>();
  private readonly reservedLe: boolean;

  constructor(reservedLe: boolean) {
    this.reservedLe = reservedLe;
  }

  /** The label set of `attributes` (see the class comment). */
  get(attributes: MetricAttributes): SeriesLabelSet {
    if (this.usableAsIs(attributes)) return attributes;
    let labels = this.converted.get(attributes);
    if (labels === undefined) {
      labels = toLabels(attributes, this.reservedLe);
      this.converted.set(attributes, labels);
    }
    return labels;
  }

  /** Whether every key is an own key that is its own label name and every value a string, number or boolean. */
  private usableAsIs(attributes: MetricAttributes): boolean {
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key) || labelName(key, this.reservedLe) !== key) return false;
      const t = typeof attributes[key];
      if (t !== 'string' && t !== 'number' && t !== 'boolean') return false;
    }
    return true;
  }
}

/**
 * A hash of a label set, equal for label sets prom-client prints alike (`{status: 200}` and
 * `{status: '200'}`, in any key order): the sum of an FNV-1a hash per label. A small integer, so
 * a collect pass can index its label sets without building a string per series; equal hashes are
 * confirmed with {@link sameLabelSet}.
 */
export function labelSetHash(labels: SeriesLabelSet): number {
  let sum = 0;
  for (const k in labels) {
    const v = labelValue(labels[k]);
    let h = 0x811c9dc5;
    for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x3d, 0x01000193); // '='
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    sum = (sum + h) | 0;
  }
  return sum & 0x3fffffff; // a small integer: a fast Map key
}

/** Whether two label sets print alike: the same label names, each with the same text. */
export function sameLabelSet(a: SeriesLabelSet, b: SeriesLabelSet): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (!Object.hasOwn(b, k) || labelValue(a[k]) !== labelValue(b[k])) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}
