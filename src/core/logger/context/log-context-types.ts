/**
 * The option and counter types of `LogContext` (see `log-context.ts`).
 *
 * @module
 */
import type { LogOutcome, LogSource } from '../event.ts';
import type { LogPayloadProcessorLike } from '../payload-processor-like.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import type { LogSink } from '../sinks/log-sink.ts';
import type { LogErrorHandlingMode } from './error-handling.ts';
import type { LogContext } from './log-context.ts';

/** A minimum level: a number or a standard level name (`'DEBUG'`, `'info'`, `'WARN'`, ...). */
export type LogLevelInput = number | string;

/** Options of the {@link LogContext} constructor. */
export interface LogContextOptions {
  /** Dotted namespace (full, not a segment); trimmed and validated. @default `''` for a root, the parent's namespace for a child */
  namespace?: string;
  /** The parent context; none makes this a root. */
  parent?: LogContext;
  /** Sink override. Required for a root. */
  sink?: LogSink;
  /** Event policy override (inherited by descendants). @default none: every event passing the minimum level is enabled */
  policy?: LogEventPolicy;
  /** Payload processor override. Required for a root. */
  payloadProcessor?: LogPayloadProcessorLike;
  /** Sink failure handling override. @default `'print-stderr'` at a root */
  errorHandling?: LogErrorHandlingMode;
  /** Minimum level override. @default 0 (every level) at a hand-built root; the facade's root uses INFO */
  minLevel?: LogLevelInput;
}

/**
 * Per-call options of {@link LogContext.logEvent} and the level helpers. Each is read once and
 * validated: strings longer than `LOG_METADATA_MAX_LENGTH` (256) are cut with `…[+N chars]`; a
 * value of the wrong type is left out (or made a string, see each field) and reported through
 * diagnostics (`call.metadata`); options whose getters or Proxy traps throw drop the event
 * (counted in `invalidCalls`, reported as `call.invalid`).
 */
export interface LogEventOptions {
  /** Lifecycle outcome (`invoke`, `success`, `failed`, `cancelled` or any string); a number, BigInt or boolean becomes its text. */
  outcome?: LogOutcome;
  /** The entity the event is about; another value becomes `String(value)`. */
  entityId?: string;
  /** Source location: only `filePath`, `line` and `functionName` are read (copied, never the object). */
  source?: LogSource;
  /** Overrides the event's namespace (by default the context's). */
  namespace?: string;
  /**
   * What a sampling rule with `key: [..., 'sampleKey']` samples this event by (a tenant, a route,
   * a shard: anything payload-free that says which events are alike). Used for the decision only:
   * never in the event, never seen by allow/deny rules. Another value becomes `String(value)`;
   * bounded like the metadata.
   */
  sampleKey?: string;
}

/** Options of {@link LogContext.isEnabled}: the same metadata a call to `logEvent` would carry. */
export type IsEnabledOptions = LogEventOptions;

/** A payload, or a function returning one (called only when the event is enabled). */
export type LogPayloadInput = unknown;

/** Counters of one context (see {@link LogContext.stats}). */
export interface LogContextStats {
  /** Sink failures met by this context, in every error-handling mode. */
  sinkFailures: number;
  /** Events dropped because the policy threw (reported through diagnostics). */
  policyFailures: number;
  /** Payloads replaced because the payload function or the processor threw. */
  payloadFailures: number;
  /** Calls dropped because of invalid input (name, level, options that could not be read). */
  invalidCalls: number;
  /** Events dropped because a sink logged re-entrantly too deep. */
  recursionDrops: number;
  /**
   * Events the policy enabled and a sampling rule then sampled out (no payload built). For a
   * context with a sampling policy, events emitted = events logged + `sampledOut` (+ the drops
   * counted above); per rule: `PatternLogEventPolicy.samplingStats()`.
   */
  sampledOut: number;
  /** Decisions currently cached. */
  decisionCacheSize: number;
  /** Decisions evicted because a cache was full (4,096 entries, or 262,144 characters of keys for all together). */
  decisionCacheEvictions: number;
}
