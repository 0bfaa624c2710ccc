/**
 * The message protocol between a worker's {@link WorkerMetricsRecorder} and the owning recorder.
 * Every message carries `mvx: 'metrics'` so a port can be shared with the application's own messages.
 */
import type { MetricEvent } from '../types.ts';

/** Envelope tag of every metrics message. */
export const ENVELOPE = 'mvx-metrics';

/**
 * Worker → owner. `h` identifies the sending handle: several handles may share one port (two
 * modules of a worker on `parentPort`), and each must take only its own acknowledgements.
 */
export type ToOwner =
  | { readonly mvx: typeof ENVELOPE; readonly t: 'batch'; readonly events: readonly MetricEvent[]; readonly h?: string }
  | { readonly mvx: typeof ENVELOPE; readonly t: 'flush'; readonly id: number; readonly h?: string };

/** Owner → worker. `ack` and `flushed` echo the handle id `h` of the message they answer; `closed` is for every handle. */
export type ToWorker =
  | { readonly mvx: typeof ENVELOPE; readonly t: 'ack'; readonly n: number; readonly h?: string }
  | { readonly mvx: typeof ENVELOPE; readonly t: 'flushed'; readonly id: number; readonly h?: string }
  | { readonly mvx: typeof ENVELOPE; readonly t: 'closed' };

/** What both sides need of a port: a `MessagePort`, `parentPort`, or a `Worker`. */
export interface MessagePortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

/** Whether a value is one of our messages. */
export function isEnvelope(value: unknown): value is ToOwner | ToWorker {
  return value !== null && typeof value === 'object' && (value as { mvx?: unknown }).mvx === ENVELOPE;
}
