/**
 * Options, states, drop reasons, statistics and reports of `AsyncLogSink`, plus the validation of
 * its options (configuration errors throw at once, naming the option).
 */
import { MvxConfigError } from '../../errors.ts';
import { checkFunction, checkInteger, checkMilliseconds, describeValue } from '../../config/option-checks.ts';
import type { LogEvent } from '../event.ts';

/** What happens to an event logged while the queue is full. */
export const LogSinkOverflowPolicy = {
  /** The new event is dropped (the queue keeps the older ones). Default. */
  DROP_NEWEST: 'drop-newest',
  /** The oldest queued event is dropped to make room for the new one. */
  DROP_OLDEST: 'drop-oldest',
} as const;

/** One of the {@link LogSinkOverflowPolicy} values. */
export type LogSinkOverflowPolicyValue = (typeof LogSinkOverflowPolicy)[keyof typeof LogSinkOverflowPolicy];

/** Why an event was dropped (never handed to `deliver`, or abandoned before delivery). */
export const LogSinkDropReason = {
  /** The queue was full (the new event with `drop-newest`, the oldest with `drop-oldest`). */
  QUEUE_FULL: 'queue_full',
  /** The event was logged after `shutdown()` began. */
  SHUTDOWN: 'shutdown',
  /** The event was still queued when `shutdown()` ran out of time. */
  SHUTDOWN_TIMEOUT: 'shutdown_timeout',
  /**
   * The event was still queued when the process exited (`process.exit()`, an uncaught exception)
   * and the sink cannot deliver synchronously (it has no `deliverSync`). Reported on stderr.
   */
  EXIT: 'exit',
} as const;

/** One of the {@link LogSinkDropReason} values. */
export type LogSinkDropReasonValue = (typeof LogSinkDropReason)[keyof typeof LogSinkDropReason];

/**
 * Lifecycle states: `idle` (created, nothing started; also after a failed start) → `starting`
 * (`onStart()` running) → `running` → `stopping` (`shutdown()` draining the queue, then `onStop()`)
 * → `stopped` (terminal: events logged now are dropped with reason `shutdown`).
 */
export const AsyncLogSinkState = {
  IDLE: 'idle',
  STARTING: 'starting',
  RUNNING: 'running',
  STOPPING: 'stopping',
  STOPPED: 'stopped',
} as const;

/** One of the {@link AsyncLogSinkState} values. */
export type AsyncLogSinkStateValue = (typeof AsyncLogSinkState)[keyof typeof AsyncLogSinkState];

/** Options of every `AsyncLogSink`. */
export interface AsyncLogSinkOptions {
  /** Name used in diagnostics. @default the class name */
  name?: string;
  /** Queue bound in events (1 to 10,000,000). @default 10_000 */
  maxQueueSize?: number;
  /** What to do when the queue is full. @default 'drop-newest' */
  overflowPolicy?: LogSinkOverflowPolicyValue;
  /** Maximum number of events per `deliver` call (1 to 1,000,000). @default 512 */
  maxBatchSize?: number;
  /**
   * How long a partial batch may wait for more events before it is delivered, in ms (0 = on the next
   * turn of the event loop). A full batch, a `flush()` and a `shutdown()` never wait. @default 10
   */
  batchIntervalMs?: number;
  /** Retries of a failed batch before it is counted as failed (0 to 100). @default 3 */
  maxRetries?: number;
  /** First retry delay in ms; each retry doubles it (exponential backoff). @default 100 */
  retryBaseDelayMs?: number;
  /** Upper bound of a retry delay in ms; also the bound of the delay between start attempts. @default 5_000 */
  retryMaxDelayMs?: number;
  /**
   * Time limit of one `deliver` call in ms; when it passes, the call's `AbortSignal` is aborted and the
   * attempt counts as failed (it may be retried without waiting for it: a `deliver` that ignores the
   * signal then runs alongside the retry, and a late-completing attempt can duplicate a batch).
   * 0 = no limit. @default 0
   */
  deliveryTimeoutMs?: number;
  /** Default `timeoutMs` of `flush()`. @default 5_000 */
  flushTimeoutMs?: number;
  /** Default `timeoutMs` of `shutdown()`. @default 5_000 */
  shutdownTimeoutMs?: number;
  /** Called for every dropped event (on the caller's stack for `queue_full`/`shutdown`). Must not throw; if it does, the error is reported as a diagnostic. */
  onDrop?: (event: LogEvent, reason: LogSinkDropReasonValue) => void;
  /** Called once per batch that finally failed (after its retries), and when a start fails with events queued. */
  onError?: (error: unknown, batch: readonly LogEvent[]) => void;
}

/** Resolved options (every default applied). */
export interface ResolvedAsyncLogSinkOptions {
  readonly name: string;
  readonly maxQueueSize: number;
  readonly overflowPolicy: LogSinkOverflowPolicyValue;
  readonly maxBatchSize: number;
  readonly batchIntervalMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly deliveryTimeoutMs: number;
  readonly flushTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly onDrop: ((event: LogEvent, reason: LogSinkDropReasonValue) => void) | undefined;
  readonly onError: ((error: unknown, batch: readonly LogEvent[]) => void) | undefined;
}

/**
 * Delivery statistics. At every moment `accepted === delivered + dropped + failed + pending`.
 */
export interface AsyncLogSinkStats {
  /** Current lifecycle state. */
  readonly state: AsyncLogSinkStateValue;
  /** Every `log()` call the sink received, whatever became of the event (dropped ones included). */
  readonly accepted: number;
  /** Events in batches whose `deliver` call succeeded. */
  readonly delivered: number;
  /** Events dropped without (complete) delivery; the sum of `droppedByReason`. */
  readonly dropped: number;
  /** Drops by reason. */
  readonly droppedByReason: Readonly<Record<LogSinkDropReasonValue, number>>;
  /** Events in batches that failed after all retries, or that were queued when a start failed. */
  readonly failed: number;
  /** Events not settled yet: `queued + inFlight`. */
  readonly pending: number;
  /** Events waiting in the queue. */
  readonly queued: number;
  /** Events in the batch being delivered (or waiting for a retry). */
  readonly inFlight: number;
  /** Batches delivered successfully. */
  readonly batches: number;
  /** Retry attempts made. */
  readonly retries: number;
  /** The last delivery or start error, if any. */
  readonly lastError: unknown;
}

/**
 * What `flush()` and `shutdown()` resolve with: the statistics at that moment (cumulative since the
 * sink was created) and whether the time limit passed first. `pending` is what was still not settled;
 * after a timed-out shutdown it is the batch stuck in `deliver` (queued events become drops with
 * reason `shutdown_timeout`).
 */
export interface AsyncLogSinkReport extends AsyncLogSinkStats {
  /** `true` when the operation's `timeoutMs` passed before it completed. */
  readonly timedOut: boolean;
  /** `shutdown()` only: the error thrown by `onStop()`, if any (resources are considered released). */
  readonly stopError?: unknown;
}

/** Option keys of {@link AsyncLogSinkOptions}, for subclasses that reject unknown keys. */
export const ASYNC_LOG_SINK_OPTION_KEYS: readonly string[] = [
  'name',
  'maxQueueSize',
  'overflowPolicy',
  'maxBatchSize',
  'batchIntervalMs',
  'maxRetries',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'deliveryTimeoutMs',
  'flushTimeoutMs',
  'shutdownTimeoutMs',
  'onDrop',
  'onError',
];

/** Throws {@link MvxConfigError} for a key that is not in `known`. */
export function rejectUnknownKeys(options: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new MvxConfigError(key, `is not an option of ${what}; valid options: ${known.join(', ')}`);
    }
  }
}

const DAY_MS = 86_400_000;

/**
 * Validates and resolves {@link AsyncLogSinkOptions}.
 *
 * @throws MvxConfigError naming the first invalid option.
 */
export function resolveAsyncLogSinkOptions(options: AsyncLogSinkOptions, defaultName: string): ResolvedAsyncLogSinkOptions {
  if (options === null || typeof options !== 'object') {
    throw new MvxConfigError('options', `must be an object, got ${describeValue(options)}`);
  }
  const o = options as Record<string, unknown>;
  const name = o.name === undefined ? defaultName : o.name;
  if (typeof name !== 'string' || name.length === 0) throw new MvxConfigError('name', `must be a non-empty string, got ${describeValue(name)}`);
  const overflowPolicy = o.overflowPolicy ?? LogSinkOverflowPolicy.DROP_NEWEST;
  if (overflowPolicy !== LogSinkOverflowPolicy.DROP_NEWEST && overflowPolicy !== LogSinkOverflowPolicy.DROP_OLDEST) {
    throw new MvxConfigError('overflowPolicy', `must be 'drop-newest' or 'drop-oldest', got ${describeValue(overflowPolicy)}`);
  }
  const retryBaseDelayMs = checkMilliseconds('retryBaseDelayMs', o.retryBaseDelayMs, { max: DAY_MS, default: 100 });
  const retryMaxDelayMs = checkMilliseconds('retryMaxDelayMs', o.retryMaxDelayMs, { max: DAY_MS, default: Math.max(5_000, retryBaseDelayMs) });
  if (retryMaxDelayMs < retryBaseDelayMs) {
    throw new MvxConfigError('retryMaxDelayMs', `must be at least retryBaseDelayMs (${retryBaseDelayMs}), got ${retryMaxDelayMs}`);
  }
  return {
    name,
    maxQueueSize: checkInteger('maxQueueSize', o.maxQueueSize, { min: 1, max: 10_000_000, default: 10_000 }),
    overflowPolicy,
    maxBatchSize: checkInteger('maxBatchSize', o.maxBatchSize, { min: 1, max: 1_000_000, default: 512 }),
    batchIntervalMs: checkMilliseconds('batchIntervalMs', o.batchIntervalMs, { max: 60_000, default: 10 }),
    maxRetries: checkInteger('maxRetries', o.maxRetries, { min: 0, max: 100, default: 3 }),
    retryBaseDelayMs,
    retryMaxDelayMs,
    deliveryTimeoutMs: checkMilliseconds('deliveryTimeoutMs', o.deliveryTimeoutMs, { max: DAY_MS, default: 0 }),
    flushTimeoutMs: checkMilliseconds('flushTimeoutMs', o.flushTimeoutMs, { max: DAY_MS, default: 5_000 }),
    shutdownTimeoutMs: checkMilliseconds('shutdownTimeoutMs', o.shutdownTimeoutMs, { max: DAY_MS, default: 5_000 }),
    onDrop: checkFunction<(event: LogEvent, reason: LogSinkDropReasonValue) => void>('onDrop', o.onDrop),
    onError: checkFunction<(error: unknown, batch: readonly LogEvent[]) => void>('onError', o.onError),
  };
}
