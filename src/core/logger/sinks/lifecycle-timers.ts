/**
 * The bound of `AsyncLogSink`'s `flush()` and `shutdown()`, read from their options. The waits
 * themselves are the library's one bounded wait (`core/lifecycle/bounded-wait.ts`), holding the
 * process while an awaited operation runs: the sink's own timers are unref'ed, so during a retry
 * backoff nothing else may hold the event loop, and a program whose last step is
 * `await sink.shutdown()` would end (exit code 13, unsettled top-level await) before the report.
 * Internal.
 */
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import type { LifecycleOptions } from './log-sink.ts';

/** `options.timeoutMs` when it is a number ≥ 0 (at most the longest timer, 2^31-1 ms), else `dflt`. */
export function timeoutOf(options: LifecycleOptions | undefined, dflt: number): number {
  const t = options?.timeoutMs;
  return typeof t === 'number' && t >= 0 && !Number.isNaN(t) ? Math.min(t, 2_147_483_647) : dflt;
}

/** Waits for `promise` until `deadline` (epoch ms), holding the process; `true` when the deadline passed first. Rejections propagate. */
export async function untilDeadline(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  const result = await waitBounded(promise, { timeoutMs: Math.max(0, deadline - Date.now()), holdProcess: true });
  if (result.status === 'failed') throw result.error;
  return result.status === 'timeout';
}
