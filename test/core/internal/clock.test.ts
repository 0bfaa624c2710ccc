import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Clock from '../../../src/core/internal/clock.ts';

/** A fresh copy of the clock module (its offset is module state). */
async function freshClock(): Promise<typeof Clock> {
  vi.resetModules();
  return import('../../../src/core/internal/clock.ts');
}

afterEach(() => vi.restoreAllMocks());

describe('the library clock (preciseNow, logInvocation timestamps)', () => {
  it('reads within half a millisecond of the system clock from the first call, with sub-millisecond precision', async () => {
    const clock = await freshClock();
    for (let i = 0; i < 1000; i++) {
      // Date.now() truncates: the true time of the reading is in [before, after + 1).
      const before = Date.now();
      const t = clock.epochMsNow();
      const after = Date.now();
      expect(t).toBeGreaterThanOrEqual(before - 0.5);
      expect(t).toBeLessThan(after + 1.5);
    }
    const stamps = Array.from({ length: 20 }, () => clock.epochMsNow());
    expect(stamps.some((t) => !Number.isInteger(t))).toBe(true);
  });

  it('follows the system clock when it is stepped (NTP), within a second: the monotonic clock alone would stay behind', async () => {
    const clock = await freshClock();
    clock.epochMsNow(); // anchored on the real clock
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 60_000); // the system clock jumps a minute ahead
    const perf = performance.now();
    // Readings keep the old anchor until the next check...
    expect(clock.epochMsAt(perf)).toBeLessThan(realNow() + 1);
    // ...which comes at most a second later.
    const t = clock.epochMsAt(perf + 1000);
    expect(t - (realNow() + 60_000)).toBeGreaterThan(999 - 2);
    expect(t - (realNow() + 60_000)).toBeLessThan(1000 + 2);
    expect(clock.epochMsNow()).toBeGreaterThanOrEqual(Date.now() - 0.5);
    expect(clock.epochMsNow()).toBeLessThan(Date.now() + 1.5);
  });
});
