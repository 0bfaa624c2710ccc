/**
 * Fan-out to several sinks.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import type { LifecycleOptions, LogSink } from './log-sink.ts';
import type { DeliveryStats, LifecycleReport } from '../../lifecycle/types.ts';
import { Once } from '../../lifecycle/once.ts';

/** Options of {@link MultiSink}. */
export interface MultiSinkOptions {
  /**
   * When a target throws: `report` (default) reports it through the diagnostic channel (component
   * `MultiSink`, code `target.failed`, throttled on stderr) and counts it; `throw` also throws one
   * `AggregateError` after every target had its turn, so the context's error handling decides.
   * @default 'report'
   */
  onTargetError?: 'report' | 'throw';
}

/**
 * Counters of a {@link MultiSink}, in events: `accepted = delivered + dropped + failed + pending`.
 * What each target then did with an event is in that target's own stats.
 */
export interface MultiSinkStats extends DeliveryStats {
  /** Events every target took without throwing. */
  readonly delivered: number;
  /** Events logged after `shutdown()`: not forwarded. */
  readonly dropped: number;
  /** Events at least one target threw on (the other targets still got them). */
  readonly failed: number;
  /** Always 0: the targets hold what is pending. */
  readonly pending: number;
  /** Failures per target index. */
  readonly failuresByTarget: number[];
}

/**
 * Delivers each event to every target, in order. One failing target never stops the others.
 * `flush()` and `shutdown()` fan out too and settle when every target settled.
 */
export class MultiSink implements LogSink {
  readonly #targets: readonly LogSink[];
  readonly #failures: number[];
  readonly #throw: boolean;
  readonly #shutdown = new Once((options?: LifecycleOptions) => this.#fanOut((t) => t.shutdown?.(options)));
  #delivered = 0;
  #failed = 0;
  #afterShutdown = 0;

  /** @throws MvxConfigError when `targets` is not an array of sinks or an option is invalid. */
  constructor(targets: readonly LogSink[], options: MultiSinkOptions = {}) {
    if (!Array.isArray(targets)) throw new MvxConfigError('targets', 'must be an array of LogSink');
    targets.forEach((t, i) => {
      if (t === null || typeof t !== 'object' || typeof t.log !== 'function') {
        throw new MvxConfigError(`targets[${i}]`, 'must be a LogSink (an object with log(event))');
      }
    });
    const mode = options.onTargetError ?? 'report';
    if (mode !== 'report' && mode !== 'throw') throw new MvxConfigError('onTargetError', "must be 'report' or 'throw'");
    this.#targets = [...targets];
    this.#failures = targets.map(() => 0);
    this.#throw = mode === 'throw';
  }

  /** The targets, in delivery order. */
  get targets(): readonly LogSink[] {
    return this.#targets;
  }

  log(event: LogEvent): void {
    if (this.#shutdown.called) {
      this.#afterShutdown++;
      return;
    }
    let errors: unknown[] | undefined;
    const targets = this.#targets;
    for (let i = 0; i < targets.length; i++) {
      try {
        targets[i]!.log(event);
      } catch (error) {
        this.#failures[i]!++;
        (errors ??= []).push(error);
        reportDiagnostic({
          component: 'MultiSink',
          code: 'target.failed',
          message: `target ${i} failed to log an event; the other targets still received it`,
          error,
          details: { target: i },
        });
      }
    }
    if (errors === undefined) {
      this.#delivered++;
      return;
    }
    this.#failed++;
    if (this.#throw) throw new AggregateError(errors, `${errors.length} of ${targets.length} MultiSink targets failed`);
  }

  /**
   * Flushes every target that can flush; resolves when all settled (never rejects), with these
   * counters and `timedOut` when some target's report said so.
   */
  async flush(options?: LifecycleOptions): Promise<MultiSinkStats & LifecycleReport> {
    return this.#fanOut((t) => t.flush?.(options));
  }

  /** Shuts every target down that can; later events are dropped here. Idempotent (same promise); never rejects. */
  shutdown(options?: LifecycleOptions): Promise<MultiSinkStats & LifecycleReport> {
    return this.#shutdown.call(options);
  }

  async #fanOut(call: (target: LogSink) => unknown): Promise<MultiSinkStats & LifecycleReport> {
    const results = await Promise.allSettled(this.#targets.map((t) => settle(() => call(t))));
    const timedOut = results.some((r) => r.status === 'fulfilled' && (r.value as { timedOut?: unknown } | undefined)?.timedOut === true);
    return { ...this.stats(), timedOut };
  }

  /** Counters since construction; see {@link MultiSinkStats}. */
  stats(): MultiSinkStats {
    const dropped = this.#afterShutdown;
    return {
      accepted: this.#delivered + this.#failed + dropped,
      delivered: this.#delivered,
      dropped,
      failed: this.#failed,
      pending: 0,
      failuresByTarget: [...this.#failures],
    };
  }
}

/** `fn()` as a promise: a synchronous throw becomes a rejection, so one target cannot break the fan-out. */
function settle(fn: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
