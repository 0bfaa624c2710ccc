/**
 * LogEvent → OpenTelemetry log record: {@link toOtelLogRecord}, a pure function (no SDK, no
 * state), so how an event becomes a record is read, changed and tested here, in one place.
 *
 * Record:
 * - `eventName`: the composed event name (`namespace.name`);
 * - `severityNumber` / `severityText`: by the OTel ranges (`severity.ts`);
 * - `timestamp`: the event's time as `HrTime` (a small epoch-ms number would be read by the SDK as
 *   a `performance.now()` offset);
 * - `body`: `'summary'` = the event name, then the outcome when there is one
 *   (`storage.save success`), for backends that show the body as the log line; `'none'` leaves it
 *   empty;
 * - `context`: the active context, or one rebuilt from `event.correlation` when the event is
 *   delivered outside its span (behind a queue), so the record keeps its trace and span ids.
 *
 * Attributes (stable; documented in docs/otel.md):
 * - payload fields at the top level, as they are (OTel log attributes may nest: maps, arrays), the
 *   way the official pino/winston/bunyan appenders map a record's fields;
 * - `error` in the payload (the payload processor's error object `{ type, message, stack, ... }`,
 *   or a string) → the semantic-convention attributes `exception.type`, `exception.message`,
 *   `exception.stacktrace`; what else the error object holds (`code`, `details`, `cause`, ...)
 *   stays under `error`;
 * - `mvx.namespace`, `mvx.outcome`, `mvx.entity_id`: the event's own metadata (no semantic
 *   convention exists for them, so they live under the library's namespace, as the OTel naming
 *   rules ask for custom attributes); omitted when absent or empty;
 * - `code.function.name`, `code.file.path`, `code.line.number` from the event's source (stable
 *   semantic conventions since semconv 1.30; the older `code.function`/`code.filepath`/`code.lineno`
 *   are deprecated).
 * - correlation ids of a custom correlation provider (`request_id`, ...), as they are; the trace ids
 *   (`trace_id`, `span_id`, `trace_flags`) are not copied: the record carries them natively.
 * These keys are written after the payload, so they win over payload fields of the same name.
 */
import * as otelApi from '@opentelemetry/api';
import { context as contextApi, trace, type Context } from '@opentelemetry/api';
import { epochMsToHrTime } from '../../adapter-kit/index.ts';
import { composeEventName } from '../../index.ts';
import type { JsonObject, JsonValue, LogEvent } from '../../index.ts';
import { severityNumberOf, severityTextOf } from './severity.ts';

/**
 * The log record this adapter emits: the `LogRecord` of `@opentelemetry/api` ≥ 1.10 (and of
 * `@opentelemetry/api-logs` ≥ 0.212), written structurally so both lines fit.
 */
export interface OtelLogRecord {
  eventName?: string;
  /** Always an `HrTime` here: a small epoch-ms number would be read as a `performance.now()` offset. */
  timestamp?: otelApi.HrTime;
  severityNumber?: number;
  severityText?: string;
  body?: unknown;
  attributes?: Record<string, unknown>;
  exception?: unknown;
  context?: Context;
}

/** Options of {@link toOtelLogRecord}. */
export interface OtelLogRecordOptions {
  /** The record's body (see the module comment). @default 'summary' */
  readonly body?: 'summary' | 'none';
  /** The composed event name, when the caller has it already. @default composeEventName(event.meta) */
  readonly eventName?: string;
  /** The record's context, when the caller has it already. @default logRecordContext(event) */
  readonly context?: Context;
}

/**
 * Maps one event to an OpenTelemetry log record (a new object; the event is not changed). Pure:
 * reads only the event, the options and the active OTel context.
 */
export function toOtelLogRecord(event: LogEvent, options: OtelLogRecordOptions = {}): OtelLogRecord {
  const eventName = options.eventName ?? composeEventName(event.meta);
  // One object literal with every field (body possibly undefined): one shape for the SDK's spread.
  return {
    eventName,
    timestamp: epochMsToHrTime(event.timestamp),
    severityNumber: severityNumberOf(event.level),
    severityText: severityTextOf(event.level),
    body: options.body === 'none' ? undefined : event.outcome === undefined ? eventName : `${eventName} ${event.outcome}`,
    attributes: attributesOf(event),
    context: options.context ?? logRecordContext(event),
  };
}

/**
 * The context of an event's record: the active one when its span is the event's (the usual,
 * synchronous case), else a context rebuilt from the event's correlation ids, so records delivered
 * behind a queue (outside the span's async scope) still carry the right trace and span ids.
 */
export function logRecordContext(event: LogEvent): Context {
  const active = contextApi.active();
  const correlation = event.correlation;
  if (correlation === undefined) return active;
  const traceId = correlation['trace_id'];
  const spanId = correlation['span_id'];
  if (traceId === undefined || spanId === undefined) return active;
  const current = trace.getSpanContext(active);
  if (current !== undefined && current.spanId === spanId && current.traceId === traceId) return active;
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(correlation['trace_flags'] ?? '0', 16) || 0, isRemote: true };
  return otelApi.isSpanContextValid(spanContext) ? trace.setSpanContext(active, spanContext) : active;
}

/** Attribute names written on a record (besides the payload's own fields). */
export const OtelLogAttribute = {
  NAMESPACE: 'mvx.namespace',
  OUTCOME: 'mvx.outcome',
  ENTITY_ID: 'mvx.entity_id',
  CODE_FUNCTION_NAME: 'code.function.name',
  CODE_FILE_PATH: 'code.file.path',
  CODE_LINE_NUMBER: 'code.line.number',
  EXCEPTION_TYPE: 'exception.type',
  EXCEPTION_MESSAGE: 'exception.message',
  EXCEPTION_STACKTRACE: 'exception.stacktrace',
} as const;

/** Keys of the payload processor's error object that become `exception.*` attributes. */
const ERROR_TYPE_KEYS = ['type', 'kind', 'name'] as const;

/** Builds the attribute map of one event (a new object; the event is not changed). */
export function attributesOf(event: LogEvent): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  const payload = event.payload;
  let error: JsonValue | undefined;
  for (const key in payload) {
    if (key === 'error') error = payload[key];
    else attrs[key] = payload[key];
  }
  if (error !== undefined) addError(attrs, error);
  const meta = event.meta;
  if (meta.namespace) attrs[OtelLogAttribute.NAMESPACE] = meta.namespace;
  if (event.outcome !== undefined) attrs[OtelLogAttribute.OUTCOME] = event.outcome;
  if (meta.entityId !== undefined) attrs[OtelLogAttribute.ENTITY_ID] = meta.entityId;
  const source = meta.source;
  if (source !== undefined) {
    if (source.functionName !== undefined) attrs[OtelLogAttribute.CODE_FUNCTION_NAME] = source.functionName;
    if (source.filePath !== undefined) attrs[OtelLogAttribute.CODE_FILE_PATH] = source.filePath;
    if (source.line !== undefined) attrs[OtelLogAttribute.CODE_LINE_NUMBER] = source.line;
  }
  const correlation = event.correlation;
  if (correlation !== undefined) {
    // Trace ids travel in the record's context; other ids of a custom provider become attributes.
    for (const key in correlation) if (!TRACE_KEYS.has(key)) attrs[key] = correlation[key];
  }
  return attrs;
}

const TRACE_KEYS: ReadonlySet<string> = new Set(['trace_id', 'span_id', 'trace_flags']);

function addError(attrs: Record<string, unknown>, error: JsonValue): void {
  if (typeof error === 'string') {
    attrs[OtelLogAttribute.EXCEPTION_MESSAGE] = error;
    return;
  }
  if (error === null || typeof error !== 'object' || Array.isArray(error)) {
    attrs['error'] = error;
    return;
  }
  const rest: JsonObject = {};
  let restCount = 0;
  let type: string | undefined;
  for (const key in error) {
    const value = error[key]!;
    if (type === undefined && typeof value === 'string' && (ERROR_TYPE_KEYS as readonly string[]).includes(key)) {
      type = value;
    } else if (key === 'message' && typeof value === 'string') {
      attrs[OtelLogAttribute.EXCEPTION_MESSAGE] = value;
    } else if (key === 'stack' && typeof value === 'string') {
      attrs[OtelLogAttribute.EXCEPTION_STACKTRACE] = value;
    } else {
      rest[key] = value;
      restCount++;
    }
  }
  // No type/kind/name: fall back to the error code, as the SDK's own `exception` mapping does.
  if (type === undefined && typeof error['code'] === 'string') type = error['code'];
  if (type !== undefined) attrs[OtelLogAttribute.EXCEPTION_TYPE] = type;
  if (restCount > 0) attrs['error'] = rest;
}
