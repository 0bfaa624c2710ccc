/**
 * The configuration document, described once (see `schema-dsl.ts`): the validator and the
 * published JSON Schema (`mvx-common/config.schema.json`) both come from {@link CONFIG_SCHEMA}.
 *
 * @module
 */
import type { SchemaNode } from './schema-dsl.ts';

type ObjectNode = SchemaNode & { kind: 'object' };

const str = (description?: string, extra: { minLength?: number; pattern?: string } = {}): SchemaNode => ({ kind: 'string', ...extra, ...(description ? { description } : {}) });
const oneOfStr = (values: readonly string[], description?: string): SchemaNode => ({ kind: 'string', enum: values, ...(description ? { description } : {}) });
const int = (minimum: number, description?: string, maximum?: number): SchemaNode => ({
  kind: 'number',
  integer: true,
  minimum,
  ...(maximum !== undefined ? { maximum } : {}),
  ...(description ? { description } : {}),
});
const ms = (description?: string): SchemaNode => ({ kind: 'number', minimum: 0, ...(description ? { description } : {}) });
const bool = (description?: string): SchemaNode => ({ kind: 'boolean', ...(description ? { description } : {}) });
const strings = (description?: string): SchemaNode => ({ kind: 'array', items: { kind: 'string' }, ...(description ? { description } : {}) });
const obj = (properties: Record<string, SchemaNode>, required: string[] = [], description?: string): ObjectNode => ({
  kind: 'object',
  properties,
  required,
  ...(description ? { description } : {}),
});
/** A variant of a tagged union: its own tag value is one of its properties. */
const variant = (tag: string, properties: Record<string, SchemaNode>, required: string[] = [], description?: string): ObjectNode =>
  obj({ type: oneOfStr([tag]), ...properties }, ['type', ...required], description);

/** Level names the logger accepts (case-insensitive in code; these spellings in a document). */
export const LEVEL_NAMES = ['DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'debug', 'info', 'warning', 'warn', 'error', 'critical'] as const;
const level = (description?: string): SchemaNode => ({
  kind: 'anyOf',
  options: [oneOfStr(LEVEL_NAMES), int(0)],
  ...(description ? { description } : {}),
});

/** Sink and recorder names: the reference's grammar. */
export const NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]*$';
/** A dotted namespace (`''` is the root). */
export const NAMESPACE_PATTERN = '^$|^[A-Za-z0-9_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$';
const sinkRef = (description: string): SchemaNode => str(description, { pattern: NAME_PATTERN });

const conditions: Record<string, SchemaNode> = {
  events: strings('globs on the composed key namespace.name'),
  namespaces: strings('globs on the namespace'),
  names: strings('globs on the event name'),
  entityIds: strings('globs on the entity id'),
  sourcePaths: strings('globs on source.filePath'),
  sourceFunctions: strings('globs on source.functionName'),
  outcomes: strings('globs on the outcome'),
  minLevel: level('lowest level the rule applies to'),
  maxLevel: level('highest level the rule applies to'),
};

const policy = obj(
  {
    defaultEnabled: bool('the decision when no rule matches (default true)'),
    rules: { kind: 'array', items: obj({ action: oneOfStr(['allow', 'deny']), ...conditions }, ['action']) },
    sampling: {
      kind: 'array',
      items: obj(
        {
          name: str('the rule name (stats, summaries, the sampled-out metric)', { minLength: 1 }),
          ...conditions,
          exempt: bool('never sample the matching events'),
          burst: obj({ first: int(0), thereafter: int(0), intervalMs: { kind: 'number', exclusiveMinimum: 0 } }, ['first', 'thereafter', 'intervalMs']),
          rateLimit: obj({ perSecond: { kind: 'number', exclusiveMinimum: 0 }, burst: int(1), per: oneOfStr(['key', 'rule']) }, ['perSecond']),
          probability: { kind: 'number', minimum: 0, maximum: 1 },
          key: { kind: 'array', items: oneOfStr(['namespace', 'name', 'entityId', 'outcome', 'level', 'sampleKey']) },
          exemptErrors: bool(),
          maxKeys: int(1),
          summary: bool(),
          summaryIntervalMs: { kind: 'number', exclusiveMinimum: 0 },
        },
        ['name'],
      ),
    },
  },
  [],
  'a PatternLogEventPolicy configuration (docs/logger-core.md#policies, docs/sampling.md)',
);

const payload = obj(
  {
    verbosity: oneOfStr(['MINIMAL', 'NORMAL', 'MAXIMUM']),
    maxStringLength: int(1),
    maxItems: int(0),
    maxKeys: int(0),
    maxDepth: int(1),
    maxErrorCauses: int(0),
    maxNodes: int(1),
    maxStackLength: int(0),
    maxBytes: int(1),
    redact: obj({ keys: strings('key words to redact'), mode: oneOfStr(['extend', 'replace']) }),
    redactedValue: str(),
  },
  [],
  'LogPayloadProcessor options (docs/payload-processor.md)',
);

const asyncOptions = obj(
  {
    maxQueueSize: int(1),
    overflowPolicy: oneOfStr(['drop-newest', 'drop-oldest']),
    maxBatchSize: int(1),
    batchIntervalMs: ms(),
    maxRetries: int(0),
    retryBaseDelayMs: ms(),
    retryMaxDelayMs: ms(),
    deliveryTimeoutMs: ms(),
    flushTimeoutMs: ms(),
    shutdownTimeoutMs: ms(),
  },
  [],
  'queueing and batching of an asynchronous sink (docs/async-sinks.md)',
);

const sink: SchemaNode = {
  kind: 'tagged',
  tag: 'type',
  description: 'a named sink',
  variants: {
    console: variant('console', {
      stream: oneOfStr(['stderr', 'stdout']),
      format: oneOfStr(['json', 'readable', 'auto']),
      colors: bool(),
      minLevel: level(),
      maxBufferedBytes: int(0),
      exitTimeoutMs: ms(),
    }),
    file: variant(
      'file',
      {
        path: str('the log file', { minLength: 1 }),
        format: oneOfStr(['json', 'readable']),
        maxBytes: int(1, 'rotate when the file would exceed this size'),
        maxFiles: int(1, 'rotated files kept'),
        rotateDaily: oneOfStr(['local', 'utc']),
        compress: bool('gzip rotated files'),
        async: asyncOptions,
      },
      ['path'],
    ),
    memory: variant('memory', { capacity: int(1) }),
    null: variant('null', {}),
    multi: variant('multi', { sinks: { kind: 'array', items: sinkRef('a sink name'), minItems: 1 } }, ['sinks']),
    filter: variant('filter', { sink: sinkRef('the sink events that pass go to'), minLevel: level(), policy }, ['sink']),
    'otel-logs': variant(
      'otel-logs',
      { loggerName: str(), body: oneOfStr(['summary', 'none']), timeoutMs: ms() },
      [],
      'an OpenTelemetry log sink; its LoggerProvider comes from configure(doc, { loggerProvider }) or the global one',
    ),
  },
};

const context = obj({
  minLevel: level('minimum level'),
  sink: sinkRef('the name of a sink under sinks'),
  policy,
  payload,
  errorHandling: oneOfStr(['print-stderr', 'raise', 'ignore']),
});

const metricBase = {
  name: str('metric name', { minLength: 1 }),
  description: str(),
  unit: str(),
  eventTypes: { kind: 'anyOf', options: [str(), strings()] } as SchemaNode,
  attributes: strings('event fields used as attributes'),
  seriesLimit: int(1),
  maxAttributeValueLength: int(1),
};
const metric: SchemaNode = {
  kind: 'tagged',
  tag: 'type',
  variants: {
    counter: variant('counter', { ...metricBase, valueField: str('event field added (default 1 per event)') }, ['name', 'eventTypes']),
    histogram: variant(
      'histogram',
      { ...metricBase, valueField: str('event field observed'), buckets: { kind: 'array', items: { kind: 'number' }, minItems: 1 } },
      ['name', 'eventTypes', 'valueField'],
    ),
    gauge: variant('gauge', { ...metricBase, valueField: str('event field'), mode: oneOfStr(['last', 'updown']) }, ['name', 'eventTypes', 'valueField']),
    'outcome-counter': variant(
      'outcome-counter',
      { ...metricBase, outcomeField: str('event field holding the outcome (default outcome)'), outcomes: strings(), maxOutcomes: int(1) },
      ['name', 'eventTypes'],
    ),
  },
};

const recorderRefs = { kind: 'array', items: str(undefined, { pattern: NAME_PATTERN }), description: 'recorders exported (default: all)' } as SchemaNode;
const presetMode = oneOfStr(['silent', 'normal', 'inspection']);

/** The whole document. */
export const CONFIG_SCHEMA: ObjectNode = obj(
  {
    $schema: str('the JSON Schema of this document, for editors'),
    version: { kind: 'number', integer: true, minimum: 1, maximum: 1, description: 'document version: 1' },
    service: obj({ name: str('service.name (OTEL_SERVICE_NAME overrides it)'), resourceAttributes: { kind: 'record', values: str() } }),
    sinks: { kind: 'record', keyPattern: NAME_PATTERN, values: sink, description: 'named sinks' },
    contexts: { kind: 'record', keyPattern: NAMESPACE_PATTERN, values: context, description: 'log contexts by namespace ("" is the root)' },
    metrics: obj({
      namespace: str('the runtime namespace (entity id of its lifecycle events)'),
      logContext: str('namespace of the context recorders and the runtime log their lifecycle to', { pattern: NAMESPACE_PATTERN }),
      logPolicy: obj({ recorder: presetMode, runtime: presetMode }, [], 'lifecycle-logging presets (docs/metrics.md#presets-silent-normal-inspection)'),
      recorders: {
        kind: 'record',
        keyPattern: NAME_PATTERN,
        values: obj({
          maxQueueSize: int(1),
          overflowPolicy: oneOfStr(['drop-newest', 'drop-oldest']),
          dispatch: oneOfStr(['immediate', 'microtask']),
          metrics: { kind: 'array', items: metric },
        }),
      },
    }),
    adapters: obj({
      prometheus: obj({
        host: str(),
        port: int(0, 'listen port (0: any free port)', 65_535),
        path: str(),
        prefix: str('prefix of every metric name'),
        openMetrics: bool(),
        recorders: recorderRefs,
      }),
      statsd: obj({
        host: str(),
        port: int(1, undefined, 65_535),
        prefix: str(),
        dialect: oneOfStr(['statsd', 'dogstatsd', 'telegraf']),
        flushIntervalMs: ms(),
        recorders: recorderRefs,
      }),
      otlp: obj(
        {
          endpoint: str('OTLP/HTTP base URL when no OTEL_EXPORTER_OTLP_*ENDPOINT variable is set (default http://localhost:4318)'),
          logs: bool('export logs: otel-logs sinks use this LoggerProvider (default true)'),
          metrics: bool('export the recorders as OTLP metrics (default true)'),
          intervalMs: { kind: 'number', exclusiveMinimum: 0, description: 'metric export interval, ms (default 60000)' },
          recorders: recorderRefs,
        },
        [],
        'OTLP/HTTP export built with the OpenTelemetry SDK; the exporters honour OTEL_EXPORTER_OTLP_*',
      ),
      otelMetrics: obj(
        { temporality: oneOfStr(['cumulative', 'delta']), recorders: recorderRefs },
        [],
        'exports recorders through a Meter from configure(doc, { meterProvider }) or the global MeterProvider',
      ),
    }),
  },
  ['version'],
  'mvx-common configuration (docs/configuration.md)',
);
