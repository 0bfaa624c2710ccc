/**
 * Primary side of cluster aggregation: one {@link MetricsSource} for a whole group of processes
 * (the workers of a `node:cluster`, children made with `child_process.fork`), plus the primary's own
 * metrics. The existing adapters read it as they read a recorder, unchanged: one Prometheus scrape,
 * one OTLP export, one StatsD push for the group.
 *
 * What a scrape sees (`flush()` then `snapshots()`, as every adapter does):
 * 1. `flush()` asks every live worker for the changes since its last report and waits at most
 *    `collectTimeoutMs` (and 80 % of the caller's bound); it never rejects. A worker that does not
 *    answer in time is served with the values it reported last; `mvx.cluster.workers.answering`
 *    and `mvx.cluster.worker.report_age{worker}` show it.
 * 2. `snapshots()` adds up the contributions (see `aggregate-store.ts` for the rules that keep
 *    counters monotonic across crashes and restarts).
 */
import { MvxStateError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { epochMsNow } from '../../internal/clock.ts';
import { settlesWithin } from '../../internal/ipc/bounded.ts';
import { peerChannel } from '../../internal/ipc/channel.ts';
import type { BridgeChannel } from '../../internal/ipc/channel.ts';
import { attachEveryWorker, checkPeerTarget, whenGone } from '../../internal/ipc/peers.ts';
import type { ClusterLike, PeerTarget } from '../../internal/ipc/peers.ts';
import type { MetricChangedListener, MetricSnapshot, MetricsSource } from '../types.ts';
import { AggregateStore } from './aggregate-store.ts';
import { resolveAggregatorOptions } from './aggregator-options.ts';
import type { ClusterMetricsAggregatorOptions, ResolvedAggregatorOptions } from './aggregator-options.ts';
import { ChangeNotifier } from './change-notifier.ts';
import { CollectRound } from './collect-round.ts';
import type { ClusterCollectReport } from './collect-round.ts';
import { Contributor, ReportError } from './contributor.ts';
import { CLUSTER_ENVELOPE, CLUSTER_PROTOCOL_VERSION, isClusterMessage } from './protocol.ts';
import { selfMetricSnapshots } from './self-metrics.ts';
import { SnapshotDiffer } from './snapshot-differ.ts';

const COMPONENT = 'ClusterMetricsAggregator';

/** What can be attached: a cluster `Worker`, a `ChildProcess`, a worker-thread `Worker` or a `MessagePort`. */
export type ClusterAttachTarget = PeerTarget;

/** A live worker, as {@link ClusterMetricsAggregator.workers} lists it. */
export interface ClusterWorkerInfo {
  /** Its name (the `worker` attribute value); `undefined` until its first report. */
  readonly name: string | undefined;
  readonly pid: number | undefined;
  /** Ms since its last report; `undefined` before the first. */
  readonly reportAgeMs: number | undefined;
  /** Whether it answered the latest collection in time (before any: whether it reported at all). */
  readonly answering: boolean;
  /** Series it contributes. */
  readonly series: number;
}

/** Counters of an aggregator; reports: `accepted = delivered + dropped + failed`. */
export interface ClusterMetricsAggregatorStats {
  readonly state: 'running' | 'closed';
  readonly workers: { readonly connected: number; readonly answering: number; readonly exited: number };
  /** Reports received from workers. */
  readonly accepted: number;
  /** Reports applied. */
  readonly delivered: number;
  /** Reports refused because they arrived out of sequence (a full report was asked for). */
  readonly dropped: number;
  /** Reports that could not be applied (malformed, or referring to definitions never sent). */
  readonly failed: number;
  /** Always 0: reports are applied as they arrive. */
  readonly pending: number;
  /** Full reports asked of workers. */
  readonly resyncs: number;
  /** Series refused because their dimension arrived with another kind or other buckets. */
  readonly clashes: number;
  /** Series folded into an overflow series (series limit). */
  readonly overflowSeries: number;
  /** Series refused because a worker reached `maxSeriesPerWorker`. */
  readonly refusedSeries: number;
}

interface Peer {
  readonly channel: BridgeChannel;
  contributor: Contributor | undefined;
  pid: number | undefined;
  /** Sequence number expected next; 0 while a full report is awaited. */
  nextSeq: number;
  /** Sequence number of the last report applied. */
  applied: number;
  resyncAsked: boolean;
  alive: boolean;
  answeredRound: number;
  readonly cleanup: () => void;
}

/** The primary side; see {@link createClusterMetricsAggregator}. */
export class ClusterMetricsAggregator implements MetricsSource {
  /** Epoch ms the aggregate started: the stable start time of every cumulative series it serves. */
  readonly startTimeMs = epochMsNow();
  readonly #options: ResolvedAggregatorOptions;
  readonly #store: AggregateStore;
  readonly #peers = new Set<Peer>();
  /** Names of live contributors, with how many hold each. */
  readonly #names = new Map<string, number>();
  readonly #local: { readonly differ: SnapshotDiffer; readonly contributor: Contributor } | undefined;
  readonly #changes: ChangeNotifier;
  #round: CollectRound<Peer> | undefined;
  #roundPromise: Promise<ClusterCollectReport> | undefined;
  #roundSeq = 0;
  #lastRound = 0;
  #closed = false;
  #shutdownPromise: Promise<ClusterCollectReport> | undefined;
  readonly #counts = { accepted: 0, delivered: 0, dropped: 0, failed: 0, resyncs: 0, exited: 0 };
  #invalidReported = false;

  /** @throws MvxConfigError naming the invalid option. */
  constructor(options: ClusterMetricsAggregatorOptions = {}) {
    this.#options = resolveAggregatorOptions(options);
    const o = this.#options;
    this.#store = new AggregateStore({
      seriesLimit: o.seriesLimit,
      workerAttribute: o.workerAttribute,
      startTimeMs: this.startTimeMs,
      perWorker: (name) => (typeof o.perWorker === 'boolean' ? o.perWorker : o.perWorker.has(name)),
      ruleFor: (name) => o.gaugeAggregation.get(name) ?? o.defaultGaugeAggregation,
    });
    this.#changes = new ChangeNotifier((name, now) => this.#store.snapshotOf(name, now), this.startTimeMs);
    if (o.local !== undefined) this.#local = { differ: new SnapshotDiffer(), contributor: new Contributor(o.localName, this.#store, Infinity) };
  }

  /**
   * Aggregates the reports of one worker: a cluster `Worker` (in the primary), a `ChildProcess`
   * (from `child_process.fork`), or a `MessagePort` / worker-thread `Worker`. When it exits (or
   * the returned function detaches it), its counters and histograms keep their last values and its
   * gauges leave the view.
   * @throws MvxConfigError when `target` is not one of those; MvxStateError after `shutdown()`.
   */
  attach(target: ClusterAttachTarget): () => void {
    if (this.#closed) throw new MvxStateError('the cluster metrics aggregator is shut down', 'closed');
    checkPeerTarget(target);
    const peer: Peer = {
      channel: peerChannel(target),
      contributor: undefined,
      pid: undefined,
      nextSeq: 0,
      applied: 0,
      resyncAsked: false,
      alive: true,
      answeredRound: 0,
      cleanup: whenGone(target, () => this.#gone(peer)),
    };
    peer.channel.listen((m) => this.#onMessage(peer, m));
    this.#peers.add(peer);
    return () => this.#gone(peer);
  }

  /**
   * Attaches every worker of `cluster` (pass `node:cluster`'s default export), those alive now and
   * every one forked later. Returns a function that stops attaching new ones and detaches all.
   * @throws MvxConfigError when not called in the primary.
   */
  attachCluster(cluster: ClusterLike): () => void {
    return attachEveryWorker(cluster, (w) => (this.#closed ? undefined : this.attach(w)));
  }

  #post(peer: Peer, message: Record<string, unknown>): boolean {
    try {
      peer.channel.post({ mvx: CLUSTER_ENVELOPE, ...message });
      return true;
    } catch {
      return false;
    }
  }

  #onMessage(peer: Peer, value: unknown): void {
    if (!peer.alive || !isClusterMessage(value) || value.t !== 'report') return;
    this.#counts.accepted++;
    const s = value.s;
    const full = value.full === true;
    if (typeof s !== 'number' || value.v !== CLUSTER_PROTOCOL_VERSION) return this.#invalid(peer, s, new ReportError(`unknown report format (v ${String(value.v)})`));
    if (!full && (peer.nextSeq === 0 || s !== peer.nextSeq)) {
      this.#counts.dropped++;
      return this.#refuse(peer, s);
    }
    const now = epochMsNow();
    if (peer.contributor === undefined) {
      const name = typeof value.name === 'string' && value.name !== '' ? value.name : this.#freeSlot();
      if ((this.#names.get(name) ?? 0) > 0) {
        reportDiagnostic({ component: COMPONENT, code: 'cluster.name_shared', message: `two live workers report under the name '${name}'; their per-worker series are shared`, details: { name } });
      }
      this.#names.set(name, (this.#names.get(name) ?? 0) + 1);
      peer.contributor = new Contributor(name, this.#store, this.#options.maxSeriesPerWorker);
    }
    if (typeof value.pid === 'number') peer.pid = value.pid;
    let touched: Set<string>;
    try {
      touched = peer.contributor.apply(value, full, now);
    } catch (error) {
      return this.#invalid(peer, s, error);
    }
    peer.nextSeq = s + 1;
    peer.applied = s;
    if (full) peer.resyncAsked = false;
    this.#counts.delivered++;
    // Confirmed at once only when the worker waits for it; otherwise in the next collect request.
    if (value.a === true || value.bye === true) this.#post(peer, { t: 'ack', s, ok: true });
    if (typeof value.r === 'number') this.#answered(peer, value.r);
    if (value.bye === true) this.#gone(peer);
    this.#notify(touched);
  }

  #invalid(peer: Peer, s: unknown, error: unknown): void {
    this.#counts.failed++;
    if (!this.#invalidReported) {
      this.#invalidReported = true;
      reportDiagnostic({ component: COMPONENT, code: 'cluster.report_invalid', message: 'a worker sent a report that cannot be applied; a full report is asked for', error });
    }
    this.#refuse(peer, typeof s === 'number' ? s : 0);
  }

  /** Refuses a report and asks (once) for a full one. */
  #refuse(peer: Peer, s: number): void {
    peer.nextSeq = 0;
    // `l`: the last report applied; those after it up to `s` were lost or are refused.
    this.#post(peer, { t: 'ack', s, ok: false, l: peer.applied });
    if (!peer.resyncAsked) {
      peer.resyncAsked = true;
      this.#counts.resyncs++;
      this.#post(peer, { t: 'resync' });
    }
  }

  #freeSlot(): string {
    for (let i = 1; ; i++) if (!this.#names.has(String(i))) return String(i);
  }

  /** A worker is gone (exited, said goodbye, or was detached). */
  #gone(peer: Peer): void {
    if (!peer.alive) return;
    peer.alive = false;
    this.#peers.delete(peer);
    peer.cleanup();
    peer.channel.close();
    this.#counts.exited++;
    const c = peer.contributor;
    if (c !== undefined) {
      const left = (this.#names.get(c.name) ?? 1) - 1;
      if (left > 0) this.#names.set(c.name, left);
      else this.#names.delete(c.name);
      this.#notify(c.releaseAll());
    }
    this.#round?.lose(peer);
  }

  #answered(peer: Peer, roundId: number): void {
    peer.answeredRound = roundId;
    if (this.#round?.id === roundId) this.#round.answer(peer);
  }

  /**
   * Asks every live worker for its changes and waits for the answers, at most `collectTimeoutMs`
   * (and 80 % of `timeoutMs` when given); flushes the primary's own source in the same bound.
   * Concurrent calls share one collection. Never rejects.
   */
  flush(options: { timeoutMs?: number } = {}): Promise<ClusterCollectReport> {
    if (this.#closed) return Promise.resolve({ timedOut: false, accepted: 0, delivered: 0, dropped: 0, failed: 0, pending: 0 });
    if (this.#roundPromise !== undefined) return this.#roundPromise;
    let budget = this.#options.collectTimeoutMs;
    const t = options?.timeoutMs;
    if (typeof t === 'number' && Number.isFinite(t)) budget = Math.min(budget, Math.max(0, t * 0.8));
    const round = new CollectRound<Peer>(++this.#roundSeq, budget);
    const local = this.#options.local;
    const localFlush = local?.flush === undefined ? Promise.resolve(true) : settlesWithin(Promise.resolve().then(() => local.flush!({ timeoutMs: budget })), budget);
    this.#round = round;
    for (const peer of this.#peers) round.ask(peer, () => this.#post(peer, { t: 'collect', id: round.id, b: budget, s: peer.applied }));
    round.check();
    this.#roundPromise = round.result(localFlush).then((report) => {
      this.#round = undefined;
      this.#roundPromise = undefined;
      this.#lastRound = round.id;
      return report;
    });
    return this.#roundPromise;
  }

  /** Snapshots of the whole group: every metric, then the aggregator's own (unless `selfMetrics: false`). */
  snapshots(): MetricSnapshot[] {
    const now = epochMsNow();
    this.#readLocal(now);
    const out = this.#store.snapshots(now);
    if (this.#options.selfMetrics) {
      const ages: [string, number][] = [];
      for (const p of this.#peers) if (p.contributor !== undefined && p.contributor.lastReportAt > 0) ages.push([p.contributor.name, (now - p.contributor.lastReportAt) / 1000]);
      out.push(
        ...selfMetricSnapshots({
          startTimeMs: this.startTimeMs,
          now,
          workerAttribute: this.#options.workerAttribute,
          connected: this.#peers.size,
          answering: this.#answeringCount(),
          exited: this.#counts.exited,
          resyncs: this.#counts.resyncs,
          ages,
        }),
      );
    }
    return out;
  }

  #readLocal(now: number): void {
    const l = this.#local;
    if (l === undefined) return;
    try {
      l.contributor.apply(l.differ.diff(this.#options.local!.snapshots()) as unknown as Record<string, unknown>, false, now);
    } catch (error) {
      reportDiagnostic({ component: COMPONENT, code: 'cluster.local_failed', message: "reading the primary's own metrics failed; its last values are served", error });
    }
  }

  #isAnswering(p: Peer): boolean {
    return this.#lastRound === 0 ? p.contributor !== undefined : p.answeredRound === this.#lastRound;
  }

  #answeringCount(): number {
    let n = 0;
    for (const p of this.#peers) if (this.#isAnswering(p)) n++;
    return n;
  }

  /**
   * Subscribes to changes: `listener(metric, event)` runs after a report changed `metric` (a view
   * whose `snapshot()` is the aggregate); `event` is `{ type: 'mvx.cluster.report' }`. Returns an
   * unsubscriber. A throwing listener is reported and ignored.
   */
  onMetricChanged(listener: MetricChangedListener): () => void {
    return this.#changes.add(listener);
  }

  #notify(touched: ReadonlySet<string>): void {
    this.#changes.notify(touched);
  }

  /** The live workers. */
  workers(): ClusterWorkerInfo[] {
    const now = epochMsNow();
    return [...this.#peers].map((p) => ({
      name: p.contributor?.name,
      pid: p.pid,
      reportAgeMs: p.contributor !== undefined && p.contributor.lastReportAt > 0 ? now - p.contributor.lastReportAt : undefined,
      answering: this.#isAnswering(p),
      series: p.contributor?.size ?? 0,
    }));
  }

  /** Counters since creation. */
  stats(): ClusterMetricsAggregatorStats {
    const c = this.#counts;
    let refused = 0;
    for (const p of this.#peers) refused += p.contributor?.refused ?? 0;
    return {
      state: this.#closed ? 'closed' : 'running',
      workers: { connected: this.#peers.size, answering: this.#answeringCount(), exited: c.exited },
      accepted: c.accepted,
      delivered: c.delivered,
      dropped: c.dropped,
      failed: c.failed,
      pending: 0,
      resyncs: c.resyncs,
      clashes: this.#store.clashes,
      overflowSeries: this.#store.overflowSeries,
      refusedSeries: refused,
    };
  }

  /**
   * A last collection (bounded like `flush()`), then stops listening to every worker; the view
   * keeps serving the values it holds. Idempotent: every call returns the same promise.
   */
  shutdown(options: { timeoutMs?: number } = {}): Promise<ClusterCollectReport> {
    if (this.#shutdownPromise !== undefined) return this.#shutdownPromise;
    this.#shutdownPromise = this.flush(options).then((report) => {
      this.#closed = true;
      for (const p of this.#peers) {
        p.cleanup();
        p.channel.close();
      }
      return report;
    });
    return this.#shutdownPromise;
  }
}

/**
 * Creates the primary's aggregate of a group of processes. Attach the workers
 * (`aggregator.attachCluster(cluster)`, or `aggregator.attach(child)` per forked child), then hand
 * the aggregator to any adapter as its source: `createPrometheusBridge(aggregator, …)`,
 * `new OtelMetricsBridge({ source: aggregator })`, `new StatsdExporter({ source: aggregator, … })`.
 * Each worker runs {@link createClusterMetricsReporter} on its own recorder.
 * @throws MvxConfigError naming an invalid option.
 */
export function createClusterMetricsAggregator(options: ClusterMetricsAggregatorOptions = {}): ClusterMetricsAggregator {
  return new ClusterMetricsAggregator(options);
}
