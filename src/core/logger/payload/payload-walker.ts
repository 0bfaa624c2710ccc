/**
 * The engine of the built-in payload processor: one depth-first walk that turns any value into a
 * JSON-safe value within the limits of a {@link PayloadSettings}. Internal; the public surface is
 * `LogPayloadProcessor`.
 *
 * Cost model: every emitted value costs one unit of the `maxNodes` budget, each container reads at
 * most `maxItems`/`maxKeys` children, recursion is bounded by `maxDepth`, and strings are cut
 * before being copied. The one cost not bounded by the limits is key enumeration: a plain object's
 * own keys come from one native `Object.keys` call (JavaScript has no lazy key iterator; `for…in`
 * collects every key up front too), so an object with a million keys costs one native pass over
 * them (tens of ms) and its values beyond `maxKeys` are never read. An object met again in the same
 * call reuses its key list instead of enumerating again.
 */
import { types as utilTypes } from 'node:util';
import { reportDiagnostic } from '../../internal/diagnostics.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { bytesForLog, isByteArrayName, typedArrayName } from './binary.ts';
import {
  CAUSE_LIMIT_MARKER,
  CIRCULAR_MARKER,
  INVALID_DATE_MARKER,
  MORE_KEYS_KEY,
  depthMarker,
  moreItems,
  moreKeys,
  truncateString,
  unreadable,
} from './markers.ts';
import type { PayloadSettings } from './options.ts';
import type { LogAdapter } from './provider.ts';
import { redactUrlText, urlForLog, urlTextStart } from './url-for-log.ts';

/** Provider/adapter/toJSON results are re-examined for another provider at most this many times. */
const MAX_HOPS = 3;
/** Error stack frames kept at NORMAL verbosity (Node's default `Error.stackTraceLimit`). */
export const NORMAL_STACK_FRAMES = 10;
/** Prototype links followed when looking up an adapter (a Proxy can fake an endless chain). */
const MAX_PROTO_WALK = 64;
/** Objects with more keys than this get their key list cached for the rest of the call. */
const BIG_KEY_COUNT = 1024;
/** BigInts at or beyond this magnitude are not converted (toString would cost more than the limit). */
const BIGINT_DIGITS = 4096;
const BIGINT_LIMIT = 10n ** BigInt(BIGINT_DIGITS);

/** Error keys shown by the structural error shape, not repeated as own fields. */
const ERROR_OWN_SKIP = new Set(['name', 'message', 'stack', 'cause', 'errors', 'code', 'type']);

const NO_RESULT: unique symbol = Symbol('no result');
const READ_FAILED: unique symbol = Symbol('read failed');
let lastReadError: unknown;

const hasOwn = Object.hasOwn;
const getProto = Object.getPrototypeOf;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const dateGetTime = Date.prototype.getTime;
const dateToISO = Date.prototype.toISOString;
const isNativeError = utilTypes.isNativeError;

/** Reads `obj[key]`; a throwing getter or Proxy trap gives {@link READ_FAILED}. */
function read(obj: object, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch (err) {
    lastReadError = err;
    return READ_FAILED;
  }
}

function report(code: string, message: string, error: unknown): void {
  reportDiagnostic({ component: 'LogPayloadProcessor', code, message, error });
}

/** Sets `out[key] = value`, also for the key `__proto__` (which plain assignment would not create). */
function setKey(out: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

function nonFinite(n: number): string {
  return n !== n ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

/** The name shown in depth markers: `Array`, `Map`, a class name, or `Object`. */
function typeName(v: object): string {
  try {
    if (Array.isArray(v)) return 'Array';
    const proto = getProto(v) as { constructor?: { name?: unknown } } | null;
    const name = proto?.constructor?.name;
    return typeof name === 'string' && name.length > 0 && name.length <= 64 ? name : 'Object';
  } catch {
    return 'Object';
  }
}

/**
 * One walker per processor, reused across calls (a re-entrant call, from a provider that logs,
 * gets a fresh one). Not shared between settings: `begin` takes the settings of the call.
 */
export class PayloadWalker {
  /** True while a call is running (re-entrancy guard). */
  busy = false;
  private s!: PayloadSettings;
  private unbounded = false;
  private budget = 0;
  private causes = 0;
  private readonly ancestors: object[] = [];
  private keyCache: Map<object, string[]> | undefined;

  /** Starts a call. */
  begin(settings: PayloadSettings, unbounded: boolean): void {
    this.busy = true;
    this.s = settings;
    this.unbounded = unbounded;
    this.budget = settings.maxNodes;
    this.causes = 0;
  }

  /** Ends a call (always, in a `finally`). */
  end(): void {
    this.busy = false;
    // `object()` pops in a `finally`, so the stack is empty here; only a failure outside it could
    // leave entries. Truncating an empty array is not free, hence the checks.
    if (this.ancestors.length !== 0) this.ancestors.length = 0;
    if (this.keyCache !== undefined) this.keyCache = undefined;
  }

  /** Normalises a value at `depth`; `undefined` means "omit" (only for `undefined` input). */
  value(v: unknown, depth: number, hops: number): JsonValue | undefined {
    switch (typeof v) {
      case 'string':
        return this.text(v);
      case 'number':
        // -0 becomes 0: JSON has no negative zero.
        return v === 0 ? 0 : v - v === 0 ? v : nonFinite(v);
      case 'boolean':
        return v;
      case 'undefined':
        return undefined;
      case 'bigint':
        return v >= BIGINT_LIMIT || v <= -BIGINT_LIMIT ? `[BigInt: over ${BIGINT_DIGITS} digits]` : this.str(v.toString());
      case 'symbol':
        return this.str(String(v));
      case 'function':
        return this.fn(v as object);
      default:
        return v === null ? null : this.object(v as object, depth, hops);
    }
  }

  /** Normalises a value where `undefined` is not allowed (array items, top level): `null`. */
  item(v: unknown, depth: number): JsonValue {
    const out = this.value(v, depth, 0);
    return out === undefined ? null : out;
  }

  /** A string value: cut, and redacted like a URL when it is one (see `url-for-log.ts`). */
  private text(v: string): string {
    const out = v.length > this.s.maxStringLength ? truncateString(v, this.s.maxStringLength) : v;
    const start = urlTextStart(out);
    return start < 0 ? out : redactUrlText(out, start, this.s.redactor, this.s.redactedValue);
  }

  private str(s: string): string {
    return s.length > this.s.maxStringLength ? truncateString(s, this.s.maxStringLength) : s;
  }

  private fn(f: object): string {
    const name = read(f, 'name');
    return this.str(`[Function: ${typeof name === 'string' && name.length > 0 ? name : 'anonymous'}]`);
  }

  private object(v: object, depth: number, hops: number): JsonValue {
    if (depth >= this.s.maxDepth) return depthMarker(typeName(v));
    const ancestors = this.ancestors;
    for (let i = 0; i < ancestors.length; i++) if (ancestors[i] === v) return CIRCULAR_MARKER;
    ancestors.push(v);
    try {
      return this.dispatch(v, depth, hops);
    } catch (err) {
      // A Proxy trap or exotic object that threw outside a guarded read; also a RangeError.
      return unreadable(err);
    } finally {
      ancestors.pop();
    }
  }

  private dispatch(v: object, depth: number, hops: number): JsonValue {
    if (hops < MAX_HOPS) {
      const custom = this.custom(v, depth, hops);
      if (custom !== NO_RESULT) return custom;
    }
    if (Array.isArray(v)) return this.array(v, depth);
    const proto: unknown = getProto(v);
    // Fast path: plain objects skip the instanceof chain.
    if (proto === Object.prototype || proto === null) return this.plain(v, depth, hops, true);
    if (v instanceof Error || isNativeError(v)) return this.error(v as Error, depth);
    if (v instanceof Date) {
      const t = dateGetTime.call(v);
      return t === t ? dateToISO.call(v) : INVALID_DATE_MARKER;
    }
    if (v instanceof Map) return this.map(v, depth);
    if (v instanceof Set) return this.set(v, depth);
    if (ArrayBuffer.isView(v)) return this.view(v, depth);
    if (v instanceof ArrayBuffer) return bytesForLog('ArrayBuffer', v, 0, v.byteLength, this.s.maxStringLength);
    if (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer) {
      return bytesForLog('SharedArrayBuffer', v, 0, v.byteLength, this.s.maxStringLength);
    }
    if (v instanceof RegExp) return this.str(String(v));
    if (v instanceof URL) return this.str(urlForLog(v, this.s.redactor, this.s.redactedValue));
    if (v instanceof Promise) return '[Promise]';
    if (v instanceof WeakMap) return '[WeakMap]';
    if (v instanceof WeakSet) return '[WeakSet]';
    if (v instanceof WeakRef) return '[WeakRef]';
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return this.item(v.valueOf(), depth);
    }
    // Every object of this realm (other than null-prototype ones, handled above) is an Object; one
    // that is not comes from another realm (node:vm, a Jest environment), where the instanceof
    // checks above all miss: ask the engine instead.
    if (!(v instanceof Object)) {
      const foreign = this.foreign(v, depth);
      if (foreign !== NO_RESULT) return foreign;
    }
    return this.plain(v, depth, hops, true);
  }

  /** Built-ins of another realm, by their internal slots. */
  private foreign(v: object, depth: number): JsonValue | typeof NO_RESULT {
    if (utilTypes.isDate(v)) {
      const t = dateGetTime.call(v);
      return t === t ? dateToISO.call(v) : INVALID_DATE_MARKER;
    }
    if (utilTypes.isMap(v)) return this.map(v as Map<unknown, unknown>, depth);
    if (utilTypes.isSet(v)) return this.set(v as Set<unknown>, depth);
    if (utilTypes.isRegExp(v)) return this.str(RegExp.prototype.toString.call(v));
    if (utilTypes.isAnyArrayBuffer(v)) {
      return bytesForLog('ArrayBuffer', v, 0, (v as ArrayBuffer).byteLength, this.s.maxStringLength);
    }
    if (utilTypes.isPromise(v)) return '[Promise]';
    if (utilTypes.isWeakMap(v)) return '[WeakMap]';
    if (utilTypes.isWeakSet(v)) return '[WeakSet]';
    if (utilTypes.isBoxedPrimitive(v)) {
      try {
        return this.item((v as { valueOf(): unknown }).valueOf(), depth);
      } catch {
        return NO_RESULT;
      }
    }
    return NO_RESULT;
  }

  /** Provider, adapter (registry, resolver); {@link NO_RESULT} when none applies or all threw. */
  private custom(v: object, depth: number, hops: number): JsonValue | typeof NO_RESULT {
    const verbosity = this.s.verbosity;
    const provider = read(v, 'toLogPayload');
    if (typeof provider === 'function') {
      try {
        const r: unknown = provider.call(v, verbosity);
        if (r !== v) return this.result(v, r, depth, hops);
      } catch (err) {
        report('payload.provider_failed', 'toLogPayload() threw; the built-in rules were used', err);
      }
    }
    if (this.s.adapters.size > 0) {
      const adapter = this.findAdapter(v);
      if (adapter !== undefined) {
        try {
          const r = adapter(v, verbosity);
          if (r !== v) return this.result(v, r, depth, hops);
        } catch (err) {
          report('payload.adapter_failed', 'an adapter threw; the built-in rules were used', err);
        }
      }
    }
    const resolver = this.s.resolver;
    if (resolver !== undefined) {
      let adapter: LogAdapter | undefined;
      try {
        adapter = resolver(v);
      } catch (err) {
        report('payload.resolver_failed', 'the adapter resolver threw; the built-in rules were used', err);
      }
      if (typeof adapter === 'function') {
        try {
          const r = adapter(v, verbosity);
          if (r !== v) return this.result(v, r, depth, hops);
        } catch (err) {
          report('payload.adapter_failed', 'a resolved adapter threw; the built-in rules were used', err);
        }
      }
    }
    return NO_RESULT;
  }

  private findAdapter(v: object): LogAdapter | undefined {
    const adapters = this.s.adapters;
    try {
      let p: unknown = getProto(v);
      for (let i = 0; i < MAX_PROTO_WALK && p !== null && typeof p === 'object'; i++) {
        const a = adapters.get(p);
        if (a !== undefined) return a;
        p = getProto(p);
      }
    } catch {
      // A Proxy whose getPrototypeOf trap throws: no adapter.
    }
    return undefined;
  }

  /** Normalises what a provider/adapter/toJSON returned for `v` (still on the ancestor stack). */
  private result(v: object, r: unknown, depth: number, hops: number): JsonValue {
    const out = this.value(r, depth, hops + 1);
    if (out === undefined) return null;
    if (v instanceof Error && out !== null && typeof out === 'object' && !Array.isArray(out)) {
      // An error that is its own provider (MvxError) keeps its stack and cause chain.
      this.errorStack(v, out);
      if (!hasOwn(out, 'cause')) this.errorCause(v, out, depth);
    }
    return out;
  }

  private array(v: readonly unknown[], depth: number): JsonValue[] {
    const n = v.length;
    const limit = this.unbounded || n <= this.s.maxItems ? n : this.s.maxItems;
    const out: JsonValue[] = [];
    let i = 0;
    for (; i < limit; i++) {
      if (--this.budget < 0) break;
      const x = read(v, i);
      out.push(x === READ_FAILED ? unreadable(lastReadError) : this.item(x, depth + 1));
    }
    if (i < n) out.push(moreItems(n - i));
    return out;
  }

  private ownKeys(v: object): string[] {
    const cache = this.keyCache;
    if (cache !== undefined) {
      const hit = cache.get(v);
      if (hit !== undefined) return hit;
    }
    const keys = Object.keys(v);
    if (keys.length > BIG_KEY_COUNT) (this.keyCache ??= new Map()).set(v, keys);
    return keys;
  }

  private plain(v: object, depth: number, hops: number, allowToJSON: boolean): JsonValue {
    if (allowToJSON && hops < MAX_HOPS) {
      const toJSON = read(v, 'toJSON');
      if (typeof toJSON === 'function') {
        try {
          const r: unknown = toJSON.call(v, '');
          if (r !== v) return this.result(v, r, depth, hops);
        } catch (err) {
          report('payload.tojson_failed', 'toJSON() threw; own fields were used', err);
        }
      }
    }
    const out: JsonObject = {};
    this.fields(v, this.ownKeys(v), out, depth, undefined);
    return out;
  }

  /**
   * Copies own enumerable fields `keys` of `v` into `out` (redacted, bounded, `__more__` marker).
   * `skip` names keys already represented (error fields).
   */
  private fields(v: object, keys: readonly string[], out: JsonObject, depth: number, skip: ReadonlySet<string> | undefined): void {
    const s = this.s;
    const redactor = s.redactor;
    const maxLen = s.maxStringLength;
    const n = keys.length;
    const limit = this.unbounded || n <= s.maxKeys ? n : s.maxKeys;
    let i = 0;
    let skipped = 0;
    for (; i < limit + skipped && i < n; i++) {
      const k = keys[i]!;
      if (skip !== undefined && skip.has(k)) {
        skipped++;
        continue;
      }
      if (--this.budget < 0) break;
      const outKey = k.length > maxLen ? truncateString(k, maxLen) : k;
      if (redactor.isSensitive(k)) {
        setKey(out, outKey, s.redactedValue);
        continue;
      }
      const x = read(v, k);
      if (x === READ_FAILED) {
        setKey(out, outKey, unreadable(lastReadError));
        continue;
      }
      const nx = this.value(x, depth + 1, 0);
      if (nx !== undefined) setKey(out, outKey, nx);
    }
    if (i < n) {
      let rest = n - i;
      if (skip !== undefined) for (let j = i; j < n; j++) if (skip.has(keys[j]!)) rest--;
      if (rest > 0) out[MORE_KEYS_KEY] = moreKeys(rest);
    }
  }

  private map(v: Map<unknown, unknown>, depth: number): JsonValue {
    const n = v.size;
    const limit = this.unbounded || n <= this.s.maxItems ? n : this.s.maxItems;
    const keys: unknown[] = [];
    const values: unknown[] = [];
    let primitiveKeys = true;
    const it = mapEntries.call(v);
    for (let i = 0; i < limit; i++) {
      const step = it.next();
      if (step.done === true) break;
      const k = step.value[0];
      if (k !== null && (typeof k === 'object' || typeof k === 'function')) primitiveKeys = false;
      keys.push(k);
      values.push(step.value[1]);
    }
    const s = this.s;
    if (primitiveKeys) {
      // Object form: keys as strings (String(k)), redacted and cut like object keys.
      const out: JsonObject = {};
      let i = 0;
      for (; i < keys.length; i++) {
        if (--this.budget < 0) break;
        const k = String(keys[i]);
        const outKey = k.length > s.maxStringLength ? truncateString(k, s.maxStringLength) : k;
        if (s.redactor.isSensitive(k)) {
          setKey(out, outKey, s.redactedValue);
          continue;
        }
        const nx = this.value(values[i], depth + 1, 0);
        if (nx !== undefined) setKey(out, outKey, nx);
      }
      if (i < n) out[MORE_KEYS_KEY] = moreKeys(n - i);
      return out;
    }
    // Entries form: [[key, value], ...]; keys normalised as values, string keys still redact. The
    // pair array counts as one level of depth, so nesting stays within maxDepth.
    const out: JsonValue[] = [];
    let i = 0;
    for (; i < keys.length; i++) {
      if (--this.budget < 0) break;
      const k = keys[i];
      const nk = this.item(k, depth + 2);
      // A string key redacts its value; so does a key that reads as a string (a boxed String, a Symbol).
      const name = typeof k === 'string' ? k : typeof nk === 'string' ? nk : undefined;
      const nv = name !== undefined && s.redactor.isSensitive(name) ? s.redactedValue : this.item(values[i], depth + 2);
      out.push([nk, nv]);
    }
    if (i < n) out.push(moreItems(n - i));
    return out;
  }

  private set(v: Set<unknown>, depth: number): JsonValue[] {
    const n = v.size;
    const limit = this.unbounded || n <= this.s.maxItems ? n : this.s.maxItems;
    const out: JsonValue[] = [];
    const it = setValues.call(v);
    let i = 0;
    for (; i < limit; i++) {
      if (--this.budget < 0) break;
      const step = it.next();
      if (step.done === true) break;
      out.push(this.item(step.value, depth + 1));
    }
    if (i < n) out.push(moreItems(n - i));
    return out;
  }

  private view(v: ArrayBufferView, depth: number): JsonValue {
    const name = typedArrayName(v);
    const max = this.s.maxStringLength;
    if (name === undefined) return bytesForLog('DataView', v.buffer, v.byteOffset, v.byteLength, max);
    if (isByteArrayName(name)) {
      return bytesForLog(Buffer.isBuffer(v) ? 'Buffer' : name, v.buffer, v.byteOffset, v.byteLength, max);
    }
    const arr = v as unknown as ArrayLike<number | bigint>;
    const n = arr.length;
    const limit = this.unbounded || n <= this.s.maxItems ? n : this.s.maxItems;
    const values: JsonValue[] = [];
    let i = 0;
    for (; i < limit; i++) {
      if (--this.budget < 0) break;
      values.push(this.item(arr[i], depth + 1));
    }
    if (i < n) values.push(moreItems(n - i));
    return { type: name, length: n, values };
  }

  /** The structural error shape; see `normalizeError` in `LogPayloadProcessor` for the fields. */
  error(e: Error, depth: number): JsonObject {
    const out: JsonObject = {};
    const hide = this.s.redactErrorFields;
    const redacted = this.s.redactedValue;
    const type = typeName(e);
    out.type = this.str(type);
    const name = read(e, 'name');
    if (typeof name === 'string' && name !== type && name !== 'Error' && name.length > 0) out.name = hide.name ? redacted : this.str(name);
    const message = read(e, 'message');
    out.message = hide.message
      ? redacted
      : message === READ_FAILED
        ? unreadable(lastReadError)
        : (this.value(message, depth + 1, 0) ?? '');
    const code = read(e, 'code');
    if (code !== undefined && code !== READ_FAILED) {
      const nc = hide.code ? redacted : this.value(code, depth + 1, 0);
      if (nc !== undefined) out.code = nc;
    }
    this.errorStack(e, out);
    let keys: readonly string[] = [];
    try {
      keys = this.ownKeys(e);
    } catch {
      // A Proxy around an error: no own fields.
    }
    if (keys.length > 0) {
      this.fields(e, keys, out, depth, ERROR_OWN_SKIP);
      // An own field named `type` would overwrite the class name: it is kept as `fields.type`
      // (one level deeper, so its value is normalised one level deeper too).
      if (keys.includes('type')) {
        const fields: JsonObject = {};
        this.fields(e, ['type'], fields, depth + 1, undefined);
        out.fields = fields;
      }
    }
    this.errorCause(e, out, depth);
    const errors = read(e, 'errors');
    if (Array.isArray(errors)) out.errors = this.s.redactErrorFields.errors ? this.s.redactedValue : this.item(errors, depth + 1);
    return out;
  }

  private errorStack(e: Error, out: JsonObject): void {
    const verbosity = this.s.verbosity;
    if (verbosity === 'MINIMAL' || hasOwn(out, 'stack')) return;
    const stack = read(e, 'stack');
    if (typeof stack !== 'string' || stack.length === 0) return;
    if (this.s.redactErrorFields.stack) {
      out.stack = this.s.redactedValue;
      return;
    }
    let s = verbosity === 'NORMAL' ? trimFrames(stack, NORMAL_STACK_FRAMES) : stack;
    if (s.length > this.s.maxStackLength) s = truncateString(s, this.s.maxStackLength);
    out.stack = s;
  }

  private errorCause(e: Error, out: JsonObject, depth: number): void {
    const cause = read(e, 'cause');
    if (cause === undefined || cause === READ_FAILED) return;
    if (this.s.redactErrorFields.cause) {
      out.cause = this.s.redactedValue;
      return;
    }
    if (this.causes >= this.s.maxErrorCauses) {
      out.cause = CAUSE_LIMIT_MARKER;
      return;
    }
    this.causes++;
    try {
      out.cause = this.item(cause, depth + 1);
    } finally {
      this.causes--;
    }
  }
}

/** Keeps the header lines and the first `frames` `    at …` lines; notes how many were dropped. */
export function trimFrames(stack: string, frames: number): string {
  let at = stack.indexOf('\n    at ');
  if (at < 0) return stack;
  for (let i = 0; i < frames; i++) {
    const next = stack.indexOf('\n    at ', at + 1);
    if (next < 0) return stack;
    at = next;
  }
  let dropped = 0;
  for (let p = at; p >= 0; p = stack.indexOf('\n    at ', p + 1)) dropped++;
  return `${stack.slice(0, at)}\n    … ${dropped} more frames`;
}
