/**
 * `PatternLogEventPolicy`: ordered allow/deny rules with shell-style patterns on event metadata,
 * plus optional level and outcome conditions. The first matching rule decides; no match gives
 * `defaultEnabled`.
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
import { composeEventName } from '../event.ts';
import type { LogEventMeta, LogOutcome } from '../event.ts';
import { parseLogLevel } from '../level.ts';
import type { LogEventPolicy } from './log-event-policy.ts';
import { compileGlobs } from './glob.ts';
import type { GlobMatcher } from './glob.ts';

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
export interface PatternLogEventPolicyRule {
  /** `allow` enables a matching event, `deny` disables it. */
  action: PatternLogEventPolicyActionValue;
  /** Patterns on the composed key `namespace.name` (just `name` in the root namespace). */
  events?: readonly string[];
  /** Patterns on the namespace (`''` for the root: only `*` matches it). */
  namespaces?: readonly string[];
  /** Patterns on the event name alone. */
  names?: readonly string[];
  /** Patterns on the entity id; an event without one never matches this group. */
  entityIds?: readonly string[];
  /** Patterns on `source.filePath`; an event without one never matches this group. */
  sourcePaths?: readonly string[];
  /** Patterns on `source.functionName`; an event without one never matches this group. */
  sourceFunctions?: readonly string[];
  /** Patterns on the outcome; an event without an outcome never matches this group. */
  outcomes?: readonly string[];
  /** Lowest level (inclusive) the rule applies to: a number or a level name. */
  minLevel?: number | string;
  /** Highest level (inclusive) the rule applies to: a number or a level name. */
  maxLevel?: number | string;
}

/** Configuration of {@link PatternLogEventPolicy}. */
export interface PatternLogEventPolicyConfig {
  /** The decision when no rule matches. @default true */
  defaultEnabled?: boolean;
  /** Rules, in order: the first matching one decides. @default [] */
  rules?: readonly PatternLogEventPolicyRule[];
}

const GROUPS = ['events', 'namespaces', 'names', 'entityIds', 'sourcePaths', 'sourceFunctions', 'outcomes'] as const;
const RULE_KEYS: ReadonlySet<string> = new Set(['action', ...GROUPS, 'minLevel', 'maxLevel']);
const CONFIG_KEYS: ReadonlySet<string> = new Set(['defaultEnabled', 'rules']);
/** The reference's snake_case keys and their names here. */
const REFERENCE_KEYS: Readonly<Record<string, string>> = {
  default_enabled: 'defaultEnabled',
  event_namespaces: 'namespaces',
  event_names: 'names',
  entity_ids: 'entityIds',
  source_paths: 'sourcePaths',
  source_funcs: 'sourceFunctions',
  min_level: 'minLevel',
  max_level: 'maxLevel',
};

interface CompiledRule {
  readonly allow: boolean;
  readonly minLevel: number;
  readonly maxLevel: number;
  readonly events: GlobMatcher | undefined;
  readonly namespaces: GlobMatcher | undefined;
  readonly names: GlobMatcher | undefined;
  readonly entityIds: GlobMatcher | undefined;
  readonly sourcePaths: GlobMatcher | undefined;
  readonly sourceFunctions: GlobMatcher | undefined;
  readonly outcomes: GlobMatcher | undefined;
  /** The `events` patterns' literal prefixes (up to the first `*`, `?` or `[`), for `plainDecision`. */
  readonly eventPrefixes: readonly string[] | undefined;
  /** Whether the rule has a condition a plain event (no entity id, source or outcome) never meets. */
  readonly needsMore: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return typeof v;
}

/** `obj[key]`, guarded (see {@link guardConfig}); the path of the value is `path`. */
function readKey(obj: Record<string, unknown>, key: string, path: string): unknown {
  return guardConfig(path, () => obj[key]);
}

/** The items of an array from configuration, each read guarded; `undefined` when `value` is not an array. */
function readArray(value: unknown, path: string): unknown[] | undefined {
  return guardConfig(path, () => {
    if (!Array.isArray(value)) return undefined;
    const n = value.length;
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(guardConfig(`${path}[${i}]`, () => value[i] as unknown));
    return out;
  });
}

function checkKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (allowed.has(key)) continue;
    const hint = REFERENCE_KEYS[key];
    const path = prefix === '' ? key : `${prefix}.${key}`;
    throw new MvxConfigError(
      path,
      hint !== undefined && allowed.has(hint)
        ? `unknown key; did you mean '${hint}'? (keys are camelCase)`
        : `unknown key; valid keys are ${[...allowed].join(', ')}`,
    );
  }
}

function parsePatterns(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = readArray(value, path);
  if (items === undefined) throw new MvxConfigError(path, `must be an array of non-empty strings, got ${guardConfig(path, () => describe(value))}`);
  return items.map((item, i) => {
    if (typeof item !== 'string') throw new MvxConfigError(`${path}[${i}]`, `must be a string, got ${describe(item)}`);
    const pattern = item.trim();
    if (pattern === '') throw new MvxConfigError(`${path}[${i}]`, 'must not be empty or blank');
    return pattern;
  });
}

function parseLevel(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const level = parseLogLevel(value);
  if (level === undefined) {
    throw new MvxConfigError(path, `must be an integer or a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL), got ${describe(value)}`);
  }
  return level;
}

function parseRule(value: unknown, path: string): PatternLogEventPolicyRule {
  if (!guardConfig(path, () => isPlainObject(value))) throw new MvxConfigError(path, `must be an object, got ${guardConfig(path, () => describe(value))}`);
  const obj = value as Record<string, unknown>;
  guardConfig(path, () => checkKeys(obj, RULE_KEYS, path));
  const action = readKey(obj, 'action', `${path}.action`);
  if (typeof action !== 'string') throw new MvxConfigError(`${path}.action`, `is required and must be 'allow' or 'deny', got ${describe(action)}`);
  const act = action.trim();
  if (act !== 'allow' && act !== 'deny') throw new MvxConfigError(`${path}.action`, `must be 'allow' or 'deny', got ${JSON.stringify(action)}`);
  const rule: { -readonly [K in keyof PatternLogEventPolicyRule]: PatternLogEventPolicyRule[K] } = { action: act };
  for (const group of GROUPS) {
    const patterns = parsePatterns(readKey(obj, group, `${path}.${group}`), `${path}.${group}`);
    if (patterns !== undefined) rule[group] = patterns;
  }
  const minLevel = parseLevel(readKey(obj, 'minLevel', `${path}.minLevel`), `${path}.minLevel`);
  const maxLevel = parseLevel(readKey(obj, 'maxLevel', `${path}.maxLevel`), `${path}.maxLevel`);
  if (minLevel !== undefined) rule.minLevel = minLevel;
  if (maxLevel !== undefined) rule.maxLevel = maxLevel;
  if (minLevel !== undefined && maxLevel !== undefined && minLevel > maxLevel) {
    throw new MvxConfigError(`${path}.maxLevel`, `must not be below minLevel (${minLevel}), got ${maxLevel}`);
  }
  return rule;
}

/**
 * Validates a configuration strictly and returns a normalised copy (patterns trimmed, levels as
 * numbers). Every value is read once; a getter or Proxy trap that throws is reported like any
 * invalid value. @throws MvxConfigError naming the path (e.g. `rules[2].events[0]`).
 */
export function parsePatternLogEventPolicyConfig(json: unknown): Required<PatternLogEventPolicyConfig> {
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
  return { defaultEnabled, rules: rules.map((r, i) => parseRule(r, `rules[${i}]`)) };
}

function compileGroup(patterns: readonly string[] | undefined, path: string): GlobMatcher | undefined {
  if (patterns === undefined || patterns.length === 0) return undefined;
  try {
    return compileGlobs(patterns);
  } catch (error) {
    throw new MvxConfigError(path, `contains an invalid pattern (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Selects events by ordered allow/deny rules. Immutable: decisions are pure functions of the
 * configuration and never change, so it has no `version` (the `LogEventPolicy` contract: absent means
 * decisions never change) and `LogContext` caches them without re-checking.
 *
 * @example
 * ```ts
 * const policy = PatternLogEventPolicy.fromConfig(JSON.parse(readFileSync('log-policy.json', 'utf8')));
 * configureLogContext('app', { policy, minLevel: 'DEBUG' });
 * ```
 */
export class PatternLogEventPolicy implements LogEventPolicy {
  /** The validated, normalised configuration (frozen). */
  readonly config: Readonly<Required<PatternLogEventPolicyConfig>>;
  readonly #rules: readonly CompiledRule[];
  readonly #defaultEnabled: boolean;

  /** @throws MvxConfigError naming the path of the first invalid entry. */
  constructor(config: PatternLogEventPolicyConfig = {}) {
    const parsed = parsePatternLogEventPolicyConfig(config);
    this.config = Object.freeze({ defaultEnabled: parsed.defaultEnabled, rules: Object.freeze(parsed.rules.map((r) => Object.freeze(r))) });
    this.#defaultEnabled = parsed.defaultEnabled;
    this.#rules = parsed.rules.map((r, i) => {
      const path = `rules[${i}]`;
      const groups = {
        allow: r.action === 'allow',
        minLevel: (r.minLevel as number | undefined) ?? Number.NEGATIVE_INFINITY,
        maxLevel: (r.maxLevel as number | undefined) ?? Number.POSITIVE_INFINITY,
        events: compileGroup(r.events, `${path}.events`),
        namespaces: compileGroup(r.namespaces, `${path}.namespaces`),
        names: compileGroup(r.names, `${path}.names`),
        entityIds: compileGroup(r.entityIds, `${path}.entityIds`),
        sourcePaths: compileGroup(r.sourcePaths, `${path}.sourcePaths`),
        sourceFunctions: compileGroup(r.sourceFunctions, `${path}.sourceFunctions`),
        outcomes: compileGroup(r.outcomes, `${path}.outcomes`),
      };
      // From the compiled groups: an empty group does not constrain (and compiles to undefined).
      const compiled: CompiledRule = {
        ...groups,
        eventPrefixes: groups.events === undefined ? undefined : r.events!.map(literalPrefix),
        needsMore:
          groups.entityIds !== undefined || groups.sourcePaths !== undefined || groups.sourceFunctions !== undefined || groups.outcomes !== undefined,
      };
      return compiled;
    });
  }

  /**
   * Builds a policy from untrusted JSON (a parsed config file): unknown keys, wrong types and
   * empty patterns are rejected. @throws MvxConfigError naming the path, e.g. `rules[2].events[0]`.
   */
  static fromConfig(json: unknown): PatternLogEventPolicy {
    return new PatternLogEventPolicy(json as PatternLogEventPolicyConfig);
  }

  /** The first matching rule's decision, else `defaultEnabled`. */
  isEnabled(meta: LogEventMeta, level: number, outcome?: LogOutcome): boolean {
    const rules = this.#rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (matches(r, meta, level, outcome)) return r.allow;
    }
    return this.#defaultEnabled;
  }

  /**
   * The decision every plain event (no entity id, source or outcome) of `namespace` at `level`
   * gets, when it does not depend on the event name; `undefined` when it may. Conservative: a rule
   * on names, or with an `events` pattern that could match some `namespace.<name>`, counts as
   * depending on the name, and only rules that agree with the final decision are allowed to.
   * `LogContext` calls it once per helper level when its settings are resolved (resolved at
   * configuration time), so a level turned off for a whole namespace costs nothing per name.
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
  toJSON(): Required<PatternLogEventPolicyConfig> {
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

function test(re: GlobMatcher | undefined, value: string | undefined): boolean {
  return re === undefined || (value !== undefined && re.test(value));
}

function matches(r: CompiledRule, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): boolean {
  if (level < r.minLevel || level > r.maxLevel) return false;
  if (r.events !== undefined && !r.events.test(composeEventName(meta))) return false;
  if (!test(r.namespaces, meta.namespace)) return false;
  if (!test(r.names, meta.name)) return false;
  if (!test(r.entityIds, meta.entityId)) return false;
  if (!test(r.sourcePaths, meta.source?.filePath)) return false;
  if (!test(r.sourceFunctions, meta.source?.functionName)) return false;
  return test(r.outcomes, outcome);
}
