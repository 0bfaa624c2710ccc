/**
 * `PatternLogEventPolicy`: ordered allow/deny rules with shell-style patterns on event metadata,
 * plus optional level and outcome conditions. The first matching rule decides; no match gives
 * `defaultEnabled`. Optional sampling rules (`sampling`, see `sampling/sampling-config.ts`) thin
 * the events the allow/deny rules enabled.
 *
 * Configuration (TypeScript and JSON use the same camelCase keys; the reference's snake_case keys
 * are rejected with a hint naming the camelCase one):
 *
 * ```json
 * {
 *   "defaultEnabled": false,
 *   "rules": [
 *     { "action": "deny",  "events": ["app.http.health*"] },
 *     { "action": "allow", "namespaces": ["app.db", "app.db.*"], "minLevel": "DEBUG" },
 *     { "action": "allow", "minLevel": "INFO" },
 *     { "action": "allow", "outcomes": ["failed", "cancelled"] }
 *   ]
 * }
 * ```
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import { guardConfig } from '../../internal/config-read.ts';
import type { MetricsSource } from '../../metrics/types.ts';
import type { LogEventMeta, LogOutcome } from '../event.ts';
import type { LogEventPolicy } from './log-event-policy.ts';
import type { LogEventSampler } from './log-event-sampler.ts';
import {
  CONDITION_KEYS,
  checkKeys,
  compileConditions,
  describe,
  isPlainObject,
  matchesConditions,
  parseConditions,
  readArray,
  readKey,
  readObject,
} from './rule-conditions.ts';
import type { CompiledConditions, PatternRuleConditions } from './rule-conditions.ts';
import { parseSamplingRules } from './sampling/sampling-config.ts';
import type { LogSamplingRule } from './sampling/sampling-config.ts';
import { SamplingLedger } from './sampling/sampling-ledger.ts';
import type { LogSamplingStats } from './sampling/sampling-ledger.ts';
import { compileSamplingRules, samplerOf } from './sampling/sampling-rules.ts';
import type { CompiledSamplingRule } from './sampling/sampling-rules.ts';

/** What a matching rule does. */
export const PatternLogEventPolicyAction = {
  ALLOW: 'allow',
  DENY: 'deny',
} as const;

/** One of {@link PatternLogEventPolicyAction}. */
export type PatternLogEventPolicyActionValue = (typeof PatternLogEventPolicyAction)[keyof typeof PatternLogEventPolicyAction];

/**
 * One rule. Every given condition must hold (AND); inside one pattern group any pattern may match
 * (OR). An absent or empty group does not constrain; a rule with no condition matches every event.
 * Patterns are shell-style globs (`*` also crosses dots and slashes, `?`, `[seq]`, `[!seq]`),
 * case-sensitive.
 */
export interface PatternLogEventPolicyRule extends PatternRuleConditions {
  /** `allow` enables a matching event, `deny` disables it. */
  action: PatternLogEventPolicyActionValue;
}

/** Configuration of {@link PatternLogEventPolicy}. */
export interface PatternLogEventPolicyConfig {
  /** The decision when no rule matches. @default true */
  defaultEnabled?: boolean;
  /** Rules, in order: the first matching one decides. @default [] */
  rules?: readonly PatternLogEventPolicyRule[];
  /**
   * Sampling rules, in order: the first one matching an event the rules above enabled thins it
   * (see {@link LogSamplingRule}; docs/sampling.md). @default [] (nothing is sampled)
   */
  sampling?: readonly LogSamplingRule[];
}

/** A configuration as {@link parsePatternLogEventPolicyConfig} normalises it (`sampling` only when given). */
export type NormalizedPatternLogEventPolicyConfig = Required<Pick<PatternLogEventPolicyConfig, 'defaultEnabled' | 'rules'>> &
  Pick<PatternLogEventPolicyConfig, 'sampling'>;

/** Options of {@link PatternLogEventPolicy}. */
export interface PatternLogEventPolicyOptions {
  /**
   * A policy whose sampling state this one takes over: rules with the same name keep their
   * per-key state (windows, buckets, counters, pending summaries) and counts, and both policies
   * share one `samplingMetrics`. What `withConfig` passes.
   */
  previous?: PatternLogEventPolicy;
}

const RULE_KEYS: ReadonlySet<string> = new Set(['action', ...CONDITION_KEYS]);
const CONFIG_KEYS: ReadonlySet<string> = new Set(['defaultEnabled', 'rules', 'sampling']);

interface CompiledRule extends CompiledConditions {
  readonly allow: boolean;
  /** The `events` patterns' literal prefixes (up to the first `*`, `?` or `[`), for `plainDecision`. */
  readonly eventPrefixes: readonly string[] | undefined;
  /** Whether the rule has a condition a plain event (no entity id, source or outcome) never meets. */
  readonly needsMore: boolean;
}

function parseRule(value: unknown, path: string): PatternLogEventPolicyRule {
  const obj = readObject(value, path, RULE_KEYS);
  const action = readKey(obj, 'action', `${path}.action`);
  if (typeof action !== 'string') throw new MvxConfigError(`${path}.action`, `is required and must be 'allow' or 'deny', got ${describe(action)}`);
  const act = action.trim();
  if (act !== 'allow' && act !== 'deny') throw new MvxConfigError(`${path}.action`, `must be 'allow' or 'deny', got ${JSON.stringify(action)}`);
  const rule: { -readonly [K in keyof PatternLogEventPolicyRule]: PatternLogEventPolicyRule[K] } = { action: act };
  parseConditions(obj, path, rule);
  return rule;
}

/**
 * Validates a configuration strictly and returns a normalised copy (patterns trimmed, levels as
 * numbers). Every value is read once; a getter or Proxy trap that throws is reported like any
 * invalid value. @throws MvxConfigError naming the path (e.g. `rules[2].events[0]`).
 */
export function parsePatternLogEventPolicyConfig(json: unknown): NormalizedPatternLogEventPolicyConfig {
  if (!guardConfig('config', () => isPlainObject(json))) throw new MvxConfigError('config', `must be an object, got ${guardConfig('config', () => describe(json))}`);
  const config = json as Record<string, unknown>;
  guardConfig('config', () => checkKeys(config, CONFIG_KEYS, ''));
  const enabledValue = readKey(config, 'defaultEnabled', 'defaultEnabled');
  const defaultEnabled = enabledValue ?? true;
  if (typeof defaultEnabled !== 'boolean') {
    throw new MvxConfigError('defaultEnabled', `must be a boolean, got ${guardConfig('defaultEnabled', () => describe(enabledValue))}`);
  }
  const rulesValue = readKey(config, 'rules', 'rules') ?? [];
  const rules = readArray(rulesValue, 'rules');
  if (rules === undefined) throw new MvxConfigError('rules', `must be an array of rule objects, got ${guardConfig('rules', () => describe(rulesValue))}`);
  const out: NormalizedPatternLogEventPolicyConfig = { defaultEnabled, rules: rules.map((r, i) => parseRule(r, `rules[${i}]`)) };
  const sampling = readKey(config, 'sampling', 'sampling');
  if (sampling !== undefined && sampling !== null) out.sampling = parseSamplingRules(sampling, 'sampling');
  return out;
}

/** A deep-frozen copy of a parsed sampling rule (its nested `burst` / `rateLimit` / `key` too). */
function freezeSamplingRule(r: LogSamplingRule): LogSamplingRule {
  for (const v of Object.values(r)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  return Object.freeze(r);
}

/**
 * Selects events by ordered allow/deny rules, and thins them by sampling rules. Immutable: its
 * allow/deny decisions, and which sampling rule covers an event, are pure functions of the
 * configuration and never change, so it has no `version` (the `LogEventPolicy` contract: absent means
 * decisions never change) and `LogContext` caches them without re-checking; only its samplers'
 * per-event state moves. New rules make a new policy ({@link withConfig}) that keeps the sampling state.
 *
 * @example
 * ```ts
 * const policy = PatternLogEventPolicy.fromConfig(JSON.parse(readFileSync('log-policy.json', 'utf8')));
 * configureLogContext('app', { policy, minLevel: 'DEBUG' });
 * ```
 */
export class PatternLogEventPolicy implements LogEventPolicy {
  /** The validated, normalised configuration (frozen). */
  readonly config: Readonly<NormalizedPatternLogEventPolicyConfig>;
  readonly #rules: readonly CompiledRule[];
  readonly #defaultEnabled: boolean;
  readonly #sampling: readonly CompiledSamplingRule[];
  readonly #ledger: SamplingLedger;

  /** @throws MvxConfigError naming the path of the first invalid entry (`options.previous` when it is not a PatternLogEventPolicy). */
  constructor(config: PatternLogEventPolicyConfig = {}, options: PatternLogEventPolicyOptions = {}) {
    const parsed = parsePatternLogEventPolicyConfig(config);
    const previous = guardConfig('options.previous', () => options?.previous);
    if (previous !== undefined && !(previous instanceof PatternLogEventPolicy)) {
      throw new MvxConfigError('options.previous', 'must be a PatternLogEventPolicy');
    }
    const frozen: NormalizedPatternLogEventPolicyConfig = { defaultEnabled: parsed.defaultEnabled, rules: Object.freeze(parsed.rules.map((r) => Object.freeze(r))) };
    if (parsed.sampling !== undefined) frozen.sampling = Object.freeze(parsed.sampling.map(freezeSamplingRule));
    this.config = Object.freeze(frozen);
    this.#defaultEnabled = parsed.defaultEnabled;
    this.#rules = parsed.rules.map((r, i) => {
      const groups = compileConditions(r, `rules[${i}]`);
      // From the compiled groups: an empty group does not constrain (and compiles to undefined).
      const compiled: CompiledRule = {
        ...groups,
        allow: r.action === 'allow',
        eventPrefixes: groups.events === undefined ? undefined : r.events!.map(literalPrefix),
        needsMore:
          groups.entityIds !== undefined || groups.sourcePaths !== undefined || groups.sourceFunctions !== undefined || groups.outcomes !== undefined,
      };
      return compiled;
    });
    this.#ledger = previous === undefined ? new SamplingLedger() : previous.#ledger;
    this.#sampling = compileSamplingRules(parsed.sampling ?? [], this.#ledger, 'sampling');
  }

  /**
   * Builds a policy from untrusted JSON (a parsed config file): unknown keys, wrong types and
   * empty patterns are rejected. @throws MvxConfigError naming the path, e.g. `rules[2].events[0]`.
   */
  static fromConfig(json: unknown, options?: PatternLogEventPolicyOptions): PatternLogEventPolicy {
    return new PatternLogEventPolicy(json as PatternLogEventPolicyConfig, options);
  }

  /**
   * A policy with new rules that keeps this one's sampling state: a sampling rule with the same
   * `name` keeps its per-key state and counts (its keys are dropped, their summaries emitted, only
   * when its kind or key changes); rules no longer configured keep their counts in the stats and the
   * metric (`active: false`). Install it with `configureLogContext(ns, { policy })`: contexts switch on
   * their next event, and until then this policy's samplers share the same state, so no event is
   * counted twice or lost. Validates like the constructor, before any state is touched.
   * @throws MvxConfigError naming the path of the first invalid entry.
   */
  withConfig(config: PatternLogEventPolicyConfig): PatternLogEventPolicy {
    return new PatternLogEventPolicy(config, { previous: this });
  }

  /** The first matching rule's decision, else `defaultEnabled`. */
  isEnabled(meta: LogEventMeta, level: number, outcome?: LogOutcome): boolean {
    const rules = this.#rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (matchesConditions(r, meta, level, outcome)) return r.allow;
    }
    return this.#defaultEnabled;
  }

  /**
   * The sampler of the first sampling rule matching an enabled event, or `undefined`: no rule
   * matches, the rule is `exempt`, or the event is an error (level ≥ ERROR) or a `failed` outcome
   * and the rule keeps `exemptErrors` (the default). Cached by the context with the allow/deny decision.
   */
  samplerFor(meta: LogEventMeta, level: number, outcome?: LogOutcome): LogEventSampler | undefined {
    return this.#sampling.length === 0 ? undefined : samplerOf(this.#sampling, meta, level, outcome);
  }

  /**
   * Counters of the sampling rules, by rule name: events kept and sampled out, keys held, overflow
   * events, summaries emitted and pending. Shared by the policies of one `withConfig` line.
   */
  samplingStats(): LogSamplingStats {
    return this.#ledger.stats();
  }

  /**
   * The sampling counters as a metrics source for any exporter of this package (Prometheus,
   * OpenTelemetry, StatsD): one counter `mvx.log.sampled_out` (unit `{event}`, Prometheus
   * `mvx_log_sampled_out_total`) with one series per rule, attribute `rule`. The same object for the
   * policies of one `withConfig` line, so an exporter keeps reading it across reconfigurations.
   */
  get samplingMetrics(): MetricsSource {
    return this.#ledger.metrics;
  }

  /**
   * Emits every pending sampling summary now, each into the context of its first sampled-out event;
   * returns how many. Summaries are otherwise emitted on the next event of their rule after their
   * interval (no timer): call this before `shutdownAll()` so the last gaps are in the log too.
   * Never throws.
   */
  flushSamplingSummaries(): number {
    return this.#ledger.flushSummaries();
  }

  /**
   * The decision every plain event (no entity id, source or outcome) of `namespace` at `level`
   * gets, when it does not depend on the event name; `undefined` when it may. Conservative: a rule
   * on names, or with an `events` pattern that could match some `namespace.<name>`, counts as
   * depending on the name, and only rules that agree with the final decision are allowed to.
   * `LogContext` calls it once per helper level when its settings are resolved (resolved at
   * configuration time), so a level turned off for a whole namespace costs nothing per name.
   * Sampling rules do not change it: they thin enabled events, one by one.
   */
  plainDecision(namespace: string, level: number): boolean | undefined {
    const byName = new Set<boolean>();
    let decision = this.#defaultEnabled;
    for (const r of this.#rules) {
      if (level < r.minLevel || level > r.maxLevel || r.needsMore) continue; // never matches
      if (r.namespaces !== undefined && !r.namespaces.test(namespace)) continue;
      if (r.eventPrefixes !== undefined && !r.eventPrefixes.some((p) => mayPrefixKeys(p, namespace))) continue;
      if (r.names !== undefined || r.eventPrefixes !== undefined) {
        byName.add(r.allow); // matches some names only
        continue;
      }
      decision = r.allow; // matches every plain event of this namespace at this level
      break;
    }
    return byName.has(!decision) ? undefined : decision;
  }

  /** The normalised configuration, for logging or saving. */
  toJSON(): NormalizedPatternLogEventPolicyConfig {
    return this.config;
  }
}

/** A glob's literal prefix: its characters before the first `*`, `?` or `[` (an unclosed `[` is cut too: conservative). */
function literalPrefix(pattern: string): string {
  const i = pattern.search(/[*?[]/);
  return i < 0 ? pattern : pattern.slice(0, i);
}

/**
 * Whether a pattern with literal prefix `prefix` may match some composed key `namespace.<name>`
 * (`<name>` alone in the root namespace): every match starts with `prefix`, every key with
 * `namespace.`, so when neither starts with the other no key matches.
 */
function mayPrefixKeys(prefix: string, namespace: string): boolean {
  if (namespace === '') return true;
  const keyPrefix = `${namespace}.`;
  return prefix.startsWith(keyPrefix) || keyPrefix.startsWith(prefix);
}
