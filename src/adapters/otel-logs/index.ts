/**
 * `mvx-common/otel-logs`: log events as OpenTelemetry log records.
 *
 * @module
 */
export { OtelLogSink } from './otel-log-sink.ts';
export type {
  OtelLogSinkOptions,
  OtelLogSinkStats,
  OtelLogRecord,
  OtelLoggerLike,
  OtelLoggerProviderLike,
} from './otel-log-sink.ts';
export { OtelLogAttribute } from './attributes.ts';
export { severityNumberOf, severityTextOf } from './severity.ts';
export { CountingLogRecordExporter } from './counting-log-record-exporter.ts';
export type {
  CountingLogRecordExporterStats,
  ExportResultLike,
  LogRecordExporterLike,
} from './counting-log-record-exporter.ts';
