/**
 * Worker side of the log bridge: {@link connectLogHub} makes this thread's (or this process's) log
 * contexts log through the owner's sinks. It installs a sink at the root of this thread's contexts
 * that batches finished events (built and normalised here, redaction included) to the owner's
 * {@link LogHub}, and applies the owner's configuration as it arrives, so levels, policies and
 * payload limits set in the owner hold here too.
 *
 * Bounded: at most `maxPending` events are buffered or on their way; beyond that an event is
 * dropped and counted (`overflow`). Nothing keeps the thread or process alive but work waiting for
 * an answer.
 */
import { MessageChannel, MessagePort, parentPort } from 'node:worker_threads';
import { MvxConfigError } from '../../errors.ts';
import { BatchSender } from '../../internal/ipc/batch-sender.ts';
import { settlesWithin } from '../../internal/ipc/bounded.ts';
import { ownedPortChannel, processChannel } from '../../internal/ipc/channel.ts';
import type { BridgeChannel, PortLike } from '../../internal/ipc/channel.ts';
import { getRootLogContext } from '../context/facade.ts';
import { composeEventName } from '../event.ts';
import type { LogEvent } from '../event.ts';
import type { LifecycleOptions, LogSink } from '../sinks/log-sink.ts';
import { ConfigApplier } from './apply-config.ts';
import type { ConfigureProcessor } from './apply-config.ts';
import type { PortableLogConfig } from './portable-config.ts';
import { LOG_ENVELOPE } from './protocol.ts';

/** Options of {@link connectLogHub}. */
export interface LogHubClientOptions {
  /**
   * How to reach the owner. Default: in a worker thread, `parentPort` (the owner attaches the
   * `Worker`; a private channel is set up through it); in a `node:cluster` worker or a forked child,
   * the process's IPC channel. A `MessagePort` is used as it is (the owner attaches its other end).
   */
  port?: PortLike | MessagePort;
  /** Bound on events buffered plus sent and not yet acknowledged. @default 10000 */
  maxPending?: number;
  /** Events per batch (a batch also leaves at the end of each task). @default 512 */
  maxBatchSize?: number;
  /**
   * Called for every payload processor built from the owner's options: register the serializers and
   * resolvers (code, which cannot be sent) that the owner's processor has.
   */
  configureProcessor?: ConfigureProcessor;
}

/** Counters of a client; unit: events. `accepted = delivered + dropped + failed + pending`. */
export interface LogHubClientStats {
  readonly state: 'running' | 'closed';
  /** Every event the bridge sink received. */
  readonly accepted: number;
  /** Passed to a sink in the owner. */
  readonly delivered: number;
  readonly dropped: number;
  readonly droppedByReason: {
    /** `maxPending` reached. */
    readonly overflow: number;
    /** Could not be sent (not serialisable). */
    readonly uncloneable: number;
    /** Logged after `shutdown()`, or not taken because the owner detached. */
    readonly closed: number;
    /** Disabled by the owner's current configuration when it arrived, or not a log event. */
    readonly owner: number;
  };
  /** The owner's sink threw. */
  readonly failed: number;
  /** Buffered here or on the way. */
  readonly pending: number;
  /** Version of the owner's configuration applied here (0: none yet). */
  readonly configVersion: number;
}

/** What `flush()` and `shutdown()` resolve with. */
export interface LogHubClientReport extends LogHubClientStats {
  /** `true` when the owner had not taken everything when `timeoutMs` passed. */
  readonly timedOut: boolean;
}

/** The worker side; see {@link connectLogHub}. */
export class LogHubClient {
  /** The sink installed at the root of this thread's log contexts. */
  readonly sink: LogSink;
  readonly #channel: BridgeChannel;
  readonly #sender: BatchSender<LogEvent>;
  readonly #applier: ConfigApplier;
  #readyWaiters: (() => void)[] = [];
  #shutdownPromise: Promise<LogHubClientReport> | undefined;

  /** @throws MvxConfigError on an invalid option, or when there is no owner to reach. */
  constructor(options: LogHubClientOptions = {}) {
    if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object');
    const maxPending = options.maxPending ?? 10_000;
    const maxBatchSize = options.maxBatchSize ?? 512;
    if (!Number.isInteger(maxPending) || maxPending < 1) throw new MvxConfigError('maxPending', 'must be an integer >= 1');
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new MvxConfigError('maxBatchSize', 'must be an integer >= 1');
    if (options.configureProcessor !== undefined && typeof options.configureProcessor !== 'function') throw new MvxConfigError('configureProcessor', 'must be a function');
    this.#applier = new ConfigApplier(options.configureProcessor);
    let hello: () => void;
    const port = options.port ?? parentPort ?? undefined;
    if (port instanceof MessagePort && options.port !== undefined && options.port !== parentPort) {
      this.#channel = ownedPortChannel(port);
      hello = () => this.#channel.post({ mvx: LOG_ENVELOPE, t: 'hello' });
    } else if (port !== undefined) {
      if (port === null || typeof (port as PortLike).postMessage !== 'function') throw new MvxConfigError('port', 'must be a MessagePort, parentPort or a Worker port');
      // A private channel, so that listening for the owner's configuration never holds the thread.
      const { port1, port2 } = new MessageChannel();
      this.#channel = ownedPortChannel(port1);
      hello = () => (port as PortLike).postMessage({ mvx: LOG_ENVELOPE, t: 'hello', port: port2 }, [port2]);
    } else if (typeof process.send === 'function') {
      this.#channel = processChannel();
      hello = () => this.#channel.post({ mvx: LOG_ENVELOPE, t: 'hello' });
    } else {
      throw new MvxConfigError('port', 'not a worker thread, a node:cluster worker or a forked child: pass the MessagePort the owner attached');
    }
    this.#sender = new BatchSender<LogEvent>(this.#channel, {
      envelope: LOG_ENVELOPE,
      component: 'LogHubClient',
      maxPending,
      maxBatchSize,
      describe: (e) => composeEventName((e as LogEvent).meta),
      onOther: (m) => this.#onControl(m),
    });
    const sender = this.#sender;
    this.sink = {
      log(event: LogEvent): void {
        sender.offer(event);
      },
      flush: (o?: LifecycleOptions) => this.flush(o),
      shutdown: (o?: LifecycleOptions) => this.shutdown(o),
    };
    getRootLogContext().setSink(this.sink);
    hello();
  }

  #onControl(msg: Readonly<Record<string, unknown>>): void {
    if (msg.t === 'config') {
      if (this.#applier.apply(msg.config as PortableLogConfig)) {
        const waiters = this.#readyWaiters;
        this.#readyWaiters = [];
        for (const w of waiters) w();
      }
    } else if (msg.t === 'drain') {
      this.#sender.send();
      try {
        this.#channel.post({ mvx: LOG_ENVELOPE, t: 'drained', id: msg.id });
      } catch {
        // The owner is gone; nothing to answer.
      }
    }
  }

  /**
   * Resolves `true` once the owner's configuration has been applied here (at once if it has),
   * `false` after `timeoutMs`. Await it before logging when the owner's levels must hold from the
   * first event (until then, this thread's own settings decide: INFO and above by default).
   */
  async ready(options: LifecycleOptions = {}): Promise<boolean> {
    if (this.#applier.version > 0) return true;
    const applied = new Promise<void>((resolve) => this.#readyWaiters.push(resolve));
    this.#channel.hold(true);
    try {
      return await settlesWithin(applied, options.timeoutMs ?? 5000);
    } finally {
      this.#channel.hold(false);
    }
  }

  /**
   * Sends what is buffered and resolves once the owner has passed every event accepted before the
   * call to its sinks (or dropped them, counted), or after `timeoutMs` (`timedOut: true`). Never rejects.
   */
  async flush(options: LifecycleOptions = {}): Promise<LogHubClientReport> {
    const outcome = await this.#sender.flush(options.timeoutMs ?? 5000);
    return { ...this.stats(), timedOut: outcome.status === 'timeout' };
  }

  /**
   * Flushes (bounded), then closes: events logged afterwards are counted as dropped (`closed`).
   * The bridge sink stays at the root, so nothing is printed locally by surprise. Idempotent.
   */
  shutdown(options: LifecycleOptions = {}): Promise<LogHubClientReport> {
    if (this.#shutdownPromise !== undefined) return this.#shutdownPromise;
    this.#shutdownPromise = this.flush(options).then((report) => {
      this.#sender.close();
      this.#channel.close();
      return { ...this.stats(), timedOut: report.timedOut };
    });
    return this.#shutdownPromise;
  }

  /** Counters since creation. */
  stats(): LogHubClientStats {
    const c = this.#sender.counts;
    const owner = c.ownerDropped;
    const dropped = c.overflow + c.uncloneable + c.closed + owner;
    return {
      state: this.#sender.isClosed ? 'closed' : 'running',
      accepted: c.accepted + c.overflow + c.uncloneable + c.closed,
      delivered: c.acknowledged - c.ownerDropped - c.ownerFailed,
      dropped,
      droppedByReason: { overflow: c.overflow, uncloneable: c.uncloneable, closed: c.closed, owner },
      failed: c.ownerFailed,
      pending: this.#sender.pending,
      configVersion: this.#applier.version,
    };
  }
}

/**
 * Connects this worker thread (or `node:cluster` worker, or forked child) to the owner's
 * {@link LogHub}: from now on this thread's log contexts deliver through the owner's sinks, with
 * the owner's configuration. Call it once, early; `await client.ready()` to have the owner's
 * levels from the first event; `await client.shutdown()` before the worker ends, to lose nothing.
 *
 * @throws MvxConfigError on an invalid option, or when there is no owner to reach.
 * @example
 * ```ts
 * // in the worker thread
 * const logs = connectLogHub();
 * await logs.ready();
 * getLogContext('jobs').info('job.done', { id: 7 });
 * await logs.shutdown();
 * ```
 */
export function connectLogHub(options: LogHubClientOptions = {}): LogHubClient {
  return new LogHubClient(options);
}
