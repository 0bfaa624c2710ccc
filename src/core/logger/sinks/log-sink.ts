/** The sink contract. */
import type { LogEvent } from '../event.ts';
import type { LifecycleOptions } from '../../lifecycle/types.ts';

export type { LifecycleOptions } from '../../lifecycle/types.ts';

/**
 * A sink delivers finished events. `log` is called on the caller's stack: it must not block and
 * must not throw for ordinary delivery problems (a sink that does I/O queues the event and reports
 * failures through its own accounting). When it does throw, the context's error handling decides.
 *
 * The sinks of this package also speak the common lifecycle (`core/lifecycle/types.ts`):
 * `flush()` and `shutdown()` resolve with a report, `stats()` counts events with
 * `accepted = delivered + dropped + failed + pending`; both methods stay optional here, so any
 * object with `log` is a sink.
 */
export interface LogSink {
  /** Delivers (or queues) one event. */
  log(event: LogEvent): void;
  /** Resolves when everything accepted so far has been delivered, dropped or failed. */
  flush?(options?: LifecycleOptions): Promise<unknown>;
  /** Flushes, then releases resources. Idempotent. */
  shutdown?(options?: LifecycleOptions): Promise<unknown>;
}
