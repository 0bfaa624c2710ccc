/**
 * Shared by the sampling tests: a context on a MemorySink with a sampling policy, and a controlled
 * clock. The samplers read `performance.now()` (see `sampling-clock.ts`): the tests replace it and
 * move it with {@link TestClock.advance}, which also lets a microtask run, so that the samplers'
 * clock reads afresh as it does in every new task.
 */
import { vi } from 'vitest';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import type { PatternLogEventPolicyConfig } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { SAMPLING_SUMMARY_EVENT } from '../../../../src/core/logger/policy/sampling/summary.ts';

export interface TestClock {
  /** `performance.now()` as the samplers see it. */
  now: number;
  /** Moves the clock by `ms` and lets the samplers' clock read afresh (a microtask turn). */
  advance(ms: number): Promise<void>;
}

/**
 * Replaces `performance.now()` by a clock the test moves, and `Date.now()` by the same clock on an
 * epoch (the library's wall clock is `performance.now()` kept on `Date.now()`: both move together,
 * as they do for real). Restored by `vi.restoreAllMocks()`.
 */
export async function testClock(start = 1_000_000): Promise<TestClock> {
  const clock = {
    now: start,
    async advance(ms: number): Promise<void> {
      clock.now += ms;
      await Promise.resolve();
    },
  };
  const epoch = Date.now() - start;
  vi.spyOn(performance, 'now').mockImplementation(() => clock.now);
  vi.spyOn(Date, 'now').mockImplementation(() => Math.floor(epoch + clock.now));
  await Promise.resolve(); // a clock value cached before the mock is dropped
  return clock;
}

/** A root context at DEBUG on a MemorySink with `config` as its policy. */
export function sampled(config: PatternLogEventPolicyConfig): { ctx: LogContext; sink: MemorySink; policy: PatternLogEventPolicy } {
  const sink = new MemorySink();
  const policy = new PatternLogEventPolicy(config);
  const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), policy, minLevel: 'DEBUG' });
  return { ctx, sink, policy };
}

/** The events that are not sampling summaries. */
export function logged(sink: MemorySink): LogEvent[] {
  return sink.events.filter((e) => e.meta.name !== SAMPLING_SUMMARY_EVENT);
}

/** The sampling summaries. */
export function summaries(sink: MemorySink): LogEvent[] {
  return sink.events.filter((e) => e.meta.name === SAMPLING_SUMMARY_EVENT);
}
