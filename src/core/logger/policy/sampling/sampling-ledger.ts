/**
 * The sampling state of a line of policies (a policy and those made from it by `withConfig`): each
 * rule's {@link RuleState} by name, the stats, and the `mvx.log.sampled_out` metric. Internal; the
 * policy exposes its stats, its metrics source and its summary flush.
 *
 * @module
 */
import { epochMsNow } from '../../../internal/clock.ts';
import type { MetricSnapshot, MetricsSource } from '../../../metrics/types.ts';
import { RETIRED_RULE_LIMIT, RuleState } from './rule-state.ts';
import type { KeyPolicy } from './rule-state.ts';

/** Name of the metric of sampled-out events (Prometheus: `mvx_log_sampled_out_total`). */
export const SAMPLED_OUT_METRIC = 'mvx.log.sampled_out';

/** Counters of one sampling rule (see `PatternLogEventPolicy.samplingStats`). */
export interface LogSamplingRuleStats {
  /** Events the rule kept (`kept + sampledOut` = the events that reached it). */
  readonly kept: number;
  /** Events the rule sampled out. */
  readonly sampledOut: number;
  /** Keys with their own state now (at most the rule's `maxKeys`). */
  readonly keys: number;
  /** Events of keys past `maxKeys`, sampled under the one overflow state. */
  readonly overflowEvents: number;
  /** Summary events emitted. */
  readonly summaries: number;
  /** Events sampled out and not yet in a summary. */
  readonly pendingSummaryEvents: number;
  /** Whether the rule is in the policy's configuration (`false`: dropped by a `withConfig`; its counts are kept). */
  readonly active: boolean;
}

/** Counters of a policy's sampling rules. */
export interface LogSamplingStats {
  /** Sum over the rules. */
  readonly kept: number;
  /** Sum over the rules. */
  readonly sampledOut: number;
  /** By rule name, in the order the rules were first configured. */
  readonly rules: Readonly<Record<string, LogSamplingRuleStats>>;
}

export class SamplingLedger {
  readonly startTimeMs = epochMsNow();
  readonly #states = new Map<string, RuleState>();
  /** What adapters read: frozen, the same object for the whole line of policies. */
  readonly metrics: MetricsSource;

  constructor() {
    this.metrics = Object.freeze({ snapshots: (): MetricSnapshot[] => this.snapshots() });
  }

  /**
   * The state of rule `name` for a new rule: the existing one (its counters, and its keys unless
   * they meant something else: a new kind or key drops them, emitting their pending summaries), or
   * a new one.
   */
  adopt(name: string, shape: string, keyPolicy: KeyPolicy): RuleState {
    const now = performance.now();
    const existing = this.#states.get(name);
    if (existing === undefined) {
      const state = new RuleState(name, shape, keyPolicy);
      this.#states.set(name, state);
      return state;
    }
    if (existing.shape !== shape) existing.sweep(now, existing.keyPolicy, true);
    existing.shape = shape;
    existing.keyPolicy = keyPolicy;
    existing.active = true;
    if (existing.keys.size > keyPolicy.maxKeys) existing.sweep(now, keyPolicy, false);
    return existing;
  }

  /** Retires the rules not in `names` (their pending summaries emitted, their keys dropped, their counts kept). */
  retireOthers(names: ReadonlySet<string>): void {
    const now = performance.now();
    let retired = 0;
    for (const state of this.#states.values()) {
      if (names.has(state.name)) continue;
      if (state.active) {
        state.sweep(now, state.keyPolicy, true);
        state.active = false;
      }
      retired++;
    }
    // Bounded: the oldest retired rules' counts go first.
    for (const state of this.#states.values()) {
      if (retired <= RETIRED_RULE_LIMIT) break;
      if (state.active) continue;
      this.#states.delete(state.name);
      retired--;
    }
  }

  /** Emits every pending summary of the active rules; returns how many. */
  flushSummaries(): number {
    const now = performance.now();
    let n = 0;
    for (const state of this.#states.values()) if (state.active) n += state.flushSummaries(now, state.keyPolicy);
    return n;
  }

  stats(): LogSamplingStats {
    let kept = 0;
    let sampledOut = 0;
    const rules: Record<string, LogSamplingRuleStats> = {};
    for (const s of this.#states.values()) {
      kept += s.kept;
      sampledOut += s.sampledOut;
      rules[s.name] = {
        kept: s.kept,
        sampledOut: s.sampledOut,
        keys: s.keys.size,
        overflowEvents: s.overflowEvents,
        summaries: s.summaries,
        pendingSummaryEvents: s.pendingEvents,
        active: s.active,
      };
    }
    return { kept, sampledOut, rules };
  }

  /**
   * One counter, `mvx.log.sampled_out` (unit `{event}`), one series per rule (attribute `rule`), the
   * rules dropped by a reconfiguration included (counters never go back).
   */
  snapshots(): MetricSnapshot[] {
    return [
      {
        name: SAMPLED_OUT_METRIC,
        description: 'Log events sampled out by a sampling rule of the event policy, by rule name',
        unit: '{event}',
        startTimeMs: this.startTimeMs,
        timeMs: epochMsNow(),
        dimensions: [
          {
            name: '',
            kind: 'counter',
            series: [...this.#states.values()].map((s) => ({ attributes: { rule: s.name }, value: s.sampledOut })),
          },
        ],
      },
    ];
  }
}
