/**
 * Options, counters and the handle of `registerOtelTracing`.
 */
import type { Tracer, TracerProvider } from '@opentelemetry/api';
import type { DeliveryStats, LifecycleOptions, LifecycleReport } from '../../adapter-kit/index.ts';
import type { LogContext } from '../../index.ts';

/** Options of {@link registerOtelTracing}. */
export interface OtelTracingOptions {
  /** The Tracer to start spans with. Takes precedence over `tracerProvider`. */
  readonly tracer?: Tracer;
  /**
   * The TracerProvider to get the Tracer from (`getTracer('mvx-common')`). Default: the global
   * one (`trace.getTracer`, which follows a provider registered later).
   */
  readonly tracerProvider?: TracerProvider;
  /** Observe only calls logging through this LogContext or below it. @default every call */
  readonly context?: LogContext;
  /**
   * Register the log correlation provider, so every log event built inside an active span carries
   * `correlation: { trace_id, span_id, trace_flags }` (one provider per process: the previous one
   * is restored on unregister, if it was not replaced meanwhile). Metric recorders read the same
   * provider for exemplars: with `false`, metric events get exemplars only from their own
   * `correlation`.
   * @default true
   */
  readonly correlation?: boolean;
  /**
   * Also call `span.recordException(error)` on `failed` (a span event named `exception`). Off by
   * default: OpenTelemetry is deprecating span events for exceptions in favour of log records
   * correlated with the span, which is what the `failed` log event becomes through `OtelLogSink`.
   * @default false
   */
  readonly recordException?: boolean;
  /** Maximum attributes taken from the invoke payload. @default 64 */
  readonly maxAttributes?: number;
  /** Maximum object depth flattened into dotted keys (`args.doc.id` is depth 3); deeper values become JSON text. @default 6 */
  readonly maxAttributeDepth?: number;
  /** Maximum length of a value written as JSON text. @default 1024 */
  readonly maxJsonLength?: number;
}

/**
 * Counters of a tracing registration, in spans: `accepted = delivered + dropped + failed + pending`.
 */
export interface OtelTracingStats extends DeliveryStats {
  /** Spans started (one per observed call). */
  readonly accepted: number;
  /** Spans ended (handed to the SDK's span processor), with their outcome set. */
  readonly delivered: number;
  /** Always 0: every started span is ended. */
  readonly dropped: number;
  /** Spans ended whose outcome could not be set (reported; the span was ended anyway). */
  readonly failed: number;
  /** Spans of calls still running. */
  readonly pending: number;
}

/**
 * A live registration: `shutdown()` stops it. Calling it as a function, as the unregister function
 * `registerOtelTracing()` used to return, does the same.
 */
export interface OtelTracing {
  /** @deprecated Call `shutdown()`: same effect (kept for one release). */
  (): void;
  /** Nothing to deliver (spans are ended as calls end): resolves at once with the counters. */
  flush(options?: LifecycleOptions): Promise<LifecycleReport & OtelTracingStats>;
  /**
   * Stops observing calls (spans of calls still running are ended when they end) and restores the
   * previous log correlation provider if it was not replaced meanwhile. Synchronous work;
   * idempotent (the same promise); never rejects.
   */
  shutdown(options?: LifecycleOptions): Promise<LifecycleReport & OtelTracingStats>;
  /** Counters since registration. */
  stats(): OtelTracingStats;
}
