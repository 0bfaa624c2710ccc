/** A tiny, real payload processor for LogContext tests: records calls, keeps JSON-safe copies. */
import type { JsonObject, JsonValue } from '../../../../src/core/logger/json.ts';
import type { LogPayloadProcessorLike, NormalizeOptions } from '../../../../src/core/logger/payload-processor-like.ts';

export class RecordingProcessor implements LogPayloadProcessorLike {
  readonly calls: { method: string; value: unknown; options: NormalizeOptions | undefined }[] = [];
  readonly verbosity: string | undefined;
  readonly tag: string;
  constructor(verbosity: string | undefined = 'NORMAL', tag = 'p') {
    this.verbosity = verbosity;
    this.tag = tag;
  }

  normalizePayload(payload: unknown, options?: NormalizeOptions): JsonObject {
    this.calls.push({ method: 'normalizePayload', value: payload, options });
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return {};
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(payload)) out[k] = this.normalizeValueForLog(v, options);
    out.__by = this.tag;
    return out;
  }

  normalizeValueForLog(value: unknown, options?: NormalizeOptions): JsonValue {
    this.calls.push({ method: 'normalizeValueForLog', value, options });
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
    if (value instanceof Error) return { type: value.name, message: value.message };
    try {
      return JSON.parse(JSON.stringify(value)) as JsonValue;
    } catch {
      return `<${typeof value}>`;
    }
  }

  getPlainVerbosityLevel(): string | undefined {
    return this.verbosity;
  }
}
