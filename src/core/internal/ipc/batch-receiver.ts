/**
 * The owner's half of the batch protocol (see `batch-sender.ts`): takes each batch in arrival order,
 * acknowledges it (with the owner-side drops and failures), answers flush requests once every
 * earlier batch is taken, and tells the sender when it detaches. A `deliver` that returns a promise
 * (backpressure: a sink over its high-water mark) holds the following messages back, in order, so
 * what waits is bounded by the senders' `maxPending`.
 *
 * Internal.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import type { BridgeChannel } from './channel.ts';

/** Owner-side outcome of one batch: how many of its items were dropped or failed. */
export interface DeliverResult {
  readonly dropped?: number;
  readonly failed?: number;
}

/** Options of {@link attachBatchReceiver}. */
export interface BatchReceiverOptions {
  readonly envelope: string;
  readonly component: string;
  /** Takes a batch; a returned promise holds later messages back until it settles. */
  deliver(items: readonly unknown[]): DeliverResult | void | Promise<DeliverResult | void>;
  /** Messages of the envelope other than `batch` and `flush`, in order with them. */
  onOther?(message: Readonly<Record<string, unknown>>): void;
}

/** A receiver attached to a channel. */
export interface BatchReceiver {
  /** Items received and not yet delivered (waiting behind a held-back batch). */
  readonly pending: number;
  /** Resolves once nothing received is waiting. */
  idle(): Promise<void>;
  /** Posts a message of the envelope to the sender; false when the channel refused it. */
  post(message: Record<string, unknown>): boolean;
  /** Stops listening and tells the sender (`closed`): it counts later items as dropped. Idempotent. */
  detach(): void;
}

type Msg = Readonly<Record<string, unknown>> & { readonly t?: unknown; readonly h?: unknown; readonly id?: unknown; readonly events?: unknown };

/** Attaches the owner's half of the protocol to `channel`. */
export function attachBatchReceiver(channel: BridgeChannel, options: BatchReceiverOptions): BatchReceiver {
  const queue: Msg[] = [];
  let queuedItems = 0;
  let busy = false;
  let attached = true;
  let idleWaiters: (() => void)[] = [];

  const post = (message: Record<string, unknown>): boolean => {
    try {
      channel.post({ mvx: options.envelope, ...message });
      return true;
    } catch {
      return false;
    }
  };

  const ack = (msg: Msg, n: number, result: DeliverResult | void): void => {
    const reply: Record<string, unknown> = { t: 'ack', n, h: msg.h };
    if (result !== undefined && result.dropped) reply.d = result.dropped;
    if (result !== undefined && result.failed) reply.f = result.failed;
    post(reply);
  };

  const failed = (msg: Msg, n: number, error: unknown): void => {
    reportDiagnostic({ component: options.component, code: 'bridge.failed', message: 'could not handle a message from a worker', error });
    if (msg.t === 'batch') ack(msg, n, { failed: n });
  };

  /** Handles one message; returns a promise when later messages must wait for it. */
  const handle = (msg: Msg): Promise<void> | undefined => {
    if (msg.t === 'batch') {
      const items = Array.isArray(msg.events) ? (msg.events as unknown[]) : [];
      try {
        const result = options.deliver(items);
        if (result instanceof Promise) {
          return result.then(
            (r) => ack(msg, items.length, r),
            (error: unknown) => failed(msg, items.length, error),
          );
        }
        ack(msg, items.length, result);
      } catch (error) {
        failed(msg, items.length, error);
      }
    } else if (msg.t === 'flush') {
      post({ t: 'flushed', id: msg.id, h: msg.h });
    } else {
      try {
        options.onOther?.(msg);
      } catch (error) {
        failed(msg, 0, error);
      }
    }
    return undefined;
  };

  const size = (msg: Msg): number => (msg.t === 'batch' && Array.isArray(msg.events) ? msg.events.length : 0);

  /** Handles `msg`; returns `true` when later messages must wait (pumped again once it settles). */
  const run = (msg: Msg): boolean => {
    const wait = handle(msg);
    if (wait === undefined) return false;
    busy = true;
    void wait.then(() => {
      busy = false;
      pump();
    });
    return true;
  };

  const pump = (): void => {
    while (queue.length > 0 && attached) {
      const msg = queue.shift()!;
      queuedItems -= size(msg);
      if (run(msg)) return;
    }
    if (queue.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  channel.listen((value) => {
    if (!attached || value === null || typeof value !== 'object' || (value as { mvx?: unknown }).mvx !== options.envelope) return;
    const msg = value as Msg;
    if (!busy && queue.length === 0) {
      // The common case: nothing waits, handle it now.
      run(msg);
      return;
    }
    queue.push(msg);
    queuedItems += size(msg);
  });

  return {
    get pending() {
      return queuedItems;
    },
    idle() {
      if (!busy && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    post,
    detach() {
      if (!attached) return;
      attached = false;
      channel.close();
      post({ t: 'closed' });
      queue.length = 0;
      queuedItems = 0;
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
  };
}
