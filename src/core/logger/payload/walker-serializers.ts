/**
 * The type-specific serializers of the payload walker, tried before the built-in rules: the
 * value's own `toLogPayload(verbosity)` (a provider), the processor's registry by prototype, its
 * resolver, then `toJSON`; and what any of them returns, walked again (at most `MAX_HOPS` times).
 * A serializer that throws is reported and the built-in rules are used. Internal.
 */
import type { JsonValue } from '../json.ts';
import { errorExtras } from './error-shape.ts';
import type { PayloadWalker } from './payload-walker.ts';
import type { LogValueSerializer } from './provider.ts';
import { NO_RESULT, read, reportHookFailure } from './walker-support.ts';

/** Prototype links followed when looking up a serializer (a Proxy can fake an endless chain). */
const MAX_PROTO_WALK = 64;
const getProto = Object.getPrototypeOf;

/** Provider, then serializer (registry, resolver); {@link NO_RESULT} when none applies or all threw. */
export function serializedValue(w: PayloadWalker, v: object, depth: number, hops: number): JsonValue | typeof NO_RESULT {
  const verbosity = w.s.verbosity;
  const provider = read(v, 'toLogPayload');
  if (typeof provider === 'function') {
    try {
      const r: unknown = provider.call(v, verbosity);
      if (r !== v) return resultValue(w, v, r, depth, hops);
    } catch (err) {
      reportHookFailure('payload.provider_failed', 'toLogPayload() threw; the built-in rules were used', err);
    }
  }
  if (w.s.serializers.size > 0) {
    const serializer = findSerializer(w, v);
    if (serializer !== undefined) {
      try {
        const r = serializer(v, verbosity);
        if (r !== v) return resultValue(w, v, r, depth, hops);
      } catch (err) {
        reportHookFailure('payload.adapter_failed', 'a serializer threw; the built-in rules were used', err);
      }
    }
  }
  const resolver = w.s.resolver;
  if (resolver !== undefined) {
    let resolved: LogValueSerializer | undefined;
    try {
      resolved = resolver(v);
    } catch (err) {
      reportHookFailure('payload.resolver_failed', 'the serializer resolver threw; the built-in rules were used', err);
    }
    if (typeof resolved === 'function') {
      try {
        const r = resolved(v, verbosity);
        if (r !== v) return resultValue(w, v, r, depth, hops);
      } catch (err) {
        reportHookFailure('payload.adapter_failed', 'a resolved serializer threw; the built-in rules were used', err);
      }
    }
  }
  return NO_RESULT;
}

function findSerializer(w: PayloadWalker, v: object): LogValueSerializer | undefined {
  const serializers = w.s.serializers;
  try {
    let p: unknown = getProto(v);
    for (let i = 0; i < MAX_PROTO_WALK && p !== null && typeof p === 'object'; i++) {
      const a = serializers.get(p);
      if (a !== undefined) return a;
      p = getProto(p);
    }
  } catch {
    // A Proxy whose getPrototypeOf trap throws: no serializer.
  }
  return undefined;
}

/**
 * Whether `v` has a provider or a serializer (registered, or given by the resolver): past the hop
 * limit such a value is a marker, never walked raw (its fields are what the serializer hides).
 */
export function hasSerializer(w: PayloadWalker, v: object): boolean {
  if (typeof read(v, 'toLogPayload') === 'function') return true;
  if (w.s.serializers.size > 0 && findSerializer(w, v) !== undefined) return true;
  const resolver = w.s.resolver;
  if (resolver === undefined) return false;
  try {
    return typeof resolver(v) === 'function';
  } catch (err) {
    reportHookFailure('payload.resolver_failed', 'the serializer resolver threw; the built-in rules were used', err);
    return false;
  }
}

/** Normalises what a provider/serializer/toJSON returned for `v` (still on the ancestor stack). */
export function resultValue(w: PayloadWalker, v: object, r: unknown, depth: number, hops: number): JsonValue {
  const isError = v instanceof Error;
  if (isError) w.seen(v);
  const out = w.value(r, depth, hops + 1);
  if (out === undefined) return null;
  // An error that is its own provider (MvxError) keeps its stack and cause chain.
  if (isError && out !== null && typeof out === 'object' && !Array.isArray(out)) errorExtras(w, v, out, depth);
  return out;
}

/** What `v.toJSON('')` returns, walked; {@link NO_RESULT} when it has none, returns `v`, or throws. */
export function jsonValue(w: PayloadWalker, v: object, depth: number, hops: number): JsonValue | typeof NO_RESULT {
  const toJSON = read(v, 'toJSON');
  if (typeof toJSON !== 'function') return NO_RESULT;
  try {
    const r: unknown = toJSON.call(v, '');
    if (r !== v) return resultValue(w, v, r, depth, hops);
  } catch (err) {
    reportHookFailure('payload.tojson_failed', 'toJSON() threw; own fields were used', err);
  }
  return NO_RESULT;
}
