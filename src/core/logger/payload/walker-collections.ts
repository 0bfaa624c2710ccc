/**
 * The collection loops of the payload walker: arrays, plain objects and their fields, Maps, Sets,
 * binary data and typed arrays. Each reads at most `maxItems`/`maxKeys` children and stops as soon
 * as the node budget or the byte room is spent, ending with a "more" marker. Internal.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { bytesForLog, isByteArrayName, typedArrayName } from './binary.ts';
import { MORE_KEYS_KEY, limitMarker, moreItems, moreKeys, truncateString, unreadable } from './markers.ts';
import type { PayloadWalker } from './payload-walker.ts';
import { CUT_MARKER_BYTES, MARKER_RESERVE, READ_FAILED, SLACK, lastReadError, read, setKey } from './walker-support.ts';

const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;

export function walkArray(w: PayloadWalker, v: readonly unknown[], depth: number): JsonValue[] {
  const n = v.length;
  const limit = w.unbounded || n <= w.s.maxItems ? n : w.s.maxItems;
  const out: JsonValue[] = [];
  let i = 0;
  for (; i < limit; i++) {
    if (!w.spend(1)) break;
    const x = read(v, i);
    out.push(x === READ_FAILED ? w.mark(unreadable(lastReadError())) : w.item(x, depth + 1));
  }
  if (i < n) out.push(w.mark(moreItems(n - i)));
  return out;
}

/** A plain object (or any object no other rule took): its own enumerable fields. */
export function walkPlain(w: PayloadWalker, v: object, depth: number): JsonValue {
  const out: JsonObject = {};
  const rest = walkFields(w, v, w.ownKeys(v), out, depth, undefined);
  if (rest > 0) out[MORE_KEYS_KEY] = w.mark(moreKeys(rest));
  return out;
}

/**
 * Copies own enumerable fields `keys` of `v` into `out` (redacted, bounded); returns how many
 * were left out (the caller writes the `__more__` marker). `skip` names keys already represented
 * (error fields).
 */
export function walkFields(w: PayloadWalker, v: object, keys: readonly string[], out: JsonObject, depth: number, skip: ReadonlySet<string> | undefined): number {
  const s = w.s;
  const redactor = s.redactor;
  const maxLen = s.maxStringLength;
  const n = keys.length;
  const limit = w.unbounded || n <= s.maxKeys ? n : s.maxKeys;
  let i = 0;
  let skipped = 0;
  for (; i < limit + skipped && i < n; i++) {
    const k = keys[i]!;
    if (skip !== undefined && skip.has(k)) {
      skipped++;
      continue;
    }
    const outKey = k.length > maxLen ? truncateString(k, maxLen) : k;
    if (!w.spend(outKey.length + 4)) break;
    if (redactor.isSensitive(k)) {
      setKey(out, outKey, w.mark(s.redactedValue));
      continue;
    }
    const x = read(v, k);
    if (x === READ_FAILED) {
      setKey(out, outKey, w.mark(unreadable(lastReadError())));
      continue;
    }
    const nx = w.value(x, depth + 1, 0);
    if (nx !== undefined) setKey(out, outKey, nx);
  }
  let rest = 0;
  if (i < n) {
    rest = n - i;
    if (skip !== undefined) for (let j = i; j < n; j++) if (skip.has(keys[j]!)) rest--;
  }
  return rest;
}

export function walkMap(w: PayloadWalker, v: Map<unknown, unknown>, depth: number): JsonValue {
  const n = v.size;
  const limit = w.unbounded || n <= w.s.maxItems ? n : w.s.maxItems;
  const keys: unknown[] = [];
  const values: unknown[] = [];
  let primitiveKeys = true;
  const it = mapEntries.call(v);
  // Each entry costs at least one value: read no more than the budgets can pay for, so a huge
  // Map (with `unbounded: true` too) is never copied before being cut.
  const take = w.room > SLACK && w.budget > 0 ? Math.min(limit, w.budget) : 0;
  for (let i = 0; i < take; i++) {
    const step = it.next();
    if (step.done === true) break;
    const k = step.value[0];
    if (k !== null && (typeof k === 'object' || typeof k === 'function')) primitiveKeys = false;
    keys.push(k);
    values.push(step.value[1]);
  }
  const s = w.s;
  if (primitiveKeys) {
    // Object form: keys as strings (String(k)), redacted and cut like object keys.
    const out: JsonObject = {};
    let i = 0;
    for (; i < keys.length; i++) {
      const k = String(keys[i]);
      const outKey = k.length > s.maxStringLength ? truncateString(k, s.maxStringLength) : k;
      if (!w.spend(outKey.length + 4)) break;
      if (s.redactor.isSensitive(k)) {
        setKey(out, outKey, w.mark(s.redactedValue));
        continue;
      }
      const nx = w.value(values[i], depth + 1, 0);
      if (nx !== undefined) setKey(out, outKey, nx);
    }
    if (i < n) out[MORE_KEYS_KEY] = w.mark(moreKeys(n - i));
    return out;
  }
  // Entries form: [[key, value], ...]; keys normalised as values, string keys still redact. The
  // pair array counts as one level of depth, so nesting stays within maxDepth.
  const out: JsonValue[] = [];
  let i = 0;
  for (; i < keys.length; i++) {
    // Three values per entry: the pair, the key and the value.
    if (w.budget < 3 || !w.spend(4)) break;
    w.budget -= 2;
    const k = keys[i];
    const nk = w.item(k, depth + 2);
    // A string key redacts its value; so does a key that reads as a string (a boxed String, a Symbol).
    const name = typeof k === 'string' ? k : typeof nk === 'string' ? nk : undefined;
    const nv = name !== undefined && s.redactor.isSensitive(name) ? w.mark(s.redactedValue) : w.item(values[i], depth + 2);
    out.push([nk, nv]);
  }
  if (i < n) out.push(w.mark(moreItems(n - i)));
  return out;
}

export function walkSet(w: PayloadWalker, v: Set<unknown>, depth: number): JsonValue[] {
  const n = v.size;
  const limit = w.unbounded || n <= w.s.maxItems ? n : w.s.maxItems;
  const out: JsonValue[] = [];
  const it = setValues.call(v);
  let i = 0;
  for (; i < limit; i++) {
    if (!w.spend(1)) break;
    const step = it.next();
    if (step.done === true) break;
    out.push(w.item(step.value, depth + 1));
  }
  if (i < n) out.push(w.mark(moreItems(n - i)));
  return out;
}

/** `{ type, byteLength, base64 }`: three values; the base64 text is cut to the room left too. */
export function walkBytes(w: PayloadWalker, type: string, buffer: ArrayBufferLike, byteOffset: number, byteLength: number): JsonValue {
  if (w.budget < 3) return w.mark(limitMarker(type));
  w.budget -= 3;
  w.room -= 64;
  const fit = Math.max(w.room - 2 - CUT_MARKER_BYTES, 0);
  const out = bytesForLog(type, buffer, byteOffset, byteLength, Math.min(w.s.maxStringLength, fit));
  w.room -= (out.base64 as string).length;
  return out;
}

export function walkView(w: PayloadWalker, v: ArrayBufferView, depth: number): JsonValue {
  const name = typedArrayName(v);
  if (name === undefined) return walkBytes(w, 'DataView', v.buffer, v.byteOffset, v.byteLength);
  if (isByteArrayName(name)) return walkBytes(w, Buffer.isBuffer(v) ? 'Buffer' : name, v.buffer, v.byteOffset, v.byteLength);
  const arr = v as unknown as ArrayLike<number | bigint>;
  const n = arr.length;
  const limit = w.unbounded || n <= w.s.maxItems ? n : w.s.maxItems;
  // `{ type, length, values }`: three values before the items; `values` may end with a marker.
  if (w.budget < 3) return w.mark(limitMarker(name));
  w.budget -= 3;
  w.room -= 48 + MARKER_RESERVE;
  const values: JsonValue[] = [];
  let i = 0;
  for (; i < limit; i++) {
    if (!w.spend(1)) break;
    values.push(w.item(arr[i], depth + 1));
  }
  w.room += MARKER_RESERVE;
  if (i < n) values.push(w.mark(moreItems(n - i)));
  return { type: name, length: n, values };
}
