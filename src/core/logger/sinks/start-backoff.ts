/**
 * When an `AsyncLogSink` may try to start again: at once the first time, then no sooner than the
 * retry backoff after each failed start (a path that cannot be written is not retried on every
 * event). Internal.
 */
import type { ResolvedAsyncLogSinkOptions } from './async-log-sink-options.ts';
import { retryBackoff } from './batch-delivery.ts';

/** The failed starts of one sink and the timer of the next attempt. */
export class StartBackoff {
  readonly #o: ResolvedAsyncLogSinkOptions;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #nextAt = 0;

  constructor(options: ResolvedAsyncLogSinkOptions) {
    this.#o = options;
  }

  /**
   * Calls `start` now when no failed start is waiting for its backoff, else once the backoff has
   * passed (an unref'ed timer) if `wanted()` still says so. Nothing when an attempt is already timed.
   */
  kick(start: () => void, wanted: () => boolean): void {
    if (this.#timer !== undefined) return;
    const wait = this.#failures === 0 ? 0 : this.#nextAt - Date.now();
    if (wait <= 0) {
      start();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (wanted()) start();
    }, wait);
    this.#timer.unref();
  }

  /** Cancels a timed attempt (a start called directly, or a shutdown). */
  cancel(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** A start failed: the next one waits for the backoff of this many failures. */
  failed(): void {
    this.#failures++;
    this.#nextAt = Date.now() + retryBackoff(this.#o, this.#failures);
  }

  /** A start succeeded: the count begins again. */
  succeeded(): void {
    this.#failures = 0;
  }
}
