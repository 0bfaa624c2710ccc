/**
 * The adapters a document names, loaded on demand with dynamic `import()` (an adapter's module
 * and its backend library are optional peers: a document that does not use one never loads it).
 * Loading happens before anything is built, so a missing peer changes nothing.
 *
 * @module
 */
import type { AsyncMetricsRecorder, DeliveryStats, LifecycleOptions, LogSink, MetricEvent } from '../index.ts';
import { ConfigDocumentError } from './errors.ts';
import { loadOtlp, otlpLoggerProvider, otlpMetrics } from './otlp.ts';
import type { MvxConfigDocument } from './types.ts';

/** What {@link configure} takes besides the document, for the adapters. */
export interface ConfigureAdapterOptions {
  /** The OpenTelemetry `LoggerProvider` of `otel-logs` sinks. @default the global one */
  loggerProvider?: unknown;
  /** The OpenTelemetry `MeterProvider` of `adapters.otelMetrics`. @default the global one */
  meterProvider?: { getMeter(name: string, version?: string): unknown };
  /** The hot-shots client of `adapters.statsd` (its `host`/`port` then unused). @default a new `StatsD({ host, port })` */
  statsdClient?: unknown;
  /** The prom-client `Registry` of `adapters.prometheus`. @default a new `Registry` */
  prometheusRegistry?: unknown;
}

/** A started adapter component, in the common lifecycle. */
export interface AdapterComponent {
  /** `prometheus.server`, `prometheus.bridge.http`, `statsd.http`, `otelMetrics.http`. */
  readonly name: string;
  flush?(options?: LifecycleOptions): Promise<unknown>;
  shutdown(options?: LifecycleOptions): Promise<unknown>;
  stats?(): DeliveryStats | object;
  /** Flushed and shut down after the sinks (a provider the sinks write to). */
  readonly afterSinks?: boolean;
}

/** What the adapters of a document need, loaded. */
export interface AdapterHandles {
  otelLogSink?: new (options: never) => LogSink;
  loggerProviderOption: { loggerProvider?: unknown };
  /**
   * Starts the adapters over the built recorders, pushing each started component into `components`
   * (so that a failure halfway leaves the caller the list of what to stop).
   */
  start(
    doc: MvxConfigDocument,
    recorders: Map<string, AsyncMetricsRecorder<MetricEvent>>,
    components: AdapterComponent[],
  ): Promise<{ components: AdapterComponent[]; prometheusUrl?: string }>;
}

async function load<T>(path: string, what: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    throw new ConfigDocumentError(path, `needs ${what}, which could not be loaded (install it: npm install ${what.split(' ')[0]})`, { cause: error });
  }
}

/** Runs an adapter's start; its failure becomes a document error naming the adapter (the cause kept). */
async function startAt<T>(path: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    throw new ConfigDocumentError(path, (error as Error)?.message ?? String(error), { cause: error });
  }
}

function selected(ids: string[] | undefined, recorders: Map<string, AsyncMetricsRecorder<MetricEvent>>): [string, AsyncMetricsRecorder<MetricEvent>][] {
  return ids === undefined ? [...recorders] : ids.map((id) => [id, recorders.get(id)!]);
}

/** Loads the modules of the adapters `doc` uses. @throws ConfigDocumentError naming the adapter when a peer is missing. */
export async function loadAdapters(doc: MvxConfigDocument, options: ConfigureAdapterOptions, resource: Readonly<Record<string, string>>): Promise<AdapterHandles> {
  const otlp = await loadOtlp(doc);
  const otelSinkName = Object.entries(doc.sinks ?? {}).find(([, s]) => s.type === 'otel-logs')?.[0];
  const otelLogs = otelSinkName === undefined ? undefined : await load(`sinks.${otelSinkName}`, '@opentelemetry/api-logs (the otel-logs adapter)', () => import('../adapters/otel-logs/index.ts'));
  const a = doc.adapters ?? {};
  const prometheus = a.prometheus === undefined ? undefined : await load('adapters.prometheus', 'prom-client (the prometheus adapter)', async () => ({ adapter: await import('../adapters/prometheus/index.ts'), client: await import('prom-client') }));
  const statsd =
    a.statsd === undefined ? undefined : await load('adapters.statsd', 'hot-shots (the statsd adapter)', async () => ({ adapter: await import('../adapters/statsd/index.ts'), client: options.statsdClient === undefined ? await import('hot-shots') : undefined }));
  const otelMetrics = a.otelMetrics === undefined ? undefined : await load('adapters.otelMetrics', '@opentelemetry/api (the otel-metrics adapter)', () => import('../adapters/otel-metrics/index.ts'));

  // Built now, before the sinks that use it; a component of the system from the start.
  const otlpLogs = options.loggerProvider === undefined ? otlpLoggerProvider(doc, otlp, resource) : undefined;
  const loggerProvider = options.loggerProvider ?? otlpLogs?.provider;
  return {
    ...(otelLogs !== undefined ? { otelLogSink: otelLogs.OtelLogSink as unknown as new (options: never) => LogSink } : {}),
    // A provider of the system's own is shut down by the system, after the sinks (not by each sink).
    loggerProviderOption: loggerProvider === undefined ? {} : { loggerProvider, ...(otlpLogs !== undefined ? { shutdownProvider: false } : {}) },
    async start(document, recorders, components) {
      if (otlpLogs !== undefined) components.push(otlpLogs.component);
      const otlpMetricsComponent = otlpMetrics(document, otlp, resource, recorders);
      if (otlpMetricsComponent !== undefined) components.push(otlpMetricsComponent);
      let prometheusUrl: string | undefined;
      const ad = document.adapters ?? {};
      if (prometheus !== undefined && ad.prometheus !== undefined) {
        const p = ad.prometheus;
        const registry = (options.prometheusRegistry ?? new prometheus.client.Registry()) as never;
        for (const [id, recorder] of selected(p.recorders, recorders)) {
          const bridge = prometheus.adapter.createPrometheusBridge(recorder, { registry, ...(p.prefix !== undefined ? { prefix: p.prefix } : {}) });
          components.push({ name: `prometheus.bridge.${id}`, flush: (o) => bridge.flush(o), shutdown: (o) => bridge.shutdown(o), stats: () => bridge.stats() });
        }
        const server = await startAt('adapters.prometheus', () => prometheus.adapter.startMetricsServer({
          registry,
          ...(p.host !== undefined ? { host: p.host } : {}),
          ...(p.port !== undefined ? { port: p.port } : {}),
          ...(p.path !== undefined ? { path: p.path } : {}),
          ...(p.openMetrics !== undefined ? { openMetrics: p.openMetrics } : {}),
        }));
        prometheusUrl = server.url;
        components.push({ name: 'prometheus.server', flush: (o) => server.flush(o), shutdown: (o) => server.shutdown(o), stats: () => server.stats() });
      }
      if (statsd !== undefined && ad.statsd !== undefined) {
        const s = ad.statsd;
        const own = options.statsdClient === undefined;
        const StatsD = statsd.client?.StatsD;
        const client = (own ? new StatsD!({ host: s.host ?? '127.0.0.1', port: s.port ?? 8125, maxBufferSize: 1432 }) : options.statsdClient) as never;
        const list = selected(s.recorders, recorders);
        list.forEach(([id, recorder], i) => {
          const exporter = new statsd.adapter.StatsdExporter({
            client,
            source: recorder,
            // One client for every recorder: the first exporter, shut down last (reverse order), closes the client we own.
            closeClient: own && i === 0,
            ...(s.prefix !== undefined ? { prefix: s.prefix } : {}),
            ...(s.dialect !== undefined ? { dialect: s.dialect } : {}),
            ...(s.flushIntervalMs !== undefined ? { flushIntervalMs: s.flushIntervalMs } : {}),
          });
          components.push({ name: `statsd.${id}`, flush: (o) => exporter.flush(o), shutdown: (o) => exporter.shutdown(o), stats: () => exporter.stats() });
        });
      }
      if (otelMetrics !== undefined && ad.otelMetrics !== undefined) {
        const o = ad.otelMetrics;
        for (const [id, recorder] of selected(o.recorders, recorders)) {
          const meter = options.meterProvider?.getMeter('mvx-common');
          const bridge = new otelMetrics.OtelMetricsBridge({ source: recorder, ...(o.temporality !== undefined ? { temporality: o.temporality } : {}) });
          bridge.bindMeter(meter as never);
          components.push({ name: `otelMetrics.${id}`, flush: (x) => bridge.flush(x), shutdown: (x) => bridge.shutdown(x), stats: () => bridge.stats() });
        }
      }
      return { components, ...(prometheusUrl !== undefined ? { prometheusUrl } : {}) };
    },
  };
}
