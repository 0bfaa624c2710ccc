/** Options and statistics of `FileSink`, and their validation. */
import { MvxConfigError } from '../../errors.ts';
import type { LogEvent } from '../event.ts';
import { ASYNC_LOG_SINK_OPTION_KEYS, rejectUnknownKeys } from './async-log-sink-options.ts';
import { describeValue } from '../../config/option-checks.ts';
import type { AsyncLogSinkOptions, AsyncLogSinkReport, AsyncLogSinkStats } from './async-log-sink-options.ts';

/** Line formats of `FileSink`. */
export type FileSinkFormat = 'json' | 'readable' | ((event: LogEvent) => string);

/** Options of `FileSink` (plus every {@link AsyncLogSinkOptions} option). */
export interface FileSinkOptions extends AsyncLogSinkOptions {
  /** File path (relative paths resolve against the working directory). Parent directories are created. */
  path: string;
  /**
   * `json`: one JSON object per line (`formatJsonLine`); `readable`: `formatReadable` without
   * colours; or a function returning one line (no trailing newline). When the function throws or
   * returns a non-string, that event is written as a JSON line instead and a `file.format_failed`
   * diagnostic is reported. @default 'json'
   */
  format?: FileSinkFormat;
  /**
   * Size limit of the active file in bytes (at least 1024); 0 = no size rotation. The sink rotates
   * before a write that would cross the limit, so no file ever exceeds it; a single line larger than
   * the limit is replaced by a short JSON line `{"time","ts","level","namespace","event",
   * "truncated":true,"bytes":<original size>}` (counted in `truncated`). @default 0
   */
  maxBytes?: number;
  /** Rotated files kept (`app.log.1` newest … `app.log.<maxFiles>` oldest; 1 to 1000). @default 5 */
  maxFiles?: number;
  /**
   * Rotate when the calendar day changes, at local or UTC midnight. Never at start-up: the first
   * boundary is the next midnight after the sink starts; an empty file is not rotated. @default false
   */
  rotateDaily?: false | 'local' | 'utc';
  /** Gzip rotated files (`app.log.1.gz`, …) in the background with node:zlib. @default false */
  compress?: boolean;
  /** Clock for daily rotation, in epoch ms (tests inject one). @default Date.now */
  clock?: () => number;
  /** File mode for a new file (before the umask). @default 0o666 */
  fileMode?: number;
}

/** Statistics of `FileSink`: the base statistics plus file counters. */
export interface FileSinkStats extends AsyncLogSinkStats {
  /** Bytes written to the file(s) since start. */
  readonly bytesWritten: number;
  /** Rotations done. */
  readonly rotations: number;
  /** Rotated files compressed. */
  readonly compressed: number;
  /** Compressions that failed (the rotated file is kept uncompressed). */
  readonly compressFailures: number;
  /** Lines larger than `maxBytes` that were replaced by a truncation marker. */
  readonly truncated: number;
}

/** What `FileSink.flush()` / `shutdown()` resolve with: the report plus the file counters. */
export type FileSinkReport = AsyncLogSinkReport & FileSinkStats;

/** Resolved FileSink options. */
export interface ResolvedFileSinkOptions {
  readonly path: string;
  readonly format: FileSinkFormat;
  readonly maxBytes: number;
  readonly maxFiles: number;
  readonly rotateDaily: false | 'local' | 'utc';
  readonly compress: boolean;
  readonly clock: () => number;
  readonly fileMode: number;
}

const FILE_KEYS = ['path', 'format', 'maxBytes', 'maxFiles', 'rotateDaily', 'compress', 'clock', 'fileMode'];

/**
 * Validates the FileSink-specific options (unknown keys are rejected too).
 *
 * @throws MvxConfigError naming the first invalid option.
 */
export function resolveFileSinkOptions(options: FileSinkOptions): ResolvedFileSinkOptions {
  if (options === null || typeof options !== 'object') {
    throw new MvxConfigError('options', `must be an object with at least 'path', got ${describeValue(options)}`);
  }
  rejectUnknownKeys(options, [...ASYNC_LOG_SINK_OPTION_KEYS, ...FILE_KEYS], 'FileSink');
  const { path, format = 'json', maxBytes = 0, maxFiles = 5, rotateDaily = false, compress = false, clock = Date.now, fileMode = 0o666 } = options;
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new MvxConfigError('path', `must be a non-empty file path, got ${describeValue(path)}`);
  }
  if (format !== 'json' && format !== 'readable' && typeof format !== 'function') {
    throw new MvxConfigError('format', `must be 'json', 'readable' or a function (event) => string, got ${describeValue(format)}`);
  }
  if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || (maxBytes !== 0 && maxBytes < 1024) || maxBytes > Number.MAX_SAFE_INTEGER) {
    throw new MvxConfigError('maxBytes', `must be 0 (no size rotation) or an integer number of bytes >= 1024, got ${describeValue(maxBytes)}`);
  }
  if (typeof maxFiles !== 'number' || !Number.isInteger(maxFiles) || maxFiles < 1 || maxFiles > 1000) {
    throw new MvxConfigError('maxFiles', `must be an integer from 1 to 1000, got ${describeValue(maxFiles)}`);
  }
  if (rotateDaily !== false && rotateDaily !== 'local' && rotateDaily !== 'utc') {
    throw new MvxConfigError('rotateDaily', `must be false, 'local' or 'utc', got ${describeValue(rotateDaily)}`);
  }
  if (typeof compress !== 'boolean') throw new MvxConfigError('compress', `must be a boolean, got ${describeValue(compress)}`);
  if (typeof clock !== 'function') throw new MvxConfigError('clock', `must be a function returning epoch ms, got ${describeValue(clock)}`);
  if (typeof fileMode !== 'number' || !Number.isInteger(fileMode) || fileMode < 0 || fileMode > 0o7777) {
    throw new MvxConfigError('fileMode', `must be a file mode like 0o644, got ${describeValue(fileMode)}`);
  }
  return { path, format, maxBytes, maxFiles, rotateDaily, compress, clock, fileMode };
}

/** Epoch ms of the next midnight (local or UTC) strictly after `now`. */
export function nextMidnight(now: number, mode: 'local' | 'utc'): number {
  const d = new Date(now);
  if (mode === 'utc') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}
