/**
 * `adapters.otlp`: OTLP/HTTP export of logs and metrics built from the document, with the
 * OpenTelemetry SDK (optional peers, loaded on demand). The exporters read the standard
 * `OTEL_EXPORTER_OTLP_*` variables themselves (endpoint, headers, timeout, per-signal variants), so
 * the environment overrides work as in any OpenTelemetry program; `endpoint` in the document is
 * the base URL used when none of them is set. The resource is `MvxSystem.resource` (the document's
 * `service`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`) over the SDK's default resource.
 *
 * - logs: a `LoggerProvider` with a batch processor; `otel-logs` sinks use it (unless
 *   `configure(doc, { loggerProvider })` gives one);
 * - metrics: a `MeterProvider` whose periodic reader has an `OtelMetricsBridge` per exported
 *   recorder as metric producer (`numberDimensions: 'producer'`), so counters, gauges and
 *   histograms all go out, every `intervalMs`.
 *
 * @module
 */
// Type-only (erased): the modules themselves load on demand below.
import type * as ResourcesNs from '@opentelemetry/resources';
import type * as SdkLogsNs from '@opentelemetry/sdk-logs';
import type * as LogExporterNs from '@opentelemetry/exporter-logs-otlp-http';
import type * as SdkMetricsNs from '@opentelemetry/sdk-metrics';
import type * as MetricExporterNs from '@opentelemetry/exporter-metrics-otlp-http';
import type * as BridgeNs from '../adapters/otel-metrics/index.ts';
import type { AsyncMetricsRecorder, LifecycleOptions, MetricEvent } from '../index.ts';
import type { AdapterComponent } from './adapters.ts';
import { ConfigDocumentError } from './errors.ts';
import type { MvxConfigDocument } from './types.ts';

/** The default base URL of the OTLP/HTTP exporters (the OpenTelemetry specification's). */
const DEFAULT_ENDPOINT = 'http://localhost:4318';

type ResourcesModule = typeof ResourcesNs;
type SdkLogsModule = typeof SdkLogsNs;
type LogExporterModule = typeof LogExporterNs;
type SdkMetricsModule = typeof SdkMetricsNs;
type MetricExporterModule = typeof MetricExporterNs;
type BridgeModule = typeof BridgeNs;

interface Modules {
  resources: ResourcesModule;
  logs?: { sdk: SdkLogsModule; exporter: LogExporterModule };
  metrics?: { sdk: SdkMetricsModule; exporter: MetricExporterModule; bridge: BridgeModule };
}

/** The loaded SDK modules, opaque outside this file (its declarations name no optional peer). */
export interface OtlpModules {
  readonly loaded: true;
}

async function load<T>(what: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    throw new ConfigDocumentError('adapters.otlp', `needs ${what}, which could not be loaded (install it: npm install ${what})`, { cause: error });
  }
}

/** Loads the SDK packages `adapters.otlp` needs (nothing when the document has no `adapters.otlp`). */
export async function loadOtlp(doc: MvxConfigDocument): Promise<OtlpModules | undefined> {
  const modules = await loadModules(doc);
  return modules as unknown as OtlpModules | undefined;
}

async function loadModules(doc: MvxConfigDocument): Promise<Modules | undefined> {
  const o = doc.adapters?.otlp;
  if (o === undefined) return undefined;
  const resources = await load('@opentelemetry/resources', () => import('@opentelemetry/resources'));
  const modules: Modules = { resources };
  if (o.logs !== false) {
    modules.logs = {
      sdk: await load('@opentelemetry/sdk-logs', () => import('@opentelemetry/sdk-logs')),
      exporter: await load('@opentelemetry/exporter-logs-otlp-http', () => import('@opentelemetry/exporter-logs-otlp-http')),
    };
  }
  if (o.metrics !== false) {
    modules.metrics = {
      sdk: await load('@opentelemetry/sdk-metrics', () => import('@opentelemetry/sdk-metrics')),
      exporter: await load('@opentelemetry/exporter-metrics-otlp-http', () => import('@opentelemetry/exporter-metrics-otlp-http')),
      bridge: await load('@opentelemetry/api', () => import('../adapters/otel-metrics/index.ts')),
    };
  }
  return modules;
}

/** The URL of one signal: the per-signal and generic variables win (the exporter reads them), else `endpoint` + `/v1/<signal>`. */
function urlFor(signal: 'logs' | 'metrics', endpoint: string | undefined): { url?: string } {
  const env = process.env;
  if (env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`] || env['OTEL_EXPORTER_OTLP_ENDPOINT']) return {};
  return { url: `${(endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '')}/v1/${signal}` };
}

/** The logger provider of `adapters.otlp.logs` (built before the sinks that use it). */
export function otlpLoggerProvider(doc: MvxConfigDocument, loaded: OtlpModules | undefined, resource: Readonly<Record<string, string>>): { provider: unknown; component: AdapterComponent } | undefined {
  const modules = loaded as unknown as Modules | undefined;
  const o = doc.adapters?.otlp;
  if (o === undefined || modules?.logs === undefined) return undefined;
  const { sdk, exporter } = modules.logs;
  const res = modules.resources.defaultResource().merge(modules.resources.resourceFromAttributes(resource));
  const provider = new sdk.LoggerProvider({
    resource: res,
    processors: [new sdk.BatchLogRecordProcessor({ exporter: new exporter.OTLPLogExporter({ ...urlFor('logs', o.endpoint) }) })],
  });
  return {
    provider,
    component: {
      name: 'otlp.logs',
      afterSinks: true,
      flush: async (opts?: LifecycleOptions) => {
        void opts;
        await provider.forceFlush();
      },
      shutdown: async () => {
        await provider.shutdown();
      },
    },
  };
}

/** The meter provider of `adapters.otlp.metrics`, exporting the selected recorders. */
export function otlpMetrics(
  doc: MvxConfigDocument,
  loaded: OtlpModules | undefined,
  resource: Readonly<Record<string, string>>,
  recorders: Map<string, AsyncMetricsRecorder<MetricEvent>>,
): AdapterComponent | undefined {
  const modules = loaded as unknown as Modules | undefined;
  const o = doc.adapters?.otlp;
  if (o === undefined || modules?.metrics === undefined) return undefined;
  const { sdk, exporter, bridge } = modules.metrics;
  const ids = o.recorders ?? [...recorders.keys()];
  const bridges = ids.map((id) => new bridge.OtelMetricsBridge({ source: recorders.get(id)!, numberDimensions: 'producer' }));
  const provider = new sdk.MeterProvider({
    resource: modules.resources.defaultResource().merge(modules.resources.resourceFromAttributes(resource)),
    readers: [
      new sdk.PeriodicExportingMetricReader({
        exporter: new exporter.OTLPMetricExporter({ ...urlFor('metrics', o.endpoint) }),
        exportIntervalMillis: o.intervalMs ?? 60_000,
        metricProducers: bridges,
      }),
    ],
  });
  return {
    name: 'otlp.metrics',
    flush: async () => {
      await provider.forceFlush();
    },
    shutdown: async () => {
      // The provider's shutdown exports what is pending, then the bridges are closed.
      await provider.shutdown();
      await Promise.all(bridges.map((b) => b.shutdown()));
    },
    stats: () => Object.fromEntries(ids.map((id, i) => [id, bridges[i]!.stats()])),
  };
}
