/**
 * The seed's `RedactingPayloadProcessor` ("project-wide redaction rules"), written against
 * `LogPayloadProcessorLike` in a few lines by delegating the hard parts to the built-in processor.
 */
import { describe, expect, it } from 'vitest';
import { LogPayloadProcessor } from '../../../../src/index.ts';
import type { JsonObject, JsonValue, LogPayloadProcessorLike, NormalizeOptions } from '../../../../src/index.ts';

/** Redacts `password`, `token` and `secret` (exact names, any case) at every level, as `<redacted>`. */
class RedactingPayloadProcessor implements LogPayloadProcessorLike {
  private readonly inner = new LogPayloadProcessor({
    redact: { mode: 'replace', keys: [/^(password|token|secret)$/i] },
    redactedValue: '<redacted>',
  });
  normalizePayload(payload: unknown, options?: NormalizeOptions): JsonObject {
    return this.inner.normalizePayload(payload, options);
  }
  normalizeValueForLog(value: unknown, options?: NormalizeOptions): JsonValue {
    return this.inner.normalizeValueForLog(value, options);
  }
  getPlainVerbosityLevel(): string | undefined {
    return this.inner.getPlainVerbosityLevel();
  }
}

/** The same rule written from scratch: the seed's shallow version, for comparison. */
class ShallowRedactingPayloadProcessor implements LogPayloadProcessorLike {
  private static readonly sensitive = new Set(['password', 'token', 'secret']);
  normalizePayload(payload: unknown): JsonObject {
    if (payload === null || typeof payload !== 'object') return {};
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(payload)) {
      out[k] = ShallowRedactingPayloadProcessor.sensitive.has(k.toLowerCase()) ? '<redacted>' : this.normalizeValueForLog(v);
    }
    return out;
  }
  normalizeValueForLog(value: unknown): JsonValue {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
    return `<${typeof value}>`;
  }
  getPlainVerbosityLevel(): undefined {
    return undefined;
  }
}

describe('a custom processor against LogPayloadProcessorLike', () => {
  it('the delegating redacting processor redacts exact names at every level and keeps the rest', () => {
    const p: LogPayloadProcessorLike = new RedactingPayloadProcessor();
    expect(p.normalizePayload({ user: 'ann', Token: 't', nested: [{ secret: 's', apiKey: 'kept' }] })).toEqual({
      user: 'ann',
      Token: '<redacted>',
      nested: [{ secret: '<redacted>', apiKey: 'kept' }],
    });
    expect(p.getPlainVerbosityLevel()).toBe('NORMAL');
    expect(p.normalizeValueForLog(new Map([['password', 1]]))).toEqual({ password: '<redacted>' });
  });

  it('the from-scratch version satisfies the same interface (top level only, no verbosity)', () => {
    const p: LogPayloadProcessorLike = new ShallowRedactingPayloadProcessor();
    expect(p.normalizePayload({ password: 'x', n: 1, deep: { a: 1 } })).toEqual({ password: '<redacted>', n: 1, deep: '<object>' });
    expect(p.normalizePayload('no')).toEqual({});
    expect(p.getPlainVerbosityLevel()).toBeUndefined();
  });
});
