/**
 * The TypeScript shape of a configuration document (what {@link CONFIG_SCHEMA} accepts).
 *
 * @module
 */
import type { AsyncLogSinkOptions, LogPayloadProcessorOptions, PatternLogEventPolicyConfig } from '../index.ts';

/** A level: a name (`'DEBUG'`, `'info'`, ...) or a number. */
export type ConfigLevel = string | number;

/** Queueing and batching of an asynchronous sink: the options of the same names of `AsyncLogSink` (defaults and ranges there). */
export type ConfigAsyncOptions = Pick<
  AsyncLogSinkOptions,
  | 'maxQueueSize'
  | 'overflowPolicy'
  | 'maxBatchSize'
  | 'batchIntervalMs'
  | 'maxRetries'
  | 'retryBaseDelayMs'
  | 'retryMaxDelayMs'
  | 'deliveryTimeoutMs'
  | 'flushTimeoutMs'
  | 'shutdownTimeoutMs'
>;

/** A named sink. */
export type ConfigSink =
  | { type: 'console'; stream?: 'stderr' | 'stdout'; format?: 'json' | 'readable' | 'auto'; colors?: boolean; minLevel?: ConfigLevel; maxBufferedBytes?: number; exitTimeoutMs?: number }
  | { type: 'file'; path: string; format?: 'json' | 'readable'; maxBytes?: number; maxFiles?: number; rotateDaily?: 'local' | 'utc'; compress?: boolean; async?: ConfigAsyncOptions }
  | { type: 'memory'; capacity?: number }
  | { type: 'null' }
  | { type: 'multi'; sinks: string[] }
  | { type: 'filter'; sink: string; minLevel?: ConfigLevel; policy?: PatternLogEventPolicyConfig }
  | { type: 'otel-logs'; loggerName?: string; body?: 'summary' | 'none'; timeoutMs?: number };

/** Payload processor settings (the JSON-expressible options). */
export type ConfigPayload = Pick<
  LogPayloadProcessorOptions,
  'verbosity' | 'maxStringLength' | 'maxItems' | 'maxKeys' | 'maxDepth' | 'maxErrorCauses' | 'maxNodes' | 'maxStackLength' | 'maxBytes' | 'redactedValue'
> & { redact?: { keys?: string[]; mode?: 'extend' | 'replace' } };

/** A context's settings. */
export interface ConfigContext {
  minLevel?: ConfigLevel;
  sink?: string;
  policy?: PatternLogEventPolicyConfig;
  payload?: ConfigPayload;
  errorHandling?: 'print-stderr' | 'raise' | 'ignore';
}

interface ConfigMetricBase {
  name: string;
  description?: string;
  unit?: string;
  eventTypes: string | string[];
  attributes?: string[];
  seriesLimit?: number;
  maxAttributeValueLength?: number;
}

/** A ready-made metric. */
export type ConfigMetric =
  | (ConfigMetricBase & { type: 'counter'; valueField?: string })
  | (ConfigMetricBase & { type: 'histogram'; valueField: string; buckets?: number[] })
  | (ConfigMetricBase & { type: 'gauge'; valueField: string; mode?: 'last' | 'updown' })
  | (ConfigMetricBase & { type: 'outcome-counter'; outcomeField?: string; outcomes?: string[]; maxOutcomes?: number });

type PresetMode = 'silent' | 'normal' | 'inspection';

/** The whole document. */
export interface MvxConfigDocument {
  $schema?: string;
  version: 1;
  service?: { name?: string; resourceAttributes?: Record<string, string> };
  sinks?: Record<string, ConfigSink>;
  contexts?: Record<string, ConfigContext>;
  metrics?: {
    namespace?: string;
    logContext?: string;
    logPolicy?: { recorder?: PresetMode; runtime?: PresetMode };
    recorders?: Record<string, { maxQueueSize?: number; overflowPolicy?: 'drop-newest' | 'drop-oldest'; dispatch?: 'immediate' | 'microtask'; metrics?: ConfigMetric[] }>;
  };
  adapters?: {
    prometheus?: { host?: string; port?: number; path?: string; prefix?: string; openMetrics?: boolean; recorders?: string[] };
    statsd?: { host?: string; port?: number; prefix?: string; dialect?: 'statsd' | 'dogstatsd' | 'telegraf'; flushIntervalMs?: number; recorders?: string[] };
    otelMetrics?: { temporality?: 'cumulative' | 'delta'; recorders?: string[] };
    otlp?: { endpoint?: string; logs?: boolean; metrics?: boolean; intervalMs?: number; recorders?: string[] };
  };
}
