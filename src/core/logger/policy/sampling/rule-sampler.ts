/**
 * The per-event decision of one sampling rule (a {@link LogEventSampler}): burst then thin, token
 * bucket, or probability (by trace id, else by counter), per key, on the rule's {@link RuleState}.
 * Internal.
 *
 * Cost of a decision: the samplers' clock (`sampling-clock.ts`: one `performance.now()` per 64
 * decisions in a synchronous run), the key state (the last key's is kept: a noisy event repeats its
 * key, and then no key string is built and no Map is read), a few arithmetic operations; for a
 * probability rule the correlation provider's read (done by the context) and a scan of the trace
 * id's last 14 characters.
 *
 * @module
 */
import type { LogEventMeta, LogOutcome } from '../../event.ts';
import type { LogEventSampler, LogSamplingTarget } from '../log-event-sampler.ts';
import type { RuleState, KeyPolicy, KeyState } from './rule-state.ts';
import { samplingNow } from './sampling-clock.ts';
import { KEY_ABSENT as ABSENT, KEY_SEPARATOR as SEP, notePending } from './summary.ts';
import { DEFAULT_MAX_KEYS, DEFAULT_SUMMARY_INTERVAL_MS } from './sampling-config.ts';
import type { LogSamplingKeyPart, LogSamplingRule } from './sampling-config.ts';
import { traceKept, traceThreshold } from './trace-threshold.ts';
import type { TraceThreshold } from './trace-threshold.ts';

const BURST = 0;
const RATE = 1;
const PROBABILITY = 2;

/** Fixed-point scale of the probability counter: p is counted in 2^-32 units, exactly. */
const SCALE = 4_294_967_296;

/** The kind and key parts of a rule: per-key states of one shape are meaningless under another. */
export function ruleShape(rule: LogSamplingRule): string {
  const kind = rule.burst !== undefined ? 'burst' : rule.rateLimit !== undefined ? 'rate' : 'probability';
  return `${kind}:${keyParts(rule).join(',')}`;
}

function keyParts(rule: LogSamplingRule): readonly LogSamplingKeyPart[] {
  if (rule.rateLimit?.per === 'rule') return [];
  return rule.key ?? ['name'];
}

export class RuleSampler implements LogEventSampler, KeyPolicy {
  readonly usesCorrelation: boolean;
  readonly keepsFailures: boolean;
  readonly maxKeys: number;
  readonly staleAfterMs: number;
  readonly summary: boolean;
  readonly summaryIntervalMs: number;
  readonly keyHasEntityId: boolean;
  /** Bound after construction, by the policy (the state outlives this sampler). */
  state!: RuleState;
  readonly #kind: number;
  readonly #parts: readonly LogSamplingKeyPart[];
  /** The key is the event name alone (the default): no string is built. */
  readonly #nameOnly: boolean;
  readonly #first: number;
  readonly #thereafter: number;
  readonly #intervalMs: number;
  /** Tokens per ms, and the bucket size. */
  readonly #perMs: number;
  readonly #burst: number;
  /** Probability in 2^-32 units, and the trace threshold. */
  readonly #p: number;
  readonly #threshold: TraceThreshold;
  // The last key's parts and state (valid while the state's epoch is unchanged): a repeated key
  // costs comparisons only. `#last0` holds the name (or the only part), `#lastRest` the others.
  #last0: string | undefined;
  #lastRest: (string | undefined)[] = [];
  #lastKey = '';
  #lastKs: KeyState | undefined;
  #lastEpoch = -1;
  #lastTraceId: string | undefined;
  #lastTraceKept: boolean | undefined;

  /** `rule` is parsed (see `parseSamplingRules`) and not exempt. */
  constructor(rule: LogSamplingRule) {
    this.#parts = keyParts(rule);
    this.#nameOnly = this.#parts.length === 1 && this.#parts[0] === 'name';
    this.keyHasEntityId = this.#parts.includes('entityId');
    this.keepsFailures = rule.exemptErrors !== false;
    this.maxKeys = rule.maxKeys ?? DEFAULT_MAX_KEYS;
    this.summary = rule.summary !== false;
    this.summaryIntervalMs = rule.summaryIntervalMs ?? rule.burst?.intervalMs ?? DEFAULT_SUMMARY_INTERVAL_MS;
    const { burst, rateLimit } = rule;
    this.#first = burst?.first ?? 0;
    this.#thereafter = burst?.thereafter ?? 0;
    this.#intervalMs = burst?.intervalMs ?? 0;
    this.#perMs = (rateLimit?.perSecond ?? 0) / 1000;
    this.#burst = rateLimit?.burst ?? 1;
    const p = rule.probability ?? 0;
    // Rounded up: 1/3 keeps exactly one event in three (rounded to nearest it would keep the 4th).
    this.#p = Math.ceil(p * SCALE);
    this.#threshold = traceThreshold(p);
    this.usesCorrelation = rule.probability !== undefined;
    if (burst !== undefined) {
      this.#kind = BURST;
      this.staleAfterMs = burst.intervalMs;
    } else if (rateLimit !== undefined) {
      this.#kind = RATE;
      this.staleAfterMs = (this.#burst / rateLimit.perSecond) * 1000;
    } else {
      this.#kind = PROBABILITY;
      this.staleAfterMs = this.summaryIntervalMs;
    }
  }

  /** A key state as this rule starts it: a new interval, a full bucket, a counter that keeps the first event. */
  fresh(now: number): KeyState {
    return {
      windowStart: now,
      count: 0,
      tokens: this.#burst,
      refilledAt: now,
      acc: this.#p > 0 ? SCALE - this.#p : 0,
      lastSeen: now,
      pending: 0,
      firstAt: 0,
      lastAt: 0,
      level: 0,
      meta: undefined,
      target: undefined,
    };
  }

  sample(
    meta: LogEventMeta,
    level: number,
    outcome: LogOutcome | undefined,
    sampleKey: string | undefined,
    correlation: Readonly<Record<string, string>> | undefined,
    target: LogSamplingTarget | undefined,
  ): boolean {
    const now = samplingNow();
    const state = this.state;
    let key: string;
    let ks: KeyState;
    if (this.#nameOnly) {
      key = meta.name;
      if (key === this.#last0 && state.epoch === this.#lastEpoch) ks = this.#lastKs!;
      else {
        ks = state.keyState(key, now, this);
        this.#remember(key, key, ks, state.epoch);
      }
    } else if (this.#sameKey(meta, level, outcome, sampleKey) && state.epoch === this.#lastEpoch) {
      key = this.#lastKey;
      ks = this.#lastKs!;
    } else {
      key = this.#keyOf(meta, level, outcome, sampleKey);
      ks = state.keyState(key, now, this);
      this.#remember(this.#lastRest[0], key, ks, state.epoch);
    }
    let keep: boolean;
    if (this.#kind === BURST) {
      if (now - ks.windowStart >= this.#intervalMs) {
        ks.windowStart = now;
        ks.count = 0;
      }
      const n = ++ks.count;
      keep = n <= this.#first || (this.#thereafter > 0 && (n - this.#first) % this.#thereafter === 0);
    } else if (this.#kind === RATE) {
      let tokens = ks.tokens + (now - ks.refilledAt) * this.#perMs;
      if (tokens > this.#burst) tokens = this.#burst;
      ks.refilledAt = now;
      keep = tokens >= 1;
      ks.tokens = keep ? tokens - 1 : tokens;
    } else {
      const traceId = correlation?.['trace_id'];
      let byTrace: boolean | undefined;
      if (typeof traceId === 'string') {
        // A request's events share their trace id: its decision is kept for the next one.
        if (traceId === this.#lastTraceId) byTrace = this.#lastTraceKept;
        else {
          byTrace = traceKept(traceId, this.#threshold);
          this.#lastTraceId = traceId;
          this.#lastTraceKept = byTrace;
        }
      }
      if (byTrace !== undefined) {
        keep = byTrace;
      } else {
        const acc = ks.acc + this.#p;
        keep = acc >= SCALE;
        ks.acc = keep ? acc - SCALE : acc;
      }
    }
    ks.lastSeen = now;
    if (keep) state.kept++;
    else {
      state.sampledOut++;
      if (this.summary) notePending(ks, now, meta, level, target);
    }
    // Cheap checks first: a summary is due for this key, or the other keys are to be looked at.
    if (this.summary && ((ks.pending > 0 && now - ks.firstAt >= this.summaryIntervalMs) || now >= state.nextScan)) {
      const due = state.dueSummaries(ks, key, now, this);
      if (due !== undefined) state.emitAll(due);
    }
    return keep;
  }

  #remember(first: string | undefined, key: string, ks: KeyState, epoch: number): void {
    this.#last0 = first;
    this.#lastKey = key;
    this.#lastKs = ks;
    this.#lastEpoch = epoch;
  }

  /** One part of the key of an event (`undefined` when absent). */
  #part(i: number, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined, sampleKey: string | undefined): string | undefined {
    switch (this.#parts[i]) {
      case 'namespace':
        return meta.namespace;
      case 'name':
        return meta.name;
      case 'entityId':
        return meta.entityId;
      case 'outcome':
        return outcome;
      case 'level':
        return String(level);
      default:
        return sampleKey;
    }
  }

  /** Whether the event's key parts are those of the last key (compared part by part: no string built). */
  #sameKey(meta: LogEventMeta, level: number, outcome: LogOutcome | undefined, sampleKey: string | undefined): boolean {
    if (this.#lastKs === undefined) return false;
    const rest = this.#lastRest;
    for (let i = 0; i < rest.length; i++) if (this.#part(i, meta, level, outcome, sampleKey) !== rest[i]) return false;
    return true;
  }

  /** Builds the key (parts joined by a control character, an absent part marked) and records its parts. */
  #keyOf(meta: LogEventMeta, level: number, outcome: LogOutcome | undefined, sampleKey: string | undefined): string {
    const n = this.#parts.length;
    const rest = (this.#lastRest = new Array<string | undefined>(n));
    let k = '';
    for (let i = 0; i < n; i++) {
      const v = this.#part(i, meta, level, outcome, sampleKey);
      rest[i] = v;
      if (i > 0) k += SEP;
      k += v ?? ABSENT;
    }
    return k;
  }
}
