/**
 * The lifecycle vocabulary every component that holds resources speaks: sinks, exporters,
 * bridges, recorders, servers. `flush({ timeoutMs })` and `shutdown({ timeoutMs })` are bounded,
 * idempotent (`shutdown()` returns the same promise on repeat), never reject, and resolve with a
 * {@link LifecycleReport}; `stats()` reports the same counters at any time.
 *
 * The counters are in the component's documented unit (events for a log sink, records for the
 * OpenTelemetry log sink, data points for the OpenTelemetry metrics bridge, series samples for the
 * Prometheus bridge, lines for the StatsD exporter) and always add up:
 * `accepted = delivered + dropped + failed + pending`.
 */

/** Options of a bounded lifecycle operation. */
export interface LifecycleOptions {
  /** Upper bound in milliseconds; the operation resolves (never hangs) when it passes. */
  timeoutMs?: number;
}

/** What a component did with what it was given; `accepted = delivered + dropped + failed + pending`. */
export interface DeliveryStats {
  /** Everything the component was given (or, for pull adapters, read), whatever became of it. */
  readonly accepted: number;
  /** Handed on to the backend successfully. */
  readonly delivered: number;
  /** Deliberately not delivered (a full queue, after shutdown, filtered out, over a limit); counted by reason where the component documents reasons. */
  readonly dropped: number;
  /** Delivery tried and failed (after retries, where there are retries). */
  readonly failed: number;
  /** Not settled yet: queued or in flight. */
  readonly pending: number;
}

/** What `flush()` and `shutdown()` resolve with: the counters then, and whether the bound passed first. */
export interface LifecycleReport extends DeliveryStats {
  /** `true` when the operation's `timeoutMs` passed before it completed. */
  readonly timedOut: boolean;
}

/** The lifecycle of a component that holds resources (see the module comment). */
export interface Lifecycle {
  /** Delivers what is pending, within the bound. Never rejects. */
  flush(options?: LifecycleOptions): Promise<LifecycleReport>;
  /** Stops accepting, delivers what is pending, releases resources, within the bound. Idempotent; never rejects. */
  shutdown(options?: LifecycleOptions): Promise<LifecycleReport>;
  /** The counters now. */
  stats(): DeliveryStats;
}

/** A report from counters and the time-out flag (the counters are copied; extra fields are kept). */
export function lifecycleReport<S extends DeliveryStats>(stats: S, timedOut: boolean): S & LifecycleReport {
  return { ...stats, timedOut };
}
