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
 *
 * This file holds the walk itself (dispatch by type, budgets, strings, cycles, repeated errors);
 * the collection loops are in `walker-collections.ts`, the type-specific serializers (providers,
 * the serializer registry and resolver, `toJSON`) in `walker-serializers.ts`, the error shape in
 * `error-shape.ts`.
 */
import { types as utilTypes } from 'node:util';
import type { JsonValue } from '../json.ts';
import { errorShape } from './error-shape.ts';
import { CIRCULAR_MARKER, INVALID_DATE_MARKER, chainLimitMarker, depthMarker, repeatedMarker, truncateString, unreadable } from './markers.ts';
import type { PayloadSettings } from './options.ts';
import { redactUrlText, urlForLog, urlTextStart } from './url-for-log.ts';
import { CUT_MARKER_BYTES, MARKER_RESERVE, MAX_HOPS, NO_RESULT, SLACK, nonFinite, read, typeName } from './walker-support.ts';
import { walkArray, walkBytes, walkMap, walkPlain, walkSet, walkView } from './walker-collections.ts';
import { hasSerializer, jsonValue, serializedValue } from './walker-serializers.ts';

/** Bytes charged for a number: its JSON text is at most 24 characters (`-1.7976931348623157e+308`). */
const NUMBER_BYTES = 24;
/** Bytes charged for `true`, `false` or `null`. */
const LITERAL_BYTES = 5;
/** Errors remembered in a plain array before a Set is used. */
const SEEN_FEW = 8;
/** Held back for the `{ "value": … }` wrapper `normalizePayload` puts around a non-object. */
const WRAPPER_BYTES = 16;
/** Objects with more keys than this get their key list cached for the rest of the call. */
const BIG_KEY_COUNT = 1024;
/** BigInts at or beyond this magnitude are not converted (toString would cost more than the limit). */
const BIGINT_DIGITS = 4096;
const BIGINT_LIMIT = 10n ** BigInt(BIGINT_DIGITS);


const getProto = Object.getPrototypeOf;
const dateGetTime = Date.prototype.getTime;
const dateToISO = Date.prototype.toISOString;
const isNativeError = utilTypes.isNativeError;

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
  // Read and charged by the walker's companion files (collections, serializers, error shape).
  /** `unbounded: true`: no item or key limit (the budgets still hold). */
  unbounded = false;
  /** Values the call may still emit (`maxNodes`). */
  budget = 0;
  /** Estimated JSON bytes the call may still emit (`maxBytes`). */
  room = 0;
  readonly #ancestors: object[] = [];
  #keyCache: Map<object, string[]> | undefined;
  /**
   * Errors already shown in this call (a later reference gets `[Repeated: Type]`): the first few in
   * a reused array (most payloads hold one or two; no allocation per call), the rest in a Set.
   */
  readonly #seenFew: (object | undefined)[] = new Array<object | undefined>(SEEN_FEW).fill(undefined);
  /** The `[Repeated: Type]` marker of each error in `seenFew`, made at most once per error. */
  readonly #seenMarks: (string | undefined)[] = new Array<string | undefined>(SEEN_FEW).fill(undefined);
  #seenCount = 0;
  #seenMany: Map<object, string | undefined> | undefined;

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
    if (this.#ancestors.length !== 0) this.#ancestors.length = 0;
    if (this.#keyCache !== undefined) this.#keyCache = undefined;
    if (this.#seenCount !== 0) {
      // Overwritten rather than truncated (setting an array's length is a runtime call).
      for (let i = 0; i < this.#seenCount && i < SEEN_FEW; i++) {
        this.#seenFew[i] = undefined;
        this.#seenMarks[i] = undefined;
      }
      this.#seenCount = 0;
      this.#seenMany = undefined;
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
    if (this.#seenCount < SEEN_FEW) this.#seenFew[this.#seenCount] = e;
    else (this.#seenMany ??= new Map()).set(e, undefined);
    this.#seenCount++;
  }

  /** The `[Repeated: Type]` marker when `v` is an error already shown in this call, else `undefined`. */
  #repeated(v: object): string | undefined {
    const few = this.#seenFew;
    const n = this.#seenCount < SEEN_FEW ? this.#seenCount : SEEN_FEW;
    for (let i = 0; i < n; i++) {
      if (few[i] === v) return (this.#seenMarks[i] ??= repeatedMarker(typeName(v)));
    }
    const many = this.#seenMany;
    if (many === undefined || !many.has(v)) return undefined;
    let mark = many.get(v);
    if (mark === undefined) many.set(v, (mark = repeatedMarker(typeName(v))));
    return mark;
  }

  /** Normalises a value at `depth`; `undefined` means "omit" (only for `undefined` input). */
  value(v: unknown, depth: number, hops: number): JsonValue | undefined {
    switch (typeof v) {
      case 'string':
        return this.#text(v);
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
        return this.#fn(v as object);
      default:
        if (v === null) {
          this.room -= LITERAL_BYTES;
          return null;
        }
        return this.#object(v as object, depth, hops);
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
  #text(v: string): string {
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

  /** A plain object: its `toJSON` result when it has one (within the hops), else its fields. */
  #plain(v: object, depth: number, hops: number): JsonValue {
    if (hops < MAX_HOPS) {
      const r = jsonValue(this, v, depth, hops);
      if (r !== NO_RESULT) return r;
    } else if (typeof read(v, 'toJSON') === 'function') {
      return this.mark(chainLimitMarker(typeName(v))); // its own fields are what toJSON leaves out
    }
    return walkPlain(this, v, depth);
  }

  #fn(f: object): string {
    const name = read(f, 'name');
    return this.str(`[Function: ${typeof name === 'string' && name.length > 0 ? name : 'anonymous'}]`);
  }

  #object(v: object, depth: number, hops: number): JsonValue {
    if (depth >= this.s.maxDepth) return this.mark(depthMarker(typeName(v)));
    const ancestors = this.#ancestors;
    for (let i = 0; i < ancestors.length; i++) if (ancestors[i] === v) return this.mark(CIRCULAR_MARKER);
    // An error shown once is referred to afterwards, as a cycle is: one error referenced 10,000
    // times would otherwise repeat its message and stack 10,000 times.
    if (this.#seenCount !== 0) {
      const repeated = this.#repeated(v);
      if (repeated !== undefined) return this.mark(repeated);
    }
    this.room -= 2 + MARKER_RESERVE;
    ancestors.push(v);
    try {
      return this.#dispatch(v, depth, hops);
    } catch (err) {
      // A Proxy trap or exotic object that threw outside a guarded read; also a RangeError.
      return this.mark(unreadable(err));
    } finally {
      ancestors.pop();
      this.room += MARKER_RESERVE;
    }
  }

  #dispatch(v: object, depth: number, hops: number): JsonValue {
    if (hops < MAX_HOPS) {
      const custom = serializedValue(this, v, depth, hops);
      if (custom !== NO_RESULT) return custom;
    } else if (hasSerializer(this, v)) {
      return this.mark(chainLimitMarker(typeName(v)));
    }
    if (Array.isArray(v)) return walkArray(this, v, depth);
    const proto: unknown = getProto(v);
    // Fast path: plain objects skip the instanceof chain.
    if (proto === Object.prototype || proto === null) return this.#plain(v, depth, hops);
    if (v instanceof Error || isNativeError(v)) return errorShape(this, v as Error, depth);
    if (v instanceof Date) {
      const t = dateGetTime.call(v);
      return this.mark(t === t ? dateToISO.call(v) : INVALID_DATE_MARKER);
    }
    if (v instanceof Map) return walkMap(this, v, depth);
    if (v instanceof Set) return walkSet(this, v, depth);
    if (ArrayBuffer.isView(v)) return walkView(this, v, depth);
    if (v instanceof ArrayBuffer) return walkBytes(this, 'ArrayBuffer', v, 0, v.byteLength);
    if (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer) {
      return walkBytes(this, 'SharedArrayBuffer', v, 0, v.byteLength);
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
      const foreign = this.#foreign(v, depth);
      if (foreign !== NO_RESULT) return foreign;
    }
    return this.#plain(v, depth, hops);
  }

  /** Built-ins of another realm, by their internal slots. */
  #foreign(v: object, depth: number): JsonValue | typeof NO_RESULT {
    if (utilTypes.isDate(v)) {
      const t = dateGetTime.call(v);
      return this.mark(t === t ? dateToISO.call(v) : INVALID_DATE_MARKER);
    }
    if (utilTypes.isMap(v)) return walkMap(this, v as Map<unknown, unknown>, depth);
    if (utilTypes.isSet(v)) return walkSet(this, v as Set<unknown>, depth);
    if (utilTypes.isRegExp(v)) return this.str(RegExp.prototype.toString.call(v));
    if (utilTypes.isAnyArrayBuffer(v)) return walkBytes(this, 'ArrayBuffer', v as ArrayBuffer, 0, (v as ArrayBuffer).byteLength);
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

  /** `Object.keys(v)`, reused when the same big object is met again in this call. */
  ownKeys(v: object): string[] {
    const cache = this.#keyCache;
    if (cache !== undefined) {
      const hit = cache.get(v);
      if (hit !== undefined) return hit;
    }
    const keys = Object.keys(v);
    if (keys.length > BIG_KEY_COUNT) (this.#keyCache ??= new Map()).set(v, keys);
    return keys;
  }


}
