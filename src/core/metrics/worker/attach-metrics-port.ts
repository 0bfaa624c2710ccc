/**
 * Owner side of the worker-thread bridge: aggregates the batches a worker's
 * {@link WorkerMetricsRecorder} sends over a port into a recorder, acknowledges them, and answers
 * flush requests once every earlier batch is aggregated (a port delivers in order). The protocol
 * itself is the shared batch protocol (`core/internal/ipc/batch-receiver.ts`).
 */
import { peerChannel } from '../../internal/ipc/channel.ts';
import { attachBatchReceiver } from '../../internal/ipc/batch-receiver.ts';
import type { MetricEvent } from '../types.ts';
import { ENVELOPE } from './protocol.ts';
import type { MessagePortLike } from './protocol.ts';

/** What the bridge needs of the owning recorder. */
export interface BatchIngestor {
  ingestBatch(events: readonly MetricEvent[]): void;
}

/**
 * Listens on `port` (a `MessagePort`, or a `Worker` whose worker side uses `parentPort`) for
 * metric batches and aggregates them into `recorder` (which counts them as dropped while it is
 * stopped). Returns a function that detaches; the worker side is then told, and drops further
 * events (counted as `dropped.closed`) — close the worker's handle first to lose nothing.
 *
 * A `MessagePort` is `unref()`ed so that it never holds the process open; a `Worker` is left as is.
 */
export function attachMetricsPort(recorder: BatchIngestor, port: MessagePortLike): () => void {
  const receiver = attachBatchReceiver(peerChannel(port), {
    envelope: ENVELOPE,
    component: 'WorkerMetricsBridge',
    deliver: (events) => recorder.ingestBatch(events as readonly MetricEvent[]),
  });
  return () => receiver.detach();
}
