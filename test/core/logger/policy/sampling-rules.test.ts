/**
 * Sampling rules of PatternLogEventPolicy, through a real LogContext and MemorySink: each kind of
 * rule, keys, exemptions, counts, and that nothing about sampling is cached like allow/deny.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import { setLogCorrelationProvider } from '../../../../src/core/logger/correlation.ts';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { logged, sampled, testClock } from './sampling-support.ts';

afterEach(() => {
  vi.restoreAllMocks();
  setLogCorrelationProvider(undefined);
});

const names = (sink: MemorySink): unknown[] => logged(sink).map((e) => e.payload['i']);

describe('burst then thin', () => {
  it('keeps the first N of an interval, then every Mth', async () => {
    await testClock();
    const { ctx, sink, policy } = sampled({ sampling: [{ name: 'retry', names: ['retry'], burst: { first: 3, thereafter: 5, intervalMs: 1000 } }] });
    for (let i = 1; i <= 20; i++) ctx.warning('retry', { i });
    expect(names(sink)).toEqual([1, 2, 3, 8, 13, 18]);
    expect(ctx.stats().sampledOut).toBe(14);
    expect(policy.samplingStats().rules['retry']).toMatchObject({ kept: 6, sampledOut: 14 });
  });

  it('thereafter 0 drops the rest of the interval; a new interval starts with a new burst', async () => {
    const clock = await testClock();
    const { ctx, sink } = sampled({ sampling: [{ name: 'r', names: ['retry'], burst: { first: 2, thereafter: 0, intervalMs: 1000 } }] });
    for (let i = 1; i <= 5; i++) ctx.warning('retry', { i });
    await clock.advance(999);
    ctx.warning('retry', { i: 6 }); // same interval: dropped
    await clock.advance(1);
    for (let i = 7; i <= 9; i++) ctx.warning('retry', { i }); // the interval started at the first event ended
    expect(names(sink)).toEqual([1, 2, 7, 8]);
  });

  it('keeps one state per key: the event name by default, or the parts the rule names', async () => {
    await testClock();
    const byName = sampled({ sampling: [{ name: 'r', burst: { first: 1, thereafter: 0, intervalMs: 1000 } }] });
    for (const n of ['a', 'b', 'a', 'b']) byName.ctx.info(n, { i: n });
    expect(names(byName.sink)).toEqual(['a', 'b']);

    const byEntity = sampled({ sampling: [{ name: 'r', key: ['name', 'entityId'], burst: { first: 1, thereafter: 0, intervalMs: 1000 } }] });
    for (const e of ['c1', 'c2', 'c1', undefined, undefined]) byEntity.ctx.info('q', { i: e ?? '-' }, e === undefined ? undefined : { entityId: e });
    expect(names(byEntity.sink)).toEqual(['c1', 'c2', '-']);

    const byNamespace = sampled({ sampling: [{ name: 'r', key: ['namespace', 'name'], burst: { first: 1, thereafter: 0, intervalMs: 1000 } }] });
    byNamespace.ctx.child('a').info('q', { i: 'a' });
    byNamespace.ctx.child('b').info('q', { i: 'b' });
    byNamespace.ctx.child('a').info('q', { i: 'a2' });
    expect(names(byNamespace.sink)).toEqual(['a', 'b']);
  });

  it('samples by the sampleKey call option, which never appears in the event', async () => {
    await testClock();
    const { ctx, sink } = sampled({ sampling: [{ name: 'r', key: ['name', 'sampleKey'], burst: { first: 1, thereafter: 0, intervalMs: 1000 } }] });
    for (const tenant of ['t1', 't2', 't1', 't2', 't3']) ctx.info('cache.miss', { i: tenant }, { sampleKey: tenant });
    expect(names(sink)).toEqual(['t1', 't2', 't3']);
    const event = logged(sink)[0]!;
    expect(JSON.stringify(event)).not.toContain('sampleKey');
    expect(event.meta).toEqual({ namespace: '', name: 'cache.miss' });
  });
});

describe('rate limit (token bucket)', () => {
  it('lets a burst through, then perSecond on average, per key', async () => {
    const clock = await testClock();
    const { ctx, sink } = sampled({ sampling: [{ name: 'poll', names: ['poll.*'], rateLimit: { perSecond: 2, burst: 3 } }] });
    for (let i = 1; i <= 5; i++) ctx.debug('poll.a', { i }); // 3 tokens
    ctx.debug('poll.b', { i: 'b' }); // its own bucket
    await clock.advance(500); // one token back
    ctx.debug('poll.a', { i: 6 });
    ctx.debug('poll.a', { i: 7 });
    await clock.advance(10_000); // refilled to the burst, not beyond
    for (let i = 8; i <= 12; i++) ctx.debug('poll.a', { i });
    expect(names(sink)).toEqual([1, 2, 3, 'b', 6, 8, 9, 10]);
  });

  it("per: 'rule' shares one bucket between every key", async () => {
    await testClock();
    const { ctx, sink } = sampled({ sampling: [{ name: 'all', rateLimit: { perSecond: 1, burst: 2, per: 'rule' } }] });
    ctx.info('a', { i: 1 });
    ctx.info('b', { i: 2 });
    ctx.info('c', { i: 3 });
    expect(names(sink)).toEqual([1, 2]);
  });

  it('defaults the burst to ceil(perSecond) and accepts fractional rates', async () => {
    const clock = await testClock();
    const { ctx, sink } = sampled({ sampling: [{ name: 'slow', rateLimit: { perSecond: 0.5 } }] });
    ctx.info('x', { i: 1 });
    ctx.info('x', { i: 2 });
    await clock.advance(1999);
    ctx.info('x', { i: 3 });
    await clock.advance(1);
    ctx.info('x', { i: 4 });
    expect(names(sink)).toEqual([1, 4]);
  });
});

describe('probability', () => {
  it('without a trace id keeps exactly one event in 1/p per key, the first one included', () => {
    const { ctx, sink } = sampled({ sampling: [{ name: 'p', probability: 0.25 }] });
    for (let i = 0; i < 400; i++) ctx.info('req', { i });
    expect(logged(sink)).toHaveLength(100);
    expect(names(sink).slice(0, 3)).toEqual([0, 4, 8]);
    const none = sampled({ sampling: [{ name: 'p', probability: 0 }] });
    const all = sampled({ sampling: [{ name: 'p', probability: 1 }] });
    for (let i = 0; i < 50; i++) {
      none.ctx.info('req', { i });
      all.ctx.info('req', { i });
    }
    expect(logged(none.sink)).toHaveLength(0);
    expect(logged(all.sink)).toHaveLength(50);
  });

  it('with a trace id keeps every event of a kept trace and none of a dropped one, whatever the order', () => {
    let traceId = '';
    setLogCorrelationProvider(() => ({ trace_id: traceId, span_id: '00f067aa0ba902b7', trace_flags: '01' }));
    const { ctx, sink } = sampled({ sampling: [{ name: 'requests', names: ['request.*'], probability: 0.5 }] });
    // R (the 56 low bits) well above and well below the threshold 2^55.
    const kept = '0af7651916cd43dd8448eb211c80319c'; // R = 0x48eb211c80319c / 2^56 ≈ 0.28: dropped at p = 0.5
    const keptHigh = '0af7651916cd43dd84ffeeddccbbaa99'; // R ≈ 0.998: kept
    for (let i = 0; i < 5; i++) {
      for (const t of [kept, keptHigh]) {
        traceId = t;
        ctx.info('request.step', { i: `${t.slice(-4)}:${i}` });
      }
    }
    const seen = logged(sink).map((e) => e.correlation?.['trace_id']);
    expect(seen).toEqual(Array(5).fill(keptHigh));
    // The kept events carry the correlation the decision read.
    expect(logged(sink)[0]!.correlation).toEqual({ trace_id: keptHigh, span_id: '00f067aa0ba902b7', trace_flags: '01' });
  });

  it('an event without a usable trace id falls back to the counter', () => {
    let ids: Record<string, string> | undefined;
    setLogCorrelationProvider(() => ids);
    const { ctx, sink } = sampled({ sampling: [{ name: 'p', probability: 0.5 }] });
    const unusable: (Record<string, string> | undefined)[] = [
      undefined,
      { span_id: 'x' },
      { trace_id: 'not-hex-not-hex-not-hex-not-hexx' },
      { trace_id: '00000000000000000000000000000000' },
      { trace_id: 'abc' },
    ];
    for (const bad of unusable) {
      ids = bad;
      ctx.info('x', { i: 1 });
      ctx.info('x', { i: 2 });
    }
    expect(logged(sink)).toHaveLength(5);
  });
});

describe('exemptions', () => {
  it('errors and failed outcomes pass unsampled by default; exemptErrors: false samples them too', () => {
    const rule = { name: 'all', burst: { first: 0, thereafter: 0, intervalMs: 1000 } };
    const exempt = sampled({ sampling: [rule] });
    const strict = sampled({ sampling: [{ ...rule, exemptErrors: false }] });
    for (const { ctx } of [exempt, strict]) {
      ctx.info('x');
      ctx.error('x');
      ctx.critical('x');
      ctx.info('call', {}, { outcome: 'failed' });
      ctx.info('call', {}, { outcome: 'cancelled' });
    }
    expect(logged(exempt.sink).map((e) => `${e.level}:${e.outcome ?? ''}`)).toEqual(['40:', '50:', '20:failed']);
    expect(logged(strict.sink)).toEqual([]);
    expect(exempt.ctx.stats().sampledOut).toBe(2);
    expect(strict.ctx.stats().sampledOut).toBe(5);
  });

  it('an exempt rule carves events out of a broader rule after it; the first matching rule applies', () => {
    const { ctx, sink, policy } = sampled({
      sampling: [
        { name: 'payments', namespaces: ['app.payments*'], exempt: true },
        { name: 'debug', maxLevel: 'DEBUG', burst: { first: 1, thereafter: 0, intervalMs: 1000 } },
        { name: 'never-reached', maxLevel: 'DEBUG', burst: { first: 100, thereafter: 1, intervalMs: 1000 } },
      ],
    });
    for (let i = 0; i < 3; i++) {
      ctx.child('app.payments').debug('charge', { i });
      ctx.child('app.cart').debug('add', { i });
    }
    expect(logged(sink).map((e) => `${e.meta.namespace}:${String(e.payload['i'])}`)).toEqual([
      'app.payments:0',
      'app.cart:0',
      'app.payments:1',
      'app.payments:2',
    ]);
    expect(policy.samplingStats().rules).toEqual({
      debug: expect.objectContaining({ kept: 1, sampledOut: 2 }),
      'never-reached': expect.objectContaining({ kept: 0, sampledOut: 0 }),
    });
  });

  it('a denied event is never counted as sampled out; sampling thins only what allow/deny enabled', () => {
    const { ctx, sink, policy } = sampled({
      defaultEnabled: false,
      rules: [{ action: 'allow', names: ['kept.*'] }],
      sampling: [{ name: 'all', burst: { first: 1, thereafter: 0, intervalMs: 1000 } }],
    });
    for (let i = 0; i < 3; i++) {
      ctx.info('kept.a', { i });
      ctx.info('denied', { i });
    }
    expect(names(sink)).toEqual([0]);
    expect(ctx.stats().sampledOut).toBe(2);
    expect(policy.samplingStats()).toMatchObject({ kept: 1, sampledOut: 2 });
  });
});

describe('sampling decisions are per event, never cached', () => {
  it('the same name through the helpers, the denial table and the decision cache alternates kept and sampled out', () => {
    const { ctx, sink } = sampled({
      rules: [{ action: 'deny', names: ['x'] }], // the helpers decide by name (denial table, per-name cache)
      sampling: [{ name: 'p', names: ['hot'], probability: 0.5 }],
    });
    for (let i = 0; i < 10; i++) {
      ctx.debug('hot', { i });
      ctx.debug('x', { i });
    }
    expect(names(sink)).toEqual([0, 2, 4, 6, 8]);
  });

  it('isEnabled answers true for a sampled event (whether one is kept is decided when it is logged)', () => {
    const { ctx } = sampled({ sampling: [{ name: 'p', probability: 0 }] });
    expect(ctx.isEnabled('x', LogLevel.INFO)).toBe(true);
    expect(ctx.isEventEnabled({ namespace: '', name: 'x' }, LogLevel.INFO)).toBe(true);
  });

  it('a sampled-out event builds no payload', () => {
    const { ctx } = sampled({ sampling: [{ name: 'p', probability: 0 }] });
    let built = 0;
    for (let i = 0; i < 5; i++) ctx.info('x', () => ({ n: ++built }));
    expect(built).toBe(0);
    expect(ctx.stats().sampledOut).toBe(5);
  });

  it('a custom policy whose sampler throws drops the event (reported, counted in policyFailures)', async () => {
    const { captureMvxStderr } = await import('../../../support/stderr-guard.ts');
    const stderr = captureMvxStderr();
    const sink = new MemorySink();
    const policy = {
      isEnabled: () => true,
      samplerFor: () => ({
        usesCorrelation: false,
        keepsFailures: true,
        sample: () => {
          throw new Error('sampler bug');
        },
      }),
    };
    const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), policy });
    ctx.info('x');
    expect(sink.events).toEqual([]);
    expect(ctx.stats()).toMatchObject({ policyFailures: 1, sampledOut: 0 });
    expect(stderr.lines.join('\n')).toContain("sampler threw for 'x'");
  });
});
