/**
 * The timers of `AsyncLogSink`'s bounded lifecycle (`flush`, `shutdown`): the bound itself, the
 * time-out read from the options, and the ref'ed timer that keeps an awaited operation's process
 * alive until its report. Internal.
 */
import type { LifecycleOptions } from './log-sink.ts';

const noop = (): void => {};

/**
 * A ref'ed timer for the bound of an awaited `flush()`/`shutdown()`: the sink's own timers are
 * unref'ed, so during a retry backoff nothing else may hold the event loop, and a program whose last
 * step is `await sink.shutdown()` would end (exit code 13, unsettled top-level await) before the
 * report. Held at most `timeoutMs`, cleared as soon as the operation resolves.
 */
export function holdProcess(timeoutMs: number): NodeJS.Timeout {
  return setTimeout(noop, timeoutMs);
}

/** `options.timeoutMs` when it is a number ≥ 0 (at most the longest timer, 2^31-1 ms), else `dflt`. */
export function timeoutOf(options: LifecycleOptions | undefined, dflt: number): number {
  const t = options?.timeoutMs;
  return typeof t === 'number' && t >= 0 && !Number.isNaN(t) ? Math.min(t, 2_147_483_647) : dflt;
}

/** Resolves `true` if the deadline passes first, `false` when the promise settles first (rejections propagate). */
export function untilDeadline(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => resolve(true), Math.max(0, deadline - Date.now()));
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(false);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err as Error);
      },
    );
  });
}
