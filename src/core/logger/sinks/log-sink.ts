/** The sink contract. */
import type { LogEvent } from '../event.ts';

/** Options of a bounded lifecycle operation. */
export interface LifecycleOptions {
  /** Upper bound in milliseconds; the operation resolves (never hangs) when it passes. */
  timeoutMs?: number;
}

/**
 * A sink delivers finished events. `log` is called on the caller's stack: it must not block and
 * must not throw for ordinary delivery problems (a sink that does I/O queues the event and reports
 * failures through its own accounting). When it does throw, the context's error handling decides.
 */
export interface LogSink {
  /** Delivers (or queues) one event. */
  log(event: LogEvent): void;
  /** Resolves when everything accepted so far has been delivered, dropped or failed. */
  flush?(options?: LifecycleOptions): Promise<unknown>;
  /** Flushes, then releases resources. Idempotent. */
  shutdown?(options?: LifecycleOptions): Promise<unknown>;
}
