/**
 * Property: `PatternLogEventPolicy.plainDecision(namespace, level)`, when it answers, is exactly
 * what `isEnabled` decides for every plain event (no entity id, source or outcome) of that
 * namespace at that level, whatever its name. `LogContext` skips asking per name on that answer,
 * so a wrong answer here is a wrong log decision there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { fuzzRuns, fuzzTimeout } from '../payload/fuzz-support.ts';
import { POLICY_LEVELS, POLICY_NAMES, POLICY_NAMESPACES, policyConfigArbitrary } from './policy-arbitrary.ts';

// Names to try beyond the alphabet: whatever a pattern in the alphabet could match after `ns.`.
const EXTRA_NAMES = ['x', 'z', 'y.a.b', '*', 'a*', 'zz', 'x.y.a', 'xa', '?'];

describe('PatternLogEventPolicy.plainDecision (property)', () => {
  it('when it answers, every plain event of the namespace at the level gets that answer', () => {
    fc.assert(
      fc.property(policyConfigArbitrary, fc.constantFrom(...POLICY_NAMESPACES), fc.constantFrom(...POLICY_LEVELS, 15, 60), (config, ns, level) => {
        const policy = new PatternLogEventPolicy(config);
        const d = policy.plainDecision(ns, level);
        if (d === undefined) return;
        for (const name of [...POLICY_NAMES, ...EXTRA_NAMES]) {
          expect(policy.isEnabled({ namespace: ns, name }, level)).toBe(d);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  }, fuzzTimeout(fuzzRuns(2000)));

  it('answers often enough to matter (not always undefined)', () => {
    let answered = 0;
    fc.assert(
      fc.property(policyConfigArbitrary, fc.constantFrom(...POLICY_NAMESPACES), fc.constantFrom(...POLICY_LEVELS), (config, ns, level) => {
        if (new PatternLogEventPolicy(config).plainDecision(ns, level) !== undefined) answered++;
      }),
      { numRuns: 500, seed: 42 },
    );
    expect(answered).toBeGreaterThan(100);
  });

  it('sees through rules that cannot apply to the namespace, the level or a plain event', () => {
    const policy = new PatternLogEventPolicy({
      defaultEnabled: true,
      rules: [
        { action: 'allow', events: ['app.db.*'] }, // other namespace's keys
        { action: 'allow', entityIds: ['*'] }, // plain events carry no entity id
        { action: 'allow', outcomes: ['failed'] }, // nor an outcome
        { action: 'allow', names: ['boot'], minLevel: 'INFO' }, // not at DEBUG
        { action: 'deny', namespaces: ['app.http'], maxLevel: 'DEBUG' },
        { action: 'deny', names: ['noisy'] },
      ],
    });
    expect(policy.plainDecision('app.http', 10)).toBe(false); // the namespace rule decides before 'noisy'
    expect(policy.plainDecision('app.other', 10)).toBeUndefined(); // 'noisy' is denied, the rest allowed
    expect(policy.plainDecision('app.db', 10)).toBeUndefined();
    // A rule on names that agrees with the final decision does not make it depend on the name.
    const agreeing = new PatternLogEventPolicy({ rules: [{ action: 'allow', names: ['boot'] }, { action: 'deny', events: ['app.db.*'] }] });
    expect(agreeing.plainDecision('app.http', 20)).toBe(true);
    expect(agreeing.plainDecision('app.db', 20)).toBeUndefined();
    expect(agreeing.plainDecision('', 20)).toBeUndefined(); // in the root, a name may be 'app.db.x'
  });

  it('an empty pattern group does not constrain (the rule then applies to every plain event)', () => {
    const policy = new PatternLogEventPolicy({ defaultEnabled: true, rules: [{ action: 'deny', events: [], entityIds: [], outcomes: [] }] });
    expect(policy.isEnabled({ namespace: 'a', name: 'b' }, 10)).toBe(false);
    expect(policy.plainDecision('a', 10)).toBe(false);
  });
});
