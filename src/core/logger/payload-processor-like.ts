/** The depth contract: how a payload is normalised. */
import type { JsonObject, JsonValue } from './json.ts';

/** Verbosity of a payload processor, from least to most detail. */
export const LogVerbosity = {
  MINIMAL: 'MINIMAL',
  NORMAL: 'NORMAL',
  MAXIMUM: 'MAXIMUM',
} as const;

/** One of {@link LogVerbosity}. */
export type LogVerbosityLevel = (typeof LogVerbosity)[keyof typeof LogVerbosity];

/** Options of one normalisation call. */
export interface NormalizeOptions {
  /**
   * Disables item-count limits (items per collection, keys per object) for this call. It is not
   * permission to ignore safety: string length, depth, redaction and cycle handling still apply.
   */
  unbounded?: boolean;
}

/**
 * What a payload processor implements. The built-in one is `LogPayloadProcessor`; a custom one
 * (project-wide redaction, a strict schema) can be written against this interface in a few lines.
 * Implementations must never throw and must return JSON-safe values.
 */
export interface LogPayloadProcessorLike {
  /**
   * Normalises a whole payload (normally an object or a `Map`) to a JSON object. `null` and
   * `undefined` give `{}`; what other non-object payloads become is the implementation's choice
   * (the built-in `LogPayloadProcessor` wraps them as `{ value: … }` rather than dropping them).
   */
  normalizePayload(payload: unknown, options?: NormalizeOptions): JsonObject;
  /** Normalises one value (an argument, a result field, a context field). */
  normalizeValueForLog(value: unknown, options?: NormalizeOptions): JsonValue;
  /**
   * The verbosity as a plain string (`MINIMAL`, `NORMAL`, `MAXIMUM` by convention), used by
   * `logInvocation` verbosity gates; `undefined` skips every gated field.
   */
  getPlainVerbosityLevel(): string | undefined;
  /**
   * Optional: a structured error payload (`type`, `message`, `code`, `stack`, `cause`, ...).
   * When absent, `normalizeValueForLog(error)` is used.
   */
  normalizeError?(error: unknown): JsonObject;
}
