import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayHistogramDelta } from '../../../src/adapters/statsd/histogram-replay.ts';

const BOUNDS = [1, 5, 10, 50, 100];
const bucketOf = (v: number): number => {
  const i = BOUNDS.findIndex((b) => v <= b);
  return i === -1 ? BOUNDS.length : i;
};

function replayOf(values: number[], cap = 1_000_000) {
  const counts = new Array<number>(BOUNDS.length + 1).fill(0);
  for (const v of values) counts[bucketOf(v)]!++;
  const sum = values.reduce((a, b) => a + b, 0);
  const sent: number[] = [];
  const result = replayHistogramDelta(BOUNDS, counts, sum, Math.min(...values), Math.max(...values), cap, (v, times) => {
    for (let i = 0; i < times; i++) sent.push(v);
  });
  return { counts, sum, sent, result };
}

describe('replayHistogramDelta', () => {
  it('sends exactly as many values as observations, each in the bucket of the observations it stands for, with the exact sum', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 500, noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
        const { counts, sum, sent, result } = replayOf(values);
        expect(result).toEqual({ sent: values.length, notSent: 0 });
        const sentCounts = new Array<number>(BOUNDS.length + 1).fill(0);
        for (const v of sent) sentCounts[bucketOf(v)]!++;
        expect(sentCounts).toEqual(counts);
        // The exact sum is always reachable: the observations themselves are one solution.
        expect(sent.reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 6);
      }),
      { numRuns: 300 },
    );
  });

  it('over the cap sends exactly cap lines, shared out by bucket count, and reports the rest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 500, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        (values, cap) => {
          const { counts, sent, result } = replayOf(values, cap);
          const expected = Math.min(cap, values.length);
          expect(sent).toHaveLength(expected);
          expect(result.notSent).toBe(values.length - expected);
          const sentCounts = new Array<number>(BOUNDS.length + 1).fill(0);
          for (const v of sent) sentCounts[bucketOf(v)]!++;
          for (let i = 0; i < counts.length; i++) {
            expect(Math.abs(sentCounts[i]! - (counts[i]! * expected) / values.length)).toBeLessThan(1 + 1e-9);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends nothing when nothing changed', () => {
    const sent: number[] = [];
    expect(replayHistogramDelta(BOUNDS, [0, 0, 0, 0, 0, 0], 0, 1, 2, 10, (v) => sent.push(v))).toEqual({ sent: 0, notSent: 0 });
    expect(sent).toEqual([]);
  });
});
