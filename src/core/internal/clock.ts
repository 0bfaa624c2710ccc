/**
 * The library's wall clock: epoch milliseconds with sub-millisecond precision, read from the
 * monotonic `performance.now()` and kept on the system clock.
 *
 * `performance.timeOrigin + performance.now()` alone drifts away from `Date.now()`: the monotonic
 * clock does not follow NTP adjustments, and on a loaded VM the origin itself can be off by more
 * than a millisecond from the start. Log timestamps must agree with the system clock (other
 * processes' logs, the collector's receive time), so the offset is checked against `Date.now()`
 * at most once a second: within half a millisecond of the system clock from the first reading,
 * closer after a few checks. Between checks the clock is monotonic; when the system clock is
 * stepped, it follows within a second, backwards too, as `Date.now()` does.
 *
 * Internal: `preciseNow()` in the logger is the public reading.
 */

/** How often (in `performance.now()` ms) the offset is checked against `Date.now()`. */
const CHECK_INTERVAL_MS = 1000;

// Every check against `Date.now()` (which truncates to the millisecond) says the offset lies in
// [wall - p, wall + 1 - p). The checks are intersected, so the interval narrows to a fraction of a
// millisecond within seconds; the offset is its middle. A check outside the interval means the
// system clock was stepped (or the clocks drifted apart): the interval starts again from it.
let lo = -Infinity;
let hi = Infinity;
let offset = performance.timeOrigin;
let nextCheck = -Infinity;

function check(perfNow: number): void {
  nextCheck = perfNow + CHECK_INTERVAL_MS;
  const wall = Date.now();
  const p = performance.now();
  const sampleLo = wall - p;
  const sampleHi = sampleLo + 1;
  if (sampleLo >= hi || sampleHi <= lo) {
    lo = sampleLo;
    hi = sampleHi;
  } else {
    lo = Math.max(lo, sampleLo);
    hi = Math.min(hi, sampleHi);
  }
  offset = (lo + hi) / 2;
}

/** Epoch ms (fractional) of a `performance.now()` reading taken just now. */
export function epochMsAt(perfNow: number): number {
  if (perfNow >= nextCheck) check(perfNow);
  return offset + perfNow;
}

/** Epoch ms now, with sub-millisecond precision. */
export function epochMsNow(): number {
  return epochMsAt(performance.now());
}
