/**
 * `FileSink`'s exit path (see `AsyncLogSink.drainOnExit`): at the process's `exit` event nothing
 * asynchronous runs any more, so the batch in flight is completed and the queued lines are written
 * with `fs.writeSync`. No rotation happens then (renames and gzip are asynchronous work): with
 * `maxBytes`, only the lines that still fit are written. Internal.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import { chunkWritten } from './file-batch-progress.ts';
import type { BatchWrites } from './file-batch-progress.ts';
import { joinLines, linesThatFit } from './file-lines.ts';
import { waitForSizeSync, writeLinesSync } from './file-sync-io.ts';
import type { LogFile } from './log-file.ts';

/** How long the exit path waits for a write still in the thread pool to land, in ms. */
const EXIT_WAIT_MS = 1_000;

/** What the exit path needs from the sink. */
export interface ExitWriter {
  readonly name: string;
  readonly file: LogFile;
  readonly writes: BatchWrites;
  readonly format: (event: LogEvent) => string;
  /** `maxBytes` (0: unlimited). */
  readonly maxBytes: number;
}

/** Writes `batch[from…]` synchronously (as much as fits under `maxBytes`); returns how many lines are now in the file. */
export function writeEventsSync(w: ExitWriter, batch: readonly LogEvent[], from: number): number {
  const file = w.file;
  const fd = file.syncFd();
  const maxBytes = w.maxBytes;
  let text: string;
  if (!file.rotates || maxBytes === 0) {
    text = joinLines(batch, from, batch.length, w.format);
  } else {
    const fit = linesThatFit(batch, from, w.format, maxBytes - file.size, maxBytes);
    file.countTruncated(fit.truncated, maxBytes);
    text = fit.text;
  }
  if (text === '') return 0;
  if (file.torn) {
    const nl = writeLinesSync(fd, Buffer.from('\n'), file.size, file.rotates);
    file.account(nl.bytes);
    file.torn = nl.bytes === 0;
  }
  const r = writeLinesSync(fd, Buffer.from(text, 'utf8'), file.size, file.rotates);
  file.account(r.bytes);
  if (r.torn === true) file.torn = true;
  if (r.error !== undefined) {
    reportDiagnostic({
      component: w.name,
      code: 'file.write_failed',
      message: `a write to '${file.path}' failed at process exit; ${r.lines} line(s) of ${batch.length - from} written`,
      error: r.error,
    });
  }
  return r.lines;
}

/**
 * Completes the batch being written. A write call still in the thread pool completes as the process
 * exits (libuv finishes queued work), so this waits (at most {@link EXIT_WAIT_MS}) until the file
 * has grown by its size, then writes the batch's remaining lines, so that the queued lines come after
 * them, in order, once. `false` (the batch stays pending) when that cannot be known: not a regular
 * file, a rotation under way, a short write.
 */
export function finishBatchSync(w: ExitWriter, batch: readonly LogEvent[]): boolean {
  const { file, writes } = w;
  if (writes.done(batch)) return true;
  const op = writes.writeOp;
  if (op !== undefined) {
    const handle = file.handle;
    if (handle === undefined || !file.rotates) return false;
    const bytes = op.bytes();
    if (!waitForSizeSync(handle.fd, op.startSize + bytes, EXIT_WAIT_MS)) return false;
    writes.writeOp = undefined;
    file.account(bytes);
    chunkWritten(op.progress);
  }
  const p = writes.progress;
  let from = 0;
  if (p !== undefined && p.batch === batch) {
    if (p.text !== undefined) {
      // An attempt failed part-way and its retry cannot run now: the rest of its chunk first.
      const rest = p.buf !== undefined ? p.buf.subarray(p.off) : Buffer.from(p.text, 'utf8');
      const r = writeLinesSync(file.syncFd(), rest, file.size, file.rotates);
      file.account(r.bytes);
      if (r.lines < p.lines) return false;
      chunkWritten(p);
    }
    from = p.next;
  }
  if (from < batch.length && from + writeEventsSync(w, batch, from) < batch.length) return false;
  writes.finish(batch);
  return true;
}
