/**
 * Builds the immutable {@link LogEvent} a sink receives.
 *
 * @module
 */
import { epochMsNow } from '../internal/clock.ts';
import { currentLogCorrelation } from './correlation.ts';
import type { LogEvent, LogEventMeta, LogOutcome } from './event.ts';
import type { JsonObject } from './json.ts';

/** Input of {@link buildLogEvent}. */
export interface BuildLogEventInput {
  /** Numeric level (see `LogLevel`). */
  readonly level: number;
  /** Selection metadata; frozen in place (with its `source`) by {@link buildLogEvent}. */
  readonly meta: LogEventMeta;
  /** Lifecycle outcome, if any. */
  readonly outcome?: LogOutcome | undefined;
  /** The already normalised, JSON-safe payload; frozen (shallowly) in place. */
  readonly payload: JsonObject;
  /** Epoch ms. @default {@link preciseNow}() */
  readonly timestamp?: number | undefined;
  /**
   * Correlation ids to use instead of the registered provider's (e.g. the span of a
   * `logInvocation` call, for that call's own events). @default the provider's current ids
   */
  readonly correlation?: Readonly<Record<string, string>> | undefined;
}

/**
 * Wall-clock time in epoch milliseconds with sub-millisecond precision: `performance.now()` on an
 * offset kept within a millisecond of `Date.now()` (checked at most once a second), so timestamps
 * stay on the system clock in a long-running process. Monotonic between two checks; when the
 * system clock is stepped, it follows, as `Date.now()` does.
 */
export function preciseNow(): number {
  return epochMsNow();
}

/**
 * Builds a frozen {@link LogEvent}: timestamp (epoch ms, sub-ms precision unless given), the
 * correlation ids of the registered correlation provider (see `setLogCorrelationProvider`),
 * and frozen `meta`, `meta.source` and top-level `payload`. Never throws for well-typed input.
 */
export function buildLogEvent(input: BuildLogEventInput): LogEvent {
  const meta = input.meta;
  if (!Object.isFrozen(meta)) {
    if (meta.source !== undefined) Object.freeze(meta.source);
    Object.freeze(meta);
  }
  const payload = input.payload;
  if (!Object.isFrozen(payload)) Object.freeze(payload);
  const event: {
    level: number;
    meta: LogEventMeta;
    outcome?: LogOutcome;
    timestamp: number;
    payload: JsonObject;
    correlation?: Readonly<Record<string, string>>;
  } = {
    level: input.level,
    meta,
    timestamp: input.timestamp ?? preciseNow(),
    payload,
  };
  if (input.outcome !== undefined) event.outcome = input.outcome;
  const correlation = input.correlation ?? currentLogCorrelation();
  if (correlation !== undefined) event.correlation = correlation;
  return Object.freeze(event);
}
