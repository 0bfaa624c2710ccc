// Long run (npm run test:long, MVX_LONG=1): ten seconds of a producer at least ten times faster than
// its sink. Skipped by `npm test`.
import { describe, expect, it } from 'vitest';
import { runOverload } from '../core/logger/sinks/overload-runner.ts';

describe.runIf(process.env.MVX_LONG === '1')('overload, 10 s (long)', () => {
  it('heap growth stays within the queue bound and the accounting is exact for 10 s', () => {
    const r = runOverload(10_000, 10_000);
    expect(r.violations).toBe(0);
    expect(r.report.accepted).toBe(r.produced);
    expect(r.report.delivered + r.report.dropped + r.report.failed + r.report.pending).toBe(r.produced);
    expect(r.produced).toBeGreaterThan(10 * r.report.delivered);
    expect(r.samples).toBeGreaterThan(50);
    expect(r.peak).toBeLessThan(32 * 1024 * 1024);
  }, 120_000);

  it('control: the same load with an effectively unbounded queue for 1 s grows the heap far past that bound', () => {
    const r = runOverload(1_000, 10_000_000);
    expect(r.peak).toBeGreaterThan(32 * 1024 * 1024);
  }, 120_000);
});
