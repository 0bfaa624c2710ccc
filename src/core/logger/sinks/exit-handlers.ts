/**
 * Opt-in process-exit handling: on SIGTERM, SIGINT (configurable) and `beforeExit`, flush and shut
 * down every sink registered with the log-context facade and every named sink, plus any extra closable registered with
 * {@link registerForShutdown} (metrics recorders, exporters), within one time bound; then let the
 * process exit as it would have.
 */
import { MvxConfigError } from '../../errors.ts';
import { checkMilliseconds } from '../../config/option-checks.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { getRegisteredLogSinks } from '../context/facade.ts';
import { configuredLogSinks } from '../context/named-sinks.ts';
import type { LifecycleOptions } from './log-sink.ts';

/** Anything with a bounded `shutdown` (and optionally `flush`): sinks, recorders, exporters. */
export interface ShutdownParticipant {
  /** Called once at exit with the remaining time bound. */
  shutdown?(options?: LifecycleOptions): unknown;
  /** Used when there is no `shutdown`. */
  flush?(options?: LifecycleOptions): unknown;
}

/** Options of {@link installExitHandlers}. */
export interface ExitHandlerOptions {
  /** Upper bound of the whole shutdown, in ms. @default 5000 */
  timeoutMs?: number;
  /** Signals to handle. @default ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[];
  /** Also shut down on `beforeExit` (the event loop ran out of work). @default true */
  beforeExit?: boolean;
  /** Extra sinks (or any participants) to shut down besides the facade's registered sinks. */
  sinks?: readonly ShutdownParticipant[];
}

/** What {@link shutdownAll} reports. */
export interface ShutdownAllResult {
  /** Participants shut down (or flushed). */
  readonly total: number;
  /** Participants whose shutdown threw or rejected. */
  readonly failed: number;
  /** `true` when the bound passed before every participant finished. */
  readonly timedOut: boolean;
}

const extra = new Set<ShutdownParticipant>();

/**
 * Registers something to shut down at exit (with {@link installExitHandlers}) besides the facade's
 * sinks. Returns a function that unregisters it.
 */
export function registerForShutdown(participant: ShutdownParticipant): () => void {
  extra.add(participant);
  return () => {
    extra.delete(participant);
  };
}

/**
 * Shuts down (or flushes) the facade's registered sinks, the registered participants and `more`,
 * concurrently, bounded by `timeoutMs`. Never rejects. Each participant gets `{ timeoutMs }`.
 */
export async function shutdownAll(timeoutMs = 5_000, more: readonly ShutdownParticipant[] = []): Promise<ShutdownAllResult> {
  const all = new Set<ShutdownParticipant>();
  try {
    for (const s of getRegisteredLogSinks()) all.add(s);
    for (const s of configuredLogSinks()) all.add(s);
  } catch (err) {
    reportDiagnostic({ component: 'exit-handlers', code: 'exit.sinks_unavailable', message: 'could not list the registered log sinks', error: err });
  }
  for (const p of extra) all.add(p);
  for (const p of more) all.add(p);
  let failed = 0;
  const jobs = [...all].map(async (p) => {
    try {
      if (typeof p.shutdown === 'function') await p.shutdown({ timeoutMs });
      else if (typeof p.flush === 'function') await p.flush({ timeoutMs });
    } catch (err) {
      failed++;
      reportDiagnostic({ component: 'exit-handlers', code: 'exit.shutdown_failed', message: 'a sink or participant failed to shut down', error: err });
    }
  });
  // Holding the process on purpose: while exiting, it should wait for the bound, not end in between.
  const result = await waitBounded(Promise.all(jobs), { timeoutMs, holdProcess: true });
  return { total: all.size, failed, timedOut: result.status === 'timeout' };
}

let installed: (() => void) | undefined;

/**
 * Installs the exit handlers. On a handled signal: shuts everything down (see {@link shutdownAll})
 * within `timeoutMs`, removes its handlers, then re-raises the signal with
 * `process.kill(process.pid, signal)` so the process ends exactly as it would have (killed by the
 * signal: exit status 128+n in a shell) — unless the application has its own listeners for that
 * signal, in which case they decide (Node does not exit on a signal that has listeners). A second
 * signal while shutting down re-raises at once. On `beforeExit`: shuts everything down once; the
 * process then exits normally with its exit code. `process.exit()` cannot wait for asynchronous
 * work and is not handled here: the sinks' own synchronous exit path covers it (`FileSink` and
 * `ConsoleSink` write what they hold with `fs.writeSync`, other sinks count and report it).
 *
 * Idempotent: while installed, further calls return the same uninstall function (their options are
 * ignored).
 *
 * @returns a function that removes the handlers.
 */
export function installExitHandlers(options: ExitHandlerOptions = {}): () => void {
  if (installed !== undefined) return installed;
  const timeoutMs = checkMilliseconds('timeoutMs', options.timeoutMs, { default: 5_000 });
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  if (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string' || !/^SIG[A-Z0-9]+$/.test(s))) {
    throw new MvxConfigError('signals', "must be an array of signal names such as 'SIGTERM'");
  }
  const sinks = options.sinks ?? [];
  if (!Array.isArray(sinks)) throw new MvxConfigError('sinks', 'must be an array of sinks (objects with shutdown() or flush())');
  sinks.forEach((s: unknown, i) => {
    if (s === null || typeof s !== 'object' || (typeof (s as ShutdownParticipant).shutdown !== 'function' && typeof (s as ShutdownParticipant).flush !== 'function')) {
      throw new MvxConfigError(`sinks[${i}]`, 'must have a shutdown() or flush() method');
    }
  });
  const more = [...sinks];
  let running: Promise<unknown> | undefined;

  const uninstall = (): void => {
    for (const s of signals) process.removeListener(s, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
    if (installed === uninstall) installed = undefined;
  };

  const reraise = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (running !== undefined) {
      uninstall();
      reraise(signal);
      return;
    }
    running = shutdownAll(timeoutMs, more).then(() => {
      uninstall();
      reraise(signal);
    });
  }

  function onBeforeExit(): void {
    if (running !== undefined) return;
    running = shutdownAll(timeoutMs, more).then(() => {
      uninstall();
    });
  }

  for (const s of signals) process.on(s, onSignal);
  if (options.beforeExit !== false) process.on('beforeExit', onBeforeExit);
  installed = uninstall;
  return uninstall;
}
