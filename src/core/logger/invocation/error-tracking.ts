/**
 * Which errors were already logged in full (so an outer decorated call does not log them again),
 * and which errors mean "cancelled".
 *
 * A process-wide WeakSet, not a mark on the error: marking fails on frozen errors and changes user
 * objects; the set keeps the knowledge without touching the error and without keeping it alive. Primitives thrown (`throw 'x'`) cannot be tracked: they are logged in
 * full each time.
 *
 * @module
 */

const loggedInFull = new WeakSet<object>();

function isTrackable(error: unknown): error is object {
  return (typeof error === 'object' && error !== null) || typeof error === 'function';
}

/** Whether an inner decorated call already logged `error` (in full or as suppressed). */
export function isErrorLogged(error: unknown): boolean {
  return isTrackable(error) && loggedInFull.has(error);
}

/** Remembers that `error` has been handled by a decorated call. No-op for primitives. */
export function markErrorLogged(error: unknown): void {
  if (isTrackable(error)) loggedInFull.add(error);
}

/** Whether `value` is an `AbortSignal` (by brand, so signals from other realms count as well). */
function isAbortSignal(value: unknown): value is AbortSignal {
  try {
    return value instanceof AbortSignal || Object.prototype.toString.call(value) === '[object AbortSignal]';
  } catch {
    return false; // a proxy whose traps throw
  }
}

/**
 * Whether `error` is a cancellation: an error named `AbortError` (a `DOMException` from
 * `AbortController.abort()`, or any error with that name), or the `reason` of an aborted
 * `AbortSignal` passed to the call, as an argument or as the `signal` property of an argument
 * (`fetch(url, { signal })` style). The latter covers `AbortSignal.timeout()` (a `TimeoutError`)
 * and custom reasons (`controller.abort(new MyReason())`).
 */
export function isCancellation(error: unknown, args: readonly unknown[]): boolean {
  if (isTrackable(error) && (error as { name?: unknown }).name === 'AbortError') return true;
  for (const arg of args) {
    if (arg === null || typeof arg !== 'object') continue;
    let signal: unknown = arg;
    if (!isAbortSignal(arg)) {
      try {
        signal = (arg as { signal?: unknown }).signal;
      } catch {
        continue;
      }
      if (!isAbortSignal(signal)) continue;
    }
    const s = signal as AbortSignal;
    if (s.aborted && s.reason === error) return true;
  }
  return false;
}
