/**
 * Small pure helpers of the payload walker (kept apart so the walker file holds only the walk).
 * Internal.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import type { JsonObject, JsonValue } from '../json.ts';

/** Error stack frames kept at NORMAL verbosity (Node's default `Error.stackTraceLimit`). */
export const NORMAL_STACK_FRAMES = 10;

const getProto = Object.getPrototypeOf;

/** What {@link read} returns when the read threw; the error is then {@link lastReadError}(). */
export const READ_FAILED: unique symbol = Symbol('read failed');
let readError: unknown;

/** Reads `obj[key]`; a throwing getter or Proxy trap gives {@link READ_FAILED}. */
export function read(obj: object, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch (err) {
    readError = err;
    return READ_FAILED;
  }
}

/** The error thrown by the last read that gave {@link READ_FAILED}. */
export function lastReadError(): unknown {
  return readError;
}

/** Sets `out[key] = value`, also for the key `__proto__` (which plain assignment would not create). */
export function setKey(out: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/** `'NaN'`, `'Infinity'` or `'-Infinity'` for a number that is not finite. */
export function nonFinite(n: number): string {
  return n !== n ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

/** The name shown in markers: `Array`, `Map`, a class name, or `Object`. Never throws. */
export function typeName(v: object): string {
  try {
    if (Array.isArray(v)) return 'Array';
    const proto = getProto(v) as { constructor?: { name?: unknown } } | null;
    const name = proto?.constructor?.name;
    return typeof name === 'string' && name.length > 0 && name.length <= 64 ? name : 'Object';
  } catch {
    return 'Object';
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

/** Provider/serializer/toJSON results are re-examined for another provider at most this many times. */
export const MAX_HOPS = 3;
/** Room kept for the `…[+N chars]` marker when a string is cut to the room left. */
export const CUT_MARKER_BYTES = 24;
/**
 * Bytes held back while a container is open, for the "more" marker it may end with
 * (`,"__more__":"1234567890 more keys"` is 34), so a cut output still ends within `maxBytes`.
 */
export const MARKER_RESERVE = 40;
/**
 * Room a value needs beyond its key to be started: covers what is charged after the check without
 * a fit of its own (a number, a container's brackets and reserve, a marker naming a type of up to
 * 64 characters).
 */
export const SLACK = 96;
/** What a serializer step returns when none applies (the built-in rules follow). */
export const NO_RESULT: unique symbol = Symbol('no result');

/** Reports a user hook (provider, serializer, `toJSON`) that threw. */
export function reportHookFailure(code: string, message: string, error: unknown): void {
  reportDiagnostic({ component: 'LogPayloadProcessor', code, message, error });
}
