/**
 * The state of one sampling rule, by rule name: its counters and its bounded table of per-key
 * states. It outlives a policy: `PatternLogEventPolicy.withConfig` hands it to the next policy's
 * rule of the same name, so counts, buckets and windows carry over a reconfiguration. Internal.
 *
 * @module
 */
import { reportDiagnostic } from '../../../diagnostics.ts';
import { takeSummary } from './summary.ts';
import type { PendingSummary, SummaryToEmit } from './summary.ts';

/** The state of one key (one shape for every kind of rule, so the hot path stays monomorphic). */
export interface KeyState extends PendingSummary {
  /** Burst: start of the current interval, and events seen in it. */
  windowStart: number;
  count: number;
  /** Token bucket: tokens, and when they were last topped up. */
  tokens: number;
  refilledAt: number;
  /** Probability without a trace id: accumulated fraction (an event is kept each time it reaches 1). */
  acc: number;
  /** `performance.now()` of the key's last event. */
  lastSeen: number;
}

/** How keys are aged and summarised; given by the rule (it may change with a reconfiguration). */
export interface KeyPolicy {
  readonly maxKeys: number;
  /** A key idle this long holds nothing a fresh key would not (its interval ended, its bucket refilled). */
  readonly staleAfterMs: number;
  readonly summary: boolean;
  readonly summaryIntervalMs: number;
  /** Whether summaries carry the entity id (the key is made of it). */
  readonly keyHasEntityId: boolean;
  /** A fresh key state, as the rule's kind starts it. */
  fresh(now: number): KeyState;
}

/** The key of events past the key bound. */
export const OVERFLOW_KEY = '(overflow)';
/** Most retired rules whose counts a policy lineage keeps. */
export const RETIRED_RULE_LIMIT = 256;

/** Emits a summary; a target that throws (a context in `raise` mode) is reported, never thrown. */
export function emitSummary(s: SummaryToEmit): void {
  try {
    s.target.emitLogEvent(s.event);
  } catch (error) {
    reportDiagnostic({ component: 'LogSampling', code: 'summary.failed', message: 'a sampling summary event could not be delivered', error });
  }
}

export class RuleState {
  readonly name: string;
  /** What the per-key states mean (kind and key parts): a change of shape drops them. */
  shape: string;
  /** How keys are aged and summarised: the latest rule of this name. */
  keyPolicy: KeyPolicy;
  active = true;
  kept = 0;
  sampledOut = 0;
  overflowEvents = 0;
  summaries = 0;
  readonly keys = new Map<string, KeyState>();
  /** Changes whenever a key state is dropped, so that a sampler's cached last key state is checked. */
  epoch = 0;
  #overflow: KeyState | undefined;
  #overflowReported = false;
  #nextSweep = 0;
  /** When the other keys are next looked at for due summaries (`performance.now()`). */
  nextScan = Number.NEGATIVE_INFINITY;

  constructor(name: string, shape: string, keyPolicy: KeyPolicy) {
    this.name = name;
    this.shape = shape;
    this.keyPolicy = keyPolicy;
  }

  /** The state of `key`, admitted if there is room (after sweeping stale keys), else the overflow state. */
  keyState(key: string, now: number, policy: KeyPolicy): KeyState {
    const ks = this.keys.get(key);
    if (ks !== undefined) return ks;
    return this.#admit(key, now, policy);
  }

  #admit(key: string, now: number, policy: KeyPolicy): KeyState {
    if (this.keys.size >= policy.maxKeys && now >= this.#nextSweep) {
      // At most once per stale period (O(keys) each time): amortised O(1) per event.
      this.#nextSweep = now + Math.max(50, policy.staleAfterMs);
      this.sweep(now, policy, false);
    }
    if (this.keys.size < policy.maxKeys) {
      const fresh = policy.fresh(now);
      this.keys.set(key, fresh);
      return fresh;
    }
    this.overflowEvents++;
    if (!this.#overflowReported) {
      this.#overflowReported = true;
      reportDiagnostic({
        component: 'LogSampling',
        code: 'sampling.key_overflow',
        message: `sampling rule '${this.name}' holds its limit of ${policy.maxKeys} keys; further keys share one state ('${OVERFLOW_KEY}'), counted in overflowEvents (reported once per rule)`,
        details: { rule: this.name, maxKeys: policy.maxKeys },
      });
    }
    return (this.#overflow ??= policy.fresh(now));
  }

  /**
   * Drops the keys idle for `staleAfterMs` (all keys with `all`), and the oldest beyond `maxKeys`,
   * emitting their pending summaries first.
   */
  sweep(now: number, policy: KeyPolicy, all: boolean): void {
    const out: SummaryToEmit[] = [];
    this.epoch++;
    let excess = this.keys.size - policy.maxKeys;
    for (const [key, ks] of this.keys) {
      if (all || excess > 0 || now - ks.lastSeen >= policy.staleAfterMs) {
        this.#collect(ks, key, now, policy, out);
        this.keys.delete(key);
        excess--;
      }
    }
    if (all && this.#overflow !== undefined) {
      this.#collect(this.#overflow, OVERFLOW_KEY, now, policy, out);
      this.#overflow = undefined;
    }
    this.#emit(out);
  }

  /**
   * The summaries due at `now`: that of `ks` (the current event's key) when its interval has passed,
   * and, at most once per summary interval, those of every other key (a key that went quiet still
   * gets its summary while the rule sees traffic). Emitted by the caller once its state is updated.
   */
  dueSummaries(ks: KeyState, key: string, now: number, policy: KeyPolicy): SummaryToEmit[] | undefined {
    if (!policy.summary) return undefined;
    let out: SummaryToEmit[] | undefined;
    if (ks.pending > 0 && now - ks.firstAt >= policy.summaryIntervalMs) this.#collect(ks, key, now, policy, (out = []));
    if (now >= this.nextScan) {
      this.nextScan = now + policy.summaryIntervalMs;
      for (const [k, other] of this.keys) {
        if (other.pending > 0 && now - other.firstAt >= policy.summaryIntervalMs) this.#collect(other, k, now, policy, (out ??= []));
      }
      const o = this.#overflow;
      if (o !== undefined && o.pending > 0 && now - o.firstAt >= policy.summaryIntervalMs) this.#collect(o, OVERFLOW_KEY, now, policy, (out ??= []));
    }
    return out;
  }

  /** Emits every pending summary now (flush, shutdown); returns how many. */
  flushSummaries(now: number, policy: KeyPolicy): number {
    const out: SummaryToEmit[] = [];
    for (const [k, ks] of this.keys) this.#collect(ks, k, now, policy, out);
    if (this.#overflow !== undefined) this.#collect(this.#overflow, OVERFLOW_KEY, now, policy, out);
    this.#emit(out);
    return out.length;
  }

  /** Events sampled out and not yet in a summary. */
  get pendingEvents(): number {
    let n = this.#overflow?.pending ?? 0;
    for (const ks of this.keys.values()) n += ks.pending;
    return n;
  }

  #collect(ks: KeyState, key: string, now: number, policy: KeyPolicy, out: SummaryToEmit[]): void {
    if (ks.pending === 0) return;
    if (!policy.summary) {
      ks.pending = 0;
      ks.meta = undefined;
      return;
    }
    const s = takeSummary(ks, this.name, key, policy.keyHasEntityId, now);
    if (s !== undefined) out.push(s);
  }

  #emit(out: readonly SummaryToEmit[]): void {
    for (const s of out) {
      this.summaries++;
      emitSummary(s);
    }
  }

  /** Emits summaries taken by {@link dueSummaries}. */
  emitAll(out: readonly SummaryToEmit[]): void {
    this.#emit(out);
  }
}
