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

// Control characters are exactly what these patterns look for.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f\u2028\u2029]/g;

/**
 * Escapes control characters (`\n` → `\\n`, others as `\\uXXXX`) in a metadata field, so that an
 * entity id, name or path taken from input cannot forge or split lines in a readable log.
 */
function oneLine(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROL_ALL, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * Formats one event as a readable line (no trailing newline). Metadata fields are kept on one line
 * (control characters escaped); the payload is compact JSON, which escapes them itself. Never throws.
 */
export function formatReadable(event: LogEvent, options: ReadableFormatOptions = {}): string {
  try {
    const c = options.colors === true;
    const meta = event.meta;
    const level = logLevelName(event.level).padEnd(8);
    const parts: string[] = [
      c ? `${DIM}${isoTime(event.timestamp)}${RESET}` : isoTime(event.timestamp),
      c ? `${levelColor(event.level)}${level}${RESET}` : level,
      c ? `${BOLD}${oneLine(composeEventName(meta))}${RESET}` : oneLine(composeEventName(meta)),
    ];
    if (meta.entityId !== undefined) parts.push(`entity=${oneLine(meta.entityId)}`);
    if (event.outcome !== undefined) parts.push(`[${oneLine(event.outcome)}]`);
    if (event.payload !== undefined && Object.keys(event.payload).length > 0) parts.push(compactJson(event.payload));
    const traceId = event.correlation?.trace_id;
    if (traceId !== undefined) parts.push(c ? `${DIM}trace=${oneLine(traceId)}${RESET}` : `trace=${oneLine(traceId)}`);
    const src = meta.source;
    if (src !== undefined && (src.filePath !== undefined || src.functionName !== undefined)) {
      const loc = `${oneLine(src.filePath ?? '?')}${src.line !== undefined ? `:${src.line}` : ''}`;
      const text = `(${loc}${src.functionName !== undefined ? ` ${oneLine(src.functionName)}` : ''})`;
      parts.push(c ? `${DIM}${text}${RESET}` : text);
    }
    return parts.join(' ');
  } catch {
    return `<unformattable event ${String(event?.meta?.name)}>`;
  }
}
