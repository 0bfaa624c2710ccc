/** Lifecycle states and counters shared by the recorders. */

/** Recorder lifecycle states. `idle` → (`start()` or first `emit`) → `running` → `stopping` → `stopped` → (`start()`) → `running`. */
export const RecorderState = {
  IDLE: 'idle',
  RUNNING: 'running',
  STOPPING: 'stopping',
  STOPPED: 'stopped',
} as const;
/** One of {@link RecorderState}. */
export type RecorderStateValue = (typeof RecorderState)[keyof typeof RecorderState];

/** What happens to an event emitted while the buffer is full. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest';

/** Counters of a recorder; every event accepted or refused is in exactly one bucket. */
export interface MetricsRecorderStats {
  readonly state: RecorderStateValue;
  /** Events taken into the buffer (or aggregated at once). */
  readonly accepted: number;
  /** Events offered to their metrics. */
  readonly dispatched: number;
  /**
   * The lifecycle vocabulary's name for `dispatched` (events aggregated). The other counts keep
   * their own shape here (`dropped` and `failed` by reason); the reports of `flush()` and
   * `shutdown()` carry the flat vocabulary (`accepted = delivered + dropped + failed + pending`).
   */
  readonly delivered: number;
  /** Events waiting in the buffer. */
  readonly pending: number;
  /** Events refused or discarded, by reason. `accepted = dispatched + pending + dropped.overflow(oldest part)`. */
  readonly dropped: {
    readonly total: number;
    /** Buffer full (`drop-newest`: the new event; `drop-oldest`: an accepted event evicted). */
    readonly overflow: number;
    /** Not an object with a string `type`. */
    readonly invalid: number;
    /** Emitted after `stop()`. */
    readonly stopped: number;
  };
  /** Failures isolated during dispatch. */
  readonly failed: {
    /** `metric.handle()` calls that threw (event × metric). */
    readonly metric: number;
    /** Listener calls that threw. */
    readonly listener: number;
  };
}
