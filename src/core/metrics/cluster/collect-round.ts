/**
 * One collection before a scrape or an export: the primary asks every live worker for its
 * changes and waits until each has answered, exited or could not be asked, or until the budget ran
 * out (then the workers still silent are `pending`).
 */

import { waitBounded } from '../../lifecycle/bounded-wait.ts';

/**
 * What the aggregator's `flush()` and `shutdown()` resolve with; unit: workers asked for their
 * changes. `accepted = delivered + dropped + failed + pending`.
 */
export interface ClusterCollectReport {
  /** `true` when some worker had not answered when the budget ran out (its last values are served). */
  readonly timedOut: boolean;
  /** Workers asked. */
  readonly accepted: number;
  /** Workers that answered in time. */
  readonly delivered: number;
  /** Workers that exited before answering (their last values are kept). */
  readonly dropped: number;
  /** Workers the request could not be sent to. */
  readonly failed: number;
  /** Workers that had not answered within the budget. */
  readonly pending: number;
}

/** A collection in progress. */
export class CollectRound<P> {
  readonly asked = new Set<P>();
  readonly #answered = new Set<P>();
  readonly #gone = new Set<P>();
  readonly #failed = new Set<P>();
  #finish!: () => void;
  /** Every worker settled, or the budget ran out. */
  readonly #done: Promise<unknown>;

  readonly id: number;

  constructor(id: number, budgetMs: number) {
    this.id = id;
    const settled = new Promise<void>((resolve) => (this.#finish = resolve));
    // Holding the process: a collection is awaited like any request in flight, for at most its budget.
    this.#done = waitBounded(settled, { timeoutMs: budgetMs, holdProcess: true });
  }

  /** Asks `peer` with `ask` (false: could not be sent). */
  ask(peer: P, ask: () => boolean): void {
    this.asked.add(peer);
    if (!ask()) this.#failed.add(peer);
  }

  /** `peer` answered this round. */
  answer(peer: P): void {
    if (!this.asked.has(peer) || this.#gone.has(peer)) return;
    this.#answered.add(peer);
    this.check();
  }

  /** `peer` is gone before it answered. */
  lose(peer: P): void {
    if (!this.asked.has(peer) || this.#answered.has(peer)) return;
    this.#gone.add(peer);
    this.check();
  }

  /** Resolves once every worker asked is settled, or the budget ran out. */
  check(): void {
    if (this.#answered.size + this.#gone.size + this.#failed.size >= this.asked.size) this.#finish();
  }

  /** The outcome, once `also` (the primary's own flush) has settled too. */
  async result(also: Promise<unknown>): Promise<ClusterCollectReport> {
    await Promise.all([this.#done, also]);
    const pending = this.asked.size - this.#answered.size - this.#gone.size - this.#failed.size;
    return { timedOut: pending > 0, accepted: this.asked.size, delivered: this.#answered.size, dropped: this.#gone.size, failed: this.#failed.size, pending };
  }
}
