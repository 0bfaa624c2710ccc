/**
 * `mvx-common/otel-logs`: log events as OpenTelemetry log records.
 *
 * The mapping is {@link toOtelLogRecord} (`log-record.ts`); {@link OtelLogSink} emits its records
 * on a Logger and keeps the lifecycle and the counts.
 *
 * @module
 */
export { OtelLogSink } from './otel-log-sink.ts';
export type {
  OtelLogSinkOptions,
  OtelLogSinkStats,
  OtelLogSinkReport,
  OtelLogSinkExporter,
  OtelLoggerLike,
  OtelLoggerProviderLike,
} from './otel-log-sink-options.ts';
export { toOtelLogRecord, logRecordContext, OtelLogAttribute } from './log-record.ts';
export type { OtelLogRecord, OtelLogRecordOptions } from './log-record.ts';
export { severityNumberOf, severityTextOf } from './severity.ts';
export { CountingLogRecordExporter } from './counting-log-record-exporter.ts';
export type {
  CountingLogRecordExporterStats,
  ExportResultLike,
  LogRecordExporterLike,
} from './counting-log-record-exporter.ts';
