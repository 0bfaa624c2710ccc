/**
 * The library's one `process.on('exit')` listener, for the synchronous work left when a process
 * ends (`process.exit()`, the end of the event loop, an uncaught exception), in two phases:
 *
 * 1. `drain`: sinks write what they still hold (`fs.writeSync`) or count what they cannot.
 * 2. `report`: pending summaries of throttled stderr reports (the diagnostics channel, the
 *    `print-stderr` error handling) are printed: an unref'ed summary timer never fires in a process
 *    that ends before it is due, and the drains of phase 1 may add reports.
 *
 * While the hooks run, {@link processIsExiting} is `true`: throttled reporters then print at once,
 * and a hook registered meanwhile runs at once.
 *
 * Internal: not re-exported.
 */

/** When an exit hook runs: sinks first, then the reports. */
export type ExitPhase = 'drain' | 'report';

const phases: Record<ExitPhase, Set<() => void>> = { drain: new Set(), report: new Set() };
let installed = false;
let running = false;

function runSafely(hook: () => void): void {
  try {
    hook();
  } catch {
    // Nothing may break the other hooks, or the exit itself.
  }
}

function runHooks(): void {
  running = true;
  for (const phase of ['drain', 'report'] as const) {
    const set = phases[phase];
    for (const hook of [...set]) {
      set.delete(hook);
      runSafely(hook);
    }
  }
}

const noop = (): void => {};

/**
 * Runs `hook` synchronously, once, when the process exits, in `phase` (default `report`). Returns a
 * function that unregisters it (cheap; call it when the work the hook would do is done). The
 * listener is installed on first use; during the exit itself the hook runs at once.
 */
export function atExit(hook: () => void, phase: ExitPhase = 'report'): () => void {
  if (running) {
    runSafely(hook);
    return noop;
  }
  if (!installed) {
    process.on('exit', runHooks);
    installed = true;
  }
  const set = phases[phase];
  set.add(hook);
  return () => {
    set.delete(hook);
  };
}

/** `true` while the exit hooks run: throttled reporters print at once then (no later summary comes). */
export function processIsExiting(): boolean {
  return running;
}
