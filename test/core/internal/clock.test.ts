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
    // Both clocks under the test's control, so the figures are exact whatever the machine's load.
    let perf = 10_000.25;
    let wall = 1_800_000_000_000;
    vi.spyOn(performance, 'now').mockImplementation(() => perf);
    vi.spyOn(Date, 'now').mockImplementation(() => Math.floor(wall + perf));
    const clock = await freshClock();
    const first = clock.epochMsNow();
    expect(first).toBeGreaterThanOrEqual(Math.floor(wall + perf));
    expect(first).toBeLessThan(Math.floor(wall + perf) + 1);
    wall += 60_000; // the system clock jumps a minute ahead
    perf += 500;
    expect(clock.epochMsNow() - first).toBeCloseTo(500, 6); // the old anchor until the next check...
    perf += 500;
    const t = clock.epochMsNow(); // ...which comes a second after the last one
    expect(t).toBeGreaterThanOrEqual(Math.floor(wall + perf));
    expect(t).toBeLessThan(Math.floor(wall + perf) + 1);
    wall -= 120_000; // and back, a minute behind the start
    perf += 1000;
    const back = clock.epochMsNow();
    expect(back).toBeGreaterThanOrEqual(Math.floor(wall + perf));
    expect(back).toBeLessThan(Math.floor(wall + perf) + 1);
  });

  it('narrows its offset over several checks: readings between checks stay within the interval every check allowed', async () => {
    let perf = 5_000;
    const wall = 1_800_000_000_000.37; // the true offset; Date.now() only shows whole milliseconds of it
    vi.spyOn(performance, 'now').mockImplementation(() => perf);
    vi.spyOn(Date, 'now').mockImplementation(() => Math.floor(wall + perf));
    const clock = await freshClock();
    let error = Infinity;
    for (let i = 0; i < 20; i++) {
      perf += 1000.13 * (i + 1); // checks at varied sub-millisecond phases
      error = Math.abs(clock.epochMsNow() - (wall + perf));
      expect(error).toBeLessThanOrEqual(0.5);
    }
    expect(error).toBeLessThan(0.2);
  });
});
