/**
 * Visible thinning: summary events where the gap is, counts per rule and per context, the
 * `mvx.log.sampled_out` metric (through the real Prometheus bridge), and the bound on keys.
 */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPrometheusBridge } from '../../../../src/adapters/prometheus/prometheus-bridge.ts';
import { onDiagnostic, resetDiagnostics } from '../../../../src/core/diagnostics.ts';
import type { Diagnostic } from '../../../../src/core/diagnostics.ts';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { captureMvxStderr } from '../../../support/stderr-guard.ts';
import { logged, sampled, summaries, testClock } from './sampling-support.ts';

afterEach(() => {
  vi.restoreAllMocks();
  resetDiagnostics(); // no throttled summary of a diagnostic left to print after the test
});

const BURST = { first: 2, thereafter: 0, intervalMs: 10_000 };

describe('summary events', () => {
  it('one per key and interval, emitted into the same sink before the next event of the key', async () => {
    const clock = await testClock();
    const { ctx, sink, policy } = sampled({ sampling: [{ name: 'cache', names: ['cache.*'], burst: BURST }] });
    const app = ctx.child('app');
    for (let i = 0; i < 414; i++) {
      app.warning('cache.miss', { i });
      if (i === 100) await clock.advance(1_000);
    }
    expect(summaries(sink)).toEqual([]); // the interval has not passed
    await clock.advance(10_000);
    app.warning('cache.miss', { i: 'next' });
    const lines = sink.events.map((e) => (e.meta.name === 'log.sampled_out' ? 'summary' : String(e.payload['i'])));
    expect(lines).toEqual(['0', '1', 'summary', 'next']);
    const s = summaries(sink)[0]!;
    expect(s.level).toBe(30);
    expect(s.meta).toEqual({ namespace: 'app', name: 'log.sampled_out' });
    expect(s.payload).toMatchObject({
      message: "412 events like 'app.cache.miss' sampled out in the last 11 s",
      rule: 'cache',
      key: 'cache.miss',
      event: 'app.cache.miss',
      sampledOut: 412,
      periodMs: 11_000,
    });
    const first = Date.parse(s.payload['firstTime'] as string);
    const last = Date.parse(s.payload['lastTime'] as string);
    expect(last - first).toBe(1_000); // the first sampled-out event before the advance, the last after it
    expect(policy.samplingStats().rules['cache']).toMatchObject({ sampledOut: 412, summaries: 1, pendingSummaryEvents: 0 });
  });

  it("a key gone quiet is summarised on its rule's next event, into its own context", async () => {
    const clock = await testClock();
    const { ctx, sink } = sampled({ sampling: [{ name: 'r', burst: BURST }] });
    for (let i = 0; i < 5; i++) ctx.child('a').info('quiet', { i });
    await clock.advance(10_000);
    ctx.child('b').info('other', { i: 'b' });
    expect(summaries(sink).map((e) => [e.meta.namespace, e.payload['event'], e.payload['sampledOut']])).toEqual([['a', 'a.quiet', 3]]);
  });

  it('flushSamplingSummaries() emits what is pending now (before shutdown); summary: false emits none', async () => {
    await testClock();
    const on = sampled({ sampling: [{ name: 'r', burst: BURST }] });
    const off = sampled({ sampling: [{ name: 'r', burst: BURST, summary: false }] });
    for (let i = 0; i < 6; i++) {
      on.ctx.info('x', { i });
      on.ctx.info('y', { i }, { entityId: 'e1' });
      off.ctx.info('x', { i });
    }
    expect(on.policy.flushSamplingSummaries()).toBe(2);
    expect(summaries(on.sink).map((e) => e.payload['sampledOut'])).toEqual([4, 4]);
    expect(on.policy.flushSamplingSummaries()).toBe(0);
    expect(off.policy.flushSamplingSummaries()).toBe(0);
    expect(summaries(off.sink)).toEqual([]);
    expect(off.policy.samplingStats().rules['r']).toMatchObject({ sampledOut: 4, summaries: 0, pendingSummaryEvents: 0 });
  });

  it('a summary carries the entity id when the key is made of it, and the highest level sampled out', async () => {
    await testClock();
    const { ctx, sink, policy } = sampled({ sampling: [{ name: 'r', key: ['name', 'entityId'], burst: { first: 0, thereafter: 0, intervalMs: 1 } }] });
    ctx.debug('q', {}, { entityId: 'conn-7' });
    ctx.warning('q', {}, { entityId: 'conn-7' });
    policy.flushSamplingSummaries();
    expect(summaries(sink)[0]).toMatchObject({ level: 30, meta: { namespace: '', name: 'log.sampled_out', entityId: 'conn-7' }, payload: { key: 'q|conn-7' } });
  });

  it("a summary that cannot be delivered (a context in 'raise' mode whose sink fails) is reported, never thrown", async () => {
    await testClock();
    const stderr = captureMvxStderr();
    const policy = new PatternLogEventPolicy({ sampling: [{ name: 'r', burst: { first: 0, thereafter: 0, intervalMs: 1 } }] });
    const failing = { log: (): void => { throw new Error('disk full'); } };
    const ctx = new LogContext({ sink: failing, payloadProcessor: new LogPayloadProcessor(), policy, errorHandling: 'raise' });
    ctx.info('x');
    expect(() => policy.flushSamplingSummaries()).not.toThrow();
    expect(stderr.lines.join('\n')).toContain('summary.failed');
  });
});

describe('counts and the metric', () => {
  it('counts per rule and per context; emitted = logged + sampled out', async () => {
    await testClock();
    const { ctx, sink, policy } = sampled({
      sampling: [
        { name: 'a', names: ['a'], burst: BURST },
        { name: 'b', names: ['b'], probability: 0.5 },
      ],
    });
    const left = ctx.child('left');
    const right = ctx.child('right');
    for (let i = 0; i < 10; i++) {
      left.info('a');
      right.info('b');
      right.info('c');
    }
    expect(left.stats().sampledOut + right.stats().sampledOut).toBe(30 - logged(sink).length);
    expect(left.stats().sampledOut).toBe(8);
    expect(right.stats().sampledOut).toBe(5);
    expect(policy.samplingStats()).toMatchObject({ kept: 7, sampledOut: 13, rules: { a: { kept: 2, sampledOut: 8 }, b: { kept: 5, sampledOut: 5 } } });
  });

  it('is exported by the Prometheus bridge unchanged: mvx_log_sampled_out_total{rule}', async () => {
    await testClock();
    const { ctx, policy } = sampled({ sampling: [{ name: 'noisy-retry', burst: BURST }] });
    for (let i = 0; i < 7; i++) ctx.warning('retry');
    const registry = new Registry();
    const bridge = createPrometheusBridge(policy.samplingMetrics, { registry });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE mvx_log_sampled_out_total counter');
    expect(text).toContain('mvx_log_sampled_out_total{rule="noisy-retry"} 5');
    bridge.close();
  });
});

describe('the key bound', () => {
  it('holds at most maxKeys keys; further keys share the overflow state, counted and reported once', async () => {
    await testClock();
    const stderr = captureMvxStderr();
    const { ctx, sink, policy } = sampled({ sampling: [{ name: 'per-user', key: ['sampleKey'], maxKeys: 3, burst: { first: 1, thereafter: 0, intervalMs: 60_000 } }] });
    for (let u = 0; u < 10; u++) ctx.info('login', { u }, { sampleKey: `user-${u}` });
    // Users 0-2 have their own state (each kept once); 3-9 share one overflow state (its first kept).
    expect(logged(sink).map((e) => e.payload['u'])).toEqual([0, 1, 2, 3]);
    expect(policy.samplingStats().rules['per-user']).toMatchObject({ keys: 3, overflowEvents: 7, kept: 4, sampledOut: 6 });
    expect(stderr.lines.filter((l) => l.includes('sampling.key_overflow'))).toHaveLength(1);
    policy.flushSamplingSummaries();
    expect(summaries(sink).map((e) => e.payload['key'])).toEqual(['(overflow)']);
  });

  it('makes room by dropping keys idle past their interval (their pending summaries emitted first)', async () => {
    const clock = await testClock();
    const { ctx, sink, policy } = sampled({ sampling: [{ name: 'r', key: ['sampleKey'], maxKeys: 2, burst: { first: 1, thereafter: 0, intervalMs: 1_000 } }] });
    ctx.info('x', {}, { sampleKey: 'a' });
    ctx.info('x', {}, { sampleKey: 'a' }); // pending summary for a
    ctx.info('x', {}, { sampleKey: 'b' });
    await clock.advance(1_000);
    ctx.info('x', { c: true }, { sampleKey: 'c' }); // a and b are stale: swept, c gets its own state
    expect(policy.samplingStats().rules['r']).toMatchObject({ keys: 1, overflowEvents: 0, summaries: 1 });
    expect(sink.events.map((e) => (e.meta.name === 'log.sampled_out' ? `summary:${String(e.payload['key'])}` : 'x'))).toEqual(['x', 'x', 'summary:a', 'x']);
  });

  it('keeps 100,000 distinct keys within maxKeys', async () => {
    await testClock(); // time stands still: no key goes stale, so exactly maxKeys are held
    const stderr = captureMvxStderr();
    const reports: Diagnostic[] = [];
    const off = onDiagnostic((d) => reports.push(d));
    const sink = new MemorySink({ capacity: 1 });
    const policy = new PatternLogEventPolicy({ sampling: [{ name: 'r', key: ['entityId'], maxKeys: 500, rateLimit: { perSecond: 1 } }] });
    const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), policy });
    for (let i = 0; i < 100_000; i++) ctx.info('x', undefined, { entityId: `e-${i}` });
    expect(policy.samplingStats().rules['r']!.keys).toBe(500);
    expect(policy.samplingStats().rules['r']!.overflowEvents).toBe(99_500);
    off();
    expect(reports.map((d) => d.code)).toEqual(['sampling.key_overflow']);
    expect(stderr.lines).toHaveLength(1);
  });
});
