/**
 * Worker side of cluster aggregation: reports a worker's metrics (any {@link MetricsSource}, such
 * as its `AsyncMetricsRecorder`) to the primary's {@link ClusterMetricsAggregator} over the IPC
 * channel every `node:cluster` worker and `child_process.fork` child has.
 *
 * Push and pull: a report (only the series that changed since the last one, see `protocol.ts`) is
 * pushed every `intervalMs`, and whenever the primary asks before a scrape or an export, so what the
 * primary serves includes every event the worker aggregated before the scrape began; between
 * scrapes, the pushes bound what a crash can lose to one interval and keep the primary's
 * staleness gauge honest.
 */
import type { MessagePort } from 'node:worker_threads';
import { MvxConfigError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { settlesWithin } from '../../internal/ipc/bounded.ts';
import { ownedPortChannel, processChannel } from '../../internal/ipc/channel.ts';
import type { BridgeChannel } from '../../internal/ipc/channel.ts';
import type { MetricsSource } from '../types.ts';
import { CLUSTER_ENVELOPE, CLUSTER_PROTOCOL_VERSION, isClusterMessage } from './protocol.ts';
import { SnapshotDiffer } from './snapshot-differ.ts';
import type { ReportBody } from './snapshot-differ.ts';

const COMPONENT = 'ClusterMetricsReporter';

/** Options of {@link createClusterMetricsReporter}. */
export interface ClusterMetricsReporterOptions {
  /**
   * Push interval in ms: the changes since the last report (or a heartbeat of a few bytes when
   * nothing changed). `0`: no periodic push; the primary still collects before each scrape.
   * @default 1000
   */
  intervalMs?: number;
  /**
   * This worker's name in the primary's view: the value of the `worker` attribute (when a metric is
   * broken down per worker) and of the staleness gauge. A restarted worker that reports the same
   * name continues the same per-worker series.
   * @default a slot number the primary assigns: the lowest not held by a live worker, from `'1'`
   */
  name?: string;
  /**
   * Bound on `source.flush()` before a report, in ms (a collect request from the primary brings
   * its own, smaller bound: half of its collect budget).
   * @default 1000
   */
  sourceFlushTimeoutMs?: number;
  /**
   * A `MessagePort` connected to the aggregator (`aggregator.attach(otherPort)`) instead of this
   * process's IPC channel: for worker threads, or tests. Used by the reporter alone.
   * @default the process's IPC channel (`process.send`)
   */
  port?: MessagePort;
}

/** Options of `flush()` and `shutdown()`. */
export interface ClusterLifecycleOptions {
  /** Upper bound in ms; the call resolves (never rejects) when it passes. @default 5000 */
  timeoutMs?: number;
}

/** Counters of a reporter; unit: reports. `accepted = delivered + dropped + failed + pending`. */
export interface ClusterMetricsReporterStats {
  readonly state: 'running' | 'closed';
  /** Reports built and sent. */
  readonly accepted: number;
  /** Reports the primary applied (confirmed at once when awaited, otherwise with its next request). */
  readonly delivered: number;
  /** Reports lost on the way or refused by the primary (out of sequence); a full report followed. */
  readonly dropped: number;
  /** Reports that could not be sent (the channel to the primary is closed). */
  readonly failed: number;
  /** Reports sent and not confirmed yet. */
  readonly pending: number;
  /** Series values sent: changes only, so this grows with what changed, not with what exists. */
  readonly seriesSent: number;
  /** Full reports (the first one, and one after each resync). */
  readonly fullReports: number;
}

/** What `flush()` and `shutdown()` resolve with. */
export interface ClusterMetricsReporterReport extends ClusterMetricsReporterStats {
  /** `true` when the primary had not applied the report when `timeoutMs` passed. */
  readonly timedOut: boolean;
}

function nonNegative(value: unknown, option: string, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new MvxConfigError(option, `must be a finite number of milliseconds >= 0, got ${String(value)}`);
  return value;
}

/** The worker side; see {@link createClusterMetricsReporter}. */
export class ClusterMetricsReporter {
  readonly #source: MetricsSource;
  readonly #channel: BridgeChannel;
  readonly #name: string | undefined;
  readonly #sourceFlushTimeoutMs: number;
  readonly #differ = new SnapshotDiffer();
  readonly #timer: NodeJS.Timeout | undefined;
  #seq = 0;
  /** Highest report settled: applied (delivered), or refused or lost (dropped). */
  #okSeq = 0;
  #needFull = true;
  /** The final report went out: later reports (answers to collections) are not sent. */
  #byeSent = false;
  #closed = false;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #counts = { accepted: 0, delivered: 0, dropped: 0, failed: 0, seriesSent: 0, fullReports: 0 };
  readonly #waiters = new Set<{ readonly seq: number; readonly resolve: () => void }>();
  #shutdownPromise: Promise<ClusterMetricsReporterReport> | undefined;
  #failureReported = false;

  /** @throws MvxConfigError on an invalid option, or when there is no channel to a primary. */
  constructor(source: MetricsSource, options: ClusterMetricsReporterOptions = {}) {
    if (source === null || typeof source !== 'object' || typeof source.snapshots !== 'function') {
      throw new MvxConfigError('source', 'expected a MetricsSource (an object with a snapshots() method), such as a metrics recorder');
    }
    if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object');
    const intervalMs = nonNegative(options.intervalMs, 'intervalMs', 1000);
    this.#sourceFlushTimeoutMs = nonNegative(options.sourceFlushTimeoutMs, 'sourceFlushTimeoutMs', 1000);
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name.trim() === '')) throw new MvxConfigError('name', 'must be a non-empty string');
    this.#name = options.name?.trim();
    this.#source = source;
    if (options.port !== undefined) {
      if (options.port === null || typeof (options.port as { postMessage?: unknown }).postMessage !== 'function') throw new MvxConfigError('port', 'must be a MessagePort');
      this.#channel = ownedPortChannel(options.port);
    } else {
      if (typeof process.send !== 'function') {
        throw new MvxConfigError('port', 'this process has no IPC channel (not a node:cluster worker or a child_process.fork child): pass a MessagePort');
      }
      this.#channel = processChannel((error) => this.#onSendError(error));
    }
    this.#channel.listen((m) => this.#onMessage(m));
    if (intervalMs > 0) {
      this.#timer = setInterval(() => void this.#report(undefined, this.#sourceFlushTimeoutMs), intervalMs);
      this.#timer.unref();
    }
    // Introduce this worker at once: the first report is a full one.
    void this.#report(undefined, this.#sourceFlushTimeoutMs);
  }

  /** Builds and sends one report after the source's flush (bounded); reports run one at a time. */
  #report(collectId: number | undefined, budgetMs: number, bye = false, ask = false): Promise<number> {
    const run = async (): Promise<number> => {
      if (this.#closed) return 0;
      const flush = this.#source.flush;
      if (typeof flush === 'function' && budgetMs > 0) {
        try {
          // Bounded: a source that does not settle in time is read as it is.
          await settlesWithin(Promise.resolve(flush.call(this.#source, { timeoutMs: budgetMs })), budgetMs);
        } catch {
          // flush() threw synchronously: read the source as it is.
        }
      }
      return this.#send(collectId, bye, ask);
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  #send(collectId: number | undefined, bye: boolean, ask: boolean): number {
    if (this.#closed || (this.#byeSent && !bye)) return 0;
    const full = this.#needFull;
    if (full) this.#differ.reset();
    let body: ReportBody;
    try {
      body = this.#differ.diff(this.#source.snapshots());
    } catch (error) {
      this.#needFull = true;
      reportDiagnostic({ component: COMPONENT, code: 'source.snapshots_failed', message: 'the metrics source threw in snapshots(); no report sent', error });
      return 0;
    }
    const seq = ++this.#seq;
    const msg: Record<string, unknown> = { mvx: CLUSTER_ENVELOPE, t: 'report', v: CLUSTER_PROTOCOL_VERSION, s: seq };
    if (full) {
      msg.full = true;
      msg.pid = process.pid;
      if (this.#name !== undefined) msg.name = this.#name;
    }
    if (collectId !== undefined) msg.r = collectId;
    if (bye) msg.bye = true;
    if (ask) msg.a = true;
    if (body.m.length > 0) msg.m = body.m;
    if (body.d.length > 0) msg.d = body.d;
    if (body.n.length > 0) msg.n = body.n;
    if (body.hv.length > 0) msg.hv = body.hv;
    this.#counts.accepted++;
    try {
      this.#channel.post(msg);
    } catch (error) {
      this.#onSendError(error);
      return 0;
    }
    this.#needFull = false;
    if (bye) this.#byeSent = true;
    if (full) this.#counts.fullReports++;
    this.#counts.seriesSent += body.changed;
    return seq;
  }

  #onSendError(error: unknown): void {
    this.#counts.failed++;
    // What the primary holds may now lag behind the dictionary: start again with a full report.
    this.#needFull = true;
    if (!this.#failureReported) {
      this.#failureReported = true;
      reportDiagnostic({ component: COMPONENT, code: 'cluster.send_failed', message: 'could not send a metrics report to the primary', error });
    }
  }

  #onMessage(value: unknown): void {
    if (this.#closed || !isClusterMessage(value)) return;
    if (value.t === 'ack') {
      const s = typeof value.s === 'number' ? value.s : 0;
      if (value.ok === true) this.#confirm(s);
      else {
        // Applied up to `l`; the reports after it up to `s` were lost on the way or are refused.
        if (typeof value.l === 'number') this.#confirm(value.l);
        if (s > this.#okSeq) {
          this.#counts.dropped += s - this.#okSeq;
          this.#okSeq = s;
        }
        this.#needFull = true;
      }
    } else if (value.t === 'collect') {
      if (typeof value.s === 'number') this.#confirm(value.s);
      const budget = typeof value.b === 'number' && value.b > 0 ? value.b : this.#sourceFlushTimeoutMs * 2;
      void this.#report(typeof value.id === 'number' ? value.id : undefined, Math.min(this.#sourceFlushTimeoutMs, budget / 2));
    } else if (value.t === 'resync') {
      this.#needFull = true;
      // A final report the primary refused is sent again, in full, still final; a flush waiting
      // for a refused report waits for this one.
      void this.#report(undefined, this.#sourceFlushTimeoutMs, this.#byeSent, this.#waiters.size > 0);
    }
  }

  /** Every report after `okSeq` up to `s` was applied (confirmations are cumulative). */
  #confirm(s: number): void {
    if (s <= this.#okSeq) return;
    this.#counts.delivered += s - this.#okSeq;
    this.#okSeq = s;
    for (const w of this.#waiters) if (w.seq <= s) w.resolve();
  }

  #whenApplied(seq: number): { promise: Promise<void>; cancel: () => void } {
    if (this.#okSeq >= seq) return { promise: Promise.resolve(), cancel: () => undefined };
    let waiter!: { seq: number; resolve: () => void };
    const promise = new Promise<void>((resolve) => {
      waiter = {
        seq,
        resolve: () => {
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      this.#waiters.add(waiter);
    });
    return { promise, cancel: () => this.#waiters.delete(waiter) };
  }

  /**
   * Sends a report now (after the source's own flush) and resolves once the primary has applied
   * it, so the aggregate includes everything the source aggregated before the call; at the latest
   * after `timeoutMs` (`timedOut: true`). Never rejects.
   */
  flush(options: ClusterLifecycleOptions = {}): Promise<ClusterMetricsReporterReport> {
    return this.#flushWithin(nonNegative(options.timeoutMs, 'timeoutMs', 5000));
  }

  async #flushWithin(timeoutMs: number, bye = false): Promise<ClusterMetricsReporterReport> {
    if (this.#closed) return this.#result(false);
    let cancel = (): void => undefined;
    const applied = this.#report(undefined, Math.min(this.#sourceFlushTimeoutMs, timeoutMs / 2), bye, true).then((seq) => {
      if (seq === 0) return;
      const w = this.#whenApplied(seq);
      cancel = w.cancel;
      return w.promise;
    });
    // Keep the process alive while the answer is awaited.
    this.#channel.hold(true);
    try {
      const inTime = await settlesWithin(applied, timeoutMs);
      if (!inTime) cancel();
      return this.#result(!inTime);
    } finally {
      this.#channel.hold(false);
    }
  }

  /**
   * The controlled end: a last report marked final (the primary keeps its values for good and
   * frees the worker's slot), awaited like `flush()`, then the reporter stops (timer, listener).
   * Idempotent: every call returns the same promise.
   */
  shutdown(options: ClusterLifecycleOptions = {}): Promise<ClusterMetricsReporterReport> {
    if (this.#shutdownPromise !== undefined) return this.#shutdownPromise;
    const timeoutMs = nonNegative(options.timeoutMs, 'timeoutMs', 5000);
    this.#shutdownPromise = (async () => {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      const report = await this.#flushWithin(timeoutMs, true);
      this.#closed = true;
      this.#channel.close();
      for (const w of this.#waiters) w.resolve();
      return { ...report, state: 'closed' as const };
    })();
    return this.#shutdownPromise;
  }

  #result(timedOut: boolean): ClusterMetricsReporterReport {
    return { ...this.stats(), timedOut };
  }

  /** Counters since creation. */
  stats(): ClusterMetricsReporterStats {
    const c = this.#counts;
    return {
      state: this.#closed ? 'closed' : 'running',
      accepted: c.accepted,
      delivered: c.delivered,
      dropped: c.dropped,
      failed: c.failed,
      pending: Math.max(0, c.accepted - c.delivered - c.dropped - c.failed),
      seriesSent: c.seriesSent,
      fullReports: c.fullReports,
    };
  }
}

/**
 * Starts reporting `source`'s metrics to the primary. Call it in each `node:cluster` worker (or
 * `child_process.fork` child) once its recorder exists; call `shutdown()` before a controlled exit
 * so the primary has every count (what a crash loses is at most the changes of the last
 * `intervalMs`).
 *
 * @throws MvxConfigError on an invalid option, or when the process has no IPC channel and no `port` is given.
 * @example
 * ```ts
 * const recorder = new AsyncMetricsRecorder();
 * // ...register metrics, emit events...
 * const reporter = createClusterMetricsReporter(recorder);
 * process.on('SIGTERM', async () => { await reporter.shutdown(); process.exit(0); });
 * ```
 */
export function createClusterMetricsReporter(source: MetricsSource, options: ClusterMetricsReporterOptions = {}): ClusterMetricsReporter {
  return new ClusterMetricsReporter(source, options);
}
