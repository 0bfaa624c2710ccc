/**
 * The library's one "wait, but not longer than this": every bounded `flush()`, `shutdown()`,
 * scrape-time source flush and exit drain waits through {@link waitBounded}, so the timer and its
 * ref/unref choice are made in one place (in the spirit of OpenTelemetry JS's `callWithTimeout`,
 * which rejects on time-out; this one resolves with what happened, because lifecycle calls never
 * reject).
 */

/** The largest delay Node's timers take (2^31 − 1 ms, about 24.8 days); a larger one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Options of {@link waitBounded}. */
export interface BoundedWaitOptions {
  /** Upper bound of the wait in ms (0 to {@link MAX_TIMER_MS}); `Infinity` waits without a timer. */
  readonly timeoutMs: number;
  /**
   * Keep the process alive while waiting: a ref'ed timer. Default `false`: the timer is unref'ed,
   * so a library never holds a process open.
   *
   * Set it for a wait that a program awaits as its last step, an awaited `flush()` or `shutdown()`
   * whose work has nothing of its own keeping the event loop alive (a hanging backend's promise, a
   * socket the backend unref'ed): with an unref'ed timer Node would end the process in the middle
   * of the wait (an unsettled top-level `await` exits with code 13) and what was still being
   * delivered would be lost without a word. The bound keeps that hold short.
   * @default false
   */
  readonly holdProcess?: boolean;
}

/** How a bounded wait ended. */
export type BoundedResult<T> =
  | { readonly status: 'done'; readonly value: T }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'timeout' };

const TIMEOUT: BoundedResult<never> = Object.freeze({ status: 'timeout' });

/**
 * Waits for `work` (a promise, or a function called at once whose result is awaited) at most
 * `timeoutMs`. Never rejects and never throws: a rejection or a synchronous throw of `work`
 * resolves as `failed`, the bound as `timeout`. After a time-out a later rejection of `work` is
 * swallowed (it would otherwise be an unhandled rejection); the caller reports the time-out.
 *
 * @example
 * ```ts
 * const r = await waitBounded(() => provider.forceFlush(), { timeoutMs: 5000 });
 * if (r.status === 'timeout') reportDiagnostic({ component, code: 'flush.timeout', message: '…' });
 * ```
 */
export function waitBounded<T>(work: PromiseLike<T> | (() => T | PromiseLike<T>), options: BoundedWaitOptions): Promise<BoundedResult<T>> {
  let running: Promise<T>;
  try {
    running = Promise.resolve(typeof work === 'function' ? (work as () => T | PromiseLike<T>)() : work);
  } catch (error) {
    return Promise.resolve({ status: 'failed', error });
  }
  const settled = running.then(
    (value): BoundedResult<T> => ({ status: 'done', value }),
    (error: unknown): BoundedResult<T> => ({ status: 'failed', error }),
  );
  const timeoutMs = options.timeoutMs;
  if (timeoutMs === Infinity) return settled;
  return new Promise<BoundedResult<T>>((resolve) => {
    // When the bound fires, the work gets the rest of this turn of the event loop: a process that was
    // starved (a loaded machine) finds the expired timer and the work's finished I/O ready together,
    // and timers run first; the I/O callbacks of the poll phase then still count as in time.
    const timer = setTimeout(() => setImmediate(resolve, TIMEOUT), Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS));
    if (options.holdProcess !== true) timer.unref();
    void settled.then((result) => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}

/**
 * A promise that resolves after `ms` without holding the process open (an unref'ed timer), for
 * pauses between retries and polls. With `holdProcess`, the timer is ref'ed (see
 * {@link BoundedWaitOptions.holdProcess}).
 */
export function pause(ms: number, options: { readonly holdProcess?: boolean } = {}): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    if (options.holdProcess !== true) timer.unref();
  });
}
