/**
 * `configure(document)`: builds the whole system a document describes: named sinks (through the
 * named-sink registry), contexts, the metrics runtime with its recorders and ready-made metrics,
 * and the adapters. Validation comes first, then the adapters' modules are loaded (an optional peer
 * that is missing is an error naming the adapter, before anything changed); only then are objects
 * built. Adapters are loaded with dynamic `import()` on demand: this subpath never loads a backend
 * library a document does not use.
 *
 * @module
 */
import { MetricsRuntime, getLogContext, getRootLogContext, metricsLogPolicy } from '../index.ts';
import type { AsyncMetricsRecorder, MetricEvent } from '../index.ts';
import { buildMetric } from './components.ts';
import { ConfigDocumentError } from './errors.ts';
import { loadAdapters } from './adapters.ts';
import type { AdapterComponent, AdapterHandles, ConfigureAdapterOptions } from './adapters.ts';
import { applyLogging } from './apply-logging.ts';
import { resourceOf } from './environment.ts';
import { MvxSystem } from './system.ts';
import type { MvxConfigDocument } from './types.ts';
import { childPath } from './schema-dsl.ts';
import { validateConfig } from './validate.ts';

/** Options of {@link configure}: the objects a document cannot hold, and where overrides come from. */
export interface ConfigureOptions extends ConfigureAdapterOptions {
  /** The file the document came from (named in errors; what `reload()` reads again). */
  file?: string;
  /**
   * The environment the overrides are read from (`MVX_LOG_LEVEL`, `OTEL_SERVICE_NAME`,
   * `OTEL_RESOURCE_ATTRIBUTES`; see docs/configuration.md#environment). @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds everything `document` describes and returns the handle that flushes, shuts down and
 * counts it. Sinks are registered as named sinks (`getLogSink(name)`), contexts configured through
 * `configureLogContext`, so code keeps using `getLogContext(ns)`.
 *
 * @throws ConfigDocumentError (an `MvxConfigError`; rejects) naming the path of the first problem;
 *   nothing is changed then. A name already configured with another descriptor is a conflict
 *   (`sinks.audit: ...`).
 */
export async function configure(document: unknown, options: ConfigureOptions = {}): Promise<MvxSystem> {
  const file = options.file;
  const inFile = (error: unknown): unknown => (error instanceof ConfigDocumentError && file !== undefined ? error.inFile(file) : error);
  let doc: MvxConfigDocument;
  let adapters: AdapterHandles;
  try {
    doc = validateConfig(document);
    adapters = await loadAdapters(doc, options, resourceOf(doc, options.env ?? process.env));
  } catch (error) {
    throw inFile(error);
  }
  const env = options.env ?? process.env;
  const rootBefore = getRootLogContext().localSettings();
  let applied;
  try {
    applied = applyLogging(doc, undefined, [], rootBefore, adapters, env);
  } catch (error) {
    throw inFile(error);
  }
  const resource = resourceOf(doc, env);
  const recorders = new Map<string, AsyncMetricsRecorder<MetricEvent>>();
  let runtime: MetricsRuntime | undefined;
  const m = doc.metrics;
  if (m !== undefined) {
    const logNs = m.logContext;
    if (logNs !== undefined && m.logPolicy !== undefined && doc.contexts?.[logNs]?.policy === undefined) {
      getLogContext(logNs).setPolicy(metricsLogPolicy(m.logPolicy));
    }
    const namespace = m.namespace ?? resource['service.name'];
    runtime = new MetricsRuntime({
      ...(namespace !== undefined ? { namespace } : {}),
      defaults: logNs !== undefined ? { logContext: getLogContext(logNs) } : {},
    });
    for (const [id, r] of Object.entries(m.recorders ?? {})) {
      const { metrics, ...recorderOptions } = r;
      const recorder = runtime.createRecorder<MetricEvent>(id, recorderOptions);
      (metrics ?? []).forEach((metric, i) => recorder.registerMetric(buildMetric(metric, `${childPath('metrics.recorders', id)}.metrics[${i}]`)));
      recorders.set(id, recorder);
    }
  }
  const parts = { document: doc, applied, rootBefore, runtime, recorders, adapterHandles: adapters, resource, env, ...(file !== undefined ? { file } : {}) };
  const components: AdapterComponent[] = [];
  let started: { components: AdapterComponent[]; prometheusUrl?: string };
  try {
    started = await adapters.start(doc, recorders, components);
  } catch (error) {
    // An adapter that cannot start (a port taken): what was built is stopped again, the facade restored.
    await new MvxSystem({ ...parts, adapters: { components } }).shutdown({ timeoutMs: 2_000 });
    throw inFile(error);
  }
  return new MvxSystem({ ...parts, adapters: started });
}
