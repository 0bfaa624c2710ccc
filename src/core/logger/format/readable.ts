/**
 * The readable one-line form of a {@link LogEvent}, for terminals:
 *
 * ```
 * 2026-11-21T08:00:00.123Z INFO     app.db.connected entity=db-1 [success] {"ms":12}
 * ```
 *
 * Time (ISO), level name (padded to 8), `namespace.event`, `entity=<id>` when there is one,
 * `[outcome]` when there is one, the compact JSON payload when it is not empty, `trace=<trace_id>`
 * when correlated, and `(file:line function)` when a source is known. ANSI colours only when asked.
 *
 * @module
 */
import { composeEventName } from '../event.ts';
import type { LogEvent } from '../event.ts';
import { logLevelName } from '../level.ts';
import { isoTime } from './json-line.ts';

/** Options of {@link formatReadable}. */
export interface ReadableFormatOptions {
  /** Use ANSI colours (level by severity, event name in bold, details dimmed). @default false */
  colors?: boolean;
}

const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';

function levelColor(level: number): string {
  if (level >= 50) return '\x1b[1;35m';
  if (level >= 40) return '\x1b[31m';
  if (level >= 30) return '\x1b[33m';
  if (level >= 20) return '\x1b[32m';
  return '\x1b[90m';
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '<unserialisable payload>';
  }
}

/** Formats one event as a readable line (no trailing newline). Never throws. */
export function formatReadable(event: LogEvent, options: ReadableFormatOptions = {}): string {
  try {
    const c = options.colors === true;
    const meta = event.meta;
    const level = logLevelName(event.level).padEnd(8);
    const parts: string[] = [
      c ? `${DIM}${isoTime(event.timestamp)}${RESET}` : isoTime(event.timestamp),
      c ? `${levelColor(event.level)}${level}${RESET}` : level,
      c ? `${BOLD}${composeEventName(meta)}${RESET}` : composeEventName(meta),
    ];
    if (meta.entityId !== undefined) parts.push(`entity=${meta.entityId}`);
    if (event.outcome !== undefined) parts.push(`[${event.outcome}]`);
    if (event.payload !== undefined && Object.keys(event.payload).length > 0) parts.push(compactJson(event.payload));
    const traceId = event.correlation?.trace_id;
    if (traceId !== undefined) parts.push(c ? `${DIM}trace=${traceId}${RESET}` : `trace=${traceId}`);
    const src = meta.source;
    if (src !== undefined && (src.filePath !== undefined || src.functionName !== undefined)) {
      const loc = `${src.filePath ?? '?'}${src.line !== undefined ? `:${src.line}` : ''}`;
      const text = `(${loc}${src.functionName !== undefined ? ` ${src.functionName}` : ''})`;
      parts.push(c ? `${DIM}${text}${RESET}` : text);
    }
    return parts.join(' ');
  } catch {
    return `<unformattable event ${String(event?.meta?.name)}>`;
  }
}
