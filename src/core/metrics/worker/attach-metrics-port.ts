/**
 * Owner side of the worker-thread bridge: aggregates the batches a worker's
 * {@link WorkerMetricsRecorder} sends over a port into a recorder, acknowledges them, and answers
 * flush requests once every earlier batch is aggregated (a port delivers in order).
 */
import { MessagePort } from 'node:worker_threads';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { MetricEvent } from '../types.ts';
import { ENVELOPE, isEnvelope } from './protocol.ts';
import type { MessagePortLike, ToOwner } from './protocol.ts';

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
  let attached = true;
  const onMessage = (value: unknown): void => {
    if (!isEnvelope(value)) return;
    const msg = value as ToOwner;
    try {
      if (msg.t === 'batch') {
        const events = Array.isArray(msg.events) ? msg.events : [];
        recorder.ingestBatch(events);
        port.postMessage({ mvx: ENVELOPE, t: 'ack', n: events.length, h: msg.h });
      } else if (msg.t === 'flush') {
        port.postMessage({ mvx: ENVELOPE, t: 'flushed', id: msg.id, h: msg.h });
      }
    } catch (error) {
      reportDiagnostic({ component: 'WorkerMetricsBridge', code: 'bridge.failed', message: 'could not handle a message from a worker', error });
    }
  };
  port.on('message', onMessage);
  if (port instanceof MessagePort) port.unref();
  const detach = (): void => {
    if (!attached) return;
    attached = false;
    port.off('message', onMessage);
    try {
      port.postMessage({ mvx: ENVELOPE, t: 'closed' });
    } catch {
      // The port may be closed already.
    }
  };
  return detach;
}
