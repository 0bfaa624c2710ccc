/**
 * A sink that forwards to another sink only the events a policy (and an optional minimum level)
 * accepts. It lets one context feed several destinations at different widths: all events to a
 * file, a filtered selection to the console.
 */
import type { LogEvent } from '../event.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import type { LifecycleOptions, LogSink } from './log-sink.ts';
import type { DeliveryStats, LifecycleReport } from '../../lifecycle/types.ts';
import { Once } from '../../lifecycle/once.ts';
import { MvxConfigError } from '../../errors.ts';

/** Options of {@link FilteringSink}. */
export interface FilteringSinkOptions {
  /** Where accepted events go. */
  readonly target: LogSink;
  /** Width for this target: `isEnabled(meta, level, outcome)` on each event. Default: accept all. */
  readonly policy?: LogEventPolicy;
  /** Events below this level are not forwarded. Default: none. */
  readonly minLevel?: number;
}

/**
 * Counters of a {@link FilteringSink}, in events: `accepted = delivered + dropped + failed + pending`.
 */
export interface FilteringSinkStats extends DeliveryStats {
  /** Events forwarded to the target (same as `forwarded`). */
  readonly delivered: number;
  /** `filtered` (the policy or the minimum level said no) plus `shutdown` (logged after `shutdown()`). */
  readonly dropped: number;
  readonly droppedByReason: Readonly<{ filtered: number; shutdown: number }>;
  /** Events whose forwarding threw (the error goes on to the context's error handling). */
  readonly failed: number;
  /** Always 0: the target holds what is pending. */
  readonly pending: number;
  readonly forwarded: number;
  readonly filtered: number;
}

/**
 * Forwards accepted events to `target`; counts what it filtered out (`stats().filtered`).
 * `flush` and `shutdown` are passed through (their reports are this sink's counters, `timedOut`
 * when the target's report said so).
 *
 * @throws MvxConfigError when `target` is not a sink or `minLevel` is not a finite number.
 */
export class FilteringSink implements LogSink {
  readonly #target: LogSink;
  readonly #policy: LogEventPolicy | undefined;
  readonly #minLevel: number;
  #forwarded = 0;
  #filtered = 0;
  #failed = 0;
  #afterShutdown = 0;
  readonly #shutdown = new Once((options?: LifecycleOptions) => this.#pass(() => this.#target.shutdown?.(options)));

  constructor(options: FilteringSinkOptions) {
    if (!options || typeof options.target?.log !== 'function') {
      throw new MvxConfigError('target', 'must be a LogSink (an object with a log(event) method)');
    }
    if (options.policy !== undefined && typeof options.policy.isEnabled !== 'function') {
      throw new MvxConfigError('policy', 'must be a LogEventPolicy (an object with isEnabled(meta, level, outcome))');
    }
    if (options.minLevel !== undefined && !Number.isFinite(options.minLevel)) {
      throw new MvxConfigError('minLevel', 'must be a finite number such as LogLevel.INFO (20)');
    }
    this.#target = options.target;
    this.#policy = options.policy;
    this.#minLevel = options.minLevel ?? -Infinity;
  }

  log(event: LogEvent): void {
    if (this.#shutdown.called) {
      this.#afterShutdown++;
      return;
    }
    if (event.level < this.#minLevel || (this.#policy && !this.#policy.isEnabled(event.meta, event.level, event.outcome))) {
      this.#filtered++;
      return;
    }
    try {
      this.#target.log(event);
    } catch (error) {
      this.#failed++;
      throw error;
    }
    this.#forwarded++;
  }

  /** Counters since construction; see {@link FilteringSinkStats}. */
  stats(): FilteringSinkStats {
    const filtered = this.#filtered;
    const shutdown = this.#afterShutdown;
    return {
      accepted: this.#forwarded + filtered + shutdown + this.#failed,
      delivered: this.#forwarded,
      dropped: filtered + shutdown,
      droppedByReason: { filtered, shutdown },
      failed: this.#failed,
      pending: 0,
      forwarded: this.#forwarded,
      filtered,
    };
  }

  /** Flushes the target; never rejects. */
  flush(options?: LifecycleOptions): Promise<FilteringSinkStats & LifecycleReport> {
    return this.#pass(() => this.#target.flush?.(options));
  }

  /** Shuts the target down; later events are dropped here. Idempotent (same promise); never rejects. */
  shutdown(options?: LifecycleOptions): Promise<FilteringSinkStats & LifecycleReport> {
    return this.#shutdown.call(options);
  }

  async #pass(call: () => unknown): Promise<FilteringSinkStats & LifecycleReport> {
    let timedOut = false;
    try {
      timedOut = ((await call()) as { timedOut?: unknown } | undefined)?.timedOut === true;
    } catch {
      // The target's own failure is its to report; this sink's counters stand.
    }
    return { ...this.stats(), timedOut };
  }
}
