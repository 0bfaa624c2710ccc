/**
 * The event model: what a policy sees ({@link LogEventMeta}) and what a sink receives
 * ({@link LogEvent}).
 */
import type { JsonObject } from './json.ts';

/** Where an event was emitted from. Every field is optional. */
export interface LogSource {
  /** File path (absolute or relative to the working directory). */
  readonly filePath?: string;
  /** 1-based line number. */
  readonly line?: number;
  /** Function or method name (`Class.method` for methods). */
  readonly functionName?: string;
}

/**
 * The metadata of an event: everything a policy may select on besides level and outcome.
 */
export interface LogEventMeta {
  /** Dotted namespace of the emitting context; `''` for the root. */
  readonly namespace: string;
  /** Event name, e.g. `ldap.bind` or `started`. */
  readonly name: string;
  /** The entity the event is about (a connection id, a tenant), when there is one. */
  readonly entityId?: string;
  /** Source location, when known. */
  readonly source?: LogSource;
}

/**
 * The outcome of an event. `logInvocation` uses `invoke`, `success`, `failed` and `cancelled`;
 * manual events may use any string, or none.
 */
export type LogOutcome = 'invoke' | 'success' | 'failed' | 'cancelled' | (string & {});

/**
 * A finished, immutable event, as sinks receive it.
 */
export interface LogEvent {
  /** Numeric level (see `LogLevel`); custom numbers are allowed. */
  readonly level: number;
  /** Selection metadata. */
  readonly meta: LogEventMeta;
  /** The lifecycle outcome, if any. */
  readonly outcome?: LogOutcome;
  /** Wall-clock time in epoch milliseconds, with sub-millisecond precision where available. */
  readonly timestamp: number;
  /** The payload, already normalised by the context's payload processor: JSON-safe. */
  readonly payload: JsonObject;
  /**
   * Correlation ids from the active trace, when a correlation provider is registered
   * (the OpenTelemetry trace adapter registers one): `trace_id`, `span_id`, `trace_flags`.
   */
  readonly correlation?: Readonly<Record<string, string>>;
}

/**
 * The composed event key `namespace.name` (just `name` for the root namespace), as used by
 * pattern policies, readable output and the OpenTelemetry `eventName`.
 */
export function composeEventName(meta: Pick<LogEventMeta, 'namespace' | 'name'>): string {
  return meta.namespace ? `${meta.namespace}.${meta.name}` : meta.name;
}
