/**
 * A bounded wait for the bridges: resolves `true` when `promise` settles (either way) within
 * `timeoutMs`, `false` when the time passes first (or at once when `timeoutMs` is not above 0).
 * Never rejects; the timer is `unref()`ed. Internal: a boolean view of the library's one bounded
 * wait (`core/lifecycle/bounded-wait.ts`, exported by the adapter kit).
 */
import { waitBounded } from '../../lifecycle/bounded-wait.ts';

export async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  if (!(timeoutMs > 0)) return false;
  return (await waitBounded(promise, { timeoutMs })).status !== 'timeout';
}
