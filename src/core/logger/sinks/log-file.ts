/**
 * The file behind a `FileSink`: one append-mode handle, the size it has reached, its rotation
 * (shift the rotated names, reopen, gzip in the background) and the byte counters. The batch logic
 * is in `file-sink.ts`, the exit path in `file-sink-exit.ts`. Internal.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { reportDiagnostic } from '../../diagnostics.ts';
import { gzipFile, shiftRotatedFiles } from './file-rotation.ts';
import { openAppendSync } from './file-sync-io.ts';
import { makeDirectory } from './make-directory.ts';
import type { OpenedFile } from './file-sync-io.ts';

/** The active file of one sink and its counters. */
export class LogFile {
  /** Absolute path of the active file. */
  readonly path: string;
  readonly #fileMode: number;
  /** The sink's name, for diagnostics. */
  readonly #component: string;
  handle: FileHandle | undefined;
  /** Bytes in the active file (0 for anything but a regular file). */
  size = 0;
  /** A regular file: rotated, truncated, its size tells what was written. */
  rotates = false;
  /** The file ends with part of a line that could not be cut back: the next write begins with `\n`. */
  torn = false;
  bytesWritten = 0;
  rotations = 0;
  compressed = 0;
  compressFailures = 0;
  truncated = 0;
  #compressing: Promise<void> | undefined;
  /** Opened synchronously at exit when the file was not open yet (the start had not finished). */
  #exitFile: OpenedFile | undefined;

  constructor(path: string, fileMode: number, component: string) {
    this.path = path;
    this.#fileMode = fileMode;
    this.#component = component;
  }

  /** Counts bytes that reached the file. */
  account(bytes: number): void {
    this.size += bytes;
    this.bytesWritten += bytes;
  }

  /** Creates missing directories (start-up only). */
  async makeDirectory(): Promise<void> {
    await makeDirectory(dirname(this.path));
  }

  /** Opens (or creates) the file for appending and reads its size. */
  async open(): Promise<void> {
    const handle = await open(this.path, 'a', this.#fileMode);
    try {
      const st = await handle.stat();
      this.rotates = st.isFile();
      this.size = st.isFile() ? st.size : 0;
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    this.handle = handle;
  }

  /** Closes the file, after a background compression still running. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    try {
      if (this.#compressing !== undefined) await this.#compressing;
    } finally {
      if (handle !== undefined) await handle.close();
    }
  }

  /** Closes the file, shifts `path` to `path.1` (and older ones up to `maxFiles`), opens a new one, gzips `path.1` in the background. */
  async rotate(maxFiles: number, compress: boolean): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) await handle.close();
    if (this.#compressing !== undefined) await this.#compressing; // never shift a file being compressed
    await shiftRotatedFiles(this.path, maxFiles);
    this.rotations++;
    await this.open();
    if (compress) {
      const file = `${this.path}.1`;
      const job = gzipFile(file).then(
        () => {
          this.compressed++;
        },
        (err: unknown) => {
          this.compressFailures++;
          reportDiagnostic({ component: this.#component, code: 'file.compress_failed', message: `could not gzip '${file}' (kept uncompressed)`, error: err });
        },
      );
      this.#compressing = job;
      void job.then(() => {
        if (this.#compressing === job) this.#compressing = undefined;
      });
    }
  }

  /** The descriptor for synchronous writes (exit path): the open file, or the file opened now. Throws if it cannot be opened. */
  syncFd(): number {
    if (this.handle !== undefined) return this.handle.fd;
    if (this.#exitFile === undefined) {
      const f = openAppendSync(this.path, this.#fileMode);
      this.#exitFile = f;
      this.rotates = f.regular;
      this.size = f.size;
    }
    return this.#exitFile.fd;
  }

  /** Counts (and reports) lines replaced by a truncation marker because they exceed `maxBytes`. */
  countTruncated(sizes: readonly number[], maxBytes: number): void {
    for (const original of sizes) {
      this.truncated++;
      reportDiagnostic({
        component: this.#component,
        code: 'file.line_truncated',
        message: `a line of ${original} bytes exceeds maxBytes (${maxBytes}); a marker line was written instead`,
      });
    }
  }
}
