/**
 * Building `FileSink`'s chunks: lines joined into one string, and under `maxBytes` the lines that
 * still fit in the active file, with a marker line in place of a line longer than the limit.
 *
 * Internal: not re-exported.
 */
import type { LogEvent } from '../event.ts';
import { isoTime } from '../format/json-line.ts';

/** `batch[from, to)` formatted, one line each: one string per chunk, so one write call for many lines. */
export function joinLines(batch: readonly LogEvent[], from: number, to: number, format: (event: LogEvent) => string): string {
  let text = '';
  for (let i = from; i < to; i++) text += `${format(batch[i]!)}\n`;
  return text;
}

/** The short JSON line written instead of a line of `bytes` bytes that exceeds `maxBytes`. */
export function truncationMarker(event: LogEvent, bytes: number): string {
  const meta = event.meta;
  return JSON.stringify({
    time: isoTime(event.timestamp),
    ts: event.timestamp,
    level: event.level,
    namespace: typeof meta?.namespace === 'string' ? meta.namespace.slice(0, 200) : null,
    event: typeof meta?.name === 'string' ? meta.name.slice(0, 200) : null,
    truncated: true,
    bytes,
  });
}

/** What {@link linesThatFit} built. */
export interface FittedLines {
  readonly text: string;
  /** UTF-8 size of `text`. */
  readonly bytes: number;
  /** Lines in `text`. */
  readonly count: number;
  /** Original sizes of the lines replaced by a marker. */
  readonly truncated: readonly number[];
}

/** The lines of `batch` from `from` on that fit in `room` bytes, each at most `maxBytes` (longer ones replaced by a marker). */
export function linesThatFit(batch: readonly LogEvent[], from: number, format: (event: LogEvent) => string, room: number, maxBytes: number): FittedLines {
  let text = '';
  let bytes = 0;
  let i = from;
  const truncated: number[] = [];
  for (; i < batch.length; i++) {
    let line = format(batch[i]!);
    let n = Buffer.byteLength(line, 'utf8') + 1;
    const original = n;
    if (n > maxBytes) {
      line = truncationMarker(batch[i]!, original);
      n = Buffer.byteLength(line, 'utf8') + 1;
    }
    if (bytes + n > room) break;
    if (original !== n) truncated.push(original);
    text += `${line}\n`;
    bytes += n;
  }
  return { text, bytes, count: i - from, truncated };
}
