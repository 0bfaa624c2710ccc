/**
 * Property: whatever sequence of setting changes and log calls happens, a context with its caches
 * decides exactly as an uncached walk of the tree would (min level, then inherited policy). The
 * policies include random `PatternLogEventPolicy`s and a versioned policy with `plainDecision`, so
 * the per-level modes resolved ahead of time (`OFF_PLAIN`) and the denial table are both checked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import type { LogEventMeta, LogOutcome } from '../../../../src/core/logger/event.ts';
import type { LogEventPolicy } from '../../../../src/core/logger/policy/log-event-policy.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { fuzzRuns, fuzzTimeout } from '../payload/fuzz-support.ts';
import { policyConfigArbitrary } from '../policy/policy-arbitrary.ts';
import { RecordingProcessor } from './test-processor.ts';

/**
 * A policy that denies a mutable set of names, and DEBUG in a mutable set of muted namespaces;
 * `version` changes with either. Its `plainDecision` answers for muted namespaces at DEBUG and
 * when nothing is denied, so a context resolves modes from it, and must drop them on a version change.
 */
class DenySet implements LogEventPolicy {
  denied: Set<string>;
  muted = new Set<string>();
  version = 0;
  constructor(names: string[]) {
    this.denied = new Set(names);
  }
  isEnabled(meta: LogEventMeta, level: number, outcome?: LogOutcome): boolean {
    if (this.muted.has(meta.namespace) && level <= 10) return false;
    return !this.denied.has(meta.name) && outcome !== 'blocked';
  }
  plainDecision(namespace: string, level: number): boolean | undefined {
    if (this.muted.has(namespace) && level <= 10) return false;
    return this.denied.size === 0 ? true : undefined;
  }
}

const NAMES = ['a', 'b', 'a.b', 'y'];
const LEVELS = [10, 20, 30, 40, 50];
const NODES = ['', 'x', 'x.y', 'z'];

type Op =
  | { kind: 'setMin'; node: number; level: number }
  | { kind: 'resetMin'; node: number }
  | { kind: 'setPolicy'; node: number; policy: number }
  | { kind: 'resetPolicy'; node: number }
  | { kind: 'mutatePolicy'; policy: number; names: string[]; muted: string[] }
  | { kind: 'log'; node: number; name: string; level: number; outcome: string | undefined; probe: boolean; helper: boolean };

const node = fc.integer({ min: 0, max: NODES.length - 1 });
// Weighted towards logging and policy mutation: every setter clears every cache, so stale-cache
// bugs only show in runs of log calls with version changes (and no setter) in between.
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setMin' as const), node, level: fc.constantFrom(...LEVELS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resetMin' as const), node: fc.integer({ min: 1, max: NODES.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setPolicy' as const), node, policy: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resetPolicy' as const), node }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('mutatePolicy' as const),
      policy: fc.integer({ min: 0, max: 1 }),
      names: fc.subarray(NAMES),
      muted: fc.subarray(NODES),
    }),
  },
  {
    weight: 32,
    arbitrary: fc.record({
      kind: fc.constant('log' as const),
      node,
      name: fc.constantFrom(...NAMES),
      level: fc.constantFrom(...LEVELS),
      outcome: fc.constantFrom(undefined, undefined, 'blocked', 'success'),
      probe: fc.boolean(),
      helper: fc.boolean(),
    }),
  },
);

describe('decision cache (property)', () => {
  it('always agrees with an uncached model of the tree', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }), policyConfigArbitrary, policyConfigArbitrary, (ops, c1, c2) => {
        const sink = new MemorySink();
        const root = new LogContext({ sink, payloadProcessor: new RecordingProcessor() });
        const ctxs = [root, root.child('x'), root.child('x.y'), root.child('z')];
        const parentOf = [-1, 0, 1, 0];
        const denySets = [new DenySet(['a']), new DenySet(['b'])];
        const policies: LogEventPolicy[] = [...denySets, new PatternLogEventPolicy(c1), new PatternLogEventPolicy(c2)];
        root.setPolicy(policies[0]!);
        const policyOfInit = 0;
        const minLevel: (number | undefined)[] = [0, undefined, undefined, undefined];
        const policyOf: (number | undefined)[] = [policyOfInit, undefined, undefined, undefined];
        const effective = <T>(arr: (T | undefined)[], i: number): T | undefined => {
          for (let n = i; n >= 0; n = parentOf[n]!) if (arr[n] !== undefined) return arr[n];
          return undefined;
        };
        for (const o of ops) {
          switch (o.kind) {
            case 'setMin':
              ctxs[o.node]!.setMinLevel(o.level);
              minLevel[o.node] = o.level;
              break;
            case 'resetMin':
              ctxs[o.node]!.resetMinLevel();
              minLevel[o.node] = undefined;
              break;
            case 'setPolicy':
              ctxs[o.node]!.setPolicy(policies[o.policy]!);
              policyOf[o.node] = o.policy;
              break;
            case 'resetPolicy':
              ctxs[o.node]!.resetPolicy();
              policyOf[o.node] = undefined;
              break;
            case 'mutatePolicy':
              denySets[o.policy]!.denied = new Set(o.names);
              denySets[o.policy]!.muted = new Set(o.muted);
              denySets[o.policy]!.version++;
              break;
            case 'log': {
              const before = sink.events.length;
              const ctx = ctxs[o.node]!;
              const options = o.outcome === undefined ? undefined : { outcome: o.outcome };
              // Either ask or log (never both: asking first would refresh the caches logging uses).
              const predicted = o.probe ? ctx.isEnabled(o.name, o.level, options) : undefined;
              // Level helpers take the inlined fast path; logEvent the full one: use both.
              if (!o.probe) {
                if (!o.helper) ctx.logEvent(o.name, o.level, { v: 1 }, options);
                else if (o.level === 10) ctx.debug(o.name, { v: 1 }, options);
                else if (o.level === 20) ctx.info(o.name, { v: 1 }, options);
                else if (o.level === 30) ctx.warning(o.name, { v: 1 }, options);
                else if (o.level === 40) ctx.error(o.name, { v: 1 }, options);
                else ctx.critical(o.name, { v: 1 }, options);
              }
              const p = effective(policyOf, o.node);
              const expected =
                o.level >= effective(minLevel, o.node)! &&
                (p === undefined || policies[p]!.isEnabled({ namespace: ctx.namespace, name: o.name }, o.level, o.outcome));
              if (o.probe) expect(predicted).toBe(expected);
              else expect(sink.events.length - before).toBe(expected ? 1 : 0);
              break;
            }
          }
        }
      }),
      { numRuns: fuzzRuns(500) },
    );
  }, fuzzTimeout(fuzzRuns(500)));
});
