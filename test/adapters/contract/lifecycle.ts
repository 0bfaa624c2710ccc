/**
 * The lifecycle contract every component that holds resources keeps (sinks, exporters, bridges,
 * tracing): `shutdown()` idempotent (the same promise), never rejecting, resolving with a report;
 * `flush()` never rejecting; counters that add up. Used by both contract suites, and on its own by
 * adapters that are neither a sink nor a metrics exporter ({@link runLifecycleContract}).
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryStats, LifecycleReport } from '../../../src/adapter-kit/index.ts';

/** `accepted = delivered + dropped + failed + pending`, every count a non-negative integer. */
export function expectAccounting(stats: DeliveryStats): void {
  const { accepted, delivered, dropped, failed, pending } = stats;
  for (const [k, v] of Object.entries({ accepted, delivered, dropped, failed, pending })) {
    expect(Number.isInteger(v) && v >= 0, `${k} = ${v}`).toBe(true);
  }
  expect(accepted, JSON.stringify(stats)).toBe(delivered + dropped + failed + pending);
}

/** Calls `shutdown()` twice: the same promise, resolving (never rejecting) with a report that adds up. */
export async function expectIdempotentShutdown(lifecycle: { shutdown(options?: { timeoutMs?: number }): Promise<LifecycleReport> }): Promise<LifecycleReport> {
  const first = lifecycle.shutdown({ timeoutMs: 2000 });
  expect(lifecycle.shutdown()).toBe(first);
  const report = await first;
  expect(typeof report.timedOut).toBe('boolean');
  expectAccounting(report);
  return report;
}

/** A component with the common lifecycle. */
export interface LifecycleUnderTest {
  flush(options?: { timeoutMs?: number }): Promise<LifecycleReport>;
  shutdown(options?: { timeoutMs?: number }): Promise<LifecycleReport>;
  stats(): DeliveryStats;
}

/**
 * The lifecycle contract on its own: `use` does some work with the component (so the counts are
 * not all zero), then the promises are checked.
 */
export function runLifecycleContract(name: string, create: () => Promise<{ component: LifecycleUnderTest; use(): Promise<void>; dispose(): Promise<void> }>): void {
  describe(`lifecycle contract: ${name}`, () => {
    it('flush() and shutdown() resolve with reports that add up; shutdown() is idempotent; stats() keep adding up after it', async () => {
      const { component, use, dispose } = await create();
      try {
        await use();
        expectAccounting(component.stats());
        const flushed = await component.flush({ timeoutMs: 1000 });
        expect(flushed.timedOut).toBe(false);
        expectAccounting(flushed);
        expect(flushed.accepted).toBeGreaterThan(0);
        await expectIdempotentShutdown(component);
        await use();
        expectAccounting(component.stats());
        expectAccounting(await component.flush());
      } finally {
        await dispose();
      }
    });
  });
}
