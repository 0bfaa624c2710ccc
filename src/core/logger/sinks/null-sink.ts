/**
 * A sink that discards every event (counting them): for benchmarks and for switching output off.
 *
 * @module
 */
import type { LogEvent } from '../event.ts';
import type { LogSink } from './log-sink.ts';
import type { DeliveryStats, LifecycleReport } from '../../lifecycle/types.ts';

/** Discards events; `received` counts them. Discarding is its delivery: `stats().delivered`. */
export class NullSink implements LogSink {
  #received = 0;
  #afterShutdown = 0;
  #shutdown = false;
  #shutdownReport: Promise<DeliveryStats & LifecycleReport> | undefined;

  /** Events received (and discarded). */
  get received(): number {
    return this.#received;
  }

  log(_event: LogEvent): void {
    if (this.#shutdown) this.#afterShutdown++;
    else this.#received++;
  }

  /** Counters in events: `accepted = delivered + dropped` (after `shutdown()`). */
  stats(): DeliveryStats {
    return { accepted: this.#received + this.#afterShutdown, delivered: this.#received, dropped: this.#afterShutdown, failed: 0, pending: 0 };
  }

  flush(): Promise<DeliveryStats & LifecycleReport> {
    return Promise.resolve({ ...this.stats(), timedOut: false });
  }

  /** Later events are counted as dropped. Idempotent (the same promise). */
  shutdown(): Promise<DeliveryStats & LifecycleReport> {
    this.#shutdown = true;
    return (this.#shutdownReport ??= this.flush());
  }
}
