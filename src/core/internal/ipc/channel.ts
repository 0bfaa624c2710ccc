/**
 * The channels the bridges speak over, behind one small interface, so the batching protocol is
 * written once (see `batch-sender.ts` / `batch-receiver.ts`):
 *
 * - {@link sharedPortChannel}: a port the application shares with us (`parentPort`); we listen only
 *   while work is outstanding, so an idle worker can exit.
 * - {@link ownedPortChannel}: a `MessagePort` only we use; we always listen and `ref()` it only while
 *   work is outstanding.
 * - {@link processChannel}: this process's IPC channel to its parent (a `node:cluster` worker, a
 *   `child_process.fork` child); JSON-serialised, listening without holding the process open.
 * - {@link peerChannel}: the owner's end: a `Worker`, a `MessagePort`, a cluster `Worker` or a
 *   `ChildProcess`.
 *
 * Internal.
 */
import { MessagePort } from 'node:worker_threads';
import { addProcessMessageListener, holdProcessChannel } from './process-ref.ts';

/** A two-way message channel. */
export interface BridgeChannel {
  /** Sends one message. Throws when it cannot be serialised or the channel is closed. */
  post(message: unknown): void;
  /**
   * Why `value` cannot cross this channel (structured clone for ports, JSON for process IPC), or
   * `undefined` when it can.
   */
  checkSend(value: unknown): SendProblem | undefined;
  /** Sets the message handler (one per channel). */
  listen(handler: (message: unknown) => void): void;
  /** `true` while work waits for an answer (keep the thread or process alive), `false` when idle. */
  hold(on: boolean): void;
  /** Stops listening for good. */
  close(): void;
}

/** Why a value cannot be sent: the serialiser's error and what was attempted (for messages). */
export interface SendProblem {
  readonly error: unknown;
  /** e.g. `structured-cloned to the owning thread`. */
  readonly attempted: string;
}

/** What a port looks like: a `MessagePort`, `parentPort`, or a `Worker`. */
export interface PortLike {
  postMessage(value: unknown, transfer?: readonly any[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

/** What an IPC peer looks like on the owner's side: a cluster `Worker` or a `ChildProcess`. */
export interface IpcPeerLike {
  send(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

function cloneable(value: unknown): SendProblem | undefined {
  try {
    structuredClone(value);
    return undefined;
  } catch (error) {
    return { error, attempted: 'structured-cloned to the owning thread' };
  }
}

function jsonable(value: unknown): SendProblem | undefined {
  try {
    if (JSON.stringify(value) !== undefined) return undefined;
    return { error: new TypeError('not JSON-serialisable'), attempted: 'serialised (JSON) to the owning process' };
  } catch (error) {
    return { error, attempted: 'serialised (JSON) to the owning process' };
  }
}

/** The handler slot of a channel: `on` calls the handler set last. */
function handlerSlot(): { on: (m: unknown) => void; set: (h: (m: unknown) => void) => void } {
  let handler: ((m: unknown) => void) | undefined;
  return { on: (m) => handler?.(m), set: (h) => (handler = h) };
}

/** A port shared with the application: listened to only while held. */
export function sharedPortChannel(port: PortLike): BridgeChannel {
  const { on, set } = handlerSlot();
  let listening = false;
  let closed = false;
  return {
    post: (m) => port.postMessage(m),
    checkSend: cloneable,
    listen: set,
    hold(want) {
      if (closed) want = false;
      if (want && !listening) port.on('message', on);
      else if (!want && listening) port.off('message', on);
      listening = want;
    },
    close() {
      closed = true;
      this.hold(false);
    },
  };
}

/** A `MessagePort` used only by us: always listened to, `ref()`ed only while held. */
export function ownedPortChannel(port: MessagePort): BridgeChannel {
  const { on, set } = handlerSlot();
  let holds = 0;
  return {
    post: (m) => port.postMessage(m),
    checkSend: cloneable,
    listen: (h) => {
      set(h);
      port.on('message', on);
      if (holds === 0) port.unref();
    },
    hold(want) {
      holds = Math.max(0, holds + (want ? 1 : -1));
      if (holds > 0) port.ref();
      else port.unref();
    },
    close() {
      port.off('message', on);
      port.unref();
      holds = 0;
    },
  };
}

/**
 * This process's IPC channel to its parent. `onSendError` receives errors the channel reports
 * after `post` returned (Node reports a closed channel asynchronously).
 * @throws Error when the process has no IPC channel.
 */
export function processChannel(onSendError: (error: Error) => void = () => undefined): BridgeChannel {
  if (typeof process.send !== 'function') throw new Error('this process has no IPC channel (not a cluster worker or a forked child)');
  let remove: (() => void) | undefined;
  let held = 0;
  return {
    post(m) {
      if (process.connected !== true) throw new Error('the IPC channel to the parent process is closed');
      process.send!(m, undefined, {}, (error: Error | null) => {
        if (error !== null && error !== undefined) onSendError(error);
      });
    },
    checkSend: jsonable,
    listen(h) {
      remove?.();
      remove = addProcessMessageListener(h);
    },
    hold(want) {
      if (want) {
        held++;
        holdProcessChannel(true);
      } else if (held > 0) {
        held--;
        holdProcessChannel(false);
      }
    },
    close() {
      remove?.();
      remove = undefined;
      while (held > 0) this.hold(false);
    },
  };
}

function isIpcPeer(target: unknown): target is IpcPeerLike {
  return typeof (target as { send?: unknown }).send === 'function';
}

/**
 * The owner's end of a channel to a worker: a worker-thread `Worker` or `MessagePort` (structured
 * clone; a `MessagePort` is `unref()`ed so it never holds the owner open), or a cluster `Worker` /
 * `ChildProcess` (JSON over IPC). Holding does nothing here: the peer keeps its own lifetime.
 */
export function peerChannel(target: PortLike | IpcPeerLike): BridgeChannel {
  const { on, set } = handlerSlot();
  const ipc = isIpcPeer(target);
  return {
    post(m) {
      if (ipc) {
        if ((target as { isConnected?: () => boolean }).isConnected?.() === false || (target as { connected?: boolean }).connected === false) {
          throw new Error('the IPC channel to the worker is closed');
        }
        target.send(m, () => undefined);
      } else (target as PortLike).postMessage(m);
    },
    checkSend: ipc ? jsonable : cloneable,
    listen(h) {
      set(h);
      target.on('message', on);
      if (target instanceof MessagePort) target.unref();
    },
    hold: () => undefined,
    close() {
      target.off('message', on);
    },
  };
}
