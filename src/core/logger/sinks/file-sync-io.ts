/**
 * Synchronous file I/O for `FileSink`'s exit path (the `exit` event, where nothing asynchronous runs
 * any more) and the whole-line rule shared with its asynchronous path: after a failed or short
 * write, the file is cut back to the end of its last complete line.
 *
 * Internal: not re-exported.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectorySync } from './make-directory.ts';

/** A file opened for appending. */
export interface OpenedFile {
  readonly fd: number;
  /** Size at opening (0 for anything but a regular file). */
  readonly size: number;
  /** A regular file (can be truncated; its size tells what was written). */
  readonly regular: boolean;
}

/** Creates missing directories and opens `path` for appending, synchronously. Throws the system error. */
export function openAppendSync(path: string, mode: number): OpenedFile {
  makeDirectorySync(dirname(path));
  const fd = openSync(path, 'a', mode);
  try {
    const st = fstatSync(fd);
    return { fd, size: st.isFile() ? st.size : 0, regular: st.isFile() };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` (exit path only: nothing else can run then anyway). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/**
 * Waits, blocking, until the regular file behind `fd` is at least `size` bytes long: a write the
 * thread pool is still doing (it completes as the process exits, after the `exit` event) has then
 * landed. `false` when `timeoutMs` passed first.
 */
export function waitForSizeSync(fd: number, size: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
    if (fstatSync(fd).size >= size) return true;
    if (Date.now() >= deadline) return false;
    sleepSync(pause);
  }
}

/** Offset just after the last `\n` in `buf[0, end)` (0 if none): the end of the last whole line. */
export function wholeLinesEnd(buf: Buffer, end: number): number {
  return end <= 0 ? 0 : buf.lastIndexOf(0x0a, end - 1) + 1;
}

/** Number of `\n` in `buf[0, end)`. */
export function countLines(buf: Buffer, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1 && i < end; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** What {@link writeLinesSync} did. */
export interface SyncWriteResult {
  /** Whole lines now in the file. */
  readonly lines: number;
  /** Bytes now in the file (whole lines only). */
  readonly bytes: number;
  /** The error that stopped the write, if any. */
  readonly error?: unknown;
  /** A partial line stayed at the end (the file could not be truncated): the next write must begin with `\n`. */
  readonly torn?: boolean;
}

/**
 * Writes `buf` (whole lines) with `fs.writeSync`. On a failure part-way (a full disk), a regular
 * file is truncated back to `startSize` plus the whole lines written, so no torn line stays behind.
 */
export function writeLinesSync(fd: number, buf: Buffer, startSize: number, regular: boolean): SyncWriteResult {
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    return { lines: countLines(buf, buf.length), bytes: buf.length };
  } catch (error) {
    const keep = wholeLinesEnd(buf, off);
    if (keep === off) return { lines: countLines(buf, keep), bytes: keep, error };
    try {
      if (!regular) throw error; // a pipe or a device cannot be cut back
      ftruncateSync(fd, startSize + keep);
    } catch {
      return { lines: countLines(buf, keep), bytes: off, error, torn: true };
    }
    return { lines: countLines(buf, keep), bytes: keep, error };
  }
}
