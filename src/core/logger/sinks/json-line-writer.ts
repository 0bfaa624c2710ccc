/**
 * A batch-oriented JSON-lines formatter for `FileSink`: the exact bytes of `formatJsonLine`
 * (a test checks it against arbitrary events), built faster for the common event shape.
 *
 * Why: in a batch most events share their millisecond, and `Date#toISOString` is the single most
 * expensive step of a line (more than serialising a small payload), so the ISO string is cached per
 * millisecond. Events with `source` or `correlation` (rarer, and with clash rules) go through
 * `formatJsonLine` itself, as does any event whose fast serialisation throws (its fallback line).
 *
 * Internal: not re-exported.
 */
import type { LogEvent } from '../event.ts';
import { formatJsonLine } from '../format/json-line.ts';
import { logLevelName } from '../level.ts';

const LEVEL_NAMES = new Map<number, string>();

/** Returns a formatter with its own one-entry ISO-time cache (one per sink: no shared state). */
export function createJsonLineFormatter(): (event: LogEvent) => string {
  let cachedMs = Number.NaN;
  let cachedIso = '';
  let lastLevel = Number.NaN;
  let lastNamespace = '';
  let lastName = '';
  let middle = '';
  return (event: LogEvent): string => {
    const meta = event.meta;
    if (meta === null || typeof meta !== 'object' || meta.source !== undefined || event.correlation !== undefined) return formatJsonLine(event);
    const ts = event.timestamp;
    const level = event.level;
    // Anything unusual (a hand-built event with missing or mistyped fields) takes the reference path.
    if (typeof ts !== 'number' || typeof level !== 'number' || typeof meta.namespace !== 'string' || typeof meta.name !== 'string') return formatJsonLine(event);
    if ((meta.entityId !== undefined && typeof meta.entityId !== 'string') || (event.outcome !== undefined && typeof event.outcome !== 'string')) return formatJsonLine(event);
    try {
      const ms = Math.trunc(ts); // Date keeps whole milliseconds (TimeClip truncates)
      if (ms !== cachedMs) {
        const d = new Date(ts);
        cachedIso = Number.isNaN(d.getTime()) ? 'invalid-time' : d.toISOString();
        cachedMs = ms;
      }
      // The level/namespace/event part is the same for runs of events from one call site.
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
      const payload = JSON.stringify(event.payload);
      if (payload === undefined) return formatJsonLine(event);
      return `${line},"payload":${payload}}`;
    } catch {
      return formatJsonLine(event); // its fallback line names the problem
    }
  };
}
