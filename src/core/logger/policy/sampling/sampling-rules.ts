/**
 * A policy's sampling rules, compiled: which rule covers an event (the cacheable part, asked once
 * per metadata by the context's decision cache) and the rule's sampler (the per-event part). Internal.
 *
 * @module
 */
import type { LogEventMeta, LogOutcome } from '../../event.ts';
import { LogLevel } from '../../level.ts';
import { compileConditions, matchesConditions } from '../rule-conditions.ts';
import type { CompiledConditions } from '../rule-conditions.ts';
import { RuleSampler, ruleShape } from './rule-sampler.ts';
import type { LogSamplingRule } from './sampling-config.ts';
import type { SamplingLedger } from './sampling-ledger.ts';

export interface CompiledSamplingRule {
  readonly conditions: CompiledConditions;
  /** `undefined` for an exempt rule. */
  readonly sampler: RuleSampler | undefined;
  readonly exemptErrors: boolean;
}

/**
 * Compiles `rules` (parsed) onto `ledger`: every pattern first (an invalid one throws
 * `MvxConfigError` naming `path[i].group` before any state is touched), then each sampling rule
 * takes the ledger's state of its name, and the ledger retires the names no longer used.
 */
export function compileSamplingRules(rules: readonly LogSamplingRule[], ledger: SamplingLedger, path: string): CompiledSamplingRule[] {
  const conditions = rules.map((r, i) => compileConditions(r, `${path}[${i}]`));
  const names = new Set<string>();
  const compiled = rules.map((r, i): CompiledSamplingRule => {
    if (r.exempt === true) return { conditions: conditions[i]!, sampler: undefined, exemptErrors: true };
    const sampler = new RuleSampler(r);
    sampler.state = ledger.adopt(r.name, ruleShape(r), sampler);
    names.add(r.name);
    return { conditions: conditions[i]!, sampler, exemptErrors: r.exemptErrors !== false };
  });
  ledger.retireOthers(names);
  return compiled;
}

/**
 * The sampler of the first sampling rule matching the event, or `undefined` (no rule matches, the
 * rule is exempt, or the event is an error or a `failed` outcome the rule exempts).
 */
export function samplerOf(rules: readonly CompiledSamplingRule[], meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): RuleSampler | undefined {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (!matchesConditions(r.conditions, meta, level, outcome)) continue;
    if (r.exemptErrors && (level >= LogLevel.ERROR || outcome === 'failed')) return undefined;
    return r.sampler;
  }
  return undefined;
}
