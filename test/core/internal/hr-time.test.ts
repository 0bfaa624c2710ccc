import { describe, expect, it } from 'vitest';
import { epochMsToHrTime } from '../../../src/core/internal/hr-time.ts';

describe('epochMsToHrTime', () => {
  it('splits whole epoch milliseconds into seconds and nanoseconds', () => {
    expect(epochMsToHrTime(1_700_000_000_123)).toEqual([1_700_000_000, 123_000_000]);
    expect(epochMsToHrTime(0)).toEqual([0, 0]);
  });

  it('keeps sub-millisecond precision', () => {
    expect(epochMsToHrTime(1500.25)).toEqual([1, 500_250_000]);
  });

  it('carries a rounding up to a full second into the seconds', () => {
    expect(epochMsToHrTime(1999.9999999)).toEqual([2, 0]);
  });

  it('always returns nanoseconds in [0, 1e9)', () => {
    for (const ms of [0.0000001, 999.9999994, 1_700_000_000_999.75, 123.456789]) {
      const [s, ns] = epochMsToHrTime(ms);
      expect(Number.isInteger(s)).toBe(true);
      expect(ns).toBeGreaterThanOrEqual(0);
      expect(ns).toBeLessThan(1e9);
      expect(s * 1000 + ns / 1e6).toBeCloseTo(ms, 3);
    }
  });
});
