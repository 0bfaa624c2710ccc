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
import {
  ConsoleSink,
  FileSink,
  FilteringSink,
  MemorySink,
  MetricsRuntime,
  MultiSink,
  NullSink,
  closeLogSink,
  configureLogContext,
  configureLogSink,
  getLogContext,
  getLogSink,
  metricsLogPolicy,
  parseLogLevel,
} from '../index.ts';
import type { AsyncMetricsRecorder, LogSink, MetricEvent } from '../index.ts';
import { buildMetric, buildPayloadProcessor, buildPolicy, underPath } from './components.ts';
import { ConfigDocumentError } from './errors.ts';
import { loadAdapters } from './adapters.ts';
import type { AdapterHandles, ConfigureAdapterOptions } from './adapters.ts';
import { MvxSystem } from './system.ts';
import type { MvxConfigDocument, ConfigSink } from './types.ts';
import { childPath } from './schema-dsl.ts';
import { sinkBuildOrder, validateConfig } from './validate.ts';

/** Options of {@link configure}: the objects a document cannot hold. */
export interface ConfigureOptions extends ConfigureAdapterOptions {
  /** The file the document came from (named in errors). */
  file?: string;
}

/** `MultiSink` and `FilteringSink` as classes built from one options object (what the named-sink registry builds). */
class ConfigMultiSink extends MultiSink {
  constructor(options: { targets: LogSink[] }) {
    super(options.targets);
  }
}
class ConfigFilteringSink extends FilteringSink {}

function level(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : parseLogLevel(value);
}

/** The named-sink registration of one document sink. */
function sinkSpec(sink: ConfigSink, built: Map<string, LogSink>, path: string, adapters: AdapterHandles): { type: new (o: never) => LogSink; options: object } {
  switch (sink.type) {
    case 'console': {
      const { type: _t, minLevel, ...rest } = sink;
      return { type: ConsoleSink, options: { ...rest, ...(minLevel !== undefined ? { minLevel } : {}) } };
    }
    case 'file': {
      const { type: _t, async, ...rest } = sink;
      return { type: FileSink, options: { ...rest, ...async } };
    }
    case 'memory':
      return { type: MemorySink, options: sink.capacity === undefined ? {} : { capacity: sink.capacity } };
    case 'null':
      return { type: NullSink, options: {} };
    case 'multi':
      return { type: ConfigMultiSink, options: { targets: sink.sinks.map((n) => built.get(n)!) } };
    case 'filter': {
      const minLevel = level(sink.minLevel);
      return {
        type: ConfigFilteringSink,
        options: {
          target: built.get(sink.sink)!,
          ...(minLevel !== undefined ? { minLevel } : {}),
          ...(sink.policy !== undefined ? { policy: buildPolicy(sink.policy, `${path}.policy`) } : {}),
        },
      };
    }
    case 'otel-logs': {
      const { type: _t, ...rest } = sink;
      return { type: adapters.otelLogSink!, options: { ...rest, ...adapters.loggerProviderOption } };
    }
  }
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
    adapters = await loadAdapters(doc, options);
  } catch (error) {
    throw inFile(error);
  }
  const created: string[] = [];
  const built = new Map<string, LogSink>();
  try {
    const sinks = doc.sinks ?? {};
    for (const name of sinkBuildOrder(sinks)) {
      const path = childPath('sinks', name);
      const spec = sinkSpec(sinks[name]!, built, path, adapters);
      const existed = getLogSink(name) !== undefined;
      const sink = underPath(path, () => configureLogSink({ name, type: spec.type as never, options: spec.options as never }));
      if (!existed) created.push(name);
      built.set(name, sink);
    }
  } catch (error) {
    // Nothing of a failed document stays: the sinks built so far are closed (no context holds them yet).
    for (const name of created.reverse()) await closeLogSink(name, { timeoutMs: 1000 }).catch(() => undefined);
    throw inFile(error);
  }
  for (const [ns, ctx] of Object.entries(doc.contexts ?? {})) {
    const path = childPath('contexts', ns);
    configureLogContext(ns, {
      ...(ctx.sink !== undefined ? { sink: built.get(ctx.sink)! } : {}),
      ...(ctx.minLevel !== undefined ? { minLevel: ctx.minLevel } : {}),
      ...(ctx.policy !== undefined ? { policy: buildPolicy(ctx.policy, `${path}.policy`) } : {}),
      ...(ctx.payload !== undefined ? { payloadProcessor: buildPayloadProcessor(ctx.payload, `${path}.payload`) } : {}),
      ...(ctx.errorHandling !== undefined ? { errorHandling: ctx.errorHandling } : {}),
    });
  }
  const recorders = new Map<string, AsyncMetricsRecorder<MetricEvent>>();
  let runtime: MetricsRuntime | undefined;
  const m = doc.metrics;
  if (m !== undefined) {
    const logNs = m.logContext;
    if (logNs !== undefined && m.logPolicy !== undefined && doc.contexts?.[logNs]?.policy === undefined) {
      configureLogContext(logNs, { policy: metricsLogPolicy(m.logPolicy) });
    }
    runtime = new MetricsRuntime({
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      defaults: logNs !== undefined ? { logContext: getLogContext(logNs) } : {},
    });
    for (const [id, r] of Object.entries(m.recorders ?? {})) {
      const { metrics, ...recorderOptions } = r;
      const recorder = runtime.createRecorder<MetricEvent>(id, recorderOptions);
      (metrics ?? []).forEach((metric, i) => recorder.registerMetric(buildMetric(metric, `${childPath('metrics.recorders', id)}.metrics[${i}]`)));
      recorders.set(id, recorder);
    }
  }
  const started = await adapters.start(doc, recorders);
  return new MvxSystem({ document: doc, sinks: built, createdSinks: created, runtime, recorders, adapters: started });
}
