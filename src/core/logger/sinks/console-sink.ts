/**
 * A sink writing one line per event to stderr, stdout or any writable stream, with a bounded
 * backlog for slow readers and exact accounting.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import type { LogEvent } from '../event.ts';
import { formatJsonLine } from '../format/json-line.ts';
import { formatReadable } from '../format/readable.ts';
import { parseLogLevel } from '../level.ts';
import type { LifecycleOptions, LogSink } from './log-sink.ts';
import type { LogSinkDropReasonValue } from './async-log-sink-options.ts';
import { ConsoleSinkWriter } from './console-sink-writer.ts';
import { registerExitDrain } from '../../lifecycle/exit-drain.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import type { LifecycleReport } from '../../lifecycle/types.ts';
import { Once } from '../../lifecycle/once.ts';

/**
 * What {@link ConsoleSink} writes to: anything with `write(string)` (a `Writable`, a socket). A stream
 * with a numeric `writableLength` (every Node `Writable`) is written to with backpressure, bounded
 * by {@link ConsoleSinkOptions.maxBufferedBytes}; anything else is taken as synchronous.
 */
export interface ConsoleSinkStream {
  write(chunk: string, callback?: (error?: Error | null) => void): unknown;
  /** When true and the format is `auto`, lines are readable and coloured. */
  readonly isTTY?: boolean;
  readonly writableNeedDrain?: boolean;
  /** What the stream buffers (string length for string chunks); see `Writable#writableLength`. */
  readonly writableLength?: number;
  /** Set once the stream failed; see `Writable#errored`. */
  readonly errored?: unknown;
  /** Its file descriptor (`process.stderr.fd` is 2): the exit path writes what is pending there. */
  readonly fd?: number;
  once?(event: 'drain', listener: () => void): unknown;
  /** Used to remove the `drain` listener of a flush that timed out. */
  removeListener?(event: 'drain', listener: () => void): unknown;
}

/** Line format of {@link ConsoleSink}. */
export type ConsoleSinkFormat = 'json' | 'readable' | 'auto';

/** Options of {@link ConsoleSink}. */
export interface ConsoleSinkOptions {
  /** `'stderr'`, `'stdout'` (resolved at each write, so a replaced `process.stderr` is honoured) or a stream. @default 'stderr' */
  stream?: 'stderr' | 'stdout' | ConsoleSinkStream;
  /**
   * `json`: one JSON object per line (see `formatJsonLine`); `readable`: a readable line (see
   * `formatReadable`); `auto`: readable with colours when the stream is a TTY, JSON otherwise.
   * @default 'auto'
   */
  format?: ConsoleSinkFormat;
  /** Colours for the readable format. @default true on a TTY with `auto`, false otherwise */
  colors?: boolean;
  /** Events below this level are skipped (and counted in `stats().filtered`). A number or a level name. @default 0 (all) */
  minLevel?: number | string;
  /**
   * Bound of the lines waiting for a slow reader, in bytes (UTF-8) of formatted lines; beyond it new
   * lines are dropped and counted (`droppedByReason.queue_full`). The stream itself then holds at
   * most one more chunk of at most 64 KiB. Heap use is about this much plus ~50 bytes per waiting
   * line. 0: never wait (drop whenever the stream is busy). @default 4_194_304 (4 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * At process exit, how long the sink may block writing what is still pending (`fs.writeSync` on the
   * stream's fd, waiting for a full pipe to drain), in ms; what is not written by then is dropped
   * (`droppedByReason.exit`) and reported. @default 1000
   */
  exitTimeoutMs?: number;
  /**
   * Join the lines logged in one synchronous run (one tick of the event loop) into one write, made
   * when the run ends (a microtask) or when 64 KiB are waiting: one system call per tick instead of
   * one per line, as pino's default destination buffers (`sync: false`). A line then waits at most
   * until the current task ends, and the exit path writes it if the process ends first; a write
   * that throws is counted as failed and reported rather than thrown into the logging call, and
   * the application's own writes to the same stream in that run come before these lines. Without it
   * each line is handed to the stream at once. Never on a TTY (a person is reading), nor with
   * `maxBufferedBytes: 0`. @default false
   */
  coalesce?: boolean;
}

/**
 * Counters of a {@link ConsoleSink}: `accepted = delivered + dropped + failed + pending` at every
 * moment (events below `minLevel` are not accepted: they are `filtered`).
 */
export interface ConsoleSinkStats {
  /** Events at or above `minLevel`, including those dropped after `shutdown()`. */
  accepted: number;
  /** Lines completely written to the stream's destination (the stream's write completed). */
  delivered: number;
  /** Lines dropped, all reasons. */
  dropped: number;
  /**
   * `queue_full` (the reader was slower and `maxBufferedBytes` was reached), `shutdown` (logged after
   * `shutdown()`), `shutdown_timeout` (still waiting when `shutdown()` ran out of time), `exit` (not
   * written at process exit within `exitTimeoutMs`, or the stream had no fd to write to).
   */
  droppedByReason: Record<LogSinkDropReasonValue, number>;
  /** Lines whose write threw or whose stream reported an error. */
  failed: number;
  /** `queued` + `inFlight`. */
  pending: number;
  /** Lines waiting in the sink for the stream. */
  queued: number;
  /** Their size in bytes (bounded by `maxBufferedBytes`). */
  queuedBytes: number;
  /** Lines handed to the stream, not written yet. */
  inFlight: number;
  /** Events below `minLevel`. */
  filtered: number;
  /** Same as `delivered` (the earlier name). */
  written: number;
  /** Same as `droppedByReason.shutdown` (the earlier name). */
  afterShutdown: number;
}

const FORMATS: ReadonlySet<string> = new Set(['json', 'readable', 'auto']);

/**
 * Writes each event as one line, with backpressure: when the stream is busy (a pipe whose reader is
 * slower than the logger), lines wait in a queue bounded by `maxBufferedBytes` and are dropped,
 * counted, beyond it; the stream never buffers more than one chunk of the sink's. At process exit
 * (`process.exit()`, an uncaught exception) what is still pending is written synchronously to the
 * stream's fd, or counted and reported. On a TTY and a file Node writes synchronously: nothing ever
 * waits. A write that throws propagates to the `LogContext`, whose error-handling mode decides.
 * `shutdown()` stops writing but never closes `process.stdout/stderr`.
 */
export class ConsoleSink implements LogSink {
  readonly #stream: 'stderr' | 'stdout' | ConsoleSinkStream;
  readonly #format: ConsoleSinkFormat;
  readonly #colors: boolean | undefined;
  readonly #minLevel: number;
  readonly #writer: ConsoleSinkWriter;
  readonly #coalesce: boolean;
  readonly #shutdown = new Once((options: LifecycleOptions) =>
    this.flush(options).then((flushed) => {
      this.#writer.abandonQueue('shutdown_timeout');
      return { ...this.stats(), timedOut: flushed.timedOut };
    }),
  );
  #accepted = 0;
  #filtered = 0;

  /** @throws MvxConfigError when an option is invalid. */
  constructor(options: ConsoleSinkOptions = {}) {
    const stream = options.stream ?? 'stderr';
    if (stream !== 'stderr' && stream !== 'stdout' && (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function')) {
      throw new MvxConfigError('stream', "must be 'stderr', 'stdout' or an object with write(string)");
    }
    const format = options.format ?? 'auto';
    if (!FORMATS.has(format)) throw new MvxConfigError('format', `must be 'json', 'readable' or 'auto', got ${String(format)}`);
    if (options.colors !== undefined && typeof options.colors !== 'boolean') throw new MvxConfigError('colors', 'must be a boolean');
    let minLevel = 0;
    if (options.minLevel !== undefined) {
      const parsed = parseLogLevel(options.minLevel);
      if (parsed === undefined) throw new MvxConfigError('minLevel', 'must be an integer or a level name (DEBUG, INFO, ...)');
      minLevel = parsed;
    }
    const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    if (typeof maxBufferedBytes !== 'number' || !Number.isInteger(maxBufferedBytes) || maxBufferedBytes < 0 || maxBufferedBytes > 2 ** 32) {
      throw new MvxConfigError('maxBufferedBytes', `must be an integer number of bytes from 0 to 2^32, got ${String(maxBufferedBytes)}`);
    }
    const exitTimeoutMs = options.exitTimeoutMs ?? 1_000;
    if (typeof exitTimeoutMs !== 'number' || !Number.isFinite(exitTimeoutMs) || exitTimeoutMs < 0 || exitTimeoutMs > 60_000) {
      throw new MvxConfigError('exitTimeoutMs', `must be a number of milliseconds from 0 to 60000, got ${String(exitTimeoutMs)}`);
    }
    if (options.coalesce !== undefined && typeof options.coalesce !== 'boolean') throw new MvxConfigError('coalesce', 'must be a boolean');
    this.#coalesce = options.coalesce === true && maxBufferedBytes > 0;
    this.#stream = stream;
    this.#format = format;
    this.#colors = options.colors;
    this.#minLevel = minLevel;
    this.#writer = new ConsoleSinkWriter('ConsoleSink', maxBufferedBytes, exitTimeoutMs);
    // Registered now (weakly), not when a line first waits: the exit hook is then installed before
    // the application's own `exit` listeners, which thus see the final counts.
    registerExitDrain(this);
  }

  #target(): ConsoleSinkStream {
    const s = this.#stream;
    if (s === 'stderr') return process.stderr;
    if (s === 'stdout') return process.stdout;
    return s;
  }

  /** Formats and writes (or queues) one event. Throws only what the stream's own `write` throws. */
  log(event: LogEvent): void {
    if (event.level < this.#minLevel) {
      this.#filtered++;
      return;
    }
    this.#accepted++;
    if (this.#shutdown.called) {
      this.#writer.drop('shutdown', 1);
      return;
    }
    const target = this.#target();
    const tty = target.isTTY === true;
    let line: string;
    if (this.#format === 'json' || (this.#format === 'auto' && !tty)) line = formatJsonLine(event);
    else line = formatReadable(event, { colors: this.#colors ?? (this.#format === 'auto' && tty) });
    this.#writer.write(target, `${line}\n`, this.#coalesce && !tty);
  }

  /**
   * Resolves when every line accepted so far is written (nothing queued or in flight) and the stream
   * has drained, or after `timeoutMs` (default 5000), with the counters and `timedOut`. Never rejects.
   */
  async flush(options: LifecycleOptions = {}): Promise<ConsoleSinkStats & LifecycleReport> {
    const timeoutMs = options.timeoutMs ?? 5_000;
    const deadline = Date.now() + timeoutMs;
    const timedOut = (await this.#writer.waitIdle(timeoutMs)) || (await this.#drained(Math.max(0, deadline - Date.now())));
    return { ...this.stats(), timedOut };
  }

  /** Waits for the stream's `drain` when it needs one; `true` when `timeoutMs` passed first. */
  async #drained(timeoutMs: number): Promise<boolean> {
    const target = this.#target();
    if (target.writableNeedDrain !== true || typeof target.once !== 'function') return false;
    let onDrain: (() => void) | undefined;
    const drained = new Promise<void>((resolve) => {
      onDrain = resolve;
      target.once!('drain', onDrain);
    });
    const result = await waitBounded(drained, { timeoutMs });
    // On timeout the listener goes too: repeated flushes of a stalled stream must not pile up.
    if (result.status === 'timeout') target.removeListener?.('drain', onDrain!);
    return result.status === 'timeout';
  }

  /**
   * Flushes, then ignores further events (dropped, reason `shutdown`); lines still queued when
   * `timeoutMs` runs out are dropped (reason `shutdown_timeout`). Idempotent (same promise). Never
   * rejects; resolves with the counters and `timedOut`. Never closes the stream.
   */
  shutdown(options: LifecycleOptions = {}): Promise<ConsoleSinkStats & LifecycleReport> {
    return this.#shutdown.call(options);
  }

  /** Counters; see {@link ConsoleSinkStats}. */
  stats(): ConsoleSinkStats {
    const w = this.#writer;
    const byReason = w.droppedByReason;
    return {
      accepted: this.#accepted,
      delivered: w.delivered,
      dropped: w.droppedTotal,
      droppedByReason: byReason,
      failed: w.failed,
      pending: w.queued + w.inFlight,
      queued: w.queued,
      queuedBytes: w.queuedBytes,
      inFlight: w.inFlight,
      filtered: this.#filtered,
      written: w.delivered,
      afterShutdown: byReason.shutdown,
    };
  }

  /** @internal Nothing to start: a pending write keeps the loop alive by itself. */
  drainBeforeExit(): void {}

  /** @internal At process exit: writes what is pending synchronously, or counts it (see `ConsoleSinkWriter`). */
  drainOnExit(): void {
    this.#writer.drainOnExit(this.#target());
  }
}
