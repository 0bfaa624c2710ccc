/**
 * Issue 18: property-based test of sampling's accounting. For any policy (allow/deny rules and
 * sampling rules of every kind, small key bounds), any sequence of events (names, levels, outcomes,
 * entity ids, sample keys, through the helpers and `logEvent`, from several contexts), clock moves,
 * reconfigurations (`withConfig`, installed mid-stream) and summary flushes:
 *
 * - emitted = logged + sampled out, per context (an event is "emitted" when `isEnabled` says the
 *   policy enables it; a sampled event counts as enabled);
 * - the rules' `sampledOut` add up to the contexts' `sampledOut`, and `kept + sampledOut` of the
 *   rules to the events that reached a sampler;
 * - for a rule with summaries, the summaries' `sampledOut` plus what is still pending is the rule's
 *   `sampledOut`; after a flush nothing is pending.
 *
 * `npm run test:fuzz` runs 100,000 cases.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configureDiagnostics, resetDiagnostics } from '../../src/core/diagnostics.ts';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import type { LogEventOptions } from '../../src/core/logger/context/log-context.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../src/core/logger/policy/pattern-log-event-policy.ts';
import type { PatternLogEventPolicyRule } from '../../src/core/logger/policy/pattern-log-event-policy.ts';
import type { LogSamplingRule } from '../../src/core/logger/policy/sampling/sampling-config.ts';
import { MemorySink } from '../../src/core/logger/sinks/memory-sink.ts';
import { fuzzRuns, fuzzTimeout } from '../core/logger/payload/fuzz-support.ts';

const runs = fuzzRuns(300);
const NAMES = ['a', 'b', 'cache.miss', 'retry'];
const LEVELS = [10, 20, 30, 40, 50];
const RULE_NAMES = ['r0', 'r1', 'r2', 'r3'];
/** Summaries on for r0 and r2, off for r1 and r3, whatever the configuration (so their counts add up). */
const SUMMARY: Record<string, boolean> = { r0: true, r1: false, r2: true, r3: false };

const conditions = fc.record(
  {
    names: fc.subarray(NAMES, { minLength: 1 }),
    namespaces: fc.constantFrom(['s.x'], ['s.y*'], ['*']),
    maxLevel: fc.constantFrom(10, 20, 30, 50),
    outcomes: fc.constantFrom(['failed'], ['ok', 'invoke']),
  },
  { requiredKeys: [] },
);
const kind = fc.oneof(
  fc.record({ burst: fc.record({ first: fc.nat(3), thereafter: fc.nat(3), intervalMs: fc.integer({ min: 1, max: 50 }) }) }),
  fc.record({ rateLimit: fc.record({ perSecond: fc.double({ min: 1, max: 500, noNaN: true }), burst: fc.integer({ min: 1, max: 3 }), per: fc.constantFrom('key', 'rule') }) }),
  fc.record({ probability: fc.constantFrom(0, 0.1, 0.5, 1 / 3, 1) }),
  fc.constant({ exempt: true }),
);
const samplingRule = fc
  .tuple(fc.constantFrom(...RULE_NAMES), conditions, kind, fc.record({ key: fc.subarray(['name', 'entityId', 'sampleKey', 'level'] as const, { minLength: 1 }), exemptErrors: fc.boolean(), maxKeys: fc.integer({ min: 1, max: 4 }) }, { requiredKeys: [] }))
  .map(([name, cond, k, opts]): LogSamplingRule => {
    const rule: LogSamplingRule = { name, ...cond, ...k } as LogSamplingRule;
    if ('exempt' in k) return rule;
    const r = { ...rule, ...opts, summary: SUMMARY[name]! };
    if (r.rateLimit?.per === 'rule') delete r.key;
    return r;
  });
const samplingRules = fc.uniqueArray(samplingRule, { maxLength: 4, selector: (r) => r.name });
const allowDeny = fc.array(
  fc.record({ action: fc.constantFrom('allow', 'deny'), names: fc.subarray(NAMES, { minLength: 1 }), maxLevel: fc.constantFrom(10, 30, 50) }) as fc.Arbitrary<PatternLogEventPolicyRule>,
  { maxLength: 2 },
);

type Op =
  | { k: 'log'; ctx: number; name: string; level: number; outcome?: string; entityId?: string; sampleKey?: string; helper: boolean }
  | { k: 'advance'; ms: number }
  | { k: 'reconfigure'; sampling: LogSamplingRule[] }
  | { k: 'flush' };
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record(
      {
        k: fc.constant('log' as const),
        ctx: fc.nat(2),
        name: fc.constantFrom(...NAMES),
        level: fc.constantFrom(...LEVELS),
        outcome: fc.constantFrom('failed', 'ok', 'invoke'),
        entityId: fc.constantFrom('e1', 'e2', 'e3'),
        sampleKey: fc.constantFrom('t1', 't2', 't3', 't4', 't5'),
        helper: fc.boolean(),
      },
      { requiredKeys: ['k', 'ctx', 'name', 'level', 'helper'] },
    ),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reconfigure' as const), sampling: samplingRules }) },
  { weight: 1, arbitrary: fc.constant({ k: 'flush' as const }) },
);

const HELPERS = { 10: 'debug', 20: 'info', 30: 'warning', 40: 'error', 50: 'critical' } as const;

afterEach(() => {
  vi.restoreAllMocks();
  resetDiagnostics();
});

describe('sampling accounting (property)', () => {
  beforeAll(() => configureDiagnostics({ stderr: 'off' })); // key overflows are reported on purpose
  afterAll(() => configureDiagnostics({ stderr: 'throttled' }));

  it('emitted = logged + sampled out; rule counts, context counts and summaries agree', () => {
    let now = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    fc.assert(
      fc.property(allowDeny, samplingRules, fc.array(op, { maxLength: 60 }), (rules, sampling, ops) => {
        let policy = new PatternLogEventPolicy({ rules, sampling });
        const sink = new MemorySink();
        const root = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), policy, minLevel: 0 });
        const contexts = [root.child('s.x'), root.child('s.y'), root.child('s.x.deep')];
        const emitted = [0, 0, 0];
        for (const o of ops) {
          if (o.k === 'advance') now += o.ms;
          else if (o.k === 'flush') policy.flushSamplingSummaries();
          else if (o.k === 'reconfigure') {
            policy = policy.withConfig({ rules, sampling: o.sampling });
            root.setPolicy(policy);
          } else {
            const ctx = contexts[o.ctx]!;
            const options: LogEventOptions = {};
            if (o.outcome !== undefined) options.outcome = o.outcome;
            if (o.entityId !== undefined) options.entityId = o.entityId;
            if (o.sampleKey !== undefined) options.sampleKey = o.sampleKey;
            const opts = Object.keys(options).length === 0 ? undefined : options;
            if (ctx.isEnabled(o.name, o.level, opts)) emitted[o.ctx]!++;
            if (o.helper) ctx[HELPERS[o.level as keyof typeof HELPERS]](o.name, { v: 1 }, opts);
            else ctx.logEvent(o.name, o.level, () => ({ v: 1 }), opts);
          }
        }
        const loggedBy = [0, 0, 0];
        for (const e of sink.events) if (e.meta.name !== 'log.sampled_out') loggedBy[contexts.findIndex((c) => c.namespace === e.meta.namespace)]!++;
        const stats = policy.samplingStats();
        let contextsSampledOut = 0;
        contexts.forEach((ctx, i) => {
          expect(loggedBy[i]! + ctx.stats().sampledOut).toBe(emitted[i]);
          contextsSampledOut += ctx.stats().sampledOut;
        });
        expect(stats.sampledOut).toBe(contextsSampledOut);
        expect(stats.kept + stats.sampledOut).toBeLessThanOrEqual(emitted.reduce((a, b) => a + b, 0));
        policy.flushSamplingSummaries();
        const summarised = new Map<string, number>();
        for (const e of sink.events) {
          if (e.meta.name !== 'log.sampled_out') continue;
          const rule = e.payload['rule'] as string;
          summarised.set(rule, (summarised.get(rule) ?? 0) + (e.payload['sampledOut'] as number));
        }
        for (const [name, r] of Object.entries(policy.samplingStats().rules)) {
          expect(r.pendingSummaryEvents).toBe(0);
          expect(summarised.get(name) ?? 0).toBe(SUMMARY[name] ? r.sampledOut : 0);
          const configured = policy.config.sampling?.find((c) => c.name === name);
          if (r.active && configured !== undefined) expect(r.keys).toBeLessThanOrEqual(configured.maxKeys ?? 1000);
        }
      }),
      { numRuns: runs },
    );
  }, fuzzTimeout(runs));
});
