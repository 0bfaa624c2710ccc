/**
 * A custom payload processor (the seed's redacting processor), written against
 * `LogPayloadProcessorLike` in a few lines, next to the built-in processor's own redaction.
 * Run: `npm run example -- custom-payload-processor`.
 *
 * Prefer smaller extension points first: `toLogPayload()` on your own classes, an adapter for
 * external ones; replace the processor only when the whole normalisation policy must change.
 */
import { LogPayloadProcessor, MemorySink, configureLogContext, getLogContext } from 'mvx-common';
import type { JsonObject, JsonValue, LogPayloadProcessorLike, NormalizeOptions } from 'mvx-common';

/** The seed's RedactingPayloadProcessor: top-level keys only, primitives kept, the rest as `<Type>`. */
class RedactingPayloadProcessor implements LogPayloadProcessorLike {
  static readonly sensitive = new Set(['password', 'token', 'secret']);

  normalizePayload(payload: unknown, options?: NormalizeOptions): JsonObject {
    const out: JsonObject = {};
    if (payload === null || typeof payload !== 'object') return out;
    for (const [key, value] of Object.entries(payload)) {
      out[key] = RedactingPayloadProcessor.sensitive.has(key.toLowerCase()) ? '<redacted>' : this.normalizeValueForLog(value, options);
    }
    return out;
  }

  normalizeValueForLog(value: unknown, _options?: NormalizeOptions): JsonValue {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as JsonValue;
    return `<${(value as object)?.constructor?.name ?? typeof value}>`;
  }

  getPlainVerbosityLevel(): string | undefined {
    return undefined;
  }
}

/** An object that owns its log representation (a LogPayloadProvider). */
class Session {
  readonly sessionId: string;
  readonly userId: string;
  readonly accessToken: string;
  constructor(sessionId: string, userId: string, accessToken: string) {
    this.sessionId = sessionId;
    this.userId = userId;
    this.accessToken = accessToken;
  }
  toLogPayload(): object {
    return { sessionId: this.sessionId, userId: this.userId, accessToken: this.accessToken };
  }
}

const sink = new MemorySink();
configureLogContext('custom', { sink, payloadProcessor: new RedactingPayloadProcessor() });
configureLogContext('builtin', { sink, payloadProcessor: new LogPayloadProcessor({ redact: { keys: ['ssn'] } }) });

const payload = { user: 'ann', password: 'hunter2', ssn: '078-05-1120', session: new Session('s-1', 'u-9', 'eyJ...') };
getLogContext('custom').info('login', payload);
getLogContext('builtin').info('login', payload);

for (const e of sink.events) process.stdout.write(`${e.meta.namespace}: ${JSON.stringify(e.payload)}\n`);
