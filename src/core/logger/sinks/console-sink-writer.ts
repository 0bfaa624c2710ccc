/**
 * The bounded, accounted writer behind `ConsoleSink`.
 *
 * Why: `process.stderr` on a pipe is asynchronous on POSIX (Node hands the bytes to libuv and
 * buffers the rest in the stream, without limit), so a reader slower than the logger made the
 * stream hold hundreds of MB, and what it held at `process.exit()` was lost, counted nowhere.
 *
 * How: the stream never holds more than one chunk of ours. A line goes straight to the stream when
 * the stream is idle (`writableLength === 0`), which is every line when the reader keeps up (the
 * write completes synchronously). Otherwise it waits in our queue, bounded by `maxBufferedBytes`
 * (beyond: dropped, counted as `queue_full`); when the chunk in flight completes (its callback), the
 * queue goes out as the next chunk. Because that chunk is the only request libuv holds, the exit
 * path knows exactly what is unwritten: the chunk's last `writeQueueSize` bytes (libuv's count,
 * exposed on the stream's handle) and the queue, which it writes with `fs.writeSync` on the
 * stream's fd, as pino's sonic-boom does in `flushSync`. What it cannot write within
 * `exitTimeoutMs` (a reader that stopped reading) is dropped with reason `exit` and reported.
 *
 * A stream without a numeric `writableLength` (a plain object with `write`) is taken as synchronous:
 * a line counts as delivered when `write` returns. So is a stream whose `write` was replaced on the
 * instance (a test spy), whose callbacks may never come.
 *
 * Internal: not re-exported.
 */
import { writeSync } from 'node:fs';
import { reportDiagnostic } from '../../diagnostics.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import type { LogSinkDropReasonValue } from './async-log-sink-options.ts';
import { RingQueue } from './ring-queue.ts';
import { sleepSync } from './file-sync-io.ts';

/** What the writer writes to (see `ConsoleSinkStream`). */
export interface WritableTarget {
  write(chunk: string, callback?: (error?: Error | null) => void): unknown;
  readonly writableLength?: number;
  readonly errored?: unknown;
  readonly fd?: number;
}

/** A chunk handed to the stream whose write did not complete synchronously. */
interface Chunk {
  /** Its number among the writes made with {@link ConsoleSinkWriter.onWrite} (their callbacks come in order). */
  readonly seq: number;
  readonly text: string;
  readonly events: number;
  readonly target: WritableTarget;
}

/** Most bytes of queued lines joined into one chunk handed to the stream (a pipe holds 64 KiB). */
const CHUNK_BYTES = 64 * 1024;
/** Lines written at exit are grouped into writes of at most this size: a pipe takes such a write whole or not at all (PIPE_BUF). */
const PIPE_BUF = 4096;

/** Whether `target` tells its buffered length and calls back: then it is bounded and tracked. */
function isTracked(target: WritableTarget): boolean {
  return typeof target.writableLength === 'number' && !Object.hasOwn(target, 'write');
}

/** libuv's count of bytes still to be written by the stream's handle (Node keeps it there for its own net module). */
function unwrittenBytes(target: WritableTarget): number | undefined {
  const handle = (target as { _handle?: { writeQueueSize?: unknown } })._handle;
  const n = handle?.writeQueueSize;
  return typeof n === 'number' && n >= 0 ? n : undefined;
}

/** The queue, the chunk in flight, the counters and the exit path of one `ConsoleSink` (see the module comment). */
export class ConsoleSinkWriter {
  readonly #name: string;
  readonly #maxBytes: number;
  readonly #exitTimeoutMs: number;
  readonly #queue: RingQueue<string>;
  #queuedBytes = 0;
  #inFlight: Chunk | undefined;
  /** Writes made with the shared callback, and callbacks received: a `Writable` calls back once per write, in order. */
  #issued = 0;
  #acked = 0;
  /** A zero-byte write waits behind data that is not ours; its callback says the stream is idle. */
  #waitingFor: WritableTarget | undefined;
  #delivered = 0;
  #failed = 0;
  #droppedTotal = 0;
  readonly #drops: Record<LogSinkDropReasonValue, number> = { queue_full: 0, shutdown: 0, shutdown_timeout: 0, exit: 0 };
  #lastDropReportAt = -Infinity;
  #dropsSinceReport = 0;
  readonly #idleWaiters = new Set<() => void>();
  /** A microtask will pump the lines coalesced in this synchronous run. */
  #tickPump = false;

  constructor(name: string, maxBytes: number, exitTimeoutMs: number) {
    this.#name = name;
    this.#maxBytes = maxBytes;
    this.#exitTimeoutMs = exitTimeoutMs;
    // A line is at least its newline: the byte bound is also an event bound. Storage grows on demand.
    this.#queue = new RingQueue<string>(Math.max(1, maxBytes), 64);
  }

  get delivered(): number {
    return this.#delivered;
  }
  get failed(): number {
    return this.#failed;
  }
  get droppedTotal(): number {
    return this.#droppedTotal;
  }
  get droppedByReason(): Record<LogSinkDropReasonValue, number> {
    return { ...this.#drops };
  }
  get queued(): number {
    return this.#queue.length;
  }
  get queuedBytes(): number {
    return this.#queuedBytes;
  }
  get inFlight(): number {
    return this.#inFlight === undefined ? 0 : this.#inFlight.events;
  }

  /**
   * Writes one line (ending with `\n`) or queues it. Throws what a synchronous `write` throws (the
   * line is counted as failed first), so the log context's error handling applies. `coalesce`:
   * queue the line even when the stream is idle, and write what this synchronous run queued as one
   * chunk when it ends (a microtask) or once it reaches a chunk's size; a write that throws then
   * fails the chunk (counted, reported) instead of throwing.
   */
  write(target: WritableTarget, line: string, coalesce = false): void {
    if (!isTracked(target)) {
      try {
        target.write(line);
      } catch (err) {
        this.#failed++;
        throw err;
      }
      this.#delivered++;
      return;
    }
    if (this.#inFlight !== undefined && this.#inFlight.target === target && target.writableLength === 0) this.#recover();
    if (!coalesce && this.#inFlight === undefined && this.#waitingFor === undefined && this.#queue.length === 0 && target.writableLength === 0) {
      this.#handOff(target, line, 1, true);
      return;
    }
    const bytes = Buffer.byteLength(line, 'utf8');
    if (this.#queuedBytes + bytes > this.#maxBytes || !this.#queue.push(line)) {
      this.drop('queue_full', 1);
      return;
    }
    this.#queuedBytes += bytes;
    if (this.#inFlight !== undefined || this.#waitingFor !== undefined) return; // a callback pumps
    if (!coalesce || this.#queuedBytes >= CHUNK_BYTES) this.#pump(target);
    else if (!this.#tickPump) {
      // Coalescing: the lines of this synchronous run go out as one write when it ends (one
      // syscall per tick instead of one per line; a full chunk goes at once, above).
      this.#tickPump = true;
      queueMicrotask(() => {
        this.#tickPump = false;
        this.#pump(target);
      });
    }
  }

  /** Counts `n` dropped lines (reported at most once a second). */
  drop(reason: LogSinkDropReasonValue, n: number): void {
    this.#drops[reason] += n;
    this.#droppedTotal += n;
    this.#dropsSinceReport += n;
    const now = Date.now();
    if (now - this.#lastDropReportAt >= 1_000) {
      reportDiagnostic({
        component: this.#name,
        code: 'sink.dropped',
        message: `${this.#dropsSinceReport} line(s) dropped (last reason: ${reason}); see stats().droppedByReason`,
        details: { reason, count: this.#dropsSinceReport, total: this.#droppedTotal },
      });
      this.#lastDropReportAt = now;
      this.#dropsSinceReport = 0;
    }
  }

  /** Drops every queued line with `reason` (a shutdown that ran out of time). */
  abandonQueue(reason: LogSinkDropReasonValue): void {
    const n = this.#queue.length;
    if (n === 0) return;
    this.#queue.take(n);
    this.#queuedBytes = 0;
    this.drop(reason, n);
    this.#checkIdle();
  }

  /** Resolves when nothing of ours is queued or in flight, or after `timeoutMs` (`true` then). */
  async waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.#isIdle()) return false;
    let done: (() => void) | undefined;
    const idle = new Promise<void>((resolve) => {
      done = resolve;
      this.#idleWaiters.add(done);
    });
    const result = await waitBounded(idle, { timeoutMs });
    if (result.status !== 'timeout') return false;
    this.#idleWaiters.delete(done!);
    return true;
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && this.inFlight === 0;
  }

  #checkIdle(): void {
    if (this.#idleWaiters.size === 0 || !this.#isIdle()) return;
    const waiters = [...this.#idleWaiters];
    this.#idleWaiters.clear();
    for (const w of waiters) w();
  }

  /**
   * Hands `text` (`events` lines) to an idle stream. One callback function for every write (a
   * closure per line would cost a tick per line: Node batches the callbacks of synchronous writes
   * only when they are the same function); the chunk in flight is recognised by its number.
   * `rethrow`: a throwing `write` propagates (the caller's own line).
   */
  #handOff(target: WritableTarget, text: string, events: number, rethrow: boolean): void {
    const seq = ++this.#issued;
    try {
      target.write(text, this.#onWrite);
    } catch (err) {
      this.#issued--; // no callback comes for a write that threw
      this.#failed += events;
      if (rethrow) throw err;
      reportDiagnostic({ component: this.#name, code: 'sink.write_failed', message: `the stream's write threw; ${events} line(s) failed`, error: err });
      return;
    }
    if (target.writableLength === 0) {
      // Written synchronously (the usual case: the reader keeps up, or a TTY or a file). Its callback
      // still comes, on the next tick, and matches no chunk in flight.
      if (target.errored != null) this.#failed += events;
      else this.#delivered += events;
      return;
    }
    this.#inFlight = { seq, text, events, target };
  }

  readonly #onWrite = (err?: Error | null): void => {
    const k = ++this.#acked;
    const chunk = this.#inFlight;
    if (chunk === undefined || k < chunk.seq) return;
    this.#inFlight = undefined;
    if (err != null) this.#failed += chunk.events;
    else this.#delivered += chunk.events;
    this.#pump(chunk.target);
    this.#checkIdle();
  };

  /**
   * The stream is idle but our chunk's callback did not come (a `Writable` subclass whose `write`
   * does not call back): it went out. Later callbacks are matched by number, so they cannot settle a
   * newer chunk early: the count only lags.
   */
  #recover(): void {
    this.#delivered += this.#inFlight!.events;
    this.#inFlight = undefined;
  }

  /** Sends the queue as chunks while the stream takes them synchronously; otherwise waits for a callback. */
  #pump(target: WritableTarget): void {
    while (this.#inFlight === undefined && this.#queue.length > 0) {
      if (target.errored != null || (target as { destroyed?: unknown }).destroyed === true) {
        // A broken stream takes nothing any more (and may never be idle again): fail the queue.
        const n = this.#queue.length;
        this.#queue.take(n);
        this.#queuedBytes = 0;
        this.#failed += n;
        reportDiagnostic({ component: this.#name, code: 'sink.write_failed', message: `the stream failed; ${n} queued line(s) failed`, error: target.errored });
        break;
      }
      if (target.writableLength !== 0) {
        // Data that is not ours is buffered: a zero-byte write calls back once it is out.
        if (this.#waitingFor !== undefined) return;
        this.#waitingFor = target;
        try {
          target.write('', () => {
            this.#waitingFor = undefined;
            this.#pump(target);
          });
        } catch {
          this.#waitingFor = undefined;
        }
        return;
      }
      let text = '';
      let events = 0;
      // A UTF-16 unit is at most 3 UTF-8 bytes, so the chunk stays within CHUNK_BYTES (plus its last
      // line) without measuring each line; its bytes are counted once (the lines end with '\n', so no
      // surrogate pair is formed across two of them).
      do {
        text += this.#queue.shift()!;
        events++;
      } while (this.#queue.length > 0 && text.length * 3 < CHUNK_BYTES);
      this.#queuedBytes -= Buffer.byteLength(text, 'utf8');
      this.#handOff(target, text, events, false);
    }
    this.#checkIdle();
  }

  /**
   * At process exit (nothing asynchronous runs any more): writes the unwritten tail of the chunk in
   * flight and the queue with `fs.writeSync` on the stream's fd, retrying `EAGAIN` (a full pipe) until
   * `exitTimeoutMs`; a group of lines begun is finished (within the same time again), so no line is
   * torn by the deadline. What is not written is dropped with reason `exit` (or failed on an error)
   * and reported. Without an fd, or when the chunk in flight cannot be measured, the queue is dropped
   * (writing it could land in the middle of that chunk) and the chunk stays pending.
   */
  drainOnExit(currentTarget: WritableTarget): void {
    const chunk = this.#inFlight;
    if (chunk === undefined && this.#queue.length === 0) return;
    const target = chunk?.target ?? currentTarget;
    const fd = typeof target.fd === 'number' ? target.fd : undefined;
    let tail: Buffer | undefined;
    if (chunk !== undefined) {
      const unwritten = unwrittenBytes(target);
      if (unwritten !== undefined) {
        const all = Buffer.from(chunk.text, 'utf8');
        tail = all.subarray(all.length - Math.min(unwritten, all.length));
      }
    }
    const lines = this.#queue.take(this.#queue.length);
    this.#queuedBytes = 0;
    // With no chunk of ours in flight, data of others (console.error, a diagnostic) may still be in
    // the stream; what of it libuv has not written is lost at exit whatever we do. A line of theirs up
    // to 4 KiB on a pipe is written whole or not at all, so ours never land inside it.
    if (fd === undefined || (chunk !== undefined && tail === undefined)) {
      if (lines.length > 0) this.drop('exit', lines.length);
      this.#reportExit(lines.length, chunk?.events ?? 0, 'the stream has no file descriptor to write to synchronously, or its pending write cannot be measured');
      return;
    }
    const groups: { buf: Buffer; events: number }[] = [];
    if (chunk !== undefined) groups.push({ buf: tail!, events: chunk.events });
    let text = '';
    let count = 0;
    for (const line of lines) {
      if (count > 0 && Buffer.byteLength(text, 'utf8') + Buffer.byteLength(line, 'utf8') > PIPE_BUF) {
        groups.push({ buf: Buffer.from(text, 'utf8'), events: count });
        text = '';
        count = 0;
      }
      text += line;
      count++;
    }
    if (count > 0) groups.push({ buf: Buffer.from(text, 'utf8'), events: count });
    const deadline = Date.now() + this.#exitTimeoutMs;
    let error: unknown;
    let timedOut = false;
    let g = 0;
    for (; g < groups.length; g++) {
      const r = writeAllSync(fd, groups[g]!.buf, deadline, this.#exitTimeoutMs);
      if (r !== 'ok') {
        if (r === 'timeout') timedOut = true;
        else error = r.error;
        break;
      }
      this.#delivered += groups[g]!.events;
      if (g === 0 && chunk !== undefined) this.#inFlight = undefined;
    }
    let lost = 0;
    for (let k = g; k < groups.length; k++) {
      const events = groups[k]!.events;
      if (k === 0 && chunk !== undefined) this.#inFlight = undefined;
      lost += events;
      if (error !== undefined) this.#failed += events;
      else this.drop('exit', events);
    }
    if (lost > 0) {
      const why = timedOut ? `the reader took none of it for ${this.#exitTimeoutMs} ms` : 'the write failed';
      reportDiagnostic({ component: this.#name, code: 'sink.exit_dropped', message: `${lost} line(s) could not be written at process exit: ${why}`, error, details: { lost } });
    }
  }

  #reportExit(dropped: number, inFlight: number, why: string): void {
    const pending = inFlight > 0 ? `; ${inFlight} line(s) were being written, outcome unknown (pending)` : '';
    reportDiagnostic({ component: this.#name, code: 'sink.exit_dropped', message: `${dropped} queued line(s) dropped at process exit: ${why}${pending}`, details: { dropped, inFlight } });
  }
}

/**
 * Writes all of `buf` to `fd`, retrying `EAGAIN` (sleeping 1-10 ms) until `deadline`; once part of it
 * is written, the rest gets `grace` ms more, so a line is not cut by the deadline.
 */
function writeAllSync(fd: number, buf: Buffer, deadline: number, grace: number): 'ok' | 'timeout' | { error: unknown } {
  let off = 0;
  for (let pause = 1; off < buf.length; ) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
      pause = 1;
    } catch (error) {
      if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EAGAIN') return { error };
      if (Date.now() >= (off === 0 ? deadline : deadline + grace)) return 'timeout';
      sleepSync(pause);
      pause = Math.min(pause * 2, 10);
    }
  }
  return 'ok';
}
