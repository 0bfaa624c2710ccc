/**
 * `mvx-common/prometheus`: exposes a metrics recorder (any `MetricsSource`) through
 * prom-client, next to hand-written prom-client metrics, and serves a registry over HTTP.
 *
 * The mapping of a snapshot dimension to Prometheus samples is {@link toPrometheusSamples}
 * (`samples.ts`), its name and unit {@link prometheusName} (`naming.ts`).
 *
 * @example
 * ```ts
 * import { register } from 'prom-client';
 * import { createPrometheusBridge, startMetricsServer } from 'mvx-common/prometheus';
 *
 * createPrometheusBridge(recorder, { registry: register });
 * const server = await startMetricsServer({ registry: register }); // http://127.0.0.1:9464/metrics
 * ```
 * @module
 */
export { createPrometheusBridge, PrometheusBridge } from './prometheus-bridge.ts';
export type { PrometheusBridgeOptions, PrometheusBridgeStats } from './bridge-options.ts';
export { toPrometheusSamples } from './samples.ts';
export type { SampleValue } from './samples.ts';
export { createMetricsHandler } from './metrics-handler.ts';
export type { MetricsHandler, MetricsHandlerOptions } from './metrics-handler.ts';
export { startMetricsServer } from './metrics-server.ts';
export type { MetricsServer, MetricsServerOptions, MetricsServerStats } from './server-options.ts';
export { negotiateFormat, renderRegistry, OPENMETRICS_TEXT, PROMETHEUS_TEXT } from './exposition.ts';
export type { ExpositionFormat } from './exposition.ts';
export { prometheusName, prometheusUnit, sanitizeMetricName, sanitizeLabelName } from './naming.ts';
export type { PrometheusName, PrometheusUnit, NameOptions } from './naming.ts';
