/**
 * `FileSink`: JSON lines (or readable lines) appended to a file, with size and daily rotation.
 */
import { resolve } from 'node:path';
import { MvxError, MvxErrorCode } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import { formatJsonLine } from '../format/json-line.ts';
import { formatReadable } from '../format/readable.ts';
import type { LifecycleOptions } from './log-sink.ts';
import { AsyncLogSink } from './async-log-sink.ts';
import { BatchWrites, chunkWritten, prepareChunk } from './file-batch-progress.ts';
import type { BatchProgress } from './file-batch-progress.ts';
import { joinLines, linesThatFit } from './file-lines.ts';
import { finishBatchSync, writeEventsSync } from './file-sink-exit.ts';
import type { ExitWriter } from './file-sink-exit.ts';
import { nextMidnight, resolveFileSinkOptions } from './file-sink-options.ts';
import type { FileSinkOptions, FileSinkReport, FileSinkStats, ResolvedFileSinkOptions } from './file-sink-options.ts';
import { countLines, wholeLinesEnd } from './file-sync-io.ts';
import { createJsonLineFormatter } from '../format/json-line-writer.ts';
import { LogFile } from './log-file.ts';

const readable = (event: LogEvent): string => formatReadable(event);
const noop = (): void => {};

/**
 * Appends one line per event to a file through one append-mode handle, many lines per write call
 * (a batch is joined into one buffer).
 *
 * - **Format**: JSON lines by default (`formatJsonLine`), `format: 'readable'`, or a function.
 * - **Rotation**: with `maxBytes`, the sink rotates *before* a write that would make the file
 *   larger than `maxBytes`, so no file ever exceeds it (a single line longer than the limit is
 *   replaced by a truncation marker line). With `rotateDaily`, it rotates at the first write after
 *   local/UTC midnight (never at start-up). Rotated files are `path.1` (newest) … `path.<maxFiles>`,
 *   optionally gzipped in the background (`path.1.gz`). Rotation applies to regular files only
 *   (writing to `/dev/null` or a FIFO never rotates).
 * - **Start**: `start()` (or the first event) creates missing directories and opens the file; a path
 *   that cannot be written makes `start()` reject with an `MvxError` (`MVX_STARTUP`) naming the path,
 *   and events logged meanwhile are counted as failed (see `AsyncLogSink`).
 * - **Failures** (a full disk, an I/O error): the batch is retried from the first byte not yet
 *   written — never duplicated — then counted as failed; the application goes on.
 *
 * The file and its rotation are in `log-file.ts`, the exit path in `file-sink-exit.ts`.
 *
 * @example
 * ```ts
 * const sink = new FileSink({ path: 'logs/app.log', maxBytes: 10 * 1024 * 1024, maxFiles: 5, compress: true });
 * configureLogContext('', { sink });
 * // ... at exit
 * await sink.shutdown({ timeoutMs: 5000 });
 * ```
 */
export class FileSink extends AsyncLogSink {
  /** Resolved file options. */
  readonly fileOptions: ResolvedFileSinkOptions;
  /** Absolute path of the active file. */
  readonly path: string;
  readonly #format: (event: LogEvent) => string;
  readonly #file: LogFile;
  readonly #writes = new BatchWrites();
  #nextDailyAt = Infinity;
  /** The attempt still writing (settles, never rejects), until it ends. */
  #writing: Promise<void> | undefined;
  /** What the exit path works with. */
  readonly #exit: ExitWriter;

  /**
   * @throws MvxConfigError when an option is invalid or unknown (the message names it).
   */
  constructor(options: FileSinkOptions) {
    const fileOptions = resolveFileSinkOptions(options);
    const { path: _p, format: _f, maxBytes: _m, maxFiles: _n, rotateDaily: _r, compress: _c, clock: _k, fileMode: _fm, ...base } = options;
    super(base);
    this.fileOptions = fileOptions;
    this.path = resolve(fileOptions.path);
    const f = fileOptions.format;
    // 'json' is formatJsonLine's exact output, with the ISO time cached per millisecond.
    this.#format = f === 'json' ? createJsonLineFormatter() : f === 'readable' ? readable : this.#guard(f);
    this.#file = new LogFile(this.path, fileOptions.fileMode, this.name);
    this.#exit = { name: this.name, file: this.#file, writes: this.#writes, format: this.#format, maxBytes: fileOptions.maxBytes };
  }

  /** A custom formatter that throws (or returns a non-string) costs one line, not the batch: JSON line instead. */
  #guard(format: (event: LogEvent) => string): (event: LogEvent) => string {
    return (event) => {
      try {
        const line = format(event);
        if (typeof line === 'string') return line;
        throw new TypeError(`the format function returned ${typeof line}, not a string`);
      } catch (err) {
        reportDiagnostic({ component: this.name, code: 'file.format_failed', message: 'the format function threw; the event was written as a JSON line', error: err });
        return formatJsonLine(event);
      }
    };
  }

  /** Statistics: the base accounting plus bytes written, rotations, compressions and truncations. */
  override stats(): FileSinkStats {
    const f = this.#file;
    return {
      ...super.stats(),
      bytesWritten: f.bytesWritten,
      rotations: f.rotations,
      compressed: f.compressed,
      compressFailures: f.compressFailures,
      truncated: f.truncated,
    };
  }

  /** See `AsyncLogSink.flush`; the report includes the file counters. */
  override flush(options?: LifecycleOptions): Promise<FileSinkReport> {
    return super.flush(options) as Promise<FileSinkReport>; // the base report spreads this.stats()
  }

  /** See `AsyncLogSink.shutdown`; the report includes the file counters. */
  override shutdown(options?: LifecycleOptions): Promise<FileSinkReport> {
    return super.shutdown(options) as Promise<FileSinkReport>;
  }

  protected override async onStart(): Promise<void> {
    try {
      await this.#file.makeDirectory();
      await this.#file.open();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new MvxError(MvxErrorCode.STARTUP, `FileSink cannot write to '${this.path}': ${reason}`, {
        cause: err,
        details: { path: this.path, errno: (err as NodeJS.ErrnoException | undefined)?.code },
      });
    }
    const daily = this.fileOptions.rotateDaily;
    if (daily !== false && this.#file.rotates) this.#nextDailyAt = nextMidnight(this.fileOptions.clock(), daily);
  }

  protected override async onStop(): Promise<void> {
    await this.#file.close();
  }

  /**
   * Writes one batch. Attempts never overlap: an attempt that `deliveryTimeoutMs` gave up on keeps
   * writing (a file write cannot be aborted), so the next attempt waits for it, then goes on from
   * where it got (its `BatchWrites` progress): two writes of one chunk at once would duplicate or interleave lines.
   */
  protected override deliver(batch: readonly LogEvent[], signal: AbortSignal): Promise<void> {
    const previous = this.#writing;
    // Given up on while it waited (its own time limit, or a shutdown that ran out of time, after
    // which the file may be closed): it writes nothing.
    const run =
      previous === undefined
        ? this.#deliverNow(batch)
        : previous.then(() => {
            signal.throwIfAborted();
            return this.#deliverNow(batch);
          });
    const settled = run.then(noop, noop);
    this.#writing = settled;
    void settled.then(() => {
      if (this.#writing === settled) this.#writing = undefined;
    });
    return run;
  }

  async #deliverNow(batch: readonly LogEvent[]): Promise<void> {
    const writes = this.#writes;
    if (writes.done(batch)) return; // an attempt given up on finished it meanwhile
    const file = this.#file;
    let p = writes.progress;
    if (p === undefined || p.batch !== batch) {
      // A batch that failed for good may have left a line it could not cut back (see #cutToWholeLines).
      if (p !== undefined && p.buf !== undefined && wholeLinesEnd(p.buf, p.off) !== p.off) file.torn = true;
      p = { batch, next: 0, text: undefined, bytes: 0, buf: undefined, off: 0, lines: 0 };
      writes.progress = p;
    }
    if (file.handle === undefined) await file.open(); // a failed rotation left no file open
    if (file.torn) {
      // The next line must not be glued onto a torn one: end it first.
      const { bytesWritten } = await file.handle!.write('\n');
      file.account(bytesWritten);
      file.torn = false;
    }
    if (p.text !== undefined) await this.#writeChunk(p); // finish what a failed attempt left
    const o = this.fileOptions;
    while (p.next < batch.length) {
      if (file.rotates && o.rotateDaily !== false && o.clock() >= this.#nextDailyAt) {
        if (file.size > 0) await file.rotate(o.maxFiles, o.compress);
        this.#nextDailyAt = nextMidnight(o.clock(), o.rotateDaily);
      }
      if (!file.rotates || o.maxBytes === 0) {
        prepareChunk(p, joinLines(batch, p.next, batch.length, this.#format), batch.length - p.next);
      } else if (!this.#prepareLimited(p, o.maxBytes)) {
        await file.rotate(o.maxFiles, o.compress); // the next line does not fit in the current file
        continue;
      }
      await this.#writeChunk(p);
    }
    writes.finish(batch);
  }

  /** At process exit only (see `AsyncLogSink.drainOnExit` and `file-sink-exit.ts`): writes the queued lines with `fs.writeSync`. */
  protected override deliverSync(batch: readonly LogEvent[]): number {
    return writeEventsSync(this.#exit, batch, 0);
  }

  /** At process exit only (see `file-sink-exit.ts`): completes the batch being written. */
  protected override finishInFlightSync(batch: readonly LogEvent[]): boolean {
    return finishBatchSync(this.#exit, batch);
  }

  /** Builds the next chunk that fits under `maxBytes`; `false` when not even one line fits (rotate first). */
  #prepareLimited(p: BatchProgress, maxBytes: number): boolean {
    const fit = linesThatFit(p.batch, p.next, this.#format, maxBytes - this.#file.size, maxBytes);
    this.#file.countTruncated(fit.truncated, maxBytes);
    if (fit.count === 0) return false;
    prepareChunk(p, fit.text, fit.count, fit.bytes);
    return true;
  }

  /**
   * Writes the chunk of `p`. When a write fails part-way (a full disk: a short write, then ENOSPC),
   * the file is cut back to its last whole line before the error propagates, so a retry, or the next
   * batch, never glues a line onto a torn one.
   */
  async #writeChunk(p: BatchProgress): Promise<void> {
    try {
      await this.#writeChunkBytes(p);
    } catch (err) {
      await this.#cutToWholeLines(p);
      throw err;
    }
  }

  /**
   * After a failed write: truncates the file back to the end of the last whole line of `p`'s chunk
   * (ftruncate) and moves `p` past those lines, so the retry writes the rest from a line boundary.
   * Where the file cannot be truncated (a pipe, a device, an I/O error), `p` keeps its exact byte: a
   * retry completes the line, and if the batch fails for good the next write begins with `\n`.
   */
  async #cutToWholeLines(p: BatchProgress): Promise<void> {
    const buf = p.buf;
    if (buf === undefined || p.off === 0) return; // a failed call writes nothing: the chunk left no bytes
    const keep = wholeLinesEnd(buf, p.off);
    const torn = p.off - keep;
    if (torn > 0) {
      const file = this.#file;
      try {
        if (!file.rotates || file.handle === undefined) return;
        await file.handle.truncate(file.size - torn);
      } catch (err) {
        reportDiagnostic({ component: this.name, code: 'file.truncate_failed', message: `could not cut '${this.path}' back to its last whole line after a failed write`, error: err });
        return;
      }
      file.account(-torn);
    }
    const lines = countLines(buf, keep);
    p.next += lines;
    p.lines -= lines;
    p.buf = buf.subarray(keep);
    p.off = 0;
  }

  /** Lines of a batch that failed for good that are whole in the file: they count as delivered. */
  protected override deliveredOfFailedBatch(batch: readonly LogEvent[]): number {
    const p = this.#writes.progress;
    if (p === undefined || p.batch !== batch) return 0;
    return p.next + (p.buf === undefined ? 0 : countLines(p.buf, p.off));
  }

  async #writeChunkBytes(p: BatchProgress): Promise<void> {
    const file = this.#file;
    const writes = this.#writes;
    const handle = file.handle!;
    if (p.buf === undefined) {
      // One write call with the string (cheaper than converting to a Buffer first). A failed call
      // wrote nothing; a short write (rare) continues below from the exact byte.
      const text = p.text!;
      writes.writeOp = { progress: p, startSize: file.size, bytes: () => (p.bytes >= 0 ? p.bytes : Buffer.byteLength(text, 'utf8')) };
      const { bytesWritten } = await handle.write(text, null, 'utf8').finally(() => (writes.writeOp = undefined));
      file.account(bytesWritten);
      if (p.bytes < 0) p.bytes = Buffer.byteLength(p.text!, 'utf8');
      if (bytesWritten < p.bytes) {
        p.buf = Buffer.from(p.text!, 'utf8');
        p.off = bytesWritten;
      }
    }
    const buf = p.buf;
    if (buf !== undefined) {
      while (p.off < buf.length) {
        const off = p.off;
        writes.writeOp = { progress: p, startSize: file.size, bytes: () => buf.length - off };
        const { bytesWritten } = await handle.write(buf, p.off, buf.length - p.off).finally(() => (writes.writeOp = undefined));
        p.off += bytesWritten;
        file.account(bytesWritten);
      }
    }
    chunkWritten(p);
  }
}
