/**
 * The library's diagnostic channel: how components report what they cannot throw.
 *
 * Hot paths (logging, emitting, recording, exporting) never throw into the caller. When they meet
 * bad input or a failing component they call {@link reportDiagnostic}: the report is counted by
 * `code`, handed to listeners registered with {@link onDiagnostic}, published on the
 * `node:diagnostics_channel` channel {@link DIAGNOSTICS_CHANNEL_NAME}, and printed to stderr
 * (the first report of a code at once, later ones summarised with a count at most every
 * `summaryIntervalMs`, also when reports stop, and at the latest when the process exits), so
 * nothing fails silently. Modelled on OpenTelemetry's `diag` logger.
 *
 * Public: `onDiagnostic`, `configureDiagnostics`, `diagnosticCounts` and the channel name are
 * re-exported from the root; `reportDiagnostic` is for components (the adapter kit re-exports it).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { atExit, processIsExiting } from './internal/at-exit.ts';

/** One diagnostic report. */
export interface Diagnostic {
  /** Which component reports, e.g. `LogContext`, `FileSink`, `PrometheusExporter`. */
  readonly component: string;
  /** A stable short code for the kind of problem, e.g. `sink.failed`, `spec.unresolved`. */
  readonly code: string;
  /** A human-readable sentence. */
  readonly message: string;
  /** The error behind the report, when there is one. */
  readonly error?: unknown;
  /** Extra JSON-safe details. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Epoch ms. */
  readonly timestamp: number;
}

/** Name of the `node:diagnostics_channel` channel every diagnostic is published on. */
export const DIAGNOSTICS_CHANNEL_NAME = 'mvx-common:diagnostic';

/**
 * Most distinct `component:code` keys counted and throttled. Components are often named after
 * instances (a sink's `name`, a recorder's `id`), so the keys are not a fixed set.
 */
export const DIAGNOSTIC_KEY_LIMIT = 1024;
/** The key {@link diagnosticCounts} counts reports under once {@link DIAGNOSTIC_KEY_LIMIT} keys are held. */
export const DIAGNOSTIC_OVERFLOW_KEY = 'diagnostics:overflow';

const channel = diagnosticsChannel.channel(DIAGNOSTICS_CHANNEL_NAME);
const listeners = new Set<(d: Diagnostic) => void>();
const counts = new Map<string, number>();
interface PrintState {
  printedAt: number;
  suppressed: number;
  /** The last suppressed report (for the summary). */
  last: Diagnostic | undefined;
}
const printed = new Map<string, PrintState>();
/** Keys with suppressed reports whose summary is still to be printed. */
const pending = new Set<string>();
let summaryTimer: NodeJS.Timeout | undefined;
let offExit: (() => void) | undefined;
let stderrMode: 'throttled' | 'off' = 'throttled';
let summaryIntervalMs = 5_000;

/**
 * Reports a problem met on a path that must not throw. Never throws itself.
 */
export function reportDiagnostic(report: Omit<Diagnostic, 'timestamp'>): void {
  try {
    const d: Diagnostic = { ...report, timestamp: Date.now() };
    const key = `${d.component}:${d.code}`;
    const count = counts.get(key);
    if (count !== undefined) counts.set(key, count + 1);
    else if (counts.size < DIAGNOSTIC_KEY_LIMIT) counts.set(key, 1);
    else counts.set(DIAGNOSTIC_OVERFLOW_KEY, (counts.get(DIAGNOSTIC_OVERFLOW_KEY) ?? 0) + 1);
    for (const l of listeners) {
      try {
        l(d);
      } catch {
        // A throwing listener must not break the reporter or the other listeners.
      }
    }
    if (channel.hasSubscribers) channel.publish(d);
    if (stderrMode === 'throttled') printThrottled(key, d);
  } catch {
    // Last resort: the diagnostic path itself must never throw.
  }
}

function printThrottled(key: string, d: Diagnostic): void {
  const now = d.timestamp;
  const state = printed.get(key);
  if (state === undefined) {
    // Full: forget the oldest key's throttling (at worst it prints at once again), after printing
    // what it still had suppressed.
    if (printed.size >= DIAGNOSTIC_KEY_LIMIT) {
      const oldest = printed.keys().next().value!;
      const old = printed.get(oldest)!;
      if (pending.delete(oldest)) writeSummary(old);
      printed.delete(oldest);
    }
    printed.set(key, { printedAt: now, suppressed: 0, last: undefined });
    writeStderr(d, 0);
    return;
  }
  // While the process exits no later summary can come: print at once.
  if (now - state.printedAt >= summaryIntervalMs || processIsExiting()) {
    writeStderr(d, state.suppressed);
    state.printedAt = now;
    state.suppressed = 0;
    state.last = undefined;
    pending.delete(key);
  } else {
    state.suppressed++;
    state.last = d;
    if (!pending.has(key)) {
      pending.add(key);
      scheduleSummaries(state.printedAt + summaryIntervalMs - now);
    }
  }
}

/**
 * Suppressed reports are summarised when their interval has passed even if no report of that kind
 * follows (an unref'ed timer), and at process exit (synchronously) if the process ends sooner:
 * otherwise a burst of failures just before the end would print one line and hide the rest.
 */
function scheduleSummaries(delayMs: number): void {
  offExit ??= atExit(() => {
    offExit = undefined;
    printSummaries(true);
  });
  if (summaryTimer !== undefined) return;
  summaryTimer = setTimeout(onSummaryTimer, Math.max(0, delayMs));
  summaryTimer.unref();
}

function onSummaryTimer(): void {
  summaryTimer = undefined;
  printSummaries(false);
}

function printSummaries(all: boolean): void {
  const now = Date.now();
  let next = Infinity;
  for (const key of pending) {
    const state = printed.get(key);
    if (state === undefined || state.suppressed === 0) {
      pending.delete(key);
      continue;
    }
    const due = state.printedAt + summaryIntervalMs;
    if (!all && now < due) {
      next = Math.min(next, due);
      continue;
    }
    if (stderrMode === 'throttled') writeSummary(state);
    state.printedAt = now;
    state.suppressed = 0;
    state.last = undefined;
    pending.delete(key);
  }
  if (pending.size > 0 && next !== Infinity) scheduleSummaries(next - now);
  else if (pending.size === 0) {
    offExit?.();
    offExit = undefined;
  }
}

function errorSuffix(d: Diagnostic): string {
  if (d.error === undefined) return '';
  return d.error instanceof Error ? ` | ${d.error.name}: ${d.error.message}` : ` | ${safeString(d.error)}`;
}

function writeStderr(d: Diagnostic, suppressed: number): void {
  const more = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
  process.stderr.write(`[mvx-common] ${d.component} ${d.code}: ${d.message}${errorSuffix(d)}${more}\n`);
}

function writeSummary(state: PrintState): void {
  const d = state.last;
  if (d === undefined || state.suppressed === 0) return;
  try {
    process.stderr.write(`[mvx-common] ${d.component} ${d.code}: ${state.suppressed} more since the last report | last: ${d.message}${errorSuffix(d)}\n`);
  } catch {
    // stderr itself failed: nothing left to report to.
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '<unprintable>';
  }
}

/**
 * Registers a listener for every diagnostic. Returns a function that removes it.
 * A listener that throws is ignored.
 */
export function onDiagnostic(listener: (d: Diagnostic) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/**
 * How diagnostics reach stderr: `throttled` (default: first report of each code at once, then a
 * summary with a count at most every `summaryIntervalMs`, default 5000 ms; a summary still pending
 * when reports stop is printed when its interval has passed (an unref'ed timer) or, if the process
 * ends sooner, synchronously in its `exit` event) or `off` (listeners and the diagnostics channel
 * only). Returns the settings as they were before the call, so they can be put back.
 */
export function configureDiagnostics(options: { stderr?: 'throttled' | 'off'; summaryIntervalMs?: number }): DiagnosticsSettings {
  const previous: DiagnosticsSettings = { stderr: stderrMode, summaryIntervalMs };
  if (options.stderr !== undefined) stderrMode = options.stderr;
  if (options.summaryIntervalMs !== undefined) summaryIntervalMs = options.summaryIntervalMs;
  return previous;
}

/** The settings of {@link configureDiagnostics}. */
export interface DiagnosticsSettings {
  readonly stderr: 'throttled' | 'off';
  readonly summaryIntervalMs: number;
}

/**
 * Counts of reports so far, keyed by `component:code`; once {@link DIAGNOSTIC_KEY_LIMIT} keys are
 * held, reports of new keys are counted under {@link DIAGNOSTIC_OVERFLOW_KEY}.
 */
export function diagnosticCounts(): ReadonlyMap<string, number> {
  return new Map(counts);
}

/** How many keys the counts and the stderr throttling hold. Internal, for tests. */
export function diagnosticKeysTracked(): { counts: number; printed: number } {
  return { counts: counts.size, printed: printed.size };
}

/** Clears counts and throttling state, pending summaries included (for tests). */
export function resetDiagnostics(): void {
  counts.clear();
  printed.clear();
  pending.clear();
  if (summaryTimer !== undefined) clearTimeout(summaryTimer);
  summaryTimer = undefined;
  offExit?.();
  offExit = undefined;
}
