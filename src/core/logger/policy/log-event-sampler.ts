/**
 * The sampling contract: the per-event half of an event policy. A policy's allow/deny decision is a
 * pure function of metadata, level and outcome, cached by `LogContext`; a sampling decision is not
 * (it depends on how many like events came before, on time, on the trace), so the policy answers
 * the cacheable question "which sampler covers these events" (`LogEventPolicy.samplerFor`) and the
 * sampler answers "is this one kept" for every event, never cached.
 *
 * @module
 */
import type { LogEvent, LogEventMeta, LogOutcome } from '../event.ts';

/** Where a sampler delivers the events it writes itself (its summaries): the event's context. */
export interface LogSamplingTarget {
  /** Delivers a finished event to the context's sink (no level check, no policy). */
  emitLogEvent(event: LogEvent): void;
}

/**
 * Decides, per event, whether an enabled event is kept or sampled out. Implementations keep their
 * own state (counters, token buckets, per-key tables), bounded, and never throw (a sampler that
 * throws is reported by the context and the event is dropped, counted in `policyFailures`).
 */
export interface LogEventSampler {
  /**
   * Whether {@link sample} reads `correlation`: the context then reads the correlation provider
   * before deciding (and the kept event carries the ids it read). `false` spares that read.
   */
  readonly usesCorrelation: boolean;
  /**
   * For `logInvocation`: whether a call whose invoke event this sampler sampled out still logs its
   * failure (`failed` or `cancelled`, marked `invokeSampledOut: true`). `false`: the call is sampled
   * out whole, failure included.
   */
  readonly keepsFailures: boolean;
  /**
   * Whether this event is kept (`true`) or sampled out (`false`). Called once per event, before
   * any payload work; nothing here is cached.
   *
   * @param sampleKey the call's `sampleKey` option (a payload-free string naming what to sample by)
   * @param correlation the correlation ids of the event (read only when `usesCorrelation`)
   * @param target the emitting context (where summary events go); `undefined` when there is none
   */
  sample(
    meta: LogEventMeta,
    level: number,
    outcome: LogOutcome | undefined,
    sampleKey: string | undefined,
    correlation: Readonly<Record<string, string>> | undefined,
    target: LogSamplingTarget | undefined,
  ): boolean;
}
