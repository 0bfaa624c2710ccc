/**
 * The engine of the built-in payload processor: one depth-first walk that turns any value into a
 * JSON-safe value within the limits of a {@link PayloadSettings}. Internal; the public surface is
 * `LogPayloadProcessor`.
 *
 * Cost model: every emitted value costs one unit of the `maxNodes` budget and its estimated JSON
 * size is charged to the `maxBytes` room (strings are cut to the room left); each container reads
 * at most `maxItems`/`maxKeys` children and stops as soon as either budget is spent (a Map is read
 * entry by entry, never copied whole); recursion is bounded by `maxDepth`; strings are cut before
 * being copied; an error met again in the same call is shown once and then referred to. The one
 * cost not bounded by the limits is key enumeration: a plain object's own keys come from one native
 * `Object.keys` call (JavaScript has no lazy key iterator; `for…in` collects every key up front
 * too), so an object with a million keys costs one native pass over them and its values beyond the
 * budget are never read. An object met again in the same call reuses its key list.
 */
import { types as utilTypes } from 'node:util';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { bytesForLog, isByteArrayName, typedArrayName } from './binary.ts';
import { errorExtras, errorShape } from './error-shape.ts';
import {
  CIRCULAR_MARKER,
  INVALID_DATE_MARKER,
  MORE_KEYS_KEY,
  depthMarker,
  limitMarker,
  moreItems,
  moreKeys,
  repeatedMarker,
  truncateString,
  unreadable,
} from './markers.ts';
import type { PayloadSettings } from './options.ts';
import type { LogAdapter } from './provider.ts';
import { redactUrlText, urlForLog, urlTextStart } from './url-for-log.ts';
import { READ_FAILED, lastReadError, nonFinite, read, setKey, typeName } from './walker-support.ts';

/** Provider/adapter/toJSON results are re-examined for another provider at most this many times. */
const MAX_HOPS = 3;
/** Bytes charged for a number: its JSON text is at most 24 characters (`-1.7976931348623157e+308`). */
const NUMBER_BYTES = 24;
/** Bytes charged for `true`, `false` or `null`. */
const LITERAL_BYTES = 5;
/** Room kept for the `…[+N chars]` marker when a string is cut to the room left. */
const CUT_MARKER_BYTES = 24;
/**
 * Bytes held back while a container is open, for the "more" marker it may end with
 * (`,"__more__":"1234567890 more keys"` is 34), so a cut output still ends within `maxBytes`.
 */
const MARKER_RESERVE = 40;
/**
 * Room a value needs beyond its key to be started: covers what is charged after the check without
 * a fit of its own (a number, a container's brackets and reserve, a marker naming a type of up to
 * 64 characters).
 */
const SLACK = 96;
/** Errors remembered in a plain array before a Set is used. */
const SEEN_FEW = 8;
/** Held back for the `{ "value": … }` wrapper `normalizePayload` puts around a non-object. */
const WRAPPER_BYTES = 16;
/** Prototype links followed when looking up an adapter (a Proxy can fake an endless chain). */
const MAX_PROTO_WALK = 64;
/** Objects with more keys than this get their key list cached for the rest of the call. */
const BIG_KEY_COUNT = 1024;
/** BigInts at or beyond this magnitude are not converted (toString would cost more than the limit). */
const BIGINT_DIGITS = 4096;
const BIGINT_LIMIT = 10n ** BigInt(BIGINT_DIGITS);

const NO_RESULT: unique symbol = Symbol('no result');

const getProto = Object.getPrototypeOf;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const dateGetTime = Date.prototype.getTime;
const dateToISO = Date.prototype.toISOString;
const isNativeError = utilTypes.isNativeError;

/** How many `\n` a text holds. */
function lineBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function report(code: string, message: string, error: unknown): void {
  reportDiagnostic({ component: 'LogPayloadProcessor', code, message, error });
}

/**
 * One walker per processor, reused across calls (a re-entrant call, from a provider that logs,
 * gets a fresh one). Not shared between settings: `begin` takes the settings of the call.
 */
export class PayloadWalker {
  /** True while a call is running (re-entrancy guard). */
  busy = false;
  /** The settings of the current call. */
  s!: PayloadSettings;
  /** Cause links followed in the current chain (see `maxErrorCauses`). */
  causes = 0;
  private unbounded = false;
  /** Values the call may still emit (`maxNodes`). */
  private budget = 0;
  /** Estimated JSON bytes the call may still emit (`maxBytes`). */
  private room = 0;
  private readonly ancestors: object[] = [];
  private keyCache: Map<object, string[]> | undefined;
  /**
   * Errors already shown in this call (a later reference gets `[Repeated: Type]`): the first few in
   * a reused array (most payloads hold one or two; no allocation per call), the rest in a Set.
   */
  private readonly seenFew: (object | undefined)[] = new Array<object | undefined>(SEEN_FEW).fill(undefined);
  /** The `[Repeated: Type]` marker of each error in `seenFew`, made at most once per error. */
  private readonly seenMarks: (string | undefined)[] = new Array<string | undefined>(SEEN_FEW).fill(undefined);
  private seenCount = 0;
  private seenMany: Map<object, string | undefined> | undefined;

  /** Starts a call. */
  begin(settings: PayloadSettings, unbounded: boolean): void {
    this.busy = true;
    this.s = settings;
    this.unbounded = unbounded;
    this.budget = settings.maxNodes;
    this.room = settings.maxBytes - WRAPPER_BYTES;
    this.causes = 0;
  }

  /** Ends a call (always, in a `finally`). */
  end(): void {
    this.busy = false;
    // `object()` pops in a `finally`, so the stack is empty here; only a failure outside it could
    // leave entries. Truncating an empty array is not free, hence the checks.
    if (this.ancestors.length !== 0) this.ancestors.length = 0;
    if (this.keyCache !== undefined) this.keyCache = undefined;
    if (this.seenCount !== 0) {
      // Overwritten rather than truncated (setting an array's length is a runtime call).
      for (let i = 0; i < this.seenCount && i < SEEN_FEW; i++) {
        this.seenFew[i] = undefined;
        this.seenMarks[i] = undefined;
      }
      this.seenCount = 0;
      this.seenMany = undefined;
    }
  }

  /**
   * Charges one more value and `bytes` of key and punctuation; `false` (and nothing emitted) when
   * the node budget or the byte room is spent.
   */
  spend(bytes: number): boolean {
    if (--this.budget < 0 || this.room < bytes + SLACK) return false;
    this.room -= bytes;
    return true;
  }

  /** Charges a value the caller emits whatever the budgets (a fixed field, a marker) and returns it. */
  mark(marker: string): string {
    this.room -= marker.length + 2;
    return marker;
  }

  /** Remembers an error as shown (a later reference to it gets `[Repeated: Type]`). */
  seen(e: object): void {
    if (this.seenCount < SEEN_FEW) this.seenFew[this.seenCount] = e;
    else (this.seenMany ??= new Map()).set(e, undefined);
    this.seenCount++;
  }

  /** The `[Repeated: Type]` marker when `v` is an error already shown in this call, else `undefined`. */
  private repeated(v: object): string | undefined {
    const few = this.seenFew;
    const n = this.seenCount < SEEN_FEW ? this.seenCount : SEEN_FEW;
    for (let i = 0; i < n; i++) {
      if (few[i] === v) return (this.seenMarks[i] ??= repeatedMarker(typeName(v)));
    }
    const many = this.seenMany;
    if (many === undefined || !many.has(v)) return undefined;
    let mark = many.get(v);
    if (mark === undefined) many.set(v, (mark = repeatedMarker(typeName(v))));
    return mark;
  }

  /** Normalises a value at `depth`; `undefined` means "omit" (only for `undefined` input). */
  value(v: unknown, depth: number, hops: number): JsonValue | undefined {
    switch (typeof v) {
      case 'string':
        return this.text(v);
      case 'number':
        this.room -= NUMBER_BYTES;
        // -0 becomes 0: JSON has no negative zero.
        return v === 0 ? 0 : v - v === 0 ? v : nonFinite(v);
      case 'boolean':
        this.room -= LITERAL_BYTES;
        return v;
      case 'undefined':
        return undefined;
      case 'bigint':
        return v >= BIGINT_LIMIT || v <= -BIGINT_LIMIT ? this.mark(`[BigInt: over ${BIGINT_DIGITS} digits]`) : this.str(v.toString());
      case 'symbol':
        return this.str(String(v));
      case 'function':
        return this.fn(v as object);
      default:
        if (v === null) {
          this.room -= LITERAL_BYTES;
          return null;
        }
        return this.object(v as object, depth, hops);
    }
  }

  /** Normalises a value where `undefined` is not allowed (array items, top level): `null`. */
  item(v: unknown, depth: number): JsonValue {
    const out = this.value(v, depth, 0);
    if (out !== undefined) return out;
    this.room -= LITERAL_BYTES;
    return null;
  }

  /** A string value: cut, and redacted like a URL when it is one (see `url-for-log.ts`). */
  private text(v: string): string {
    let out = v.length > this.s.maxStringLength || v.length + 2 > this.room ? this.cut(v, this.s.maxStringLength) : v;
    const start = urlTextStart(out);
    if (start >= 0) out = redactUrlText(out, start, this.s.redactor, this.s.redactedValue);
    this.room -= out.length + 2;
    return out;
  }

  /** A string the walker makes (a name, a number's digits): cut and charged, never searched. */
  str(s: string): string {
    const out = s.length > this.s.maxStringLength || s.length + 2 > this.room ? this.cut(s, this.s.maxStringLength) : s;
    this.room -= out.length + 2;
    return out;
  }

  /** `s` cut to `max` code units, or shorter to fit the room left (with room for the cut marker). */
  cut(s: string, max: number): string {
    const fit = this.room - 2 - CUT_MARKER_BYTES;
    const limit = fit < max ? (fit > 0 ? fit : 0) : max;
    return s.length > limit ? truncateString(s, limit) : s;
  }

  /**
   * An error stack of at most `max` code units, cut to the room left. A stack is the one text
   * certain to hold many line breaks (each written `\n` in JSON), so it is charged twice its
   * length rather than scanned (a scan costs ~0.1 µs a stack); only a stack that does not fit so
   * is measured exactly and cut.
   */
  stackText(stack: string, max: number): string {
    let out = stack.length > max ? truncateString(stack, max) : stack;
    let cost = 2 * out.length + 2;
    if (cost > this.room) {
      cost = out.length + lineBreaks(out) + 2;
      if (cost > this.room) {
        // Half the room: enough even if every character kept were a line break.
        out = truncateString(stack, Math.max(Math.floor((this.room - 2 - CUT_MARKER_BYTES) / 2), 0));
        cost = out.length + lineBreaks(out) + 2;
      }
    }
    this.room -= cost;
    return out;
  }

  private fn(f: object): string {
    const name = read(f, 'name');
    return this.str(`[Function: ${typeof name === 'string' && name.length > 0 ? name : 'anonymous'}]`);
  }

  private object(v: object, depth: number, hops: number): JsonValue {
    if (depth >= this.s.maxDepth) return this.mark(depthMarker(typeName(v)));
    const ancestors = this.ancestors;
    for (let i = 0; i < ancestors.length; i++) if (ancestors[i] === v) return this.mark(CIRCULAR_MARKER);
    // An error shown once is referred to afterwards, as a cycle is: one error referenced 10,000
    // times would otherwise repeat its message and stack 10,000 times.
    if (this.seenCount !== 0) {
      const repeated = this.repeated(v);
      if (repeated !== undefined) return this.mark(repeated);
    }
    this.room -= 2 + MARKER_RESERVE;
    ancestors.push(v);
    try {
      return this.dispatch(v, depth, hops);
    } catch (err) {
      // A Proxy trap or exotic object that threw outside a guarded read; also a RangeError.
      return this.mark(unreadable(err));
    } finally {
      ancestors.pop();
      this.room += MARKER_RESERVE;
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
    if (v instanceof Error || isNativeError(v)) return errorShape(this, v as Error, depth);
    if (v instanceof Date) {
      const t = dateGetTime.call(v);
      return this.mark(t === t ? dateToISO.call(v) : INVALID_DATE_MARKER);
    }
    if (v instanceof Map) return this.map(v, depth);
    if (v instanceof Set) return this.set(v, depth);
    if (ArrayBuffer.isView(v)) return this.view(v, depth);
    if (v instanceof ArrayBuffer) return this.bytes('ArrayBuffer', v, 0, v.byteLength);
    if (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer) {
      return this.bytes('SharedArrayBuffer', v, 0, v.byteLength);
    }
    if (v instanceof RegExp) return this.str(String(v));
    if (v instanceof URL) return this.str(urlForLog(v, this.s.redactor, this.s.redactedValue));
    if (v instanceof Promise) return this.mark('[Promise]');
    if (v instanceof WeakMap) return this.mark('[WeakMap]');
    if (v instanceof WeakSet) return this.mark('[WeakSet]');
    if (v instanceof WeakRef) return this.mark('[WeakRef]');
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
      return this.mark(t === t ? dateToISO.call(v) : INVALID_DATE_MARKER);
    }
    if (utilTypes.isMap(v)) return this.map(v as Map<unknown, unknown>, depth);
    if (utilTypes.isSet(v)) return this.set(v as Set<unknown>, depth);
    if (utilTypes.isRegExp(v)) return this.str(RegExp.prototype.toString.call(v));
    if (utilTypes.isAnyArrayBuffer(v)) return this.bytes('ArrayBuffer', v as ArrayBuffer, 0, (v as ArrayBuffer).byteLength);
    if (utilTypes.isPromise(v)) return this.mark('[Promise]');
    if (utilTypes.isWeakMap(v)) return this.mark('[WeakMap]');
    if (utilTypes.isWeakSet(v)) return this.mark('[WeakSet]');
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
    const isError = v instanceof Error;
    if (isError) this.seen(v);
    const out = this.value(r, depth, hops + 1);
    if (out === undefined) return null;
    // An error that is its own provider (MvxError) keeps its stack and cause chain.
    if (isError && out !== null && typeof out === 'object' && !Array.isArray(out)) errorExtras(this, v, out, depth);
    return out;
  }

  private array(v: readonly unknown[], depth: number): JsonValue[] {
    const n = v.length;
    const limit = this.unbounded || n <= this.s.maxItems ? n : this.s.maxItems;
    const out: JsonValue[] = [];
    let i = 0;
    for (; i < limit; i++) {
      if (!this.spend(1)) break;
      const x = read(v, i);
      out.push(x === READ_FAILED ? this.mark(unreadable(lastReadError())) : this.item(x, depth + 1));
    }
    if (i < n) out.push(this.mark(moreItems(n - i)));
    return out;
  }

  /** `Object.keys(v)`, reused when the same big object is met again in this call. */
  ownKeys(v: object): string[] {
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
    const rest = this.fields(v, this.ownKeys(v), out, depth, undefined);
    if (rest > 0) out[MORE_KEYS_KEY] = this.mark(moreKeys(rest));
    return out;
  }

  /**
   * Copies own enumerable fields `keys` of `v` into `out` (redacted, bounded); returns how many
   * were left out (the caller writes the `__more__` marker). `skip` names keys already represented
   * (error fields).
   */
  fields(v: object, keys: readonly string[], out: JsonObject, depth: number, skip: ReadonlySet<string> | undefined): number {
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
      const outKey = k.length > maxLen ? truncateString(k, maxLen) : k;
      if (!this.spend(outKey.length + 4)) break;
      if (redactor.isSensitive(k)) {
        setKey(out, outKey, this.mark(s.redactedValue));
        continue;
      }
      const x = read(v, k);
      if (x === READ_FAILED) {
        setKey(out, outKey, this.mark(unreadable(lastReadError())));
        continue;
      }
      const nx = this.value(x, depth + 1, 0);
      if (nx !== undefined) setKey(out, outKey, nx);
    }
    let rest = 0;
    if (i < n) {
      rest = n - i;
      if (skip !== undefined) for (let j = i; j < n; j++) if (skip.has(keys[j]!)) rest--;
    }
    return rest;
  }

  private map(v: Map<unknown, unknown>, depth: number): JsonValue {
    const n = v.size;
    const limit = this.unbounded || n <= this.s.maxItems ? n : this.s.maxItems;
    const keys: unknown[] = [];
    const values: unknown[] = [];
    let primitiveKeys = true;
    const it = mapEntries.call(v);
    // Each entry costs at least one value: read no more than the budgets can pay for, so a huge
    // Map (with `unbounded: true` too) is never copied before being cut.
    const take = this.room > SLACK && this.budget > 0 ? Math.min(limit, this.budget) : 0;
    for (let i = 0; i < take; i++) {
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
        const k = String(keys[i]);
        const outKey = k.length > s.maxStringLength ? truncateString(k, s.maxStringLength) : k;
        if (!this.spend(outKey.length + 4)) break;
        if (s.redactor.isSensitive(k)) {
          setKey(out, outKey, this.mark(s.redactedValue));
          continue;
        }
        const nx = this.value(values[i], depth + 1, 0);
        if (nx !== undefined) setKey(out, outKey, nx);
      }
      if (i < n) out[MORE_KEYS_KEY] = this.mark(moreKeys(n - i));
      return out;
    }
    // Entries form: [[key, value], ...]; keys normalised as values, string keys still redact. The
    // pair array counts as one level of depth, so nesting stays within maxDepth.
    const out: JsonValue[] = [];
    let i = 0;
    for (; i < keys.length; i++) {
      // Three values per entry: the pair, the key and the value.
      if (this.budget < 3 || !this.spend(4)) break;
      this.budget -= 2;
      const k = keys[i];
      const nk = this.item(k, depth + 2);
      // A string key redacts its value; so does a key that reads as a string (a boxed String, a Symbol).
      const name = typeof k === 'string' ? k : typeof nk === 'string' ? nk : undefined;
      const nv = name !== undefined && s.redactor.isSensitive(name) ? this.mark(s.redactedValue) : this.item(values[i], depth + 2);
      out.push([nk, nv]);
    }
    if (i < n) out.push(this.mark(moreItems(n - i)));
    return out;
  }

  private set(v: Set<unknown>, depth: number): JsonValue[] {
    const n = v.size;
    const limit = this.unbounded || n <= this.s.maxItems ? n : this.s.maxItems;
    const out: JsonValue[] = [];
    const it = setValues.call(v);
    let i = 0;
    for (; i < limit; i++) {
      if (!this.spend(1)) break;
      const step = it.next();
      if (step.done === true) break;
      out.push(this.item(step.value, depth + 1));
    }
    if (i < n) out.push(this.mark(moreItems(n - i)));
    return out;
  }

  /** `{ type, byteLength, base64 }`: three values; the base64 text is cut to the room left too. */
  private bytes(type: string, buffer: ArrayBufferLike, byteOffset: number, byteLength: number): JsonValue {
    if (this.budget < 3) return this.mark(limitMarker(type));
    this.budget -= 3;
    this.room -= 64;
    const fit = Math.max(this.room - 2 - CUT_MARKER_BYTES, 0);
    const out = bytesForLog(type, buffer, byteOffset, byteLength, Math.min(this.s.maxStringLength, fit));
    this.room -= (out.base64 as string).length;
    return out;
  }

  private view(v: ArrayBufferView, depth: number): JsonValue {
    const name = typedArrayName(v);
    if (name === undefined) return this.bytes('DataView', v.buffer, v.byteOffset, v.byteLength);
    if (isByteArrayName(name)) return this.bytes(Buffer.isBuffer(v) ? 'Buffer' : name, v.buffer, v.byteOffset, v.byteLength);
    const arr = v as unknown as ArrayLike<number | bigint>;
    const n = arr.length;
    const limit = this.unbounded || n <= this.s.maxItems ? n : this.s.maxItems;
    // `{ type, length, values }`: three values before the items; `values` may end with a marker.
    if (this.budget < 3) return this.mark(limitMarker(name));
    this.budget -= 3;
    this.room -= 48 + MARKER_RESERVE;
    const values: JsonValue[] = [];
    let i = 0;
    for (; i < limit; i++) {
      if (!this.spend(1)) break;
      values.push(this.item(arr[i], depth + 1));
    }
    this.room += MARKER_RESERVE;
    if (i < n) values.push(this.mark(moreItems(n - i)));
    return { type: name, length: n, values };
  }
}
