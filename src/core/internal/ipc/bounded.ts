/**
 * A bounded wait for the bridges: resolves `true` when `promise` settles (either way) within
 * `timeoutMs`, `false` when the time passes first. Never rejects; the timer is `unref()`ed.
 * Internal (the adapter kit's bounded-wait helper is the public one).
 */
export function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  if (!(timeoutMs > 0)) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}
