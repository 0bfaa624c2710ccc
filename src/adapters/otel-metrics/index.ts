/**
 * `mvx-common/otel-metrics`: metric snapshots exported through the OpenTelemetry metrics SDK.
 *
 * Counters, up-down counters and gauges become observable instruments on a Meter; histograms go
 * through the bridge as a `MetricProducer` (`metricProducers: [bridge]` on the reader).
 *
 * @module
 */
export { OtelMetricsBridge } from './otel-metrics-bridge.ts';
export type { OtelMetricsBridgeOptions, OtelMetricsBridgeStats, OtelMetricsScope } from './otel-metrics-bridge.ts';
export { dimensionMetricName } from './metric-data.ts';
