/**
 * Keeps a child process's IPC channel from holding the process open because of the library.
 *
 * Node refs a child's IPC channel while `process` has `'message'` or `'disconnect'` listeners, so a
 * library that listens for requests from its parent (a cluster primary asking for metrics, a log
 * owner sending configuration) would keep a forked child alive forever. Once the library listens,
 * this module takes over the decision: the channel is ref'ed while the application has listeners of
 * its own (Node's rule, applied to the application's listeners only) or while the library has work
 * outstanding ({@link holdProcessChannel}), and unref'ed otherwise. In a `node:cluster` worker the
 * cluster module's own `'disconnect'` listener keeps the channel ref'ed, exactly as before.
 * Internal.
 */

interface RefControl {
  ref(): void;
  unref(): void;
}

let installed = false;
/** `'message'` listeners the library added to `process`. */
let ownListeners = 0;
/** Outstanding holds (work waiting for an answer). */
let holds = 0;
let scheduled = false;

function control(): RefControl | undefined {
  const ch = (process as { channel?: Partial<RefControl> }).channel;
  return ch !== undefined && typeof ch.ref === 'function' && typeof ch.unref === 'function' ? (ch as RefControl) : undefined;
}

function apply(): void {
  scheduled = false;
  const ch = control();
  if (ch === undefined) return;
  const appListeners = process.listenerCount('message') - ownListeners + process.listenerCount('disconnect');
  if (appListeners > 0 || holds > 0) ch.ref();
  else ch.unref();
}

/** `newListener` fires before the listener is added: decide once the current task is done. */
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(apply);
}

function install(): void {
  if (installed) return;
  installed = true;
  const onChange = (name: string | symbol): void => {
    if (name === 'message' || name === 'disconnect') schedule();
  };
  process.on('newListener', onChange);
  process.on('removeListener', onChange);
}

/**
 * Adds a library `'message'` listener to `process` that does not by itself keep the process alive.
 * Returns the function that removes it.
 */
export function addProcessMessageListener(listener: (message: unknown) => void): () => void {
  install();
  ownListeners++;
  process.on('message', listener);
  apply();
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    process.off('message', listener);
    ownListeners--;
    apply();
  };
}

/** Keeps the channel ref'ed while `on` holds are outstanding (work waiting for an answer). */
export function holdProcessChannel(on: boolean): void {
  holds += on ? 1 : -1;
  if (holds < 0) holds = 0;
  apply();
}
