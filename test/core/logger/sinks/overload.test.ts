import { describe, expect, it } from 'vitest';
import { runOverload } from './overload-runner.ts';

describe('overload', () => {
  // Paced (600 bursts of 1,000 events, the sink one batch of 100 per burst), not timed: the 2 s timed
  // run flaked on a loaded machine, where the producer got too little CPU to be ten times faster.
  it('a producer 10x faster than the sink for 600,000 events: heap growth bounded by the queue, accounting exact at every sample', () => {
    const r = runOverload(0, 10_000, 600);
    const { report } = r;
    expect(r.violations).toBe(0);
    expect(report.accepted).toBe(r.produced);
    expect(report.delivered + report.dropped + report.failed + report.pending).toBe(r.produced);
    expect(report.droppedByReason.queue_full).toBeGreaterThan(0);
    // The overload is real: far more produced than delivered.
    expect(r.produced).toBeGreaterThan(5 * report.delivered);
    // 10,000 queued events of ~300 bytes: a few MB. 32 MB is generous; an unbounded queue would hold
    // every undelivered event (hundreds of thousands, >= 100 bytes each), far above the bound.
    expect(r.samples).toBeGreaterThan(5);
    expect(r.peak).toBeLessThan(32 * 1024 * 1024);
    expect((report.dropped + report.pending) * 100).toBeGreaterThan(32 * 1024 * 1024);
  });
});
