/**
 * A sink that forwards to another sink only the events a policy (and an optional minimum level)
 * accepts. It lets one context feed several destinations at different widths: all events to a
 * file, a filtered selection to the console.
 */
import type { LogEvent } from '../event.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import type { LifecycleOptions, LogSink } from './log-sink.ts';
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
 * Forwards accepted events to `target`; counts what it filtered out (`stats().filtered`).
 * `flush` and `shutdown` are passed through.
 *
 * @throws MvxConfigError when `target` is not a sink or `minLevel` is not a finite number.
 */
export class FilteringSink implements LogSink {
  readonly #target: LogSink;
  readonly #policy: LogEventPolicy | undefined;
  readonly #minLevel: number;
  #forwarded = 0;
  #filtered = 0;

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
    if (event.level < this.#minLevel || (this.#policy && !this.#policy.isEnabled(event.meta, event.level, event.outcome))) {
      this.#filtered++;
      return;
    }
    this.#forwarded++;
    this.#target.log(event);
  }

  /** Events forwarded to the target and events filtered out, since construction. */
  stats(): { forwarded: number; filtered: number } {
    return { forwarded: this.#forwarded, filtered: this.#filtered };
  }

  flush(options?: LifecycleOptions): Promise<unknown> {
    return this.#target.flush?.(options) ?? Promise.resolve();
  }

  shutdown(options?: LifecycleOptions): Promise<unknown> {
    return this.#target.shutdown?.(options) ?? Promise.resolve();
  }
}
