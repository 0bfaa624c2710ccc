/**
 * Delivery at process exit for components that hold events (sinks, exporters): on `beforeExit`
 * (the event loop ran out of work while events wait on an unref'ed timer or in a backend's batch
 * processor) asynchronously, on `exit` (`process.exit()`, an uncaught exception, the end of the
 * loop) synchronously: each component writes what it can (`fs.writeSync`) and counts and reports
 * what it cannot. One `beforeExit` listener and one exit hook (the `drain` phase of
 * `internal/at-exit.ts`, before pending reports are printed) are installed on first use.
 *
 * A registered component is held weakly while it holds nothing (a sink dropped without
 * `shutdown()` can be collected), and strongly while it holds events ({@link ExitDrainRegistration.hold}):
 * a sink nobody references any more but whose queue still has events is kept until they are
 * delivered or counted, instead of being collected with them.
 */
import { atExit } from '../internal/at-exit.ts';

/** What the registry calls on a registered component. */
export interface ExitDrainable {
  /** `beforeExit`: start delivering what is held (asynchronously; the delivery keeps the loop alive). */
  drainBeforeExit(): void;
  /** `exit`: write synchronously what can be, count and report the rest. Must not throw (if it does, it is ignored). */
  drainOnExit(): void;
}

/** A component's entry in the exit registry. */
export interface ExitDrainRegistration {
  /** The component holds events: keep it strongly. Cheap and idempotent (call it on the first held event). */
  hold(): void;
  /** The component holds nothing: keep it weakly again. Cheap and idempotent. */
  release(): void;
  /** Removes the component (after its shutdown). Idempotent. */
  unregister(): void;
}

interface Entry {
  readonly ref: WeakRef<ExitDrainable>;
  /** Set while the component holds events: the registry then keeps it alive. */
  strong: ExitDrainable | undefined;
}

const entries = new Set<Entry>();
let installed = false;
/** Below this many entries the registry is never swept. */
const SWEEP_MIN = 1024;
/** Registry size at which entries of collected components are swept out (twice the live count). */
let sweepAt = SWEEP_MIN;

function each(fn: (component: ExitDrainable) => void): void {
  for (const entry of entries) {
    const component = entry.strong ?? entry.ref.deref();
    if (component === undefined) {
      entries.delete(entry);
      continue;
    }
    try {
      fn(component);
    } catch {
      // Never let one component break the others at exit.
    }
  }
}

const onBeforeExit = (): void => each((c) => c.drainBeforeExit());
const onExit = (): void => each((c) => c.drainOnExit());

/**
 * Registers `component` for delivery at exit (held weakly until {@link ExitDrainRegistration.hold}).
 * Each call makes a new entry: register once per component.
 */
export function registerExitDrain(component: ExitDrainable): ExitDrainRegistration {
  if (!installed) {
    process.on('beforeExit', onBeforeExit);
    atExit(onExit, 'drain');
    installed = true;
  }
  // Components dropped without shutdown() are collected, but their entries would stay until exit.
  if (entries.size >= sweepAt) {
    for (const e of entries) if (e.strong === undefined && e.ref.deref() === undefined) entries.delete(e);
    sweepAt = Math.max(SWEEP_MIN, 2 * entries.size);
  }
  const entry: Entry = { ref: new WeakRef(component), strong: undefined };
  entries.add(entry);
  return {
    hold: () => {
      if (entry.strong === undefined) entry.strong = entry.ref.deref();
    },
    release: () => {
      entry.strong = undefined;
    },
    unregister: () => {
      entry.strong = undefined;
      entries.delete(entry);
    },
  };
}

/** Entries in the registry (collected components not swept yet included). Internal, for tests. */
export function exitDrainEntries(): number {
  return entries.size;
}
