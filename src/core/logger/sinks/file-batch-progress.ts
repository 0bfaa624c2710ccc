/**
 * How far a `FileSink` got with its batches, shared by its asynchronous path (`file-sink.ts`) and
 * its exit path (`file-sink-exit.ts`), so that neither writes a line twice. Internal.
 */
import type { LogEvent } from '../event.ts';

/** Progress of a batch across attempts, so a retry never writes a line twice. */
export interface BatchProgress {
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
export interface WriteOp {
  readonly progress: BatchProgress;
  /** File size before the call. */
  readonly startSize: number;
  /** Bytes the call writes. */
  readonly bytes: () => number;
}

/** The batch being written, the write call in the thread pool, and the batches completely written. */
export class BatchWrites {
  progress: BatchProgress | undefined;
  writeOp: WriteOp | undefined;
  /** Batches completely written (weakly), so a retry queued behind a late attempt writes nothing. */
  readonly #written = new WeakSet<readonly LogEvent[]>();

  /** Whether `batch` is completely written. */
  done(batch: readonly LogEvent[]): boolean {
    return this.#written.has(batch);
  }

  /** `batch` is completely written: its progress is dropped. */
  finish(batch: readonly LogEvent[]): void {
    this.progress = undefined;
    this.#written.add(batch);
  }
}

/** Sets the next chunk of `p`; `bytes` -1: not known yet (counted after the write, when the string is flat: cheaper). */
export function prepareChunk(p: BatchProgress, text: string, lines: number, bytes = -1): void {
  p.text = text;
  p.bytes = bytes;
  p.buf = undefined;
  p.off = 0;
  p.lines = lines;
}

/** The chunk of `p` is completely written: the batch moves past its lines. */
export function chunkWritten(p: BatchProgress): void {
  p.next += p.lines;
  p.text = undefined;
  p.buf = undefined;
}
