/**
 * The JSON-lines form of a {@link LogEvent}: one JSON object per event, no trailing newline.
 *
 * Fields, in this order (absent ones are omitted):
 *
 * | field | type | meaning |
 * | --- | --- | --- |
 * | `time` | string | ISO 8601 UTC time (ms precision) |
 * | `ts` | number | epoch milliseconds, sub-ms precision |
 * | `level` | number | numeric level (`LogLevel`) |
 * | `levelName` | string | `DEBUG`, `INFO`, ... or `INFO+5` for custom levels |
 * | `namespace` | string | the event's namespace (`''` for the root) |
 * | `event` | string | the event name (without the namespace) |
 * | `entityId` | string | the entity the event is about |
 * | `outcome` | string | `invoke`, `success`, `failed`, `cancelled` or a custom string |
 * | `source` | object | `{ filePath?, line?, functionName? }` |
 * | `trace_id`, `span_id`, `trace_flags`, ... | string | correlation ids, flattened (a key that would clash with a field above is skipped) |
 * | `payload` | object | the normalised payload |
 *
 * @module
 */
import type { LogEvent } from '../event.ts';
import { logLevelName } from '../level.ts';

const RESERVED = new Set(['time', 'ts', 'level', 'levelName', 'namespace', 'event', 'entityId', 'outcome', 'source', 'payload']);

/** ISO string of an epoch-ms timestamp; `'invalid-time'` when it is not a valid date. */
export function isoTime(ts: number): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? 'invalid-time' : d.toISOString();
}

/**
 * Formats one event as a single-line JSON object (no trailing newline). Never throws: when the
 * event cannot be serialised (a custom payload processor returned a BigInt or a cycle), a line
 * with the event's identity and a `formatError` field replaces it.
 */
export function formatJsonLine(event: LogEvent): string {
  try {
    const meta = event.meta;
    const out: Record<string, unknown> = {
      time: isoTime(event.timestamp),
      ts: event.timestamp,
      level: event.level,
      levelName: logLevelName(event.level),
      namespace: meta.namespace,
      event: meta.name,
    };
    if (meta.entityId !== undefined) out.entityId = meta.entityId;
    if (event.outcome !== undefined) out.outcome = event.outcome;
    if (meta.source !== undefined) out.source = meta.source;
    const corr = event.correlation;
    if (corr !== undefined) {
      for (const key of Object.keys(corr)) if (!RESERVED.has(key)) out[key] = corr[key];
    }
    out.payload = event.payload;
    return JSON.stringify(out);
  } catch (error) {
    return fallbackLine(event, error);
  }
}

function fallbackLine(event: LogEvent, error: unknown): string {
  try {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : 'unserialisable event';
    return JSON.stringify({
      time: isoTime(Number(event?.timestamp)),
      ts: typeof event?.timestamp === 'number' && Number.isFinite(event.timestamp) ? event.timestamp : null,
      level: typeof event?.level === 'number' && Number.isFinite(event.level) ? event.level : null,
      namespace: typeof event?.meta?.namespace === 'string' ? event.meta.namespace : null,
      event: typeof event?.meta?.name === 'string' ? event.meta.name : null,
      formatError: message,
    });
  } catch {
    return '{"formatError":"unserialisable event"}';
  }
}
