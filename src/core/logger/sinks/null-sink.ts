/**
 * A sink that discards every event (counting them): for benchmarks and for switching output off.
 *
 * @module
 */
import type { LogEvent } from '../event.ts';
import type { LogSink } from './log-sink.ts';

/** Discards events; `received` counts them. */
export class NullSink implements LogSink {
  #received = 0;

  /** Events received (and discarded). */
  get received(): number {
    return this.#received;
  }

  log(_event: LogEvent): void {
    this.#received++;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
