/**
 * Fan-out to several sinks.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEvent } from '../event.ts';
import type { LifecycleOptions, LogSink } from './log-sink.ts';

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
 * Delivers each event to every target, in order. One failing target never stops the others.
 * `flush()` and `shutdown()` fan out too and settle when every target settled.
 */
export class MultiSink implements LogSink {
  readonly #targets: readonly LogSink[];
  readonly #failures: number[];
  readonly #throw: boolean;
  #shutdown: Promise<void> | undefined;

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
    if (errors !== undefined && this.#throw) {
      throw new AggregateError(errors, `${errors.length} of ${targets.length} MultiSink targets failed`);
    }
  }

  /** Flushes every target that can flush; resolves when all settled (never rejects). */
  async flush(options?: LifecycleOptions): Promise<void> {
    await Promise.allSettled(this.#targets.map((t) => (typeof t.flush === 'function' ? settle(() => t.flush!(options)) : undefined)));
  }

  /** Shuts every target down that can; idempotent (same promise); never rejects. */
  shutdown(options?: LifecycleOptions): Promise<void> {
    this.#shutdown ??= Promise.allSettled(
      this.#targets.map((t) => (typeof t.shutdown === 'function' ? settle(() => t.shutdown!(options)) : undefined)),
    ).then(() => undefined);
    return this.#shutdown;
  }

  /** Failures per target index. */
  stats(): { failuresByTarget: number[] } {
    return { failuresByTarget: [...this.#failures] };
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
