/**
 * LogEvent → OpenTelemetry log attributes.
 *
 * Layout (stable; documented in docs/otel.md):
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
import type { LogEvent } from '../../core/logger/event.ts';
import type { JsonObject, JsonValue } from '../../core/logger/json.ts';

/** Attribute names written by the OTel log sink (besides the payload's own fields). */
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
