/**
 * The reference JSON-lines form of a {@link LogEvent} (fields and order in `json-line.ts`): an
 * object given to `JSON.stringify`. It defines the bytes; the writer every sink uses
 * (`json-line-writer.ts`) builds the same bytes faster and comes here for anything unusual. Kept
 * as the definition the writer's property test compares with.
 *
 * Internal: not re-exported.
 */
import type { LogEvent } from '../event.ts';
import { logLevelName } from '../level.ts';

/** The line's own fields: a correlation key with one of these names is skipped. */
export const RESERVED_JSON_FIELDS: ReadonlySet<string> = new Set(['time', 'ts', 'level', 'levelName', 'namespace', 'event', 'entityId', 'outcome', 'source', 'payload']);

/** ISO string of an epoch-ms timestamp; `'invalid-time'` when it is not a valid date. */
export function isoTime(ts: number): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? 'invalid-time' : d.toISOString();
}

/**
 * The reference line of one event (no trailing newline). Never throws: when the event cannot be
 * serialised (a custom payload processor returned a BigInt or a cycle), a line with the event's
 * identity and a `formatError` field replaces it.
 */
export function referenceJsonLine(event: LogEvent): string {
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
      for (const key of Object.keys(corr)) if (!RESERVED_JSON_FIELDS.has(key)) out[key] = corr[key];
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
