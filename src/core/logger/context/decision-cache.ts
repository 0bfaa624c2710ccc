/**
 * Cached policy decisions, and the one rule that says when a cached decision still holds: while
 * neither the configuration generation (every `LogContext` setter or reset bumps it) nor the
 * policy's `version` (the `LogEventPolicy` contract: absent means decisions never change) moved
 * since it was taken ({@link DecisionStamp}). `LogContext` keeps a {@link DecisionCache} per
 * context; `logInvocation` keeps one decision per decorated function under the same stamp.
 * Internal.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { composeEventName } from '../event.ts';
import type { LogEventMeta, LogOutcome } from '../event.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import type { LogEventSampler } from '../policy/log-event-sampler.ts';
import { configGeneration } from './config-generation.ts';

/** Upper bound of cached policy decisions per context (per cache: by name, and by full key). */
export const DECISION_CACHE_LIMIT = 4096;
/**
 * Upper bound of the characters of all cached keys (names, full keys) of one context, so the caches
 * stay within about 0.5 MB however long the keys (4,096 keys of 16 KB held 64 MB before).
 */
const DECISION_CACHE_CHARS = 262_144;
/** Keys longer than this are decided every time and never cached (a full key with every field at its bound is about 1,600). */
const DECISION_KEY_MAX_CHARS = 1024;
/** Highest integer level cached on the by-name fast path; other levels use the full-key cache. */
const FAST_LEVEL_LIMIT = 256;
/** Distinct outcomes with their own by-name cache; further outcomes use the full-key cache. */
const MAX_CACHED_OUTCOMES = 16;

/** The configuration generation and policy version a decision was taken under. */
export class DecisionStamp {
  #gen = -1;
  #policy: LogEventPolicy | undefined;
  #version: number | undefined;
  /** Whether the policy has a `version`; without one its decisions never change (it is never re-read). */
  #versioned = false;

  /** Stamps with the generation and `policy`'s version in force now. */
  take(policy: LogEventPolicy | undefined): void {
    this.#gen = configGeneration.value;
    this.#policy = policy;
    this.#version = policy?.version;
    this.#versioned = this.#version !== undefined;
  }

  /** The rule: decisions taken under this stamp still hold. */
  isCurrent(): boolean {
    return this.#gen === configGeneration.value && (!this.#versioned || this.#policy!.version === this.#version);
  }
}

/**
 * A cached decision: `false` (disabled), `true` (enabled), or the sampler that decides per event
 * (enabled by the policy, then thinned: `LogEventPolicy.samplerFor`). What is cached is which
 * sampler covers the metadata, never a sampling decision.
 */
export type Decision = boolean | LogEventSampler;

/** Decision of one name per level (`undefined`: not asked yet). */
type LevelSlots = (Decision | undefined)[];

/**
 * The policy decisions of one context. Plain metadata (the context's namespace, no entity id, no
 * source) at an integer level in [0, 256) is cached per outcome, name and level in nested maps (no
 * key string is built); anything else per full key. Bounded by {@link DECISION_CACHE_LIMIT} entries
 * per map and {@link DECISION_CACHE_CHARS} characters of keys in all.
 */
export class DecisionCache {
  /** The context's namespace (the plain case) and where a throwing policy is reported. */
  readonly #namespace: string;
  readonly #stamp = new DecisionStamp();
  #policy: LogEventPolicy | undefined;
  /** Plain metadata, no outcome: name → decision by level. */
  readonly #byName = new Map<string, LevelSlots>();
  /** Plain metadata with an outcome: outcome → name → decision by level (at most MAX_CACHED_OUTCOMES outcomes). */
  readonly #byOutcome = new Map<string, Map<string, LevelSlots>>();
  /** Everything else: full key → decision. */
  readonly #byKey = new Map<string, Decision>();
  /** Characters of the keys held by the three maps above. */
  #chars = 0;
  #evictions = 0;
  /** Events dropped because the policy threw. */
  policyFailures = 0;

  constructor(namespace: string) {
    this.#namespace = namespace;
  }

  /** Drops every decision and stamps the cache for `policy` (after a configuration change). */
  reset(policy: LogEventPolicy | undefined): void {
    this.#policy = policy;
    this.#stamp.take(policy);
    this.#clear();
  }

  /**
   * Drops every decision when the rule says they no longer hold (the policy's version moved; the
   * caller has checked the generation). `true` when it did.
   */
  revalidate(): boolean {
    if (this.#stamp.isCurrent()) return false;
    this.#stamp.take(this.#policy);
    this.#clear();
    return true;
  }

  /** Whether what was recorded from this cache (a denial, a mode) still holds. */
  isCurrent(): boolean {
    return this.#stamp.isCurrent();
  }

  /** The decision for `meta`, cached (a throwing policy disables the event, uncached). */
  decide(policy: LogEventPolicy, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): Decision {
    if (
      meta.namespace === this.#namespace &&
      meta.entityId === undefined &&
      meta.source === undefined &&
      Number.isInteger(level) &&
      level >= 0 &&
      level < FAST_LEVEL_LIMIT
    ) {
      let byName = outcome === undefined ? this.#byName : this.#byOutcome.get(outcome);
      if (byName === undefined && this.#byOutcome.size < MAX_CACHED_OUTCOMES) {
        byName = new Map();
        this.#byOutcome.set(outcome!, byName);
      }
      if (byName !== undefined) return this.#decideIn(byName, policy, meta, level, outcome);
    }
    return this.#decideByKey(policy, meta, level, outcome);
  }

  /** A cached plain decision (no outcome) of `name` at `level`, without asking the policy. */
  cachedPlain(name: string, level: number): Decision | undefined {
    return this.#byName.get(name)?.[level];
  }

  /** Decisions held now. */
  get size(): number {
    let n = this.#byName.size + this.#byKey.size;
    for (const m of this.#byOutcome.values()) n += m.size;
    return n;
  }

  /** Decisions evicted because a cache was full. */
  get evictions(): number {
    return this.#evictions;
  }

  #clear(): void {
    this.#byName.clear();
    this.#byOutcome.clear();
    this.#byKey.clear();
    this.#chars = 0;
  }

  /**
   * Asks the policy; for an enabled event, also which sampler covers it (a policy with
   * `samplerFor`). A throwing policy, or a `samplerFor` answer that is not a sampler, disables the
   * event (reported, counted, not cached).
   */
  #ask(policy: LogEventPolicy, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): Decision | undefined {
    try {
      if (policy.isEnabled(meta, level, outcome) !== true) return false;
      if (typeof policy.samplerFor !== 'function') return true;
      const sampler = policy.samplerFor(meta, level, outcome);
      if (sampler === undefined || sampler === null) return true;
      if (typeof sampler.sample !== 'function') throw new TypeError('samplerFor returned something that is not a LogEventSampler (no sample method)');
      return sampler;
    } catch (error) {
      this.policyFailures++;
      reportDiagnostic({
        component: 'LogContext',
        code: 'policy.failed',
        message: `the event policy threw for '${composeEventName(meta)}'; the event is dropped`,
        error,
        details: { namespace: this.#namespace },
      });
      return undefined;
    }
  }

  #decideIn(byName: Map<string, LevelSlots>, policy: LogEventPolicy, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): Decision {
    let slots = byName.get(meta.name);
    if (slots !== undefined) {
      const d = slots[level];
      if (d !== undefined) return d;
    }
    const d = this.#ask(policy, meta, level, outcome);
    if (d === undefined) return false;
    if (slots === undefined) {
      if (!this.#admit(byName, meta.name.length)) return d;
      slots = [];
      byName.set(meta.name, slots);
    }
    slots[level] = d;
    return d;
  }

  /** Policy decision on full metadata: cached per (namespace, name, level, outcome, entity id, source). */
  #decideByKey(policy: LogEventPolicy, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): Decision {
    const src = meta.source;
    const key =
      `${meta.namespace}\u0001${meta.name}\u0001${level}\u0001${outcome === undefined ? '\u0002' : outcome}` +
      `\u0001${meta.entityId === undefined ? '\u0002' : meta.entityId}` +
      (src === undefined ? '' : `\u0001${src.filePath ?? ''}\u0001${src.line ?? ''}\u0001${src.functionName ?? ''}`);
    const cached = this.#byKey.get(key);
    if (cached !== undefined) return cached;
    const d = this.#ask(policy, meta, level, outcome);
    if (d === undefined) return false;
    if (this.#admit(this.#byKey, key.length)) this.#byKey.set(key, d);
    return d;
  }

  /**
   * Makes room for a new key of `chars` characters in `map` (one of the maps above): evicts its
   * oldest entries while it holds `DECISION_CACHE_LIMIT` entries or the maps together would pass
   * `DECISION_CACHE_CHARS`; when the characters are held by the other maps, drops them all.
   * `false` when the key is not to be cached (too long, or everything was just dropped).
   */
  #admit(map: Map<string, unknown>, chars: number): boolean {
    if (chars > DECISION_KEY_MAX_CHARS) return false;
    while (map.size > 0 && (map.size >= DECISION_CACHE_LIMIT || this.#chars + chars > DECISION_CACHE_CHARS)) {
      const oldest = map.keys().next().value!;
      map.delete(oldest);
      this.#chars -= oldest.length;
      this.#evictions++;
    }
    if (this.#chars + chars > DECISION_CACHE_CHARS) {
      this.#evictions += this.size;
      this.#clear();
      return false;
    }
    this.#chars += chars;
    return true;
  }
}
