/**
 * The conditions a `PatternLogEventPolicy` rule matches events on (pattern groups on the metadata,
 * level bounds, outcomes), shared by its allow/deny rules and its sampling rules: strict reading
 * from configuration, compilation, matching. Also the small readers of untrusted configuration
 * both parsers use. Internal.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import { guardConfig } from '../../internal/config-read.ts';
import { composeEventName } from '../event.ts';
import type { LogEventMeta, LogOutcome } from '../event.ts';
import { parseLogLevel } from '../level.ts';
import { compileGlobs } from './glob.ts';
import type { GlobMatcher } from './glob.ts';

/**
 * Conditions of a rule. Every given condition must hold (AND); inside one pattern group any pattern
 * may match (OR). An absent or empty group does not constrain; a rule with no condition matches
 * every event. Patterns are shell-style globs (`*` also crosses dots and slashes, `?`, `[seq]`,
 * `[!seq]`), case-sensitive.
 */
export interface PatternRuleConditions {
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

export const CONDITION_GROUPS = ['events', 'namespaces', 'names', 'entityIds', 'sourcePaths', 'sourceFunctions', 'outcomes'] as const;
/** The condition keys of a rule. */
export const CONDITION_KEYS: readonly string[] = [...CONDITION_GROUPS, 'minLevel', 'maxLevel'];

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

/** A rule's conditions, compiled. */
export interface CompiledConditions {
  readonly minLevel: number;
  readonly maxLevel: number;
  readonly events: GlobMatcher | undefined;
  readonly namespaces: GlobMatcher | undefined;
  readonly names: GlobMatcher | undefined;
  readonly entityIds: GlobMatcher | undefined;
  readonly sourcePaths: GlobMatcher | undefined;
  readonly sourceFunctions: GlobMatcher | undefined;
  readonly outcomes: GlobMatcher | undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return typeof v;
}

/** `obj[key]`, guarded (see {@link guardConfig}); the path of the value is `path`. */
export function readKey(obj: Record<string, unknown>, key: string, path: string): unknown {
  return guardConfig(path, () => obj[key]);
}

/** The items of an array from configuration, each read guarded; `undefined` when `value` is not an array. */
export function readArray(value: unknown, path: string): unknown[] | undefined {
  return guardConfig(path, () => {
    if (!Array.isArray(value)) return undefined;
    const n = value.length;
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(guardConfig(`${path}[${i}]`, () => value[i] as unknown));
    return out;
  });
}

/** Rejects a key of `obj` not in `allowed` (a reference snake_case key gets a hint naming the camelCase one). */
export function checkKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, prefix: string): void {
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

/** An object read from configuration at `path` (guarded), with only `allowed` keys. @throws MvxConfigError */
export function readObject(value: unknown, path: string, allowed: ReadonlySet<string>): Record<string, unknown> {
  if (!guardConfig(path, () => isPlainObject(value))) throw new MvxConfigError(path, `must be an object, got ${guardConfig(path, () => describe(value))}`);
  const obj = value as Record<string, unknown>;
  guardConfig(path, () => checkKeys(obj, allowed, path));
  return obj;
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

/**
 * Reads the conditions of the rule `obj` at `path` into `out` (patterns trimmed, levels as numbers;
 * absent ones left out). @throws MvxConfigError naming the path, e.g. `rules[2].events[0]`.
 */
export function parseConditions(obj: Record<string, unknown>, path: string, out: { -readonly [K in keyof PatternRuleConditions]: PatternRuleConditions[K] }): void {
  for (const group of CONDITION_GROUPS) {
    const patterns = parsePatterns(readKey(obj, group, `${path}.${group}`), `${path}.${group}`);
    if (patterns !== undefined) out[group] = patterns;
  }
  const minLevel = parseLevel(readKey(obj, 'minLevel', `${path}.minLevel`), `${path}.minLevel`);
  const maxLevel = parseLevel(readKey(obj, 'maxLevel', `${path}.maxLevel`), `${path}.maxLevel`);
  if (minLevel !== undefined) out.minLevel = minLevel;
  if (maxLevel !== undefined) out.maxLevel = maxLevel;
  if (minLevel !== undefined && maxLevel !== undefined && minLevel > maxLevel) {
    throw new MvxConfigError(`${path}.maxLevel`, `must not be below minLevel (${minLevel}), got ${maxLevel}`);
  }
}

function compileGroup(patterns: readonly string[] | undefined, path: string): GlobMatcher | undefined {
  if (patterns === undefined || patterns.length === 0) return undefined;
  try {
    return compileGlobs(patterns);
  } catch (error) {
    throw new MvxConfigError(path, `contains an invalid pattern (${(error as Error).message})`, { cause: error });
  }
}

/** Compiles parsed conditions (levels already numbers). @throws MvxConfigError on an invalid pattern, naming `path.group`. */
export function compileConditions(r: PatternRuleConditions, path: string): CompiledConditions {
  return {
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
}

function test(re: GlobMatcher | undefined, value: string | undefined): boolean {
  return re === undefined || (value !== undefined && re.test(value));
}

/** Whether an event meets every condition of `r`. */
export function matchesConditions(r: CompiledConditions, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): boolean {
  if (level < r.minLevel || level > r.maxLevel) return false;
  if (r.events !== undefined && !r.events.test(composeEventName(meta))) return false;
  if (!test(r.namespaces, meta.namespace)) return false;
  if (!test(r.names, meta.name)) return false;
  if (!test(r.entityIds, meta.entityId)) return false;
  if (!test(r.sourcePaths, meta.source?.filePath)) return false;
  if (!test(r.sourceFunctions, meta.source?.functionName)) return false;
  return test(r.outcomes, outcome);
}
