/**
 * The scrape view: what the collectors of one bridge read during one scrape. The first collector
 * read (or the metrics handler, before the scrape) takes a view: a bounded `source.flush()`, one
 * `source.snapshots()`, and reconciliation of the registry with it; every collector read in the
 * same synchronous pass shares that view, so a scrape is consistent. See the sequence drawn in
 * `prometheus-bridge.ts`.
 * @module
 */
import { reportDiagnostic, waitBounded } from '../../adapter-kit/index.ts';
import { MvxError, MvxErrorCode } from '../../index.ts';
import type { MetricSnapshot, MetricsSource } from '../../index.ts';

const COMPONENT = 'PrometheusBridge';

/** Counters of the views (part of the bridge's stats). */
export interface ScrapeViewCounts {
  /** Snapshot views taken (one per scrape that reached this bridge's collectors). */
  views: number;
  /** Source flushes that did not finish within `flushTimeoutMs`. */
  flushTimeouts: number;
  /** Source flushes that threw or rejected. */
  flushFailures: number;
  /** `snapshots()` calls that threw (the scrape then fails). */
  snapshotFailures: number;
}

/** Takes and shares the views of one bridge. */
export class ScrapeView {
  readonly counts: ScrapeViewCounts = { views: 0, flushTimeouts: 0, flushFailures: 0, snapshotFailures: 0 };
  readonly #source: MetricsSource;
  readonly #flushTimeoutMs: number;
  /** Reconciles the registry with the snapshots (unless the bridge is closed); returns the view's generation. */
  readonly #apply: (snapshots: MetricSnapshot[]) => number;
  #pending: Promise<number> | undefined;
  #primed: Promise<number> | undefined;

  constructor(source: MetricsSource, flushTimeoutMs: number, apply: (snapshots: MetricSnapshot[]) => number) {
    this.#source = source;
    this.#flushTimeoutMs = flushTimeoutMs;
    this.#apply = apply;
  }

  /**
   * The view of the current scrape: the prepared one, or one taken now and shared by every
   * collector read before it settles. Resolves to its generation; rejects when `snapshots()` threw.
   */
  view(): Promise<number> {
    if (this.#pending !== undefined) return this.#pending;
    let p = this.#primed;
    this.#primed = undefined;
    p ??= this.#take();
    this.#pending = p;
    const clear = (): void => {
      if (this.#pending === p) this.#pending = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /** Takes the next scrape's view now, so dimensions new since the last one are registered before the registry lists its metrics. */
  async prepare(): Promise<void> {
    const p = this.#take();
    this.#primed = p;
    try {
      await p;
    } catch {
      // The scrape's own view() sees the same rejection.
    }
  }

  /** Whether a view is being taken or prepared and not yet read. */
  get outstanding(): boolean {
    return this.#pending !== undefined || this.#primed !== undefined;
  }

  /** Drops a prepared view that no scrape used. */
  discard(): void {
    this.#primed = undefined;
  }

  async #take(): Promise<number> {
    this.counts.views++;
    if (this.#source.flush !== undefined && this.#flushTimeoutMs > 0) await this.#flush();
    let snapshots: MetricSnapshot[];
    try {
      snapshots = this.#source.snapshots();
    } catch (error) {
      this.counts.snapshotFailures++;
      reportDiagnostic({ component: COMPONENT, code: 'snapshot.failed', message: 'the metrics source threw from snapshots(); the scrape fails', error });
      throw new MvxError(MvxErrorCode.UNEXPECTED, 'the metrics source failed to give snapshots', { cause: error });
    }
    return this.#apply(snapshots);
  }

  /** The source's flush, bounded: on time-out or failure the scrape goes on with what is aggregated. */
  async #flush(): Promise<void> {
    const timeoutMs = this.#flushTimeoutMs;
    const result = await waitBounded(() => this.#source.flush!({ timeoutMs }), { timeoutMs });
    if (result.status === 'timeout') {
      this.counts.flushTimeouts++;
      reportDiagnostic({
        component: COMPONENT,
        code: 'flush.timeout',
        message: `the metrics source did not flush within ${timeoutMs} ms; scraping what is aggregated so far`,
      });
    } else if (result.status === 'failed') {
      this.counts.flushFailures++;
      reportDiagnostic({ component: COMPONENT, code: 'flush.failed', message: 'the metrics source failed to flush; scraping what is aggregated so far', error: result.error });
    }
  }
}
