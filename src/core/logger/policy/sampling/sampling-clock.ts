/**
 * The samplers' clock: `performance.now()` read at most once per {@link EVENTS_PER_CLOCK_READ}
 * sampling decisions within one synchronous run, and afresh in every new task. A clock read costs
 * more than the rest of a sampling decision (20-70 ns on the VMs measured, against a few ns for the
 * decision), and a noisy event is by nature one that comes many times in a row: a loop logging a
 * warning per item sees the time move every 64 events (microseconds apart), which is all burst
 * windows and token buckets need; an event that comes alone (one per request) reads the clock
 * every time. Internal.
 *
 * @module
 */

/** Decisions that may share one clock read within a synchronous run. */
export const EVENTS_PER_CLOCK_READ = 64;

let cached = 0;
/** Decisions since the last read; past the bound (or reset by the next task), the clock is read. */
let uses = EVENTS_PER_CLOCK_READ;
let resetQueued = false;

function reset(): void {
  uses = EVENTS_PER_CLOCK_READ;
  resetQueued = false;
}

/** `performance.now()`, at most {@link EVENTS_PER_CLOCK_READ} decisions old within one run. */
export function samplingNow(): number {
  if (++uses < EVENTS_PER_CLOCK_READ) return cached;
  uses = 0;
  cached = performance.now();
  if (!resetQueued) {
    // The next task (a request, a timer) reads the clock afresh: the cached value never outlives
    // the synchronous run that read it. A microtask holds nothing open.
    resetQueued = true;
    queueMicrotask(reset);
  }
  return cached;
}
