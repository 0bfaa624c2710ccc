/**
 * Running asynchronous sinks, held weakly, so that queued events are delivered when the process is
 * about to exit naturally (`beforeExit`: the event loop ran out of work while a partial batch was
 * waiting on an unref'ed timer). One `beforeExit` listener is installed on first use.
 *
 * Internal: not re-exported.
 */

/** What the registry needs from a sink. */
export interface DrainableSink {
  drainBeforeExit(): void;
}

const live = new WeakMap<DrainableSink, WeakRef<DrainableSink>>();
const refs = new Set<WeakRef<DrainableSink>>();
let installed = false;

function onBeforeExit(): void {
  for (const ref of refs) {
    const sink = ref.deref();
    if (sink === undefined) {
      refs.delete(ref);
      continue;
    }
    try {
      sink.drainBeforeExit();
    } catch {
      // Never let one sink break the others at exit.
    }
  }
}

/** Registers a running sink (weakly). */
export function trackLiveSink(sink: DrainableSink): void {
  if (!installed) {
    process.on('beforeExit', onBeforeExit);
    installed = true;
  }
  const ref = new WeakRef(sink);
  refs.add(ref);
  live.set(sink, ref);
}

/** Removes a sink (after its shutdown). */
export function untrackLiveSink(sink: DrainableSink): void {
  const ref = live.get(sink);
  if (ref === undefined) return;
  live.delete(sink);
  refs.delete(ref);
}
