/**
 * The per-call options of a logging call (`{ outcome, entityId, source, namespace, sampleKey }`), read once,
 * validated and bounded before the policy or a sink sees them. Internal to `LogContext`.
 *
 * - Every metadata string (event name, namespace, entity id, outcome, `source.filePath`,
 *   `source.functionName`) longer than {@link LOG_METADATA_MAX_LENGTH} is cut to it and ends with
 *   `…[+N chars]` (the payload processor's marker).
 * - `outcome`: a string; a number, BigInt or boolean becomes its text; anything else (an object,
 *   a function, a symbol) is left out and reported.
 * - `source`: only `filePath` (a string), `line` (a finite number) and `functionName` (a string)
 *   are copied; other keys are never read, values of another type are left out and reported, a
 *   `source` that is not an object is left out and reported.
 * - `entityId`: a string; another value becomes `String(value)` (left out when that throws).
 * - `namespace`: a string; another value is left out (the context's namespace is used) and reported.
 * - Reading the options throws (a throwing getter, a Proxy trap): {@link readEventOptions} gives
 *   `undefined` and the caller drops the event (counted and reported).
 *
 * Also here: the check of a custom payload processor's result ({@link notAPayload}).
 *
 * @module
 */
import { types as utilTypes } from 'node:util';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEventMeta, LogOutcome, LogSource } from '../event.ts';
import { truncateString } from '../payload/markers.ts';

/**
 * Longest metadata string kept, in UTF-16 code units: event name, namespace, entity id, outcome,
 * `source.filePath`, `source.functionName`. Longer ones are cut and end with `…[+N chars]`.
 */
export const LOG_METADATA_MAX_LENGTH = 256;

/** A metadata string, cut to {@link LOG_METADATA_MAX_LENGTH}. */
export function boundMetadata(s: string): string {
  return s.length > LOG_METADATA_MAX_LENGTH ? truncateString(s, LOG_METADATA_MAX_LENGTH) : s;
}

/** What a logging call's options resolve to. */
export interface EventOptionValues {
  namespace: string;
  entityId: string | undefined;
  source: LogSource | undefined;
  outcome: LogOutcome | undefined;
  /** Only for sampling keys; never in the event. */
  sampleKey: string | undefined;
}

function metadataProblem(namespace: string, field: string, got: string): void {
  reportDiagnostic({
    component: 'LogContext',
    code: 'call.metadata',
    message: `the ${field} option must be ${field === 'source' ? 'an object { filePath?, line?, functionName? }' : 'a string'}, got ${got}; it is left out`,
    details: { namespace, field },
  });
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** `String(value)`, or `undefined` when that throws (a hostile `toString`). */
function stringOrUndefined(value: unknown): string | undefined {
  try {
    return String(value);
  } catch {
    return undefined;
  }
}

function readSource(value: unknown, namespace: string): LogSource | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') {
    metadataProblem(namespace, 'source', kind(value));
    return undefined;
  }
  const s = value as { filePath?: unknown; line?: unknown; functionName?: unknown };
  const out: { filePath?: string; line?: number; functionName?: string } = {};
  const filePath = s.filePath;
  const line = s.line;
  const functionName = s.functionName;
  if (typeof filePath === 'string') out.filePath = boundMetadata(filePath);
  else if (filePath !== undefined) metadataProblem(namespace, 'source.filePath', kind(filePath));
  if (typeof line === 'number' && Number.isFinite(line)) out.line = line;
  else if (line !== undefined) metadataProblem(namespace, 'source.line', kind(line));
  if (typeof functionName === 'string') out.functionName = boundMetadata(functionName);
  else if (functionName !== undefined) metadataProblem(namespace, 'source.functionName', kind(functionName));
  return out;
}

function readOutcome(value: unknown, namespace: string): LogOutcome | undefined {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
      return boundMetadata(value);
    case 'number':
    case 'bigint':
    case 'boolean':
      return boundMetadata(String(value));
    default:
      if (value !== null) metadataProblem(namespace, 'outcome', kind(value));
      return undefined;
  }
}

/**
 * Reads `options` (each field once) against the context's namespace. `undefined` when reading
 * throws: the caller drops the event. `null` counts as no options (JavaScript callers).
 */
export function readEventOptions(options: object | null | undefined, contextNamespace: string): EventOptionValues | undefined {
  const out: EventOptionValues = { namespace: contextNamespace, entityId: undefined, source: undefined, outcome: undefined, sampleKey: undefined };
  if (options === undefined || options === null) return out;
  try {
    const o = options as { namespace?: unknown; entityId?: unknown; source?: unknown; outcome?: unknown; sampleKey?: unknown };
    const namespace = o.namespace;
    if (typeof namespace === 'string') out.namespace = boundMetadata(namespace);
    else if (namespace !== undefined && namespace !== null) metadataProblem(contextNamespace, 'namespace', kind(namespace));
    const entityId = o.entityId;
    if (entityId !== undefined && entityId !== null) {
      const id = typeof entityId === 'string' ? entityId : stringOrUndefined(entityId);
      if (id !== undefined) out.entityId = boundMetadata(id);
    }
    out.source = readSource(o.source, contextNamespace);
    out.outcome = readOutcome(o.outcome, contextNamespace);
    const sampleKey = o.sampleKey;
    if (sampleKey !== undefined && sampleKey !== null) {
      const k = typeof sampleKey === 'string' ? sampleKey : stringOrUndefined(sampleKey);
      if (k !== undefined) out.sampleKey = boundMetadata(k);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Reports options that could not be read by a call that answers rather than drops; returns `false`. */
export function reportUnreadableOptions(namespace: string, call: string): false {
  reportDiagnostic({
    component: 'LogContext',
    code: 'call.invalid',
    message: `${call}: its options or metadata could not be read (a getter or Proxy trap threw); answered false`,
    details: { namespace },
  });
  return false;
}

/**
 * What is wrong with a custom payload processor's result (`'a Proxy'`, `'an array'`, `'string'`),
 * or `undefined` for a plain object. A Proxy is refused whatever its traps do: they could throw
 * later, when the event is frozen or a sink serialises it. Never throws.
 */
export function notAPayload(v: unknown): string | undefined {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (utilTypes.isProxy(v)) return 'a Proxy';
  return Array.isArray(v) ? 'an array' : undefined;
}

/** The event metadata from a (bounded) name and options read by {@link readEventOptions}. */
export function metaFromOptions(name: string, o: EventOptionValues): LogEventMeta {
  const meta: { namespace: string; name: string; entityId?: string; source?: LogSource } = { namespace: o.namespace, name };
  if (o.entityId !== undefined) meta.entityId = o.entityId;
  if (o.source !== undefined) meta.source = o.source;
  return meta;
}
