/**
 * `FileSink`: JSON lines (or readable lines) appended to a file, with size and daily rotation.
 */
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MvxError, MvxErrorCode } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import { formatJsonLine } from '../format/json-line.ts';
import { formatReadable } from '../format/readable.ts';
import { AsyncLogSink } from './async-log-sink.ts';
import { gzipFile, shiftRotatedFiles } from './file-rotation.ts';
import { createJsonLineFormatter } from './json-line-writer.ts';
import { joinLines, linesThatFit } from './file-lines.ts';
import { countLines, openAppendSync, waitForSizeSync, wholeLinesEnd, writeLinesSync } from './file-sync-io.ts';
import type { OpenedFile } from './file-sync-io.ts';
import { nextMidnight, resolveFileSinkOptions } from './file-sink-options.ts';
import type { FileSinkOptions, FileSinkReport, FileSinkStats, ResolvedFileSinkOptions } from './file-sink-options.ts';
import type { LifecycleOptions } from '../sink.ts';

/** Progress of a batch across attempts, so a retry never writes a line twice. */
interface BatchProgress {
  readonly batch: readonly LogEvent[];
  /** Index of the first line not yet written. */
  next: number;
  /** The chunk being written (set until it is completely written), and its size in bytes (-1: not counted yet). */
  text: string | undefined;
  bytes: number;
  /** Set after a partial write: the chunk's bytes and how many were written. */
  buf: Buffer | undefined;
  off: number;
  lines: number;
}

/** A write call handed to the thread pool, until it settles (the exit path waits for it to land). */
interface WriteOp {
  readonly progress: BatchProgress;
  /** File size before the call. */
  readonly startSize: number;
  /** Bytes the call writes. */
  readonly bytes: () => number;
}

/** How long the exit path waits for a write still in the thread pool to land, in ms. */
const EXIT_WAIT_MS = 1_000;

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
  #handle: FileHandle | undefined;
  #size = 0;
  #rotates = false;
  #nextDailyAt = Infinity;
  #progress: BatchProgress | undefined;
  /** The attempt still writing (settles, never rejects), until it ends. */
  #writing: Promise<void> | undefined;
  /** Batches completely written (weakly), so a retry queued behind a late attempt writes nothing. */
  readonly #written = new WeakSet<readonly LogEvent[]>();
  #compressing: Promise<void> | undefined;
  #bytesWritten = 0;
  #rotations = 0;
  #compressed = 0;
  #compressFailures = 0;
  #truncated = 0;
  #writeOp: WriteOp | undefined;
  /** Opened synchronously at exit when the file was not open yet (the start had not finished). */
  #exitFile: OpenedFile | undefined;
  /** The file ends with part of a line that could not be cut back: the next write begins with `\n`. */
  #torn = false;

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
    return {
      ...super.stats(),
      bytesWritten: this.#bytesWritten,
      rotations: this.#rotations,
      compressed: this.#compressed,
      compressFailures: this.#compressFailures,
      truncated: this.#truncated,
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
      await mkdir(dirname(this.path), { recursive: true });
      await this.#open();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new MvxError(MvxErrorCode.STARTUP, `FileSink cannot write to '${this.path}': ${reason}`, {
        cause: err,
        details: { path: this.path, errno: (err as NodeJS.ErrnoException | undefined)?.code },
      });
    }
    const daily = this.fileOptions.rotateDaily;
    if (daily !== false && this.#rotates) this.#nextDailyAt = nextMidnight(this.fileOptions.clock(), daily);
  }

  protected override async onStop(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    try {
      if (this.#compressing !== undefined) await this.#compressing;
    } finally {
      if (handle !== undefined) await handle.close();
    }
  }

  /**
   * Writes one batch. Attempts never overlap: an attempt that `deliveryTimeoutMs` gave up on keeps
   * writing (a file write cannot be aborted), so the next attempt waits for it, then goes on from
   * where it got (`#progress`): two writes of one chunk at once would duplicate or interleave lines.
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
    if (this.#written.has(batch)) return; // an attempt given up on finished it meanwhile
    let p = this.#progress;
    if (p === undefined || p.batch !== batch) {
      // A batch that failed for good may have left a line it could not cut back (see #cutToWholeLines).
      if (p !== undefined && p.buf !== undefined && wholeLinesEnd(p.buf, p.off) !== p.off) this.#torn = true;
      p = { batch, next: 0, text: undefined, bytes: 0, buf: undefined, off: 0, lines: 0 };
      this.#progress = p;
    }
    if (this.#handle === undefined) await this.#open(); // a failed rotation left no file open
    if (this.#torn) {
      // The next line must not be glued onto a torn one: end it first.
      const { bytesWritten } = await this.#handle!.write('\n');
      this.#account(bytesWritten);
      this.#torn = false;
    }
    if (p.text !== undefined) await this.#writeChunk(p); // finish what a failed attempt left
    const o = this.fileOptions;
    while (p.next < batch.length) {
      if (this.#rotates && o.rotateDaily !== false && o.clock() >= this.#nextDailyAt) {
        if (this.#size > 0) await this.#rotate();
        this.#nextDailyAt = nextMidnight(o.clock(), o.rotateDaily);
      }
      if (!this.#rotates || o.maxBytes === 0) {
        this.#prepare(p, joinLines(batch, p.next, batch.length, this.#format), batch.length - p.next);
      } else if (!this.#prepareLimited(p, o.maxBytes)) {
        await this.#rotate(); // the next line does not fit in the current file
        continue;
      }
      await this.#writeChunk(p);
    }
    this.#progress = undefined;
    this.#written.add(batch);
  }

  /**
   * At process exit only (see `AsyncLogSink.drainOnExit`): writes the queued lines with
   * `fs.writeSync`, opening the file synchronously first if the sink had not finished starting. No
   * rotation happens then (renames and gzip are asynchronous work): with `maxBytes`, only the lines
   * that still fit are written, the rest are counted as failed.
   */
  protected override deliverSync(batch: readonly LogEvent[]): number {
    return this.#writeEventsSync(batch, 0);
  }

  /**
   * At process exit only: completes the batch being written. A write call still in the thread pool
   * completes as the process exits (libuv finishes queued work), so the sink waits (at most
   * {@link EXIT_WAIT_MS}) until the file has grown by its size, then writes the batch's remaining
   * lines, so that the queued lines come after them, in order, once. `false` (the batch stays
   * pending) when that cannot be known: not a regular file, a rotation under way, a short write.
   */
  protected override finishInFlightSync(batch: readonly LogEvent[]): boolean {
    if (this.#written.has(batch)) return true;
    const op = this.#writeOp;
    if (op !== undefined) {
      const handle = this.#handle;
      if (handle === undefined || !this.#rotates) return false;
      const bytes = op.bytes();
      if (!waitForSizeSync(handle.fd, op.startSize + bytes, EXIT_WAIT_MS)) return false;
      this.#writeOp = undefined;
      this.#account(bytes);
      const q = op.progress;
      q.next += q.lines;
      q.text = undefined;
      q.buf = undefined;
    }
    const p = this.#progress;
    let from = 0;
    if (p !== undefined && p.batch === batch) {
      if (p.text !== undefined) {
        // An attempt failed part-way and its retry cannot run now: the rest of its chunk first.
        const rest = p.buf !== undefined ? p.buf.subarray(p.off) : Buffer.from(p.text, 'utf8');
        const r = writeLinesSync(this.#syncFd(), rest, this.#size, this.#rotates);
        this.#account(r.bytes);
        if (r.lines < p.lines) return false;
        p.next += p.lines;
        p.text = undefined;
        p.buf = undefined;
      }
      from = p.next;
    }
    if (from < batch.length && from + this.#writeEventsSync(batch, from) < batch.length) return false;
    this.#progress = undefined;
    this.#written.add(batch);
    return true;
  }

  /** The descriptor for synchronous writes: the open file, or the file opened now. Throws if it cannot be opened. */
  #syncFd(): number {
    if (this.#handle !== undefined) return this.#handle.fd;
    if (this.#exitFile === undefined) {
      const f = openAppendSync(this.path, this.fileOptions.fileMode);
      this.#exitFile = f;
      this.#rotates = f.regular;
      this.#size = f.size;
    }
    return this.#exitFile.fd;
  }

  /** Writes `batch[from…]` synchronously (as much as fits under `maxBytes`); returns how many lines are now in the file. */
  #writeEventsSync(batch: readonly LogEvent[], from: number): number {
    const fd = this.#syncFd();
    const maxBytes = this.fileOptions.maxBytes;
    let text: string;
    if (!this.#rotates || maxBytes === 0) {
      text = joinLines(batch, from, batch.length, this.#format);
    } else {
      const fit = linesThatFit(batch, from, this.#format, maxBytes - this.#size, maxBytes);
      this.#countTruncated(fit.truncated, maxBytes);
      text = fit.text;
    }
    if (text === '') return 0;
    if (this.#torn) {
      const nl = writeLinesSync(fd, Buffer.from('\n'), this.#size, this.#rotates);
      this.#account(nl.bytes);
      this.#torn = nl.bytes === 0;
    }
    const r = writeLinesSync(fd, Buffer.from(text, 'utf8'), this.#size, this.#rotates);
    this.#account(r.bytes);
    if (r.torn === true) this.#torn = true;
    if (r.error !== undefined) {
      reportDiagnostic({ component: this.name, code: 'file.write_failed', message: `a write to '${this.path}' failed at process exit; ${r.lines} line(s) of ${batch.length - from} written`, error: r.error });
    }
    return r.lines;
  }

  /** `bytes` -1: not known yet (counted after the write, when the string is flat: cheaper). */
  #prepare(p: BatchProgress, text: string, lines: number, bytes = -1): void {
    p.text = text;
    p.bytes = bytes;
    p.buf = undefined;
    p.off = 0;
    p.lines = lines;
  }

  /** Builds the next chunk that fits under `maxBytes`; `false` when not even one line fits (rotate first). */
  #prepareLimited(p: BatchProgress, maxBytes: number): boolean {
    const fit = linesThatFit(p.batch, p.next, this.#format, maxBytes - this.#size, maxBytes);
    this.#countTruncated(fit.truncated, maxBytes);
    if (fit.count === 0) return false;
    this.#prepare(p, fit.text, fit.count, fit.bytes);
    return true;
  }

  #countTruncated(sizes: readonly number[], maxBytes: number): void {
    for (const original of sizes) {
      this.#truncated++;
      reportDiagnostic({ component: this.name, code: 'file.line_truncated', message: `a line of ${original} bytes exceeds maxBytes (${maxBytes}); a marker line was written instead` });
    }
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
      try {
        if (!this.#rotates || this.#handle === undefined) return;
        await this.#handle.truncate(this.#size - torn);
      } catch (err) {
        reportDiagnostic({ component: this.name, code: 'file.truncate_failed', message: `could not cut '${this.path}' back to its last whole line after a failed write`, error: err });
        return;
      }
      this.#size -= torn;
      this.#bytesWritten -= torn;
    }
    const lines = countLines(buf, keep);
    p.next += lines;
    p.lines -= lines;
    p.buf = buf.subarray(keep);
    p.off = 0;
  }

  /** Lines of a batch that failed for good that are whole in the file: they count as delivered. */
  protected override deliveredOfFailedBatch(batch: readonly LogEvent[]): number {
    const p = this.#progress;
    if (p === undefined || p.batch !== batch) return 0;
    return p.next + (p.buf === undefined ? 0 : countLines(p.buf, p.off));
  }

  async #writeChunkBytes(p: BatchProgress): Promise<void> {
    const handle = this.#handle!;
    if (p.buf === undefined) {
      // One write call with the string (cheaper than converting to a Buffer first). A failed call
      // wrote nothing; a short write (rare) continues below from the exact byte.
      const text = p.text!;
      this.#writeOp = { progress: p, startSize: this.#size, bytes: () => (p.bytes >= 0 ? p.bytes : Buffer.byteLength(text, 'utf8')) };
      const { bytesWritten } = await handle.write(text, null, 'utf8').finally(() => (this.#writeOp = undefined));
      this.#account(bytesWritten);
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
        this.#writeOp = { progress: p, startSize: this.#size, bytes: () => buf.length - off };
        const { bytesWritten } = await handle.write(buf, p.off, buf.length - p.off).finally(() => (this.#writeOp = undefined));
        p.off += bytesWritten;
        this.#account(bytesWritten);
      }
    }
    p.next += p.lines;
    p.text = undefined;
    p.buf = undefined;
  }

  #account(bytes: number): void {
    this.#size += bytes;
    this.#bytesWritten += bytes;
  }

  async #open(): Promise<void> {
    const handle = await open(this.path, 'a', this.fileOptions.fileMode);
    try {
      const st = await handle.stat();
      this.#rotates = st.isFile();
      this.#size = st.isFile() ? st.size : 0;
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    this.#handle = handle;
  }

  async #rotate(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await handle.close();
    if (this.#compressing !== undefined) await this.#compressing; // never shift a file being compressed
    await shiftRotatedFiles(this.path, this.fileOptions.maxFiles);
    this.#rotations++;
    await this.#open();
    if (this.fileOptions.compress) {
      const file = `${this.path}.1`;
      const job = gzipFile(file).then(
        () => {
          this.#compressed++;
        },
        (err: unknown) => {
          this.#compressFailures++;
          reportDiagnostic({ component: this.name, code: 'file.compress_failed', message: `could not gzip '${file}' (kept uncompressed)`, error: err });
        },
      );
      this.#compressing = job;
      void job.then(() => {
        if (this.#compressing === job) this.#compressing = undefined;
      });
    }
  }
}
