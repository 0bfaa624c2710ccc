/**
 * Owner side of the log bridge: workers (worker threads, or the processes of a `node:cluster`)
 * log through this thread's contexts and sinks. Each worker runs `connectLogHub()`; the owner
 * attaches each worker to a hub (`hub.attach(worker)`), which
 * - sends the worker this thread's log configuration (minimum levels, pattern policies, payload
 *   processor options) at once and after every change, so a worker decides and normalises (redaction
 *   included) exactly as the owner would, as cheaply as with local settings;
 * - delivers the events the worker sends to the sink of their namespace here, in order, with the
 *   owner's current configuration deciding once more (see `event-delivery.ts`);
 * - holds a worker's next batch back while a sink here is over `sinkHighWaterMark` events pending,
 *   so what waits anywhere is bounded: the sink's queue, plus each worker's `maxPending`.
 *
 * Accounting, in events: every event a worker's sink accepted ends as delivered (to a sink here),
 * dropped (by reason, on either side) or failed, or is still pending; both sides count it.
 */
import { MessagePort } from 'node:worker_threads';
import { MvxConfigError, MvxStateError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { attachBatchReceiver } from '../../internal/ipc/batch-receiver.ts';
import type { BatchReceiver } from '../../internal/ipc/batch-receiver.ts';
import { settlesWithin } from '../../internal/ipc/bounded.ts';
import { peerChannel } from '../../internal/ipc/channel.ts';
import { attachEveryWorker, checkPeerTarget, whenGone } from '../../internal/ipc/peers.ts';
import type { ClusterLike, PeerTarget } from '../../internal/ipc/peers.ts';
import { onConfigGenerationBump } from '../context/config-generation.ts';
import { EventDelivery } from './event-delivery.ts';
import { portableLogConfig } from './portable-config.ts';
import { LOG_ENVELOPE } from './protocol.ts';

/** What can be attached: a worker-thread `Worker` or `MessagePort`, a cluster `Worker`, a `ChildProcess`. */
export type LogHubTarget = PeerTarget;

/** The part of `node:cluster` that {@link LogHub.attachCluster} uses. */
export type LogHubClusterLike = ClusterLike;

/** Options of {@link LogHub}. */
export interface LogHubOptions {
  /**
   * Events pending in a sink here (its `stats().pending`, as `FileSink` and other `AsyncLogSink`s
   * report it) above which a worker's next batch is held back until the sink is under half of it.
   * @default 4096
   */
  sinkHighWaterMark?: number;
}

/** Counters of a hub; unit: events received from workers. `accepted = delivered + dropped + failed + pending`. */
export interface LogHubStats {
  readonly state: 'running' | 'closed';
  /** Workers connected now. */
  readonly workers: number;
  readonly accepted: number;
  /** Passed to a sink here. */
  readonly delivered: number;
  readonly dropped: number;
  readonly droppedByReason: {
    /** Disabled by this thread's current configuration. */
    readonly disabled: number;
    /** Not log events. */
    readonly invalid: number;
    /** Received but still held back when the worker detached or the hub shut down. */
    readonly closed: number;
  };
  /** The sink threw. */
  readonly failed: number;
  /** Received and held back (a sink over its high-water mark). */
  readonly pending: number;
  /** Configurations sent to workers. */
  readonly configsSent: number;
}

/** What `flush()` and `shutdown()` resolve with. */
export interface LogHubReport extends LogHubStats {
  /** `true` when some worker had not drained when `timeoutMs` passed. */
  readonly timedOut: boolean;
}

interface Connection {
  readonly receiver: BatchReceiver;
  readonly drains: Map<number, () => void>;
  alive: boolean;
}

interface Peer {
  readonly receiver: BatchReceiver;
  readonly connections: Set<Connection>;
  readonly cleanup: () => void;
}

/** The owner side; see the module header. */
export class LogHub {
  readonly #delivery: EventDelivery;
  readonly #peers = new Set<Peer>();
  #configVersion = 0;
  #configsSent = 0;
  #closedDropped = 0;
  #taken = 0;
  #drainSeq = 0;
  #syncScheduled = false;
  #closed = false;
  #shutdownPromise: Promise<LogHubReport> | undefined;
  readonly #reportedGaps = new Set<string>();
  readonly #offBump: () => void;

  /** @throws MvxConfigError naming an invalid option. */
  constructor(options: LogHubOptions = {}) {
    if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object');
    const hwm = options.sinkHighWaterMark ?? 4096;
    if (typeof hwm !== 'number' || !Number.isInteger(hwm) || hwm < 1) throw new MvxConfigError('sinkHighWaterMark', `must be an integer >= 1, got ${String(hwm)}`);
    this.#delivery = new EventDelivery(hwm);
    this.#offBump = onConfigGenerationBump(() => this.#scheduleSync());
  }

  /**
   * Serves one worker: a worker-thread `Worker` (or a `MessagePort` whose other end the worker
   * passes to `connectLogHub({ port })`), a cluster `Worker` or a `ChildProcess`. Returns a
   * function that detaches it (the worker then counts further events as dropped, `closed`).
   * @throws MvxConfigError when `target` is none of those; MvxStateError after `shutdown()`.
   */
  attach(target: LogHubTarget): () => void {
    if (this.#closed) throw new MvxStateError('the log hub is shut down', 'closed');
    checkPeerTarget(target);
    const peer: Peer = {
      receiver: undefined as unknown as BatchReceiver,
      connections: new Set(),
      cleanup: whenGone(target, () => this.#detach(peer)),
    };
    (peer as { receiver: BatchReceiver }).receiver = this.#listen(peerChannel(target), peer, undefined);
    this.#peers.add(peer);
    return () => this.#detach(peer);
  }

  /**
   * Serves every worker of `cluster` (pass `node:cluster`'s default export): those alive and every
   * one forked later. Returns a function that stops and detaches them all.
   * @throws MvxConfigError when not called in the primary.
   */
  attachCluster(cluster: LogHubClusterLike): () => void {
    return attachEveryWorker(cluster, (w) => (this.#closed ? undefined : this.attach(w)));
  }

  /**
   * A receiver on `channel` delivering batches here and handling the bridge's own messages. A
   * `hello` makes a connection: on this channel (a process), or on the port it carries (a thread).
   */
  #listen(channel: ReturnType<typeof peerChannel>, peer: Peer, fixed: Connection | undefined): BatchReceiver {
    let conn = fixed;
    const receiver: BatchReceiver = attachBatchReceiver(channel, {
      envelope: LOG_ENVELOPE,
      component: 'LogHub',
      deliver: (items) => {
        this.#taken += items.length;
        const result = this.#delivery.deliver(items);
        const wait = this.#delivery.gate();
        return wait === undefined ? result : wait.then(() => result);
      },
      onOther: (msg) => {
        if (msg.t === 'hello') {
          const c: Connection = { receiver, drains: new Map(), alive: true };
          if (msg.port instanceof MessagePort) (c as { receiver: BatchReceiver }).receiver = this.#listen(peerChannel(msg.port), peer, c);
          else conn = c;
          peer.connections.add(c);
          this.#sendConfig(c);
        } else if (msg.t === 'drained' && conn !== undefined) {
          const resolve = conn.drains.get(msg.id as number);
          conn.drains.delete(msg.id as number);
          resolve?.();
        }
      },
    });
    return receiver;
  }

  #sendConfig(conn: Connection): void {
    if (this.#configVersion === 0) this.#configVersion = 1;
    const { config, gaps } = portableLogConfig(this.#configVersion);
    this.#reportGaps(gaps);
    if (conn.receiver.post({ t: 'config', config })) this.#configsSent++;
  }

  #reportGaps(gaps: ReturnType<typeof portableLogConfig>['gaps']): void {
    const say = (key: string, namespace: string, message: string): void => {
      if (this.#reportedGaps.has(`${key}:${namespace}`)) return;
      this.#reportedGaps.add(`${key}:${namespace}`);
      reportDiagnostic({ component: 'LogHub', code: `config.${key}`, message, details: { namespace } });
    };
    for (const ns of gaps.processorCode) say('processor_code', ns, `the payload processor of '${ns}' has serializers or a resolver, which cannot be sent to workers: register them with connectLogHub({ configureProcessor })`);
    for (const ns of gaps.defaultProcessors) say('processor_default', ns, `the payload processor of '${ns}' is not a LogPayloadProcessor: workers normalise with the default one (default redaction)`);
    for (const ns of gaps.ownerPolicies) say('policy_owner', ns, `the policy of '${ns}' is not a PatternLogEventPolicy: workers send every event above the minimum level and the owner decides`);
  }

  #scheduleSync(): void {
    if (this.#syncScheduled || this.#closed) return;
    this.#syncScheduled = true;
    // Configuration changes come in bursts (configureLogContext sets several): one message for all.
    setImmediate(() => {
      this.#syncScheduled = false;
      this.syncConfig();
    }).unref();
  }

  /**
   * Sends this thread's log configuration to every connected worker now. Changes made through
   * `configureLogContext` and the context setters are sent by themselves; call this after changing
   * a payload processor in place (`processor.setMaxDepth(…)`), which the contexts cannot see.
   */
  syncConfig(): void {
    if (this.#closed) return;
    this.#configVersion++;
    for (const peer of this.#peers) for (const conn of peer.connections) if (conn.alive) this.#sendConfig(conn);
  }

  #detach(peer: Peer): void {
    if (!this.#peers.delete(peer)) return;
    peer.cleanup();
    for (const conn of peer.connections) this.#close(conn);
    peer.receiver.detach(); // a no-op when a connection already detached it
  }

  #close(conn: Connection): void {
    if (!conn.alive) return;
    conn.alive = false;
    this.#closedDropped += conn.receiver.pending;
    conn.receiver.detach();
    for (const resolve of conn.drains.values()) resolve();
    conn.drains.clear();
  }

  /**
   * Asks every connected worker to send what it holds and resolves once all of it has been passed
   * to the sinks here (not the sinks' own flush: call theirs after), or after `timeoutMs`
   * (`timedOut: true`). Never rejects.
   */
  async flush(options: { timeoutMs?: number } = {}): Promise<LogHubReport> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const waits: Promise<void>[] = [];
    for (const peer of this.#peers) {
      for (const conn of peer.connections) {
        if (!conn.alive) continue;
        const id = ++this.#drainSeq;
        waits.push(new Promise<void>((resolve) => conn.drains.set(id, resolve)));
        if (!conn.receiver.post({ t: 'drain', id })) conn.drains.get(id)?.();
      }
    }
    const inTime = await settlesWithin(Promise.all(waits), timeoutMs);
    return { ...this.stats(), timedOut: !inTime };
  }

  /**
   * Drains every worker (bounded, as `flush()`), then detaches them all: what a worker logs
   * afterwards is counted as dropped (`closed`) on its side. Idempotent: the same promise.
   */
  shutdown(options: { timeoutMs?: number } = {}): Promise<LogHubReport> {
    if (this.#shutdownPromise !== undefined) return this.#shutdownPromise;
    this.#shutdownPromise = this.flush(options).then((report) => {
      this.#closed = true;
      this.#offBump();
      for (const peer of [...this.#peers]) this.#detach(peer);
      return { ...this.stats(), timedOut: report.timedOut };
    });
    return this.#shutdownPromise;
  }

  /** Counters since creation. */
  stats(): LogHubStats {
    const c = this.#delivery.counts;
    let pending = 0;
    let workers = 0;
    for (const peer of this.#peers) {
      for (const conn of peer.connections) {
        if (!conn.alive) continue;
        workers++;
        pending += conn.receiver.pending;
      }
    }
    const dropped = c.disabled + c.invalid + this.#closedDropped;
    return {
      state: this.#closed ? 'closed' : 'running',
      workers,
      accepted: this.#taken + pending + this.#closedDropped,
      delivered: c.delivered,
      dropped,
      droppedByReason: { disabled: c.disabled, invalid: c.invalid, closed: this.#closedDropped },
      failed: c.failed,
      pending,
      configsSent: this.#configsSent,
    };
  }
}
