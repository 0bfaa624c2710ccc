/**
 * Canonical keys for attribute sets, so that `{a: 1, b: 'x'}` and `{b: 'x', a: 1}` land in the
 * same series while `1` and `'1'` do not (as in the OpenTelemetry SDK, which keys attributes by
 * their sorted entries and typed values).
 */
import type { MetricAttributes, MetricAttributeValue } from '../types.ts';

/**
 * One attribute's part of a key. Unambiguous whatever the text: the key and string values are
 * length-prefixed, numbers and booleans (which cannot contain ';') end with ';', and a type tag
 * keeps 1 and '1' apart.
 */
function part(key: string, value: MetricAttributeValue): string {
  if (typeof value === 'string') return key.length + ':' + key + 's' + value.length + ':' + value;
  return key.length + ':' + key + (typeof value === 'number' ? 'n' : 'b') + String(value) + ';';
}

/**
 * The canonical key of an attribute set: its entries sorted by key. `''` for no attributes.
 * Values that are not attribute values (`undefined`, `null`, objects, functions: possible from an
 * `attributes` function) are left out, and a bigint counts as its decimal string, as
 * {@link SeriesStore} stores them.
 */
export function attributesKey(attributes: MetricAttributes): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  if (keys.length > 1) keys.sort();
  let out = '';
  for (const k of keys) {
    const v: unknown = attributes[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out += part(k, v);
    else if (typeof v === 'bigint') out += part(k, v.toString());
  }
  return out;
}

/**
 * The attribute value stored for `value`: itself for a string, number or boolean, the decimal
 * string of a bigint, `undefined` (left out) for anything else.
 */
export function storedAttributeValue(value: unknown): MetricAttributeValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return typeof value === 'bigint' ? value.toString() : undefined;
}
