/**
 * The owner's side of attaching workers, shared by the cluster metrics aggregator and the log
 * hub: what can be attached, noticing when it is gone, and attaching every worker of a
 * `node:cluster`. Internal.
 */
import { MvxConfigError } from '../../errors.ts';
import type { IpcPeerLike, PortLike } from './channel.ts';

/** What can be attached: a cluster `Worker`, a `ChildProcess`, a worker-thread `Worker` or a `MessagePort`. */
export type PeerTarget = IpcPeerLike | PortLike;

/** The part of `node:cluster` that `attachCluster()` uses (pass `node:cluster`'s default export). */
export interface ClusterLike {
  readonly isPrimary: boolean;
  readonly workers?: Readonly<Record<string, unknown>> | undefined;
  on(event: 'fork', listener: (worker: any) => void): unknown;
  off(event: 'fork', listener: (worker: any) => void): unknown;
}

/** Whether `target` can be attached. */
export function isPeerTarget(target: unknown): target is PeerTarget {
  if (target === null || typeof target !== 'object') return false;
  const t = target as { send?: unknown; postMessage?: unknown; on?: unknown; off?: unknown };
  return (typeof t.send === 'function' || typeof t.postMessage === 'function') && typeof t.on === 'function' && typeof t.off === 'function';
}

/** `isPeerTarget`, or an MvxConfigError naming `target`. */
export function checkPeerTarget(target: unknown): PeerTarget {
  if (!isPeerTarget(target)) throw new MvxConfigError('target', 'must be a cluster Worker, a ChildProcess with an IPC channel, a worker_threads Worker or a MessagePort');
  return target;
}

/**
 * Calls `onGone` once `target` exits (a process or thread: `'exit'`) or closes (a port:
 * `'close'`), after the messages it sent before are handled. Returns the function that stops
 * listening.
 */
export function whenGone(target: PeerTarget, onGone: () => void): () => void {
  const events = target as { once?: (e: string, l: () => void) => unknown; off: (e: string, l: () => void) => unknown };
  const on = (): void => {
    setImmediate(onGone);
  };
  if (typeof events.once === 'function') {
    events.once('exit', on);
    events.once('close', on);
  }
  return () => {
    events.off('exit', on);
    events.off('close', on);
  };
}

/**
 * Attaches every worker of `cluster`, those alive now and every one forked later, with `attach`.
 * Returns the function that stops attaching new ones and detaches all.
 * @throws MvxConfigError when `cluster` is not `node:cluster` or this is not its primary.
 */
export function attachEveryWorker(cluster: ClusterLike, attach: (worker: PeerTarget) => (() => void) | undefined): () => void {
  if (cluster === null || typeof cluster !== 'object' || typeof cluster.on !== 'function') throw new MvxConfigError('cluster', "must be node:cluster's default export");
  if (!cluster.isPrimary) throw new MvxConfigError('cluster', 'attachCluster() runs in the cluster primary');
  const detaches = new Set<() => void>();
  const add = (w: unknown): void => {
    if (!isPeerTarget(w)) return;
    const detach = attach(w);
    if (detach !== undefined) detaches.add(detach);
  };
  for (const w of Object.values(cluster.workers ?? {})) add(w);
  cluster.on('fork', add);
  return () => {
    cluster.off('fork', add);
    for (const d of detaches) d();
  };
}
