/**
 * Sinks holding events, held weakly, so that queued events are delivered when the process is about
 * to exit: on `beforeExit` (the event loop ran out of work while a partial batch was waiting on an
 * unref'ed timer) asynchronously, on `exit` (`process.exit()`, an uncaught exception, the end of the
 * loop) synchronously for sinks that can (`deliverSync`), the others counting what they lose. One
 * `beforeExit` listener and one exit hook (the `drain` phase of `internal/at-exit.ts`, before the
 * pending reports are printed) are installed on first use.
 *
 * Internal: not re-exported.
 */
import { atExit } from '../../internal/at-exit.ts';

/** What the registry needs from a sink. */
export interface DrainableSink {
  drainBeforeExit(): void;
  drainOnExit(): void;
}

const live = new WeakMap<DrainableSink, WeakRef<DrainableSink>>();
const refs = new Set<WeakRef<DrainableSink>>();
let installed = false;

function each(fn: (sink: DrainableSink) => void): void {
  for (const ref of refs) {
    const sink = ref.deref();
    if (sink === undefined) {
      refs.delete(ref);
      continue;
    }
    try {
      fn(sink);
    } catch {
      // Never let one sink break the others at exit.
    }
  }
}

const onBeforeExit = (): void => each((s) => s.drainBeforeExit());
const onExit = (): void => each((s) => s.drainOnExit());

/** Below this many entries the registry is never swept. */
const SWEEP_MIN = 1024;
/** Registry size at which entries of collected sinks are swept out (twice the live count). */
let sweepAt = SWEEP_MIN;

/** Registers a sink (weakly). Idempotent. */
export function trackLiveSink(sink: DrainableSink): void {
  if (!installed) {
    process.on('beforeExit', onBeforeExit);
    atExit(onExit, 'drain');
    installed = true;
  }
  if (live.has(sink)) return;
  // Sinks dropped without shutdown() are collected, but their entries would stay until exit.
  if (refs.size >= sweepAt) {
    for (const r of refs) if (r.deref() === undefined) refs.delete(r);
    sweepAt = Math.max(SWEEP_MIN, 2 * refs.size);
  }
  const ref = new WeakRef(sink);
  refs.add(ref);
  live.set(sink, ref);
}

/** Entries in the registry (collected sinks not swept yet included). Internal, for tests. */
export function liveSinkEntries(): number {
  return refs.size;
}

/** Removes a sink (after its shutdown). */
export function untrackLiveSink(sink: DrainableSink): void {
  const ref = live.get(sink);
  if (ref === undefined) return;
  live.delete(sink);
  refs.delete(ref);
}
