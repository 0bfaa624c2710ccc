/**
 * A synchronous sink writing one line per event to stderr, stdout or any writable stream.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import type { LogEvent } from '../event.ts';
import { formatJsonLine } from '../format/json-line.ts';
import { formatReadable } from '../format/readable.ts';
import { parseLogLevel } from '../level.ts';
import type { LifecycleOptions, LogSink } from '../sink.ts';

/** What {@link ConsoleSink} writes to: anything with `write(string)` (a `Writable`, a socket). */
export interface ConsoleSinkStream {
  write(chunk: string): unknown;
  /** When true and the format is `auto`, lines are readable and coloured. */
  readonly isTTY?: boolean;
  readonly writableNeedDrain?: boolean;
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
}

/** Counters of a {@link ConsoleSink}. */
export interface ConsoleSinkStats {
  /** Lines written. */
  written: number;
  /** Events below `minLevel`. */
  filtered: number;
  /** Events received after `shutdown()` (ignored). */
  afterShutdown: number;
}

const FORMATS: ReadonlySet<string> = new Set(['json', 'readable', 'auto']);

/**
 * Writes each event as one line. A write that throws propagates to the `LogContext`, whose
 * error-handling mode decides. `shutdown()` stops writing but never closes `process.stdout/stderr`.
 */
export class ConsoleSink implements LogSink {
  readonly #stream: 'stderr' | 'stdout' | ConsoleSinkStream;
  readonly #format: ConsoleSinkFormat;
  readonly #colors: boolean | undefined;
  readonly #minLevel: number;
  #shutdown: Promise<void> | undefined;
  readonly #stats: ConsoleSinkStats = { written: 0, filtered: 0, afterShutdown: 0 };

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
    this.#stream = stream;
    this.#format = format;
    this.#colors = options.colors;
    this.#minLevel = minLevel;
  }

  #target(): ConsoleSinkStream {
    const s = this.#stream;
    if (s === 'stderr') return process.stderr;
    if (s === 'stdout') return process.stdout;
    return s;
  }

  /** Formats and writes one event. */
  log(event: LogEvent): void {
    if (this.#shutdown !== undefined) {
      this.#stats.afterShutdown++;
      return;
    }
    if (event.level < this.#minLevel) {
      this.#stats.filtered++;
      return;
    }
    const target = this.#target();
    const tty = target.isTTY === true;
    let line: string;
    if (this.#format === 'json' || (this.#format === 'auto' && !tty)) line = formatJsonLine(event);
    else line = formatReadable(event, { colors: this.#colors ?? (this.#format === 'auto' && tty) });
    target.write(`${line}\n`);
    this.#stats.written++;
  }

  /** Resolves when the stream has drained (or at once), bounded by `timeoutMs` (default 5000). */
  flush(options: LifecycleOptions = {}): Promise<void> {
    const target = this.#target();
    if (target.writableNeedDrain !== true || typeof target.once !== 'function') return Promise.resolve();
    return new Promise<void>((resolve) => {
      const onDrain = (): void => {
        clearTimeout(timer);
        resolve();
      };
      // On timeout the listener goes too: repeated flushes of a stalled stream must not pile up.
      const timer = setTimeout(() => {
        target.removeListener?.('drain', onDrain);
        resolve();
      }, options.timeoutMs ?? 5_000);
      timer.unref?.();
      target.once!('drain', onDrain);
    });
  }

  /** Flushes, then ignores further events. Idempotent (same promise). Never closes the stream. */
  shutdown(options: LifecycleOptions = {}): Promise<void> {
    this.#shutdown ??= this.flush(options);
    return this.#shutdown;
  }

  /** Counters. */
  stats(): ConsoleSinkStats {
    return { ...this.#stats };
  }
}
