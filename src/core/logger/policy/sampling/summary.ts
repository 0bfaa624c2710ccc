/**
 * Summary events of sampling: one `log.sampled_out` event per key and interval in which events were
 * sampled out, delivered into the context where the gap happened, so that a reader of the log sees
 * how many events are missing there. Internal.
 *
 * @module
 */
import { epochMsAt, epochMsNow } from '../../../internal/clock.ts';
import { composeEventName } from '../../event.ts';
import type { LogEvent, LogEventMeta } from '../../event.ts';
import type { JsonObject } from '../../json.ts';
import type { LogSamplingTarget } from '../log-event-sampler.ts';

/** Separates the parts of a sampling key (control characters: never mistaken for text in a part). */
export const KEY_SEPARATOR = '\u0001';
/** Stands for an absent part of a sampling key (no entity id, no outcome, no `sampleKey`). */
export const KEY_ABSENT = '\u0002';

/** A key as summaries show it: parts joined with `|`, an absent part as `-`. */
export function displayKey(key: string): string {
  return key.replaceAll(KEY_SEPARATOR, '|').replaceAll(KEY_ABSENT, '-');
}

/** The event name of a summary (in the namespace of the events it summarises). */
export const SAMPLING_SUMMARY_EVENT = 'log.sampled_out';

/** What a key has sampled out since its last summary. */
export interface PendingSummary {
  /** Events sampled out since the last summary (0: nothing pending). */
  pending: number;
  /** `performance.now()` of the first and the last of them. */
  firstAt: number;
  lastAt: number;
  /** Highest level among them (the summary's level, so it passes the filters they passed). */
  level: number;
  /** Metadata of the first of them. */
  meta: LogEventMeta | undefined;
  /** The context of the first of them (where the summary goes). */
  target: LogSamplingTarget | undefined;
}

/**
 * Records one sampled-out event in `s`. The metadata and context are those of the first event of
 * the summary: storing a new event's (young) objects into the (old) key state on every event would
 * cost a write barrier each time, for the same namespace and name.
 */
export function notePending(s: PendingSummary, now: number, meta: LogEventMeta, level: number, target: LogSamplingTarget | undefined): void {
  if (s.pending === 0) {
    s.firstAt = now;
    s.level = level;
    s.meta = meta;
    s.target = target;
  } else if (level > s.level) {
    s.level = level;
  }
  s.pending++;
  s.lastAt = now;
}

/** A summary ready to emit (taken out of its key, which is then clear). */
export interface SummaryToEmit {
  readonly event: LogEvent;
  readonly target: LogSamplingTarget;
}

function iso(perf: number): string {
  const ms = epochMsAt(perf);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

/**
 * Takes the pending summary of `s` (clearing it) as an event: level the highest sampled-out level,
 * namespace (and entity id, when the key is made of it) those of the first sampled-out event, name
 * `log.sampled_out`, payload `{ message, rule, key, event, sampledOut, firstTime, lastTime, periodMs }`.
 * `undefined` when nothing is pending or there is no target to deliver it to (the count stays in
 * the rule's stats).
 */
export function takeSummary(s: PendingSummary, rule: string, key: string, withEntityId: boolean, now: number): SummaryToEmit | undefined {
  const n = s.pending;
  const meta = s.meta;
  const target = s.target;
  s.pending = 0;
  s.meta = undefined;
  if (n === 0 || meta === undefined || target === undefined) return undefined;
  const event = composeEventName(meta);
  const periodMs = Math.max(0, Math.round(now - s.firstAt));
  const seconds = periodMs >= 10_000 ? String(Math.round(periodMs / 1000)) : (periodMs / 1000).toFixed(1);
  const payload: JsonObject = {
    message: `${n} event${n === 1 ? '' : 's'} like '${event}' sampled out in the last ${seconds} s`,
    rule,
    key: displayKey(key),
    event,
    sampledOut: n,
    firstTime: iso(s.firstAt),
    lastTime: iso(s.lastAt),
    periodMs,
  };
  const m: { namespace: string; name: string; entityId?: string } = { namespace: meta.namespace, name: SAMPLING_SUMMARY_EVENT };
  if (withEntityId && meta.entityId !== undefined) m.entityId = meta.entityId;
  return {
    event: Object.freeze({ level: s.level, meta: Object.freeze(m), timestamp: epochMsNow(), payload: Object.freeze(payload) }),
    target,
  };
}
