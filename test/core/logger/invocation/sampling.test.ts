/**
 * logInvocation under a sampling rule: a call's invoke and success are kept or sampled out
 * together; a failure after a sampled-out invoke is still logged (marked), unless the rule says not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { logInvocation } from '../../../../src/core/logger/invocation/log-invocation.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import type { LogSamplingRule } from '../../../../src/core/logger/policy/sampling/sampling-config.ts';
import { harness } from './helpers.ts';
import type { Harness } from './helpers.ts';

let h: Harness | undefined;
afterEach(() => h?.dispose());

function sampledHarness(rule: Omit<LogSamplingRule, 'name'>): { h: Harness; policy: PatternLogEventPolicy } {
  const policy = new PatternLogEventPolicy({ sampling: [{ name: 'calls', names: ['op'], ...rule }] });
  h = harness({ minLevel: 'DEBUG', policy });
  return { h, policy };
}

describe('logInvocation and sampling', () => {
  it('keeps or samples out invoke and success together, one decision per call', async () => {
    const { h, policy } = sampledHarness({ probability: 1 / 3 });
    const op = logInvocation<unknown>({ event: 'op', context: () => h.root, args: ['0'], result: true })((n: number) => n * 2);
    const asyncOp = logInvocation<unknown>({ event: 'op', context: () => h.root })(async (n: number) => n);
    for (let i = 0; i < 9; i++) op(i);
    for (let i = 0; i < 3; i++) await asyncOp(i);
    const events = h.sink.events;
    expect(events.map((e) => e.outcome)).toEqual(['invoke', 'success', 'invoke', 'success', 'invoke', 'success', 'invoke', 'success']);
    // Each success follows the invoke of the same call.
    expect(events.filter((e) => e.outcome === 'invoke').slice(0, 3).map((e) => (e.payload['args'] as Record<string, unknown>)['arg0'])).toEqual([0, 3, 6]);
    expect(events.filter((e) => e.outcome === 'success').slice(0, 3).map((e) => e.payload['result'])).toEqual([0, 6, 12]);
    // Counted once per sampled-out call, in the context and in the rule.
    expect(h.root.stats().sampledOut).toBe(8);
    expect(policy.samplingStats().rules['calls']).toMatchObject({ kept: 4, sampledOut: 8 });
  });

  it('a failure after a sampled-out invoke is logged, marked invokeSampledOut: true (and so is a cancellation)', async () => {
    const { h } = sampledHarness({ probability: 0 });
    const fail = logInvocation<unknown>({ event: 'op', context: () => h.root })(() => {
      throw new TypeError('bad input');
    });
    expect(() => fail()).toThrow(TypeError);
    const cancel = logInvocation<unknown>({ event: 'op', context: () => h.root })(async (signal: AbortSignal) => {
      signal.throwIfAborted();
    });
    await expect(cancel(AbortSignal.abort())).rejects.toThrow();
    expect(h.lifecycle()).toEqual(['failed@40', 'cancelled@20']);
    expect(h.byOutcome('failed').payload).toMatchObject({ error: { type: 'TypeError', message: 'bad input' }, invokeSampledOut: true });
    expect(h.byOutcome('cancelled').payload).toMatchObject({ cancelled: true, invokeSampledOut: true });
  });

  it('a kept call logs its failure without the mark', () => {
    const { h } = sampledHarness({ probability: 1 });
    const fail = logInvocation<unknown>({ event: 'op', context: () => h.root })(() => {
      throw new Error('x');
    });
    expect(() => fail()).toThrow();
    expect(h.lifecycle()).toEqual(['invoke@10', 'failed@40']);
    expect(h.byOutcome('failed').payload).not.toHaveProperty('invokeSampledOut');
  });

  it('exemptErrors: false leaves the whole call out, failure included, and leaves the error for an outer call to log', () => {
    const { h } = sampledHarness({ probability: 0, exemptErrors: false });
    const inner = logInvocation<unknown>({ event: 'op', context: () => h.root })(() => {
      throw new Error('deep');
    });
    const outer = logInvocation<unknown>({ event: 'outer', context: () => h.root })(() => inner());
    expect(() => outer()).toThrow('deep');
    expect(h.sink.events.map((e) => `${e.meta.name}:${String(e.outcome)}`)).toEqual(['outer:invoke', 'outer:failed']);
    // The outer call logs the error in full: the inner call did not log it.
    expect(h.byOutcome('failed').payload['error']).toMatchObject({ message: 'deep' });
  });

  it('a sampled-out call of the decorated function decides again on the next call (the cached part is the rule)', () => {
    const { h } = sampledHarness({ burst: { first: 1, thereafter: 2, intervalMs: 60_000 } });
    const op = logInvocation<unknown>({ event: 'op', context: () => h.root, args: ['0'] })((n: number) => n);
    for (let i = 0; i < 6; i++) op(i);
    expect(h.sink.events.filter((e) => e.outcome === 'invoke').map((e) => (e.payload['args'] as Record<string, unknown>)['arg0'])).toEqual([0, 2, 4]);
  });
});
