/**
 * Series attributes → Prometheus label sets, cached so that a scrape does not rebuild them.
 * @module
 */
import type { MetricAttributes } from '../../core/metrics/types.ts';
import { sanitizeLabelName } from './naming.ts';

/** A Prometheus label set as prom-client prints it: label name → string value. */
export type Labels = Readonly<Record<string, string>>;

// Attribute key → label name, shared by every bridge (keys are few and long-lived). Bounded so a
// source with unbounded attribute *keys* cannot grow it forever; past the bound names are computed.
const LABEL_NAMES = new Map<string, string>();
const MAX_CACHED_LABEL_NAMES = 10_000;

function labelName(key: string, reservedLe: boolean): string {
  let name = LABEL_NAMES.get(key);
  if (name === undefined) {
    name = sanitizeLabelName(key);
    if (LABEL_NAMES.size < MAX_CACHED_LABEL_NAMES) LABEL_NAMES.set(key, name);
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
    if (name in out) collided = true;
    else out[name] = labelValue(attributes[key]);
  }
  if (collided) {
    for (const k of Object.keys(out)) delete out[k];
    for (const key of [...keys].sort()) {
      const name = labelName(key, reservedLe);
      const v = labelValue(attributes[key]);
      out[name] = out[name] === undefined ? v : `${out[name]};${v}`;
    }
  }
  return Object.freeze(out);
}

/**
 * A per-dimension cache from attribute objects to label sets. Snapshots that reuse the same
 * attribute objects between scrapes (the core's series store does) convert each series once;
 * the WeakMap lets series that disappear be collected.
 */
export class LabelCache {
  private readonly cache = new WeakMap<MetricAttributes, Labels>();
  private readonly reservedLe: boolean;

  constructor(reservedLe: boolean) {
    this.reservedLe = reservedLe;
  }

  /** The labels of `attributes`, converted once per attributes object. */
  get(attributes: MetricAttributes): Labels {
    let labels = this.cache.get(attributes);
    if (labels === undefined) {
      labels = toLabels(attributes, this.reservedLe);
      this.cache.set(attributes, labels);
    }
    return labels;
  }
}
