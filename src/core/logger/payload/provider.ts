/**
 * The small extension points of the payload processor: objects that own their log representation
 * ({@link LogPayloadProvider}) and serializers supplied from outside for types the caller does not
 * own ({@link LogValueSerializer}, registered by class or found by a {@link LogSerializerResolver}).
 *
 * Precedence, per value: provider, then serializer (class registry, then resolver), then the
 * built-in rules. Whatever a provider or serializer returns is itself normalised: bounded, redacted
 * and made JSON-safe, so a provider cannot leak a secret or an unbounded structure to a sink.
 *
 * Serializers were called "adapters" before; that word now names only the backend adapters
 * (`mvx-common/prometheus`, ...). The old names stay as deprecated aliases for one release.
 */
import type { LogVerbosityLevel } from '../payload-processor-like.ts';

/**
 * An object that owns its log representation. `toLogPayload` receives the processor's verbosity and
 * returns any value (usually a small plain object); the processor normalises that value like any
 * other. If it throws, the object is normalised by the built-in rules and a diagnostic
 * `payload.provider_failed` is reported.
 *
 * @example
 * ```ts
 * class Session implements LogPayloadProvider {
 *   constructor(readonly id: string, readonly userId: string, private readonly token: string) {}
 *   toLogPayload() { return { sessionId: this.id, userId: this.userId }; }
 * }
 * ```
 */
export interface LogPayloadProvider {
  toLogPayload(verbosity: LogVerbosityLevel): unknown;
}

/**
 * The log representation of one type, supplied from outside: called with the value and the
 * processor's verbosity; its result is normalised like any other value. A throwing serializer falls
 * back to the built-in rules (diagnostic `payload.adapter_failed`, a code kept from its old name).
 */
export type LogValueSerializer = (value: any, verbosity: LogVerbosityLevel) => unknown;

/**
 * Picks a serializer for a value (called for objects only, after the class registry found none);
 * `undefined` means "use the built-in rules". A throwing resolver counts as `undefined`
 * (diagnostic `payload.resolver_failed`).
 */
export type LogSerializerResolver = (value: object) => LogValueSerializer | undefined;

/** A class a serializer is registered for: matched against the prototype chain, most specific wins. */
export type LogSerializerClass = abstract new (...args: any[]) => unknown;

/** @deprecated Renamed {@link LogValueSerializer} (an "adapter" is a backend adapter); removed in the next release. */
export type LogAdapter = LogValueSerializer;
/** @deprecated Renamed {@link LogSerializerResolver}; removed in the next release. */
export type LogAdapterResolver = LogSerializerResolver;
/** @deprecated Renamed {@link LogSerializerClass}; removed in the next release. */
export type LogAdapterClass = LogSerializerClass;

/** Whether a value has a callable `toLogPayload` (never throws). */
export function isLogPayloadProvider(value: unknown): value is LogPayloadProvider {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { toLogPayload?: unknown }).toLogPayload === 'function';
  } catch {
    return false;
  }
}
