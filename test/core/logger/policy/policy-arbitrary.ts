/**
 * fast-check arbitraries of `PatternLogEventPolicy` configurations over a small alphabet of
 * namespaces, names and patterns, so generated rules often match, overlap, conflict and have
 * empty groups (which do not constrain).
 */
import fc from 'fast-check';
import type { PatternLogEventPolicyConfig, PatternLogEventPolicyRule } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';

/** Namespaces a test logs from (`''` is the root). */
export const POLICY_NAMESPACES = ['', 'x', 'x.y', 'z'] as const;
/** Event names a test logs (dots included: `x.y` in the root composes like a namespace). */
export const POLICY_NAMES = ['a', 'b', 'a.b', 'y', 'y.a', 'ab'] as const;
/** Levels a test logs at. */
export const POLICY_LEVELS = [10, 20, 30, 40, 50] as const;

const PATTERNS = ['a', 'b', '*', 'a*', '?', '[ab]', '[!a]', 'x', 'x*', 'x.*', 'x.y', 'x.y.*', 'x.a', 'x.y.a', 'z.*', '*.a', 'y.a', 'zz', '[xz].*'];

const group = fc.option(fc.subarray(PATTERNS, { maxLength: 3 }), { nil: undefined });
const level = fc.option(fc.constantFrom(...POLICY_LEVELS), { nil: undefined });

/** One rule: any combination of groups (empty ones included) and level bounds. */
export const ruleArbitrary: fc.Arbitrary<PatternLogEventPolicyRule> = fc
  .record({
    action: fc.constantFrom('allow' as const, 'deny' as const),
    events: group,
    namespaces: fc.option(fc.subarray(['', 'x', 'x.y', 'z', 'x*', '*', 'x.*', '?'], { maxLength: 2 }), { nil: undefined }),
    names: group,
    entityIds: fc.option(fc.subarray(['e*', '*'], { maxLength: 2 }), { nil: undefined }),
    outcomes: fc.option(fc.subarray(['success', 'blocked', '*'], { maxLength: 2 }), { nil: undefined }),
    minLevel: level,
    maxLevel: level,
  })
  .map((r) => {
    // '' is not a valid pattern: the root namespace is matched by '*' only.
    const rule: PatternLogEventPolicyRule = { ...r, namespaces: r.namespaces?.filter((p) => p !== '') };
    if (r.minLevel !== undefined && r.maxLevel !== undefined && r.minLevel > r.maxLevel) return { ...rule, minLevel: r.maxLevel, maxLevel: r.minLevel };
    return rule;
  });

/** A whole configuration: up to five rules and either default. */
export const policyConfigArbitrary: fc.Arbitrary<PatternLogEventPolicyConfig> = fc.record({
  defaultEnabled: fc.boolean(),
  rules: fc.array(ruleArbitrary, { maxLength: 5 }),
});
