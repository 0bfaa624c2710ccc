/**
 * The `sampling` configuration of PatternLogEventPolicy: strict validation naming the path, the
 * normalised form, JSON round trip, and reconfiguration with `withConfig` (state kept by rule name).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configureLogContext, getLogContext, resetLogContexts } from '../../../../src/core/logger/context/facade.ts';
import { MvxConfigError } from '../../../../src/core/errors.ts';
import { PatternLogEventPolicy, parsePatternLogEventPolicyConfig } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { logged, sampled, summaries, testClock } from './sampling-support.ts';
import { configError } from './config-error.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const burst = { first: 1, thereafter: 10, intervalMs: 1000 };

describe('validation names the path', () => {
  it('sampling must be an array of rule objects with unique, non-empty names', () => {
    expect(configError({ sampling: {} }).option).toBe('sampling');
    expect(configError({ sampling: [1] }).option).toBe('sampling[0]');
    for (const bad of [undefined, '', '  ', 1, 'x'.repeat(129)]) expect(configError({ sampling: [{ name: bad, burst }] }).option).toBe('sampling[0].name');
    const dup = configError({ sampling: [{ name: 'a', burst }, { name: 'a', probability: 1 }] });
    expect(dup.option).toBe('sampling[1].name');
    expect(dup.message).toContain("repeats the rule name 'a'");
  });

  it('unknown keys are refused at every level, with the valid keys listed', () => {
    const err = configError({ sampling: [{ name: 'a', burst, rate: 1 }] });
    expect(err.option).toBe('sampling[0].rate');
    expect(err.message).toContain('valid keys are');
    expect(configError({ sampling: [{ name: 'a', burst: { ...burst, every: 2 } }] }).option).toBe('sampling[0].burst.every');
    expect(configError({ sampling: [{ name: 'a', rateLimit: { perSecond: 1, bucket: 2 } }] }).option).toBe('sampling[0].rateLimit.bucket');
    expect(configError({ sampleing: [] }).option).toBe('sampleing');
  });

  it('a rule has exactly one of exempt: true, burst, rateLimit, probability', () => {
    expect(configError({ sampling: [{ name: 'a' }] }).option).toBe('sampling[0]');
    expect(configError({ sampling: [{ name: 'a', exempt: false }] }).option).toBe('sampling[0]');
    const two = configError({ sampling: [{ name: 'a', burst, probability: 0.5 }] });
    expect(two.option).toBe('sampling[0].probability');
    expect(two.message).toContain('got burst and probability');
    expect(configError({ sampling: [{ name: 'a', exempt: true, key: ['name'] }] }).option).toBe('sampling[0].key');
  });

  it('checks each number and enum', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ burst: { first: -1, thereafter: 1, intervalMs: 1 } }, 'sampling[0].burst.first'],
      [{ burst: { first: 1.5, thereafter: 1, intervalMs: 1 } }, 'sampling[0].burst.first'],
      [{ burst: { first: 1, thereafter: '2', intervalMs: 1 } }, 'sampling[0].burst.thereafter'],
      [{ burst: { first: 1, thereafter: 1, intervalMs: 0 } }, 'sampling[0].burst.intervalMs'],
      [{ burst: { first: 1, thereafter: 1 } }, 'sampling[0].burst.intervalMs'],
      [{ rateLimit: { perSecond: 0 } }, 'sampling[0].rateLimit.perSecond'],
      [{ rateLimit: { perSecond: Infinity } }, 'sampling[0].rateLimit.perSecond'],
      [{ rateLimit: { perSecond: 1, burst: 0 } }, 'sampling[0].rateLimit.burst'],
      [{ rateLimit: { perSecond: 1, per: 'namespace' } }, 'sampling[0].rateLimit.per'],
      [{ rateLimit: { perSecond: 1, per: 'rule' }, key: ['name'] }, 'sampling[0].key'],
      [{ probability: 1.01 }, 'sampling[0].probability'],
      [{ probability: Number.NaN }, 'sampling[0].probability'],
      [{ probability: '0.5' }, 'sampling[0].probability'],
      [{ probability: 0.5, key: [] }, 'sampling[0].key'],
      [{ probability: 0.5, key: ['tenant'] }, 'sampling[0].key[0]'],
      [{ probability: 0.5, key: ['name', 'name'] }, 'sampling[0].key[1]'],
      [{ probability: 0.5, exemptErrors: 'no' }, 'sampling[0].exemptErrors'],
      [{ probability: 0.5, maxKeys: 0 }, 'sampling[0].maxKeys'],
      [{ probability: 0.5, maxKeys: 100_001 }, 'sampling[0].maxKeys'],
      [{ probability: 0.5, summary: 1 }, 'sampling[0].summary'],
      [{ probability: 0.5, summaryIntervalMs: -5 }, 'sampling[0].summaryIntervalMs'],
      [{ probability: 0.5, names: ['ok', ''] }, 'sampling[0].names[1]'],
      [{ probability: 0.5, minLevel: 'LOUD' }, 'sampling[0].minLevel'],
      [{ probability: 0.5, minLevel: 'ERROR', maxLevel: 'INFO' }, 'sampling[0].maxLevel'],
      [{ probability: 0.5, events: ['[z-a]'] }, 'sampling[0].events'],
    ];
    for (const [rule, path] of cases) expect(configError({ sampling: [{ name: 'r', ...rule }] }).option, JSON.stringify(rule)).toBe(path);
  });

  it('a getter that throws while the rule is read names the path being read', () => {
    const rule = { name: 'r', get burst(): never { throw new Error('boom'); } };
    const err = configError({ sampling: [rule] });
    expect(err.option).toBe('sampling[0].burst');
    expect(err.cause).toBeInstanceOf(Error);
  });
});

describe('the normalised configuration', () => {
  it('fills the rate limit defaults, keeps only what was given, and round-trips through JSON', () => {
    const config = {
      defaultEnabled: true,
      rules: [{ action: 'deny' as const, names: ['x'] }],
      sampling: [
        { name: ' exempt ', namespaces: ['app.payments*'], exempt: true },
        { name: 'rate', names: ['poll'], maxLevel: 'DEBUG', rateLimit: { perSecond: 2.5 } },
        { name: 'p', probability: 0.1, key: ['name', 'sampleKey'], exemptErrors: false, summary: false },
      ],
    };
    const parsed = parsePatternLogEventPolicyConfig(config);
    expect(parsed.sampling).toEqual([
      { name: 'exempt', namespaces: ['app.payments*'], exempt: true },
      { name: 'rate', names: ['poll'], maxLevel: 10, rateLimit: { perSecond: 2.5, burst: 3, per: 'key' } },
      { name: 'p', probability: 0.1, key: ['name', 'sampleKey'], exemptErrors: false, summary: false },
    ]);
    expect(parsePatternLogEventPolicyConfig({})).toEqual({ defaultEnabled: true, rules: [] });
    const policy = PatternLogEventPolicy.fromConfig(config);
    expect(Object.isFrozen(policy.config.sampling![1]!.rateLimit)).toBe(true);
    const again = PatternLogEventPolicy.fromConfig(JSON.parse(JSON.stringify(policy)));
    expect(again.config).toEqual(policy.config);
  });
});

describe('reconfiguration: withConfig keeps state by rule name', () => {
  it('a rule with the same name continues its interval and counts; a new rule starts fresh', async () => {
    await testClock();
    const { ctx, sink, policy } = sampled({ sampling: [{ name: 'retry', names: ['retry'], burst: { first: 2, thereafter: 0, intervalMs: 60_000 } }] });
    for (let i = 0; i < 5; i++) ctx.info('retry', { i });
    const next = policy.withConfig({
      sampling: [
        // The interval has seen 5 events: a first of 7 keeps 2 more in it (a fresh state would keep 7).
        { name: 'retry', names: ['retry'], burst: { first: 7, thereafter: 0, intervalMs: 60_000 } },
        { name: 'fresh', names: ['other'], burst: { first: 1, thereafter: 0, intervalMs: 60_000 } },
      ],
    });
    ctx.setPolicy(next);
    for (let i = 5; i < 10; i++) ctx.info('retry', { i });
    ctx.info('other', { i: 'o1' });
    ctx.info('other', { i: 'o2' });
    expect(logged(sink).map((e) => e.payload['i'])).toEqual([0, 1, 5, 6, 'o1']);
    expect(next.samplingStats()).toEqual(policy.samplingStats()); // one line of policies, one ledger
    expect(next.samplingStats().rules['retry']).toMatchObject({ kept: 4, sampledOut: 6, active: true });
    expect(next.samplingMetrics).toBe(policy.samplingMetrics);
  });

  it('a dropped rule keeps its counts (inactive, still in the metric) and its pending summary is emitted', async () => {
    await testClock();
    const { ctx, sink, policy } = sampled({ sampling: [{ name: 'old', burst: { first: 0, thereafter: 0, intervalMs: 60_000 } }] });
    for (let i = 0; i < 4; i++) ctx.info('x', { i });
    const next = policy.withConfig({ sampling: [{ name: 'new', probability: 1 }] });
    expect(summaries(sink).map((e) => e.payload['sampledOut'])).toEqual([4]);
    expect(next.samplingStats().rules['old']).toMatchObject({ sampledOut: 4, active: false, keys: 0 });
    const series = next.samplingMetrics.snapshots()[0]!.dimensions[0]!.series;
    expect(series.map((s) => [s.attributes['rule'], 'value' in s ? s.value : undefined])).toEqual([
      ['old', 4],
      ['new', 0],
    ]);
  });

  it('a rule whose kind or key changes keeps its counts but starts its keys afresh', async () => {
    await testClock();
    const { ctx, sink, policy } = sampled({ sampling: [{ name: 'r', burst: { first: 1, thereafter: 0, intervalMs: 60_000 } }] });
    ctx.info('x', { i: 0 });
    ctx.info('x', { i: 1 });
    ctx.setPolicy(policy.withConfig({ sampling: [{ name: 'r', key: ['name', 'entityId'], burst: { first: 1, thereafter: 0, intervalMs: 60_000 } }] }));
    ctx.info('x', { i: 2 });
    expect(logged(sink).map((e) => e.payload['i'])).toEqual([0, 2]);
    expect(policy.samplingStats().rules['r']).toMatchObject({ kept: 2, sampledOut: 1, keys: 1 });
  });

  it('an invalid new configuration throws and leaves the state as it was', () => {
    const { ctx, policy } = sampled({ sampling: [{ name: 'r', probability: 0.5 }] });
    ctx.info('x');
    ctx.info('x');
    const before = policy.samplingStats();
    expect(() => policy.withConfig({ sampling: [{ name: 'r', probability: 0.5, events: ['[b-a]'] }] })).toThrow(MvxConfigError);
    expect(() => policy.withConfig({ sampling: [{ name: 'other', probability: 2 }] })).toThrow(MvxConfigError);
    expect(policy.samplingStats()).toEqual(before);
    expect(() => new PatternLogEventPolicy({}, { previous: {} as PatternLogEventPolicy })).toThrow(/options.previous/);
  });

  it('swapped through the facade mid-stream: no event lost or counted twice (emitted = logged + sampled out)', async () => {
    await testClock();
    resetLogContexts();
    const sink = new MemorySink();
    let policy = PatternLogEventPolicy.fromConfig({ sampling: [{ name: 'r', names: ['hot'], burst: { first: 3, thereafter: 4, intervalMs: 60_000 } }] });
    configureLogContext('svc', { sink, policy, minLevel: 'DEBUG' });
    const a = getLogContext('svc.a');
    const b = getLogContext('svc.b');
    let emitted = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 30; i++) {
        a.debug('hot');
        b.debug('hot');
        emitted += 2;
      }
      policy = policy.withConfig({ sampling: [{ name: 'r', names: ['hot'], burst: { first: 3, thereafter: 4 + round, intervalMs: 60_000 } }] });
      configureLogContext('svc', { policy });
    }
    const sampledOut = a.stats().sampledOut + b.stats().sampledOut;
    expect(logged(sink).length + sampledOut).toBe(emitted);
    expect(policy.samplingStats().rules['r']).toMatchObject({ kept: logged(sink).length, sampledOut });
    resetLogContexts();
  });
});
