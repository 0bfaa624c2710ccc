/**
 * mvx-common: structured observability for Node.js. This is the core's public surface; each
 * adapter has its own subpath (`mvx-common/otel-logs`, `mvx-common/prometheus`, ...), and what
 * adapters and other extensions build on (event builders, series stores, lifecycle helpers, option
 * checks) is `mvx-common/adapter-kit`.
 *
 * Named exports only (no `export *`), `export type` for types. Each section belongs to one area.
 * Internals and tuning constants are not exported; the README's development section states the
 * size of this surface, and test/architecture/root-api.test.ts keeps that figure true.
 */

// --- errors and diagnostics ---------------------------------------------------------------------
export { MvxError, MvxConfigError, MvxStateError, MvxErrorCode, isMvxError } from './core/errors.ts';
export type { MvxErrorCodeValue, MvxErrorOptions } from './core/errors.ts';
export {
  onDiagnostic,
  configureDiagnostics,
  diagnosticCounts,
  DIAGNOSTICS_CHANNEL_NAME,
} from './core/diagnostics.ts';
export type { Diagnostic, DiagnosticsSettings } from './core/diagnostics.ts';

// --- lifecycle: the vocabulary of everything that holds resources -------------------------------
export type { LifecycleOptions, LifecycleReport, DeliveryStats, Lifecycle } from './core/lifecycle/types.ts';

// --- logger: event model ------------------------------------------------------------------------
export { LogLevel, logLevelName, parseLogLevel } from './core/logger/level.ts';
export type { LogLevelName } from './core/logger/level.ts';
export { composeEventName } from './core/logger/event.ts';
export type { LogEvent, LogEventMeta, LogSource, LogOutcome } from './core/logger/event.ts';
export type { JsonValue, JsonObject, JsonPrimitive } from './core/logger/json.ts';
export type { LogSink } from './core/logger/sinks/log-sink.ts';
export type { LogEventPolicy } from './core/logger/policy/log-event-policy.ts';
export { LogVerbosity } from './core/logger/payload-processor-like.ts';
export type {
  LogVerbosityLevel,
  LogPayloadProcessorLike,
  NormalizeOptions,
} from './core/logger/payload-processor-like.ts';

// --- logger: context, facade, policies (issue 2) -------------------------------------------------
export { LogContext } from './core/logger/context/log-context.ts';
export type { LogEventHandle } from './core/logger/context/event-handle.ts';
export { BoundLogContext } from './core/logger/context/bound-context.ts';
export type { BindOptions } from './core/logger/context/bound-context.ts';
export type {
  LogContextOptions,
  LogEventOptions,
  IsEnabledOptions,
  LogPayloadInput,
  LogLevelInput,
  LogContextStats,
} from './core/logger/context/log-context.ts';
export { LogErrorHandling } from './core/logger/context/error-handling.ts';
export type { LogErrorHandlingMode } from './core/logger/context/error-handling.ts';
export {
  getRootLogContext,
  getLogContext,
  hasLogContext,
  configureLogContext,
  resetLogContexts,
  getLogContextNamespaces,
  getRegisteredLogSinks,
} from './core/logger/context/facade.ts';
export type { LogContextSettings, ResetLogContextsOptions } from './core/logger/context/facade.ts';
export { configureLogSink, getLogSink, getConfiguredLogSinkNames, closeLogSink, replaceLogSink, resetLogger } from './core/logger/context/named-sinks.ts';
export type {
  ConfigureLogSinkOptions,
  LogSinkClass,
  LogSinkDescriptor,
  LogSinkCloseResult,
  LogSinkReplacement,
  CloseLogSinkOptions,
} from './core/logger/context/named-sinks.ts';
export { setLogCorrelationProvider, getLogCorrelationProvider } from './core/logger/correlation.ts';
export type { LogCorrelationProvider } from './core/logger/correlation.ts';
export {
  PatternLogEventPolicy,
  PatternLogEventPolicyAction,
  parsePatternLogEventPolicyConfig,
} from './core/logger/policy/pattern-log-event-policy.ts';
export type {
  PatternLogEventPolicyActionValue,
  PatternLogEventPolicyRule,
  PatternLogEventPolicyConfig,
} from './core/logger/policy/pattern-log-event-policy.ts';

// --- logger: sampling (issue 18) ----------------------------------------------------------------
export type { LogEventSampler, LogSamplingTarget } from './core/logger/policy/log-event-sampler.ts';
export type { PatternLogEventPolicyOptions, NormalizedPatternLogEventPolicyConfig } from './core/logger/policy/pattern-log-event-policy.ts';
export type { PatternRuleConditions } from './core/logger/policy/rule-conditions.ts';
export type {
  LogSamplingRule,
  LogSamplingBurst,
  LogSamplingRateLimit,
  LogSamplingKeyPart,
} from './core/logger/policy/sampling/sampling-config.ts';
export { SAMPLED_OUT_METRIC } from './core/logger/policy/sampling/sampling-ledger.ts';
export type { LogSamplingStats, LogSamplingRuleStats } from './core/logger/policy/sampling/sampling-ledger.ts';
export { SAMPLING_SUMMARY_EVENT } from './core/logger/policy/sampling/summary.ts';
// --- end of logger: sampling ---------------------------------------------------------------------

// --- logger: payload processor (issue 2) --------------------------------------------------------
export { LogPayloadProcessor } from './core/logger/payload/log-payload-processor.ts';
export type { LogPayloadProcessorOptions } from './core/logger/payload/options.ts';
export { DEFAULT_REDACT_KEYS } from './core/logger/payload/redaction.ts';
export type { RedactOptions } from './core/logger/payload/redaction.ts';
export type {
  LogPayloadProvider,
  LogValueSerializer,
  LogSerializerResolver,
  LogSerializerClass,
  LogAdapter,
  LogAdapterResolver,
  LogAdapterClass,
} from './core/logger/payload/provider.ts';

// --- logger: synchronous sinks (issue 2) --------------------------------------------------------
export { ConsoleSink } from './core/logger/sinks/console-sink.ts';
export type { ConsoleSinkOptions, ConsoleSinkFormat, ConsoleSinkStream, ConsoleSinkStats } from './core/logger/sinks/console-sink.ts';
export { MemorySink } from './core/logger/sinks/memory-sink.ts';
export type { MemorySinkOptions, MemorySinkQuery, MemorySinkStats } from './core/logger/sinks/memory-sink.ts';
export { MultiSink } from './core/logger/sinks/multi-sink.ts';
export { FilteringSink } from './core/logger/sinks/filtering-sink.ts';
export type { FilteringSinkOptions, FilteringSinkStats } from './core/logger/sinks/filtering-sink.ts';
export type { MultiSinkOptions, MultiSinkStats } from './core/logger/sinks/multi-sink.ts';
export { NullSink } from './core/logger/sinks/null-sink.ts';
export { formatJsonLine } from './core/logger/format/json-line.ts';
export { formatReadable } from './core/logger/format/readable.ts';
export type { ReadableFormatOptions } from './core/logger/format/readable.ts';

// --- logger: logInvocation (issue 3) ------------------------------------------------------------
export { logInvocation } from './core/logger/invocation/log-invocation.ts';
export type { LogInvocationDecorator } from './core/logger/invocation/log-invocation.ts';
export type {
  LogInvocationOptions,
  LogInvocationLevels,
  LogInvocationErrorRule,
  InvocationOutcome,
  InvocationRawValues,
} from './core/logger/invocation/options.ts';
export type { LogContextProvider, LogEntityIdProvider } from './core/logger/invocation/context-resolution.ts';
export { addInvocationObserver } from './core/logger/invocation/observers.ts';
export type {
  InvocationObserver,
  InvocationScope,
  InvocationStart,
  InvocationEnd,
  AddInvocationObserverOptions,
} from './core/logger/invocation/observers.ts';

// --- logger: asynchronous sinks, file sink, exit handlers (issue 4) -----------------------------
export { AsyncLogSink } from './core/logger/sinks/async-log-sink.ts';
export { LogSinkOverflowPolicy, LogSinkDropReason, AsyncLogSinkState } from './core/logger/sinks/async-log-sink-options.ts';
export type {
  AsyncLogSinkOptions,
  AsyncLogSinkStats,
  AsyncLogSinkReport,
  AsyncLogSinkStateValue,
  LogSinkOverflowPolicyValue,
  LogSinkDropReasonValue,
} from './core/logger/sinks/async-log-sink-options.ts';
export { FileSink } from './core/logger/sinks/file-sink.ts';
export type { FileSinkOptions, FileSinkFormat, FileSinkStats, FileSinkReport } from './core/logger/sinks/file-sink-options.ts';
export { installExitHandlers, registerForShutdown, shutdownAll } from './core/logger/sinks/exit-handlers.ts';
export type { ExitHandlerOptions, ShutdownParticipant, ShutdownAllResult } from './core/logger/sinks/exit-handlers.ts';

// --- metrics: model ----------------------------------------------------------------------------
export { OVERFLOW_ATTRIBUTE } from './core/metrics/types.ts';
export type {
  MetricEvent,
  Metric,
  MetricAttributes,
  MetricAttributeValue,
  MetricDimensionKind,
  MetricDimension,
  NumberDimension,
  HistogramDimension,
  NumberSeries,
  HistogramSeries,
  MetricSnapshot,
  MetricsRecorder,
  MetricsSource,
  MetricChangedListener,
} from './core/metrics/types.ts';
// Exemplars (issue 20): measurements kept with their trace.
export type { Exemplar, ExemplarContext, ExemplarFilter } from './core/metrics/exemplars/exemplar.ts';
export type { ExemplarMetricOptions } from './core/metrics/exemplars/exemplar-store.ts';

// --- metrics: ready-made metrics, recorders, runtime, workers (issue 5) --------------------------
export { CounterMetric } from './core/metrics/instruments/counter-metric.ts';
export type { CounterMetricOptions } from './core/metrics/instruments/counter-metric.ts';
export { HistogramMetric } from './core/metrics/instruments/histogram-metric.ts';
export type { HistogramMetricOptions } from './core/metrics/instruments/histogram-metric.ts';
export { DEFAULT_SECONDS_BUCKETS, DEFAULT_MILLISECONDS_BUCKETS, DEFAULT_BYTES_BUCKETS } from './core/metrics/instruments/histogram-buckets.ts';
export type { BaseMetricOptions, AttributesOption } from './core/metrics/instruments/metric-options.ts';
export { OutcomeCounterMetric, OTHER_OUTCOME } from './core/metrics/instruments/outcome-counter-metric.ts';
export type { OutcomeCounterMetricOptions } from './core/metrics/instruments/outcome-counter-metric.ts';
export { GaugeMetric } from './core/metrics/instruments/gauge-metric.ts';
export type { GaugeMetricOptions } from './core/metrics/instruments/gauge-metric.ts';
export { SyncMetricsRecorder } from './core/metrics/recorder/sync-metrics-recorder.ts';
export { MetricsRuntime, MetricsRuntimeState } from './core/metrics/runtime/metrics-runtime.ts';
export type {
  MetricsRuntimeOptions,
  MetricsRuntimeStateValue,
  CreateRecorderOptions,
} from './core/metrics/runtime/metrics-runtime.ts';
export { MetricsRuntimeError } from './core/metrics/runtime/metrics-runtime-error.ts';
export { WorkerMetricsRecorder, createWorkerMetricsRecorder } from './core/metrics/worker/worker-metrics-recorder.ts';
export type {
  WorkerMetricsRecorderOptions,
  WorkerMetricsRecorderStats,
} from './core/metrics/worker/worker-metrics-recorder.ts';
export type { MessagePortLike } from './core/metrics/worker/protocol.ts';
export type { LifecycleLogContext } from './core/metrics/internal/lifecycle-log.ts';
export { AsyncMetricsRecorder } from './core/metrics/recorder/async-metrics-recorder.ts';
export type { AsyncMetricsRecorderOptions, TimeoutOptions } from './core/metrics/recorder/recorder-options.ts';
export { RecorderState } from './core/metrics/recorder/recorder-stats.ts';
export { MetricsLogPolicyMode, metricsLogPolicy, metricsRecorderLogPolicyConfig, metricsRuntimeLogPolicyConfig } from './core/metrics/log-policies.ts';
export type { MetricsLogPolicyModeValue, MetricsLogPolicyOptions } from './core/metrics/log-policies.ts';
export type { RecorderStateValue, OverflowPolicy, MetricsRecorderStats } from './core/metrics/recorder/recorder-stats.ts';

// --- processes and threads (issue 17): cluster metrics aggregation -------------------------------
// Core, no backend: a node:cluster primary (or any parent of forked children) aggregates its
// workers' metrics into one MetricsSource that every adapter reads unchanged.
export { ClusterMetricsAggregator, createClusterMetricsAggregator } from './core/metrics/cluster/cluster-metrics-aggregator.ts';
export type { ClusterAttachTarget, ClusterMetricsAggregatorStats, ClusterWorkerInfo } from './core/metrics/cluster/cluster-metrics-aggregator.ts';
export type { ClusterCollectReport } from './core/metrics/cluster/collect-round.ts';
export type { ClusterLike } from './core/internal/ipc/peers.ts';
export type { ClusterMetricsAggregatorOptions } from './core/metrics/cluster/aggregator-options.ts';
export type { GaugeAggregation } from './core/metrics/cluster/aggregate-store.ts';
export { ClusterMetricsReporter, createClusterMetricsReporter } from './core/metrics/cluster/cluster-metrics-reporter.ts';
export type {
  ClusterLifecycleOptions,
  ClusterMetricsReporterOptions,
  ClusterMetricsReporterReport,
  ClusterMetricsReporterStats,
} from './core/metrics/cluster/cluster-metrics-reporter.ts';

// --- processes and threads (issue 17): the log bridge ---------------------------------------------
// Worker threads (and cluster workers) log through the owner's contexts and sinks.
export { LogHub } from './core/logger/bridge/log-hub.ts';
export type { LogHubClusterLike, LogHubOptions, LogHubReport, LogHubStats, LogHubTarget } from './core/logger/bridge/log-hub.ts';
export { LogHubClient, connectLogHub } from './core/logger/bridge/log-hub-client.ts';
export type { LogHubClientOptions, LogHubClientReport, LogHubClientStats } from './core/logger/bridge/log-hub-client.ts';
