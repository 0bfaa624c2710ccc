/**
 * `LogContext`'s payload methods, delegated to its effective payload processor: none of them
 * throws; a processor failure is counted in `stats.payloadFailures`, reported, and replaced with a
 * placeholder. Internal.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import type { LogPayloadProcessorLike, NormalizeOptions } from '../payload-processor-like.ts';
import { errorType, safeMessage } from './error-handling.ts';
import { notAPayload } from './event-options.ts';

/** Where a failure is counted and which namespace it is reported for. */
export interface DelegationSite {
  readonly namespace: string;
  readonly stats: { payloadFailures: number };
}

function isJsonObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function processorFailed(site: DelegationSite, what: string, error: unknown): void {
  site.stats.payloadFailures++;
  reportDiagnostic({
    component: 'LogContext',
    code: 'processor.failed',
    message: `the payload processor threw in ${what}; a placeholder is used`,
    error,
    details: { namespace: site.namespace },
  });
}

/**
 * `processor.normalizePayload`, or `{ payloadError: { type, message } }` when it throws or (a
 * custom processor, `builtIn` false) returns something other than a plain object.
 */
export function normalizePayloadWith(
  site: DelegationSite,
  processor: LogPayloadProcessorLike,
  builtIn: boolean,
  payload: unknown,
  options: NormalizeOptions | undefined,
): JsonObject {
  let out: JsonObject;
  try {
    out = processor.normalizePayload(payload, options);
  } catch (error) {
    processorFailed(site, 'normalizePayload', error);
    return { payloadError: { type: errorType(error), message: safeMessage(error) } };
  }
  // The built-in processor returns plain objects; a custom one is checked at the top level, so a
  // Proxy whose traps throw never reaches `buildLogEvent` (which freezes it) or a sink.
  const wrong = builtIn ? undefined : notAPayload(out);
  if (wrong === undefined) return out;
  const message = `the payload processor returned ${wrong}, not a plain object`;
  processorFailed(site, 'normalizePayload', new TypeError(message));
  return { payloadError: { type: 'TypeError', message } };
}

/** `processor.normalizeValueForLog`, or a placeholder string when it throws. */
export function normalizeValueWith(site: DelegationSite, processor: LogPayloadProcessorLike, value: unknown, options?: NormalizeOptions): JsonValue {
  try {
    return processor.normalizeValueForLog(value, options);
  } catch (error) {
    processorFailed(site, 'normalizeValueForLog', error);
    return '<unloggable value>';
  }
}

/** `processor.getPlainVerbosityLevel()`, `undefined` when it throws. */
export function plainVerbosityOf(site: DelegationSite, processor: LogPayloadProcessorLike): string | undefined {
  try {
    return processor.getPlainVerbosityLevel();
  } catch (error) {
    processorFailed(site, 'getPlainVerbosityLevel', error);
    return undefined;
  }
}

/**
 * A structured error payload: `processor.normalizeError(err)` when it has one, else
 * `normalizeValueForLog(err)` (an object is used as is; anything else becomes `{ type, message }`).
 */
export function errorPayloadWith(site: DelegationSite, processor: LogPayloadProcessorLike, err: unknown): JsonObject {
  try {
    if (typeof processor.normalizeError === 'function') return processor.normalizeError(err);
    const value = processor.normalizeValueForLog(err);
    if (isJsonObject(value)) return value;
    return { type: errorType(err), message: typeof value === 'string' ? value : safeMessage(err) };
  } catch (error) {
    processorFailed(site, 'buildErrorPayload', error);
    return { type: errorType(err), message: safeMessage(err) };
  }
}
