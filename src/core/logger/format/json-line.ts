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
import { createJsonLineFormatter } from './json-line-writer.ts';

export { isoTime } from './json-line-reference.ts';

/** The process's one writer for `formatJsonLine` (its caches are pure: see `json-line-writer.ts`). */
const writeLine = createJsonLineFormatter();

/**
 * Formats one event as a single-line JSON object (no trailing newline): the writer `FileSink` and
 * `ConsoleSink` use, an ISO time cached per millisecond. Never throws: when the event cannot be
 * serialised (a custom payload processor returned a BigInt or a cycle), a line with the event's
 * identity and a `formatError` field replaces it.
 */
export function formatJsonLine(event: LogEvent): string {
  return writeLine(event);
}
