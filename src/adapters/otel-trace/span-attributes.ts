/**
 * `logInvocation` call → span attributes: {@link toSpanAttributes} for the start of a call,
 * {@link toSpanOutcome} for its end. Pure functions; the tracing observer keeps the span's
 * lifecycle.
 *
 * Span (and metric) attributes must be flat: a primitive or a homogeneous array of primitives
 * (OTel common spec, "Attribute"). The invoke payload's nested objects are flattened with dotted
 * keys (`kwargs.user.id`), bounded in depth and count; what cannot be flattened is written as
 * bounded JSON text; `null` is skipped (not a valid attribute value).
 */
import { SpanStatusCode, type Attributes, type AttributeValue, type SpanStatus } from '@opentelemetry/api';
import type { InvocationEnd, InvocationStart, JsonObject, JsonValue } from '../../index.ts';

/** Attribute names set on spans besides the flattened invoke payload. */
export const OtelSpanAttribute = {
  NAMESPACE: 'mvx.namespace',
  ENTITY_ID: 'mvx.entity_id',
  OUTCOME: 'mvx.outcome',
  /** Invoke-payload attributes that did not fit `maxAttributes`. */
  ATTRIBUTES_DROPPED: 'mvx.attributes_dropped',
  CODE_FUNCTION_NAME: 'code.function.name',
  /** Semantic convention: the class of error the operation ended with (set on `failed`). */
  ERROR_TYPE: 'error.type',
  EXCEPTION_TYPE: 'exception.type',
  EXCEPTION_MESSAGE: 'exception.message',
} as const;

/**
 * The attributes of a call's span at its start: `mvx.namespace`, `mvx.entity_id`,
 * `code.function.name`, and the normalised invoke payload flattened (`kwargs.id`), at most
 * `limits.maxAttributes` of them (the number left out in `mvx.attributes_dropped`).
 */
export function toSpanAttributes(start: InvocationStart, limits: FlattenLimits): Attributes {
  const meta = start.meta;
  const attributes: Attributes = {};
  if (meta.namespace) attributes[OtelSpanAttribute.NAMESPACE] = meta.namespace;
  if (meta.entityId !== undefined) attributes[OtelSpanAttribute.ENTITY_ID] = meta.entityId;
  const fn = meta.source?.functionName;
  if (fn !== undefined) attributes[OtelSpanAttribute.CODE_FUNCTION_NAME] = fn;
  if (start.invokePayload !== undefined) {
    const dropped = flattenPayload(start.invokePayload, attributes, limits);
    if (dropped > 0) attributes[OtelSpanAttribute.ATTRIBUTES_DROPPED] = dropped;
  }
  return attributes;
}

/** What a call's end sets on its span: attributes, and a status when the call failed. */
export interface SpanOutcome {
  readonly attributes: Attributes;
  /** ERROR with the error's message on `failed`; absent otherwise (instrumentation leaves success UNSET). */
  readonly status?: SpanStatus;
  /** On `failed`: what `span.recordException` gets when that option is on. */
  readonly exception?: Error | { name: string; message?: string };
}

/**
 * The end of a call: `mvx.outcome`; on `failed` also status ERROR with the error's message,
 * `error.type` and `exception.type` (the error's class name, `_OTHER` when unknown: low
 * cardinality, per the semantic conventions) and `exception.message`. A `cancelled` call is not an
 * error: the caller's decision (an abort, a time-out upstream), not a failure of the operation.
 */
export function toSpanOutcome(end: InvocationEnd): SpanOutcome {
  if (end.outcome !== 'failed') return { attributes: { [OtelSpanAttribute.OUTCOME]: end.outcome } };
  const { type, message } = describeError(end.error);
  const attributes: Attributes = {
    [OtelSpanAttribute.OUTCOME]: end.outcome,
    [OtelSpanAttribute.ERROR_TYPE]: type,
    [OtelSpanAttribute.EXCEPTION_TYPE]: type,
  };
  if (message !== undefined) attributes[OtelSpanAttribute.EXCEPTION_MESSAGE] = message;
  return {
    attributes,
    status: message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message },
    exception: end.error instanceof Error ? end.error : { name: type, ...(message === undefined ? {} : { message }) },
  };
}

/** The error's class name (semconv `error.type`: low cardinality, `_OTHER` when unknown) and message. */
function describeError(error: unknown): { type: string; message: string | undefined } {
  if (error instanceof Error) return { type: error.name || error.constructor.name || '_OTHER', message: error.message || undefined };
  if (typeof error === 'string') return { type: '_OTHER', message: error };
  if (error !== null && typeof error === 'object') {
    const e = error as { name?: unknown; message?: unknown };
    return {
      type: typeof e.name === 'string' && e.name !== '' ? e.name : '_OTHER',
      message: typeof e.message === 'string' ? e.message : undefined,
    };
  }
  return { type: '_OTHER', message: error === undefined ? undefined : safeString(error) };
}

function safeString(value: unknown): string | undefined {
  try {
    return String(value);
  } catch {
    return undefined;
  }
}

/** Limits of {@link flattenPayload}. */
export interface FlattenLimits {
  /** Maximum attributes produced; the rest are counted as dropped. */
  readonly maxAttributes: number;
  /** Maximum object nesting flattened into dotted keys; deeper values become JSON text. */
  readonly maxDepth: number;
  /** Maximum length of a JSON-text value, in UTF-16 units (longer ones end with `…`). */
  readonly maxJsonLength: number;
}

/**
 * Adds the flattened `payload` to `out` under `prefix` (`''` for the top level), at most
 * `maxAttributes` of them. Returns the number that did not fit.
 */
export function flattenPayload(payload: JsonObject, out: Attributes, limits: FlattenLimits, prefix = ''): number {
  const state = { count: 0, dropped: 0 };
  walk(payload, prefix, 1, out, limits, state);
  return state.dropped;
}

interface State {
  count: number;
  dropped: number;
}

function walk(obj: JsonObject, prefix: string, depth: number, out: Attributes, limits: FlattenLimits, state: State): void {
  for (const key in obj) {
    const value = obj[key]!;
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (value === null) continue;
    if (typeof value === 'object' && !Array.isArray(value) && depth < limits.maxDepth) {
      walk(value, name, depth + 1, out, limits, state);
      continue;
    }
    const attr = toAttributeValue(value, limits);
    if (attr === undefined) continue;
    if (state.count >= limits.maxAttributes) {
      state.dropped++;
      continue;
    }
    out[name] = attr;
    state.count++;
  }
}

function toAttributeValue(value: JsonValue, limits: FlattenLimits): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    default:
      break;
  }
  if (Array.isArray(value) && isHomogeneousPrimitiveArray(value)) return value as AttributeValue;
  return boundedJson(value, limits.maxJsonLength);
}

function isHomogeneousPrimitiveArray(values: readonly JsonValue[]): boolean {
  if (values.length === 0) return true;
  const type = typeof values[0];
  if (type !== 'string' && type !== 'number' && type !== 'boolean') return false;
  for (let i = 1; i < values.length; i++) if (typeof values[i] !== type) return false;
  return true;
}

function boundedJson(value: JsonValue, max: number): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return '<unserialisable>';
  }
  if (text.length <= max) return text;
  let end = max - 1;
  // Do not cut between the halves of a surrogate pair: a lone surrogate is not valid text.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
