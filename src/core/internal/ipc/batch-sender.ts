/**
 * The sending half of the batch protocol shared by the worker bridges (metric events from a worker
 * thread, log events from a worker thread or a cluster worker): items are batched (per task, and
 * every `maxBatchSize`), posted with a handle id, acknowledged by the owner, bounded by
 * `maxPending` (buffered plus posted-but-unacknowledged), and flushed on request.
 *
 * Messages (every one carries `mvx: <envelope>`; `h` identifies the sending handle, since several
 * handles may share one port and each must take only its own answers):
 * - sender → owner: `{ t: 'batch', events, h }`, `{ t: 'flush', id, h }`;
 * - owner → sender: `{ t: 'ack', n, h, d?, f? }` (`n` items taken, of which `d` dropped and `f`
 *   failed on the owner's side), `{ t: 'flushed', id, h }`, `{ t: 'closed' }` (for every handle).
 *
 * Internal.
 */
import { randomUUID } from 'node:crypto';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { BridgeChannel } from './channel.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';

/** Options of {@link BatchSender}. */
export interface BatchSenderOptions {
  /** The `mvx` tag of every message. */
  readonly envelope: string;
  /** Component named in diagnostics. */
  readonly component: string;
  /** Bound on items buffered plus posted but not yet acknowledged. */
  readonly maxPending: number;
  /** A batch is posted as soon as it holds this many items (otherwise at the end of the task). */
  readonly maxBatchSize: number;
  /** Names an item in diagnostics (its event type or name). */
  readonly describe: (item: unknown) => string;
  /** Messages of the envelope the sender does not handle itself. */
  readonly onOther?: (message: Readonly<Record<string, unknown>>) => void;
}

/** How a flush ended. */
export type FlushOutcome = { readonly status: 'done' | 'timeout' | 'closed' } | { readonly status: 'failed'; readonly error: unknown };

/** Counters of a sender. Every offered item is in exactly one of them (`accepted` minus the later ones). */
export interface BatchSenderCounts {
  /** Items taken (buffered or posted), less those later counted as `closed`. */
  accepted: number;
  /** Items the owner acknowledged (taken), owner-side drops and failures included. */
  acknowledged: number;
  /** Items the owner reported dropped. */
  ownerDropped: number;
  /** Items the owner reported failed. */
  ownerFailed: number;
  /** Refused: `maxPending` reached. */
  overflow: number;
  /** Dropped: could not be serialised for the channel. */
  uncloneable: number;
  /** Dropped: offered after close, or posted to an owner that detached before taking them. */
  closed: number;
}

/** The sending half of the batch protocol. */
export class BatchSender<T> {
  readonly counts: BatchSenderCounts = { accepted: 0, acknowledged: 0, ownerDropped: 0, ownerFailed: 0, overflow: 0, uncloneable: 0, closed: 0 };
  /** Tags this handle's messages. */
  readonly handleId = randomUUID();
  readonly #channel: BridgeChannel;
  readonly #options: BatchSenderOptions;
  #batch: T[] = [];
  #inflight = 0;
  #scheduled = false;
  #closedFlag = false;
  #holding = false;
  #nextFlushId = 1;
  readonly #flushWaiters = new Map<number, (outcome: FlushOutcome) => void>();
  readonly #sendScheduled = (): void => {
    this.#scheduled = false;
    this.send();
  };

  constructor(channel: BridgeChannel, options: BatchSenderOptions) {
    this.#channel = channel;
    this.#options = options;
    channel.listen((value) => this.#onMessage(value));
  }

  /** Whether the sender refuses items (closed by `close()` or by the owner). */
  get isClosed(): boolean {
    return this.#closedFlag;
  }

  /** Buffered plus posted-but-unacknowledged items. */
  get pending(): number {
    return this.#batch.length + this.#inflight;
  }

  /** Takes an item for the owner; never throws. Returns whether it was taken. */
  offer(item: T): boolean {
    if (this.#closedFlag) {
      this.counts.closed++;
      return false;
    }
    if (this.#batch.length + this.#inflight >= this.#options.maxPending) {
      this.counts.overflow++;
      return false;
    }
    this.counts.accepted++;
    this.#batch.push(item);
    if (this.#batch.length >= this.#options.maxBatchSize) this.send();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // A microtask, not a timer: the batch leaves before the thread could exit, and no timer
      // needs unref'ing.
      queueMicrotask(this.#sendScheduled);
    }
    return true;
  }

  #post(message: Record<string, unknown>): void {
    this.#channel.post({ mvx: this.#options.envelope, ...message });
  }

  /** Posts the current batch now. */
  send(): void {
    const items = this.#batch;
    if (items.length === 0) return;
    this.#batch = [];
    if (this.#closedFlag) {
      this.counts.closed += items.length;
      this.counts.accepted -= items.length;
      return;
    }
    try {
      this.#post({ t: 'batch', events: items, h: this.handleId });
      this.#inflight += items.length;
    } catch {
      // Some item could not be serialised: keep the good ones, drop and count the bad ones.
      const ok: T[] = [];
      for (const item of items) {
        const problem = this.#channel.checkSend(item);
        if (problem === undefined) ok.push(item);
        else {
          this.counts.uncloneable++;
          this.counts.accepted--;
          reportDiagnostic({
            component: this.#options.component,
            code: 'event.uncloneable',
            message: `event '${this.#options.describe(item)}' cannot be ${problem.attempted}; dropped`,
            error: problem.error,
          });
        }
      }
      if (ok.length > 0) {
        try {
          this.#post({ t: 'batch', events: ok, h: this.handleId });
          this.#inflight += ok.length;
        } catch (error) {
          this.counts.uncloneable += ok.length;
          this.counts.accepted -= ok.length;
          reportDiagnostic({ component: this.#options.component, code: 'bridge.post_failed', message: 'could not post a batch; dropped', error });
        }
      }
    }
    this.#updateHold();
  }

  #onMessage(value: unknown): void {
    if (value === null || typeof value !== 'object' || (value as { mvx?: unknown }).mvx !== this.#options.envelope) return;
    const msg = value as { t?: unknown; h?: unknown; n?: unknown; d?: unknown; f?: unknown; id?: unknown };
    const own = msg.h === undefined || msg.h === this.handleId;
    if (msg.t === 'ack') {
      // Another handle's answer on a shared port (an owner that echoes no handle id answers everyone).
      if (!own) return;
      const n = typeof msg.n === 'number' ? msg.n : 0;
      this.#inflight -= n;
      this.counts.acknowledged += n;
      if (typeof msg.d === 'number') this.counts.ownerDropped += msg.d;
      if (typeof msg.f === 'number') this.counts.ownerFailed += msg.f;
    } else if (msg.t === 'flushed') {
      if (!own) return;
      const resolve = this.#flushWaiters.get(msg.id as number);
      this.#flushWaiters.delete(msg.id as number);
      resolve?.({ status: 'done' });
    } else if (msg.t === 'closed') {
      // The owner posted its acks before this notice (a channel keeps order): batches still
      // unacknowledged reached it after it detached and were never taken.
      this.counts.closed += this.#inflight;
      this.counts.accepted -= this.#inflight;
      this.#inflight = 0;
      this.close();
    } else {
      this.#options.onOther?.(value as Readonly<Record<string, unknown>>);
    }
    this.#updateHold();
  }

  /** Hold the channel only while something is outstanding, so an idle thread or process can exit. */
  #updateHold(): void {
    const want = !this.#closedFlag && (this.#inflight > 0 || this.#flushWaiters.size > 0);
    if (want !== this.#holding) {
      this.#holding = want;
      this.#channel.hold(want);
    }
  }

  /** Refuses further items; what is still buffered is counted as `closed`. Idempotent. */
  close(): void {
    if (!this.#closedFlag) {
      this.#closedFlag = true;
      this.counts.closed += this.#batch.length;
      this.counts.accepted -= this.#batch.length;
      this.#batch = [];
    }
    for (const resolve of this.#flushWaiters.values()) resolve({ status: 'closed' });
    this.#flushWaiters.clear();
    this.#updateHold();
  }

  /**
   * Posts the current batch and resolves once the owner has taken every item offered before the
   * call (`done`), after `timeoutMs` (`timeout`), when the sender is or becomes closed (`closed`),
   * or when the request cannot be posted (`failed`). Never rejects.
   */
  flush(timeoutMs: number): Promise<FlushOutcome> {
    this.send();
    if (this.#closedFlag) return Promise.resolve({ status: 'closed' });
    const id = this.#nextFlushId++;
    let answer!: (outcome: FlushOutcome) => void;
    const answered = new Promise<FlushOutcome>((resolve) => (answer = resolve));
    this.#flushWaiters.set(id, answer);
    this.#updateHold();
    try {
      this.#post({ t: 'flush', id, h: this.handleId });
    } catch (error) {
      this.#flushWaiters.delete(id);
      this.#updateHold();
      return Promise.resolve({ status: 'failed', error });
    }
    return waitBounded(answered, { timeoutMs }).then((result): FlushOutcome => {
      if (result.status === 'done') return result.value;
      this.#flushWaiters.delete(id);
      this.#updateHold();
      return { status: 'timeout' };
    });
  }
}
