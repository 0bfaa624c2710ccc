/**
 * The last step of a context's emit path: a finished event handed to the effective sink, with a
 * bound on re-entrant delivery (a sink that logs through a context) and sink failures handled by
 * the context's error-handling mode (`error-handling.ts`).
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import type { LogSink } from '../sinks/log-sink.ts';
import { LogErrorHandling, SinkFailurePrinter, handleSinkFailure } from './error-handling.ts';
import type { LogErrorHandlingMode } from './error-handling.ts';

/** Deepest re-entrant delivery (a sink logging through a context) before events are dropped. */
const MAX_DELIVERY_DEPTH = 8;
/** Deliveries in progress on this thread's stack, across every context. */
let deliveryDepth = 0;

/** The counters of a context that delivery updates. */
export interface DeliveryStats {
  sinkFailures: number;
  recursionDrops: number;
}

/** The delivery of one context: counts into its stats; its failure printer is made on the first failure. */
export class SinkDelivery {
  readonly #namespace: string;
  readonly #stats: DeliveryStats;
  #printer: SinkFailurePrinter | undefined;

  constructor(namespace: string, stats: DeliveryStats) {
    this.#namespace = namespace;
    this.#stats = stats;
  }

  /**
   * Hands `event` to `sink`. Never throws, except in the `raise` mode when the sink fails (`MvxError`
   * code `MVX_UNABLE_TO_LOG`, the sink's error as `cause`). Beyond {@link MAX_DELIVERY_DEPTH}
   * re-entrant deliveries the event is dropped, counted (`recursionDrops`) and reported.
   */
  deliver(sink: LogSink, mode: LogErrorHandlingMode, event: LogEvent): void {
    if (deliveryDepth >= MAX_DELIVERY_DEPTH) {
      this.#stats.recursionDrops++;
      const message = `a sink logged re-entrantly more than ${MAX_DELIVERY_DEPTH} levels deep; the event is dropped`;
      reportDiagnostic({ component: 'LogContext', code: 'delivery.recursion', message, details: { namespace: this.#namespace } });
      return;
    }
    deliveryDepth++;
    try {
      sink.log(event);
    } catch (error) {
      this.#failed(mode, event, error);
    } finally {
      deliveryDepth--;
    }
  }

  #failed(mode: LogErrorHandlingMode, event: LogEvent, error: unknown): void {
    this.#stats.sinkFailures++;
    if (mode === LogErrorHandling.IGNORE) return;
    handleSinkFailure(mode, this.#namespace, event, error, () => (this.#printer ??= new SinkFailurePrinter(`LogContext '${this.#namespace}'`)));
  }
}
