/**
 * Owner side: hands the events a worker sent to the owner's sinks, through the owner's contexts.
 * The event was built and normalised in the worker (its payload is JSON-safe, redacted); here it is
 * checked, frozen, decided once more by the owner's current configuration (it is the owner's
 * configuration that rules: the worker's copy is only the cheap first filter), and logged by the
 * sink of its namespace.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { configGeneration } from '../context/config-generation.ts';
import { getLogContext } from '../context/facade.ts';
import type { LogContext } from '../context/log-context.ts';
import type { LogEvent, LogEventMeta } from '../event.ts';
import type { LogSink } from '../sinks/log-sink.ts';
import { pause } from '../../lifecycle/bounded-wait.ts';

/** Outcomes of delivered events. */
export interface DeliveryCounts {
  /** Events passed to a sink's `log()`. */
  delivered: number;
  /** Events the owner's current configuration disables. */
  disabled: number;
  /** Items that are not log events. */
  invalid: number;
  /** Events whose sink threw. */
  failed: number;
}

const CONTEXT_CACHE_LIMIT = 4096;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Checks and freezes an event that crossed a thread or process boundary; `undefined` when it is not one. */
export function reviveLogEvent(item: unknown): LogEvent | undefined {
  if (!isRecord(item) || typeof item.level !== 'number' || typeof item.timestamp !== 'number' || !isRecord(item.payload) || !isRecord(item.meta)) return undefined;
  const meta = item.meta;
  if (typeof meta.namespace !== 'string' || typeof meta.name !== 'string') return undefined;
  if (isRecord(meta.source)) Object.freeze(meta.source);
  Object.freeze(meta);
  Object.freeze(item.payload);
  if (isRecord(item.correlation)) Object.freeze(item.correlation);
  return Object.freeze(item) as unknown as LogEvent;
}

function pendingOf(sink: LogSink): number {
  const stats = (sink as { stats?: () => { pending?: unknown } }).stats;
  if (typeof stats !== 'function') return 0;
  try {
    const p = stats.call(sink).pending;
    return typeof p === 'number' ? p : 0;
  } catch {
    return 0;
  }
}

/** Delivers batches into this thread's contexts, with backpressure on sinks that report `pending`. */
export class EventDelivery {
  readonly counts: DeliveryCounts = { delivered: 0, disabled: 0, invalid: 0, failed: 0 };
  readonly #highWaterMark: number;
  #contexts = new Map<string, LogContext>();
  #gen = -1;
  /** Sinks written to since the last gate check. */
  #touched = new Set<LogSink>();
  #failureReported = false;

  constructor(highWaterMark: number) {
    this.#highWaterMark = highWaterMark;
  }

  #contextFor(namespace: string): LogContext | undefined {
    if (this.#gen !== configGeneration.value || this.#contexts.size >= CONTEXT_CACHE_LIMIT) {
      this.#gen = configGeneration.value;
      this.#contexts = new Map();
    }
    let ctx = this.#contexts.get(namespace);
    if (ctx === undefined) {
      try {
        ctx = getLogContext(namespace);
      } catch {
        return undefined; // a malformed namespace
      }
      this.#contexts.set(namespace, ctx);
    }
    return ctx;
  }

  /** Delivers a batch; returns how many of its items were dropped and failed. */
  deliver(items: readonly unknown[]): { dropped: number; failed: number } {
    let dropped = 0;
    let failed = 0;
    for (const item of items) {
      const event = reviveLogEvent(item);
      const ctx = event === undefined ? undefined : this.#contextFor(event.meta.namespace);
      if (event === undefined || ctx === undefined) {
        this.counts.invalid++;
        dropped++;
        this.#reportInvalid();
        continue;
      }
      if (!ctx.isEventEnabled(event.meta as LogEventMeta, event.level, event.outcome)) {
        this.counts.disabled++;
        dropped++;
        continue;
      }
      const sink = ctx.sink;
      try {
        sink.log(event);
        this.counts.delivered++;
      } catch (error) {
        this.counts.failed++;
        failed++;
        if (!this.#failureReported) {
          this.#failureReported = true;
          reportDiagnostic({ component: 'LogHub', code: 'sink.failed', message: `the sink of '${ctx.namespace}' threw on an event from a worker; counted as failed`, error });
        }
      }
      this.#touched.add(sink);
    }
    return { dropped, failed };
  }

  #invalidReported = false;
  #reportInvalid(): void {
    if (this.#invalidReported) return;
    this.#invalidReported = true;
    reportDiagnostic({ component: 'LogHub', code: 'event.invalid', message: 'a worker sent an item that is not a log event; dropped' });
  }

  /**
   * `undefined` when every sink written to is at or below the high-water mark; otherwise a promise
   * that resolves once they are back under half of it (checked every 5 ms).
   */
  gate(): Promise<void> | undefined {
    if (this.#touched.size === 0) return undefined;
    const sinks = [...this.#touched];
    if (sinks.every((s) => pendingOf(s) <= this.#highWaterMark)) {
      if (this.#touched.size > 16) this.#touched = new Set();
      return undefined;
    }
    const low = this.#highWaterMark / 2;
    return (async () => {
      do await pause(5);
      while (!sinks.every((s) => pendingOf(s) <= low));
    })();
  }
}
