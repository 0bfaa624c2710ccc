/**
 * A sink that keeps events in memory, for tests and for inspection.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import { composeEventName } from '../event.ts';
import type { LogEvent, LogOutcome } from '../event.ts';
import type { LogSink } from './log-sink.ts';
import type { DeliveryStats, LifecycleReport } from '../../lifecycle/types.ts';

/** Options of {@link MemorySink}. */
export interface MemorySinkOptions {
  /**
   * Maximum number of events kept; when full, the oldest event is dropped and counted in
   * `stats().evicted`. @default Infinity (unbounded: meant for tests)
   */
  capacity?: number;
}

/**
 * Counters of a {@link MemorySink}, in events: `accepted = delivered + dropped + failed + pending`.
 * `delivered` counts every event captured, `evicted` those of them pushed out later by the capacity.
 */
export interface MemorySinkStats extends DeliveryStats {
  /** Events captured (the capacity's evictions included: they were captured first). */
  readonly delivered: number;
  /** Events logged after `shutdown()`: not captured. */
  readonly dropped: number;
  readonly droppedByReason: Readonly<{ shutdown: number }>;
  /** Captured events removed since because the capacity was reached (oldest first). */
  readonly evicted: number;
}

/** A query for {@link MemorySink.find}: every given field must match (AND). */
export interface MemorySinkQuery {
  /** The event name (`meta.name`, without the namespace). */
  name?: string;
  /** The composed `namespace.name` key. */
  event?: string;
  /** The namespace (`''` for the root). */
  namespace?: string;
  /** The outcome; `null` matches events without one. */
  outcome?: LogOutcome | null;
  /** The exact level. */
  level?: number;
  /** The entity id. */
  entityId?: string;
}

/** Keeps every event it receives, in order. */
export class MemorySink implements LogSink {
  /** Captured events, oldest first. */
  readonly events: LogEvent[] = [];
  readonly #capacity: number;
  #dropped = 0;
  #captured = 0;
  #afterShutdown = 0;
  #shutdown = false;
  #shutdownReport: Promise<MemorySinkStats & LifecycleReport> | undefined;

  constructor(options: MemorySinkOptions = {}) {
    const cap = options.capacity ?? Infinity;
    if (typeof cap !== 'number' || Number.isNaN(cap) || cap < 1 || (cap !== Infinity && !Number.isInteger(cap))) {
      throw new MvxConfigError('capacity', `must be a positive integer or Infinity, got ${String(cap)}`);
    }
    this.#capacity = cap;
  }

  /**
   * Events dropped because the capacity was reached (oldest first).
   * @deprecated Use `stats().evicted` (same count; `stats().dropped` counts events after shutdown).
   */
  get dropped(): number {
    return this.#dropped;
  }

  /** Whether `shutdown()` was called; events logged afterwards are counted, not captured. */
  get isShutdown(): boolean {
    return this.#shutdown;
  }

  log(event: LogEvent): void {
    if (this.#shutdown) {
      this.#afterShutdown++;
      return;
    }
    this.#captured++;
    this.events.push(event);
    if (this.events.length > this.#capacity) {
      this.events.shift();
      this.#dropped++;
    }
  }

  /** Events matching every field of the query, in order. */
  find(query: MemorySinkQuery = {}): LogEvent[] {
    return this.events.filter((e) => matches(e, query));
  }

  /** The first event matching the query, if any. */
  first(query: MemorySinkQuery = {}): LogEvent | undefined {
    return this.events.find((e) => matches(e, query));
  }

  /** The last captured event, if any. */
  last(): LogEvent | undefined {
    return this.events[this.events.length - 1];
  }

  /** Event names (`meta.name`) in order of arrival. */
  names(): string[] {
    return this.events.map((e) => e.meta.name);
  }

  /** Composed `namespace.name` keys in order of arrival. */
  keys(): string[] {
    return this.events.map((e) => composeEventName(e.meta));
  }

  /** Outcomes in order of arrival (`undefined` for events without one). */
  outcomes(): (LogOutcome | undefined)[] {
    return this.events.map((e) => e.outcome);
  }

  /** Removes every captured event and resets the drop counter. */
  clear(): void {
    this.events.length = 0;
    this.#dropped = 0;
  }

  /** Nothing is pending: resolves at once with the counters. */
  flush(): Promise<MemorySinkStats & LifecycleReport> {
    return Promise.resolve({ ...this.stats(), timedOut: false });
  }

  /** Stops capturing (later events are counted as dropped); the captured events stay readable. Idempotent (the same promise). */
  shutdown(): Promise<MemorySinkStats & LifecycleReport> {
    this.#shutdown = true;
    return (this.#shutdownReport ??= this.flush());
  }

  /** Counters since construction (not reset by `clear()`). */
  stats(): MemorySinkStats {
    const afterShutdown = this.#afterShutdown;
    return {
      accepted: this.#captured + afterShutdown,
      delivered: this.#captured,
      dropped: afterShutdown,
      droppedByReason: { shutdown: afterShutdown },
      failed: 0,
      pending: 0,
      evicted: this.#dropped,
    };
  }
}

function matches(e: LogEvent, q: MemorySinkQuery): boolean {
  if (q.name !== undefined && e.meta.name !== q.name) return false;
  if (q.event !== undefined && composeEventName(e.meta) !== q.event) return false;
  if (q.namespace !== undefined && e.meta.namespace !== q.namespace) return false;
  if (q.outcome !== undefined && (e.outcome ?? null) !== q.outcome) return false;
  if (q.level !== undefined && e.level !== q.level) return false;
  if (q.entityId !== undefined && e.meta.entityId !== q.entityId) return false;
  return true;
}
