/**
 * The option checks every constructor and factory uses: each returns the value (or its default)
 * or throws an `MvxConfigError` naming the option and saying what would be valid, with the value
 * it got. One set, so every component words its configuration errors the same way.
 */
import { MvxConfigError } from '../errors.ts';
import { MAX_TIMER_MS } from '../lifecycle/bounded-wait.ts';

/** A short description of a value for an error message (`"abc"`, `number 1.5`, `null`, `an object`). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (v === null) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${String(v)}`;
}

/** Bounds of {@link checkInteger} and {@link checkNumber}, and the default for `undefined`. */
export interface RangeCheck {
  /** Smallest valid value. @default 0 */
  readonly min?: number;
  /** Largest valid value. @default Number.MAX_SAFE_INTEGER */
  readonly max?: number;
  /** Returned for `undefined`; without it `undefined` is invalid. */
  readonly default?: number;
}

function required(option: string, what: string, value: unknown): never {
  throw new MvxConfigError(option, `must be ${what}, got ${describeValue(value)}`);
}

/** An integer in `[min, max]`. @throws MvxConfigError naming `option`. */
export function checkInteger(option: string, value: unknown, range: RangeCheck = {}): number {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  if (value === undefined && range.default !== undefined) return range.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) required(option, `an integer from ${min} to ${max}`, value);
  return value;
}

/** A finite number in `[min, max]`. @throws MvxConfigError naming `option`. */
export function checkNumber(option: string, value: unknown, range: RangeCheck = {}): number {
  const { min = 0, max = Number.MAX_VALUE } = range;
  if (value === undefined && range.default !== undefined) return range.default;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) required(option, `a number from ${min} to ${max}`, value);
  return value;
}

/**
 * A duration in milliseconds: a finite number in `[min, max]`, `max` at most what Node's timers
 * take (2147483647; a larger delay would fire at once). @throws MvxConfigError naming `option`.
 */
export function checkMilliseconds(option: string, value: unknown, range: RangeCheck = {}): number {
  const { min = 0, max = MAX_TIMER_MS } = range;
  if (value === undefined && range.default !== undefined) return range.default;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    required(option, `a number of milliseconds from ${min} to ${max}`, value);
  }
  return value;
}

/** A boolean (no coercion). @throws MvxConfigError naming `option`. */
export function checkBoolean(option: string, value: unknown, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') required(option, 'a boolean', value);
  return value;
}

/** One of `valid` (compared with `===`). @throws MvxConfigError naming `option` and listing the valid values. */
export function checkOneOf<T extends string>(option: string, value: unknown, valid: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'string' && (valid as readonly string[]).includes(value)) return value as T;
  return required(option, `one of ${valid.map((v) => `'${v}'`).join(', ')}`, value);
}

/** Checks of {@link checkString}. */
export interface StringCheck {
  /** Returned for `undefined`; without it `undefined` is invalid. */
  readonly default?: string;
  /** Reject `''`. @default false */
  readonly nonEmpty?: boolean;
  /** A pattern the value must match, and how to name it in the message. */
  readonly pattern?: { readonly regex: RegExp; readonly text: string };
}

/** A string. @throws MvxConfigError naming `option`. */
export function checkString(option: string, value: unknown, check: StringCheck = {}): string {
  if (value === undefined && check.default !== undefined) return check.default;
  if (typeof value !== 'string' || (check.nonEmpty === true && value === '')) required(option, check.nonEmpty === true ? 'a non-empty string' : 'a string', value);
  if (check.pattern !== undefined && !check.pattern.regex.test(value)) required(option, check.pattern.text, value);
  return value;
}

/** A function, or `undefined`. @throws MvxConfigError naming `option`. */
export function checkFunction<F extends (...args: any[]) => unknown>(option: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') required(option, 'a function', value);
  return value as F;
}

/**
 * An object with the given methods (a client, a provider, a source: duck-typed, so any compatible
 * object fits), described as `what` in the message: `must be a prom-client Registry (an object
 * with registerMetric(), getSingleMetric())`. @throws MvxConfigError naming `option`.
 */
export function checkObjectWith<T>(option: string, value: unknown, methods: readonly string[], what: string): T {
  if (value === null || typeof value !== 'object') required(option, `${what} (an object with ${methods.map((m) => `${m}()`).join(', ')})`, value);
  const missing = methods.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new MvxConfigError(option, `must be ${what}; it has no ${missing.map((m) => `${m}()`).join(', ')}`);
  }
  return value as T;
}

/** The options argument itself: an object (or `undefined`, read as `{}`). @throws MvxConfigError naming `options`. */
export function checkOptionsObject<T extends object>(value: T | undefined, what = 'an object'): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object') required('options', what, value);
  return value;
}
