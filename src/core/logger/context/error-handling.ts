/**
 * What a `LogContext` does when its sink throws.
 *
 * @module
 */
import { MvxError, MvxErrorCode } from '../../errors.ts';
import { atExit, processIsExiting } from '../../internal/at-exit.ts';
import { composeEventName } from '../event.ts';
import type { LogEvent } from '../event.ts';

/**
 * Error handling modes:
 * - `raise`: the logging call throws `MvxError` with code `MVX_UNABLE_TO_LOG` and the sink's
 *   error as `cause`. Opt-in only: it lets sink problems reach business code.
 * - `print-stderr` (default): the first failure is printed to stderr at once; later ones are
 *   counted and summarised (with the count and the last error) at most every
 *   {@link SINK_FAILURE_SUMMARY_INTERVAL_MS}, also when failures stop (an `unref`ed timer prints
 *   the pending summary, and a process that exits before it is due prints it synchronously in its
 *   `exit` event), so failures are never silent.
 * - `ignore`: nothing is printed, but every failure is counted (`LogContext.stats().sinkFailures`).
 */
export const LogErrorHandling = {
  RAISE: 'raise',
  PRINT_STDERR: 'print-stderr',
  IGNORE: 'ignore',
} as const;

/** One of {@link LogErrorHandling}. */
export type LogErrorHandlingMode = (typeof LogErrorHandling)[keyof typeof LogErrorHandling];

/** Minimum interval between two printed sink-failure reports of one context, in ms. */
export const SINK_FAILURE_SUMMARY_INTERVAL_MS = 5_000;

const MODES: ReadonlySet<string> = new Set(Object.values(LogErrorHandling));

/** Whether `value` is a valid {@link LogErrorHandlingMode}. */
export function isLogErrorHandlingMode(value: unknown): value is LogErrorHandlingMode {
  return typeof value === 'string' && MODES.has(value);
}

function describe(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return '<unprintable error>';
  }
}

function writeStderr(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // stderr itself failed: nothing left to report to.
  }
}

/**
 * Throttled stderr printer of sink failures for one context (the `print-stderr` mode).
 * Internal.
 */
export class SinkFailurePrinter {
  readonly #label: string;
  #printedAt = Number.NEGATIVE_INFINITY;
  #suppressed = 0;
  #lastError: unknown;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #offExit: (() => void) | undefined;

  constructor(label: string) {
    this.#label = label;
  }

  /** Records one failure: prints it now or counts it for the next summary. */
  failure(eventKey: string, error: unknown): void {
    const now = Date.now();
    // While the process exits no later summary can come: print at once.
    if (now - this.#printedAt >= SINK_FAILURE_SUMMARY_INTERVAL_MS || processIsExiting()) {
      const more = this.#suppressed > 0 ? ` (${this.#suppressed} more failures since the last report)` : '';
      this.#suppressed = 0;
      this.#printedAt = now;
      writeStderr(`[mvx-common] ${this.#label}: sink failed to log event '${eventKey}' | ${describe(error)}${more}`);
      return;
    }
    this.#suppressed++;
    this.#lastError = error;
    if (this.#timer === undefined) {
      const wait = Math.max(0, this.#printedAt + SINK_FAILURE_SUMMARY_INTERVAL_MS - now);
      this.#timer = setTimeout(() => this.#summarise(), wait);
      this.#timer.unref?.();
      // The timer is unref'ed: a process that ends sooner prints the summary on its way out.
      this.#offExit = atExit(() => this.#summarise());
    }
  }

  #summarise(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#offExit?.();
    this.#offExit = undefined;
    if (this.#suppressed === 0) return;
    writeStderr(
      `[mvx-common] ${this.#label}: ${this.#suppressed} more sink failures since the last report | last: ${describe(this.#lastError)}`,
    );
    this.#suppressed = 0;
    this.#printedAt = Date.now();
  }
}

/** An error's type for a payload: its `name`, `'null'`, or its `typeof`. */
export function errorType(err: unknown): string {
  if (err instanceof Error) return err.name;
  if (err === null) return 'null';
  return typeof err;
}

/** An error's message, never throwing (`'<unprintable>'` when even `String(err)` throws). */
export function safeMessage(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return '<unprintable>';
  }
}

/**
 * What a failure of the sink of the context `namespace` becomes in `mode` (not `ignore`): a thrown
 * `MvxError` (`raise`, code `MVX_UNABLE_TO_LOG`, the sink's error as `cause`) or a throttled line
 * on stderr through the context's `printer`.
 */
export function handleSinkFailure(mode: LogErrorHandlingMode, namespace: string, event: LogEvent, error: unknown, printer: () => SinkFailurePrinter): void {
  let key = '<unknown event>';
  try {
    key = composeEventName(event.meta);
  } catch {
    // keep the placeholder
  }
  if (mode === LogErrorHandling.RAISE) {
    throw new MvxError(MvxErrorCode.UNABLE_TO_LOG, `unable to log event '${key}': ${safeMessage(error)}`, {
      cause: error,
      details: { namespace, event: key },
    });
  }
  printer().failure(key, error);
}
