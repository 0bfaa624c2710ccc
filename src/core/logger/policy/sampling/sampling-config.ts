/**
 * The sampling rules of a `PatternLogEventPolicy` (its `sampling` list): their shape and their strict
 * reading from configuration.
 *
 * ```json
 * "sampling": [
 *   { "name": "payments-exempt", "namespaces": ["app.payments*"], "exempt": true },
 *   { "name": "retry-warnings", "names": ["retry"], "burst": { "first": 10, "thereafter": 100, "intervalMs": 10000 } },
 *   { "name": "cache-debug", "names": ["cache.*"], "maxLevel": "DEBUG", "rateLimit": { "perSecond": 5 } },
 *   { "name": "request-info", "names": ["request.*"], "probability": 0.1 }
 * ]
 * ```
 *
 * @module
 */
import { MvxConfigError } from '../../../errors.ts';
import { CONDITION_KEYS, describe, parseConditions, readArray, readKey, readObject } from '../rule-conditions.ts';
import type { PatternRuleConditions } from '../rule-conditions.ts';

/**
 * What a sampling key is made of (payload-free parts of an event): `namespace`, `name` (the event
 * name), `entityId`, `outcome`, `level`, and `sampleKey`, the string a call passes in its options
 * (`ctx.info('cache.miss', payload, { sampleKey: tenantId })`) to be sampled by, never logged.
 */
export type LogSamplingKeyPart = 'namespace' | 'name' | 'entityId' | 'outcome' | 'level' | 'sampleKey';

/** Burst then thin, per key (zap's sampler): the first `first` events of each interval, then every `thereafter`-th. */
export interface LogSamplingBurst {
  /** Events kept at the start of each interval: an integer ≥ 0. */
  first: number;
  /** Past `first`, keep every `thereafter`-th event (1 keeps all); 0 drops the rest of the interval. An integer ≥ 0. */
  thereafter: number;
  /** The interval, in ms (> 0). It starts with the first event of a key after the previous one ended. */
  intervalMs: number;
}

/** A token bucket: `perSecond` events a second on average, up to `burst` at once. */
export interface LogSamplingRateLimit {
  /** Tokens added per second (> 0, fractional allowed: 0.5 is one event every 2 s). */
  perSecond: number;
  /** Bucket size (an integer ≥ 1), full at the start. @default max(1, ceil(perSecond)) */
  burst?: number;
  /** One bucket per sampling key, or one for the whole rule. @default 'key' */
  per?: 'key' | 'rule';
}

/**
 * One sampling rule: conditions (the same as an allow/deny rule's), an identity, and exactly one of
 * `exempt`, `burst`, `rateLimit`, `probability`. The first matching sampling rule applies to an
 * event its allow/deny rules enabled.
 */
export interface LogSamplingRule extends PatternRuleConditions {
  /**
   * The rule's identity: unique in the list; the `rule` attribute of the `mvx.log.sampled_out`
   * metric, the key of `samplingStats().rules`, and what keeps the rule's state when the rules are
   * replaced (`withConfig`). Non-empty, at most 128 characters.
   */
  name: string;
  /** `true`: matching events are never sampled (a carve-out placed before broader rules). */
  exempt?: boolean;
  /** Burst-then-thin per key. */
  burst?: LogSamplingBurst;
  /** A token bucket per key or per rule. */
  rateLimit?: LogSamplingRateLimit;
  /**
   * Keep this fraction of events, in [0, 1]. An event carrying a trace id (`correlation.trace_id`,
   * 32 hex digits) is kept when its trace is, the same decision in every process (OpenTelemetry's
   * consistent probability sampling: the trace id's 56 low bits against a threshold); an event
   * without one is kept by a counter per key (exactly one in 1/p, the first one included).
   */
  probability?: number;
  /** What the key is made of. @default ['name'] */
  key?: readonly LogSamplingKeyPart[];
  /**
   * Errors (level ≥ ERROR) and `failed` outcomes pass this rule unsampled; with `logInvocation`, a
   * call whose invoke was sampled out still logs its failure. `false` samples them like the rest.
   * @default true
   */
  exemptErrors?: boolean;
  /** Most keys with their own state; further keys share one overflow state (counted). An integer in [1, 100000]. @default 1000 */
  maxKeys?: number;
  /** One `log.sampled_out` summary event per key and interval in which events were sampled out. @default true */
  summary?: boolean;
  /** Shortest time between two summaries of a key, in ms (> 0). @default `burst.intervalMs`, else 10000 */
  summaryIntervalMs?: number;
}

export const KEY_PARTS: ReadonlySet<string> = new Set(['namespace', 'name', 'entityId', 'outcome', 'level', 'sampleKey']);
const RULE_KEYS: ReadonlySet<string> = new Set([
  'name',
  ...CONDITION_KEYS,
  'exempt',
  'burst',
  'rateLimit',
  'probability',
  'key',
  'exemptErrors',
  'maxKeys',
  'summary',
  'summaryIntervalMs',
]);
const BURST_KEYS: ReadonlySet<string> = new Set(['first', 'thereafter', 'intervalMs']);
const RATE_KEYS: ReadonlySet<string> = new Set(['perSecond', 'burst', 'per']);
const KINDS = ['exempt', 'burst', 'rateLimit', 'probability'] as const;
/** Longest rule name. */
const MAX_NAME_LENGTH = 128;
export const DEFAULT_MAX_KEYS = 1000;
const MAX_MAX_KEYS = 100_000;
export const DEFAULT_SUMMARY_INTERVAL_MS = 10_000;

function integer(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MvxConfigError(path, `must be an integer in [${min}, ${max}], got ${describe(value)}${typeof value === 'number' ? ` ${value}` : ''}`);
  }
  return value;
}

function positive(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new MvxConfigError(path, `must be a finite number > 0, got ${describe(value)}${typeof value === 'number' ? ` ${value}` : ''}`);
  }
  return value;
}

function bool(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new MvxConfigError(path, `must be a boolean, got ${describe(value)}`);
  return value;
}

function parseBurst(value: unknown, path: string): LogSamplingBurst {
  const obj = readObject(value, path, BURST_KEYS);
  return {
    first: integer(readKey(obj, 'first', `${path}.first`), `${path}.first`, 0),
    thereafter: integer(readKey(obj, 'thereafter', `${path}.thereafter`), `${path}.thereafter`, 0),
    intervalMs: positive(readKey(obj, 'intervalMs', `${path}.intervalMs`), `${path}.intervalMs`),
  };
}

function parseRateLimit(value: unknown, path: string): LogSamplingRateLimit {
  const obj = readObject(value, path, RATE_KEYS);
  const perSecond = positive(readKey(obj, 'perSecond', `${path}.perSecond`), `${path}.perSecond`);
  const burstValue = readKey(obj, 'burst', `${path}.burst`);
  const burst = burstValue === undefined || burstValue === null ? Math.max(1, Math.ceil(perSecond)) : integer(burstValue, `${path}.burst`, 1);
  const perValue = readKey(obj, 'per', `${path}.per`) ?? 'key';
  if (perValue !== 'key' && perValue !== 'rule') throw new MvxConfigError(`${path}.per`, `must be 'key' or 'rule', got ${describe(perValue)}`);
  return { perSecond, burst, per: perValue };
}

function parseKey(value: unknown, path: string): LogSamplingKeyPart[] {
  const items = readArray(value, path);
  if (items === undefined || items.length === 0) {
    throw new MvxConfigError(path, `must be a non-empty array of ${[...KEY_PARTS].join(', ')}, got ${describe(value)}`);
  }
  const seen = new Set<string>();
  return items.map((item, i) => {
    if (typeof item !== 'string' || !KEY_PARTS.has(item)) {
      throw new MvxConfigError(`${path}[${i}]`, `must be one of ${[...KEY_PARTS].join(', ')}, got ${describe(item)}`);
    }
    if (seen.has(item)) throw new MvxConfigError(`${path}[${i}]`, `repeats '${item}'`);
    seen.add(item);
    return item as LogSamplingKeyPart;
  });
}

function parseName(value: unknown, path: string): string {
  const name = typeof value === 'string' ? value.trim() : undefined;
  if (name === undefined || name === '' || name.length > MAX_NAME_LENGTH) {
    throw new MvxConfigError(path, `is required: a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describe(value)}`);
  }
  return name;
}

/** Reads one sampling rule. @throws MvxConfigError naming the path, e.g. `sampling[1].burst.first`. */
function parseRule(value: unknown, path: string): LogSamplingRule {
  const obj = readObject(value, path, RULE_KEYS);
  const rule: { -readonly [K in keyof LogSamplingRule]: LogSamplingRule[K] } = { name: parseName(readKey(obj, 'name', `${path}.name`), `${path}.name`) };
  parseConditions(obj, path, rule);
  const raw: Record<string, unknown> = {};
  for (const k of KINDS) raw[k] = readKey(obj, k, `${path}.${k}`);
  const exempt = bool(raw['exempt'], `${path}.exempt`);
  const given = KINDS.filter((k) => (k === 'exempt' ? exempt === true : raw[k] !== undefined && raw[k] !== null));
  if (given.length !== 1) {
    throw new MvxConfigError(
      given.length === 0 ? path : `${path}.${given[1]}`,
      `needs exactly one of exempt: true, burst, rateLimit, probability${given.length === 0 ? '' : ` (got ${given.join(' and ')})`}`,
    );
  }
  const kind = given[0]!;
  if (kind === 'exempt') rule.exempt = true;
  else if (kind === 'burst') rule.burst = parseBurst(raw['burst'], `${path}.burst`);
  else if (kind === 'rateLimit') rule.rateLimit = parseRateLimit(raw['rateLimit'], `${path}.rateLimit`);
  else {
    const p = raw['probability'];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new MvxConfigError(`${path}.probability`, `must be a number in [0, 1], got ${describe(p)}`);
    rule.probability = p;
  }
  const options = ['key', 'exemptErrors', 'maxKeys', 'summary', 'summaryIntervalMs'] as const;
  const values: Record<string, unknown> = {};
  for (const k of options) values[k] = readKey(obj, k, `${path}.${k}`);
  if (kind === 'exempt') {
    const extra = options.find((k) => values[k] !== undefined && values[k] !== null);
    if (extra !== undefined) throw new MvxConfigError(`${path}.${extra}`, 'has no effect on an exempt rule (it samples nothing)');
    return rule;
  }
  if (values['key'] !== undefined && values['key'] !== null) {
    if (rule.rateLimit?.per === 'rule') throw new MvxConfigError(`${path}.key`, "has no effect with rateLimit.per 'rule' (one bucket for the rule)");
    rule.key = parseKey(values['key'], `${path}.key`);
  }
  const exemptErrors = bool(values['exemptErrors'], `${path}.exemptErrors`);
  if (exemptErrors !== undefined) rule.exemptErrors = exemptErrors;
  if (values['maxKeys'] !== undefined && values['maxKeys'] !== null) rule.maxKeys = integer(values['maxKeys'], `${path}.maxKeys`, 1, MAX_MAX_KEYS);
  const summary = bool(values['summary'], `${path}.summary`);
  if (summary !== undefined) rule.summary = summary;
  if (values['summaryIntervalMs'] !== undefined && values['summaryIntervalMs'] !== null) {
    rule.summaryIntervalMs = positive(values['summaryIntervalMs'], `${path}.summaryIntervalMs`);
  }
  return rule;
}

/**
 * Reads the `sampling` list: an array of rule objects with unique names. Every value is read once.
 * @throws MvxConfigError naming the path (`sampling[2].rateLimit.perSecond`).
 */
export function parseSamplingRules(value: unknown, path: string): LogSamplingRule[] {
  const items = readArray(value, path);
  if (items === undefined) throw new MvxConfigError(path, `must be an array of sampling rule objects, got ${describe(value)}`);
  const names = new Set<string>();
  return items.map((item, i) => {
    const rule = parseRule(item, `${path}[${i}]`);
    if (names.has(rule.name)) throw new MvxConfigError(`${path}[${i}].name`, `repeats the rule name '${rule.name}' (names identify rules: unique)`);
    names.add(rule.name);
    return rule;
  });
}
