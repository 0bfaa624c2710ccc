/**
 * JSON payload → span attributes. Span (and metric) attributes must be flat: a primitive or a
 * homogeneous array of primitives (OTel common spec, "Attribute"). Nested objects are flattened
 * with dotted keys (`kwargs.user.id`), bounded in depth and count; what cannot be flattened is
 * written as bounded JSON text; `null` is skipped (not a valid attribute value).
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { JsonObject, JsonValue } from '../../core/logger/json.ts';

/** Limits of {@link flattenPayload}. */
export interface FlattenLimits {
  /** Maximum attributes produced; the rest are counted as dropped. */
  readonly maxAttributes: number;
  /** Maximum object nesting flattened into dotted keys; deeper values become JSON text. */
  readonly maxDepth: number;
  /** Maximum length of a JSON-text value, in UTF-16 units (longer ones end with `…`). */
  readonly maxJsonLength: number;
}

/**
 * Adds the flattened `payload` to `out` under `prefix` (`''` for the top level), at most
 * `maxAttributes` of them. Returns the number that did not fit.
 */
export function flattenPayload(payload: JsonObject, out: Attributes, limits: FlattenLimits, prefix = ''): number {
  const state = { count: 0, dropped: 0 };
  walk(payload, prefix, 1, out, limits, state);
  return state.dropped;
}

interface State {
  count: number;
  dropped: number;
}

function walk(obj: JsonObject, prefix: string, depth: number, out: Attributes, limits: FlattenLimits, state: State): void {
  for (const key in obj) {
    const value = obj[key]!;
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (value === null) continue;
    if (typeof value === 'object' && !Array.isArray(value) && depth < limits.maxDepth) {
      walk(value, name, depth + 1, out, limits, state);
      continue;
    }
    const attr = toAttributeValue(value, limits);
    if (attr === undefined) continue;
    if (state.count >= limits.maxAttributes) {
      state.dropped++;
      continue;
    }
    out[name] = attr;
    state.count++;
  }
}

function toAttributeValue(value: JsonValue, limits: FlattenLimits): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    default:
      break;
  }
  if (Array.isArray(value) && isHomogeneousPrimitiveArray(value)) return value as AttributeValue;
  return boundedJson(value, limits.maxJsonLength);
}

function isHomogeneousPrimitiveArray(values: readonly JsonValue[]): boolean {
  if (values.length === 0) return true;
  const type = typeof values[0];
  if (type !== 'string' && type !== 'number' && type !== 'boolean') return false;
  for (let i = 1; i < values.length; i++) if (typeof values[i] !== type) return false;
  return true;
}

function boundedJson(value: JsonValue, max: number): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return '<unserialisable>';
  }
  if (text.length <= max) return text;
  let end = max - 1;
  // Do not cut between the halves of a surrogate pair: a lone surrogate is not valid text.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
