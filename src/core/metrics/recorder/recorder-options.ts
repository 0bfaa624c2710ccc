/** Options of the asynchronous recorder (and the runtime's defaults for it), and their validation. */
import { MvxConfigError } from '../../errors.ts';
import { isLifecycleLogContext } from '../internal/lifecycle-log.ts';
import type { LifecycleLogContext } from '../internal/lifecycle-log.ts';
import type { OverflowPolicy } from './recorder-stats.ts';
import type { ExemplarFilter } from '../exemplars/exemplar.ts';
import { compileExemplarFilter } from '../exemplars/capture.ts';

/** Options of {@link AsyncMetricsRecorder}. */
export interface AsyncMetricsRecorderOptions {
  /** Identity used in diagnostics and by `MetricsRuntime`. @default 'metrics' */
  id?: string;
  /** Buffer bound, in events. @default 10000 */
  maxQueueSize?: number;
  /** What to drop when the buffer is full. @default 'drop-newest' */
  overflowPolicy?: OverflowPolicy;
  /**
   * When a batch is aggregated after `emit()`:
   * - `immediate` (default): in a `setImmediate` callback, after I/O callbacks — batches are larger
   *   under load and aggregation never runs in the business code's microtask tail;
   * - `microtask`: at the end of the current task (`queueMicrotask`) — snapshots are fresh sooner,
   *   but aggregation runs on the business path's tail.
   * @default 'immediate'
   */
  dispatch?: 'immediate' | 'microtask';
  /**
   * A log context (e.g. a `LogContext`) for lifecycle events, with the recorder id as entity id:
   * `metrics_recorder.start` / `.stop` (INFO), `.register_metric` (DEBUG), `.dispatch_error`
   * (ERROR, once per broken metric or listener). @default none (no logging)
   */
  logContext?: LifecycleLogContext;
  /**
   * Which emitted events may leave exemplars in counters and histograms (see `ExemplarFilter`):
   * the trace context is read in `emit()`, from the event's `correlation` or the correlation
   * provider that `registerOtelTracing` registers. @default 'trace_based'
   */
  exemplarFilter?: ExemplarFilter;
}

/** Options of bounded lifecycle calls. */
export interface TimeoutOptions {
  /** Upper bound of the wait, in ms. @default 30000 */
  timeoutMs?: number;
}

/** Default bound of the recorder's lifecycle calls, in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Validates the options shared by the recorder and the runtime's defaults. */
export function validateRecorderOptions(o: AsyncMetricsRecorderOptions, prefix = ''): void {
  if (o.maxQueueSize !== undefined && (!Number.isInteger(o.maxQueueSize) || o.maxQueueSize < 1)) {
    throw new MvxConfigError(`${prefix}maxQueueSize`, `must be an integer >= 1, got ${String(o.maxQueueSize)}`);
  }
  if (o.overflowPolicy !== undefined && o.overflowPolicy !== 'drop-newest' && o.overflowPolicy !== 'drop-oldest') {
    throw new MvxConfigError(`${prefix}overflowPolicy`, `must be 'drop-newest' or 'drop-oldest', got ${String(o.overflowPolicy)}`);
  }
  if (o.dispatch !== undefined && o.dispatch !== 'immediate' && o.dispatch !== 'microtask') {
    throw new MvxConfigError(`${prefix}dispatch`, `must be 'immediate' or 'microtask', got ${String(o.dispatch)}`);
  }
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id.trim() === '')) throw new MvxConfigError(`${prefix}id`, 'must be a non-empty string');
  compileExemplarFilter(o.exemplarFilter, `${prefix}exemplarFilter`);
  if (o.logContext !== undefined && !isLifecycleLogContext(o.logContext)) throw new MvxConfigError(`${prefix}logContext`, 'must be a LogContext (an object with logEvent())');
}
