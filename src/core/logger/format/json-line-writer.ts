/**
 * The one JSON-lines writer of every sink (`formatJsonLine`, hence `ConsoleSink` in JSON, and
 * `FileSink`): the exact bytes of the reference form (`referenceJsonLine` in `json-line.ts`, an
 * object given to `JSON.stringify`; a property test checks it against arbitrary events), built as
 * a string from the parts that change.
 *
 * Why: `Date#toISOString` is the single most expensive step of a line (more than serialising a
 * small payload), and most events share their millisecond with the one before, so the ISO string
 * is cached per millisecond; the level/namespace/event part is the same for runs of events from
 * one call site, so it is cached too; and building the intermediate object costs more than the
 * string. Anything unusual (a hand-built event with missing or mistyped fields, a correlation key
 * that `JSON.stringify` would order or treat differently, a value that does not serialise) takes
 * the reference path, whose fallback line names the problem.
 *
 * Internal: not re-exported (the public form is `formatJsonLine`).
 */
import type { LogEvent } from '../event.ts';
import { logLevelName } from '../level.ts';
import { RESERVED_JSON_FIELDS, referenceJsonLine } from './json-line-reference.ts';

const LEVEL_NAMES = new Map<number, string>();

/** `,"key":"value"` for each correlation entry the reference keeps; `undefined` when a key or value needs the reference path. */
function correlationPart(corr: Readonly<Record<string, string>>): string | undefined {
  let out = '';
  for (const key of Object.keys(corr)) {
    if (RESERVED_JSON_FIELDS.has(key)) continue;
    const c = key.charCodeAt(0);
    // An array-index key is ordered first by JSON.stringify, `__proto__` is not an own key of the reference's object.
    if ((c >= 48 && c <= 57) || key === '__proto__') return undefined;
    const value = corr[key];
    if (typeof value !== 'string') return undefined;
    out += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  return out;
}

/**
 * Returns a formatter with its own caches (one ISO time, one level/namespace/event part); pure:
 * the caches only ever hold what the inputs give again.
 */
export function createJsonLineFormatter(): (event: LogEvent) => string {
  let cachedMs = Number.NaN;
  let cachedIso = '';
  let lastLevel = Number.NaN;
  let lastNamespace = '';
  let lastName = '';
  let middle = '';
  return (event: LogEvent): string => {
    const meta = event.meta;
    if (meta === null || typeof meta !== 'object') return referenceJsonLine(event);
    const ts = event.timestamp;
    const level = event.level;
    // Anything unusual (a hand-built event with missing or mistyped fields) takes the reference path.
    if (typeof ts !== 'number' || typeof level !== 'number' || typeof meta.namespace !== 'string' || typeof meta.name !== 'string') return referenceJsonLine(event);
    if ((meta.entityId !== undefined && typeof meta.entityId !== 'string') || (event.outcome !== undefined && typeof event.outcome !== 'string')) return referenceJsonLine(event);
    try {
      const ms = Math.trunc(ts); // Date keeps whole milliseconds (TimeClip truncates)
      if (ms !== cachedMs) {
        const d = new Date(ts);
        cachedIso = Number.isNaN(d.getTime()) ? 'invalid-time' : d.toISOString();
        cachedMs = ms;
      }
      if (level !== lastLevel || meta.namespace !== lastNamespace || meta.name !== lastName) {
        let levelName = LEVEL_NAMES.get(level);
        if (levelName === undefined) {
          levelName = JSON.stringify(logLevelName(level));
          if (LEVEL_NAMES.size < 256) LEVEL_NAMES.set(level, levelName);
        }
        // JSON.stringify of each value keeps the escaping and number rules of the reference output.
        middle = `,"level":${JSON.stringify(level)},"levelName":${levelName},"namespace":${JSON.stringify(meta.namespace)},"event":${JSON.stringify(meta.name)}`;
        lastLevel = level;
        lastNamespace = meta.namespace;
        lastName = meta.name;
      }
      // For a finite number String() and JSON.stringify() agree; JSON has no NaN/Infinity (null).
      let line = `{"time":"${cachedIso}","ts":${Number.isFinite(ts) ? String(ts) : 'null'}${middle}`;
      if (meta.entityId !== undefined) line += `,"entityId":${JSON.stringify(meta.entityId)}`;
      if (event.outcome !== undefined) line += `,"outcome":${JSON.stringify(event.outcome)}`;
      const source = meta.source;
      if (source !== undefined) {
        const s = JSON.stringify(source);
        if (s === undefined) return referenceJsonLine(event);
        line += `,"source":${s}`;
      }
      const corr = event.correlation;
      if (corr !== undefined) {
        const c = correlationPart(corr);
        if (c === undefined) return referenceJsonLine(event);
        line += c;
      }
      const payload = JSON.stringify(event.payload);
      if (payload === undefined) return referenceJsonLine(event);
      return `${line},"payload":${payload}}`;
    } catch {
      return referenceJsonLine(event); // its fallback line names the problem
    }
  };
}
