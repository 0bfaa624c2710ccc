/**
 * `mvx-common/otel-metrics`: metric snapshots exported through the OpenTelemetry metrics SDK.
 *
 * Counters, up-down counters and gauges become observable instruments on a Meter; histograms go
 * through the bridge as a `MetricProducer` (`metricProducers: [bridge]` on the reader). The
 * mapping of a snapshot dimension to `MetricData` is {@link toOtelMetricData} (`metric-data.ts`).
 *
 * @module
 */
export { OtelMetricsBridge } from './otel-metrics-bridge.ts';
export type { OtelMetricsBridgeOptions, OtelMetricsBridgeStats, OtelMetricsScope } from './options.ts';
export { dimensionMetricName, toOtelMetricData } from './metric-data.ts';
export { DeltaState } from './delta-state.ts';
