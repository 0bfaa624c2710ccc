/**
 * The parts of a document that become core objects (policies, payload processors, metrics), built
 * the same way when validating (so every error is found before anything changes) and when building.
 *
 * @module
 */
import {
  CounterMetric,
  GaugeMetric,
  HistogramMetric,
  LogPayloadProcessor,
  MvxConfigError,
  OutcomeCounterMetric,
  PatternLogEventPolicy,
} from '../index.ts';
import type { Metric, MetricEvent, PatternLogEventPolicyConfig } from '../index.ts';
import { ConfigDocumentError } from './errors.ts';
import type { ConfigMetric, ConfigPayload } from './types.ts';

/** Runs a core constructor; its `MvxConfigError` becomes a document error under `path`. */
export function underPath<T>(path: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigDocumentError || !(error instanceof MvxConfigError)) throw error;
    const prefix = `invalid option '${error.option}': `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    const option = error.option;
    throw new ConfigDocumentError(option.startsWith('[') ? `${path}${option}` : `${path}.${option}`, message, { cause: error });
  }
}

export function buildPolicy(config: PatternLogEventPolicyConfig, path: string): PatternLogEventPolicy {
  return underPath(path, () => PatternLogEventPolicy.fromConfig(config));
}

export function buildPayloadProcessor(config: ConfigPayload, path: string): LogPayloadProcessor {
  return underPath(path, () => new LogPayloadProcessor(config));
}

/** `event[field]` as a number (a missing or non-numeric field gives NaN, which the metric reports and drops). */
function field(name: string): (event: MetricEvent) => number {
  return (event) => Number((event as unknown as Record<string, unknown>)[name]);
}

export function buildMetric(m: ConfigMetric, path: string): Metric<MetricEvent> {
  const { type: _type, valueField: _v, outcomeField: _o, ...base } = m as ConfigMetric & { valueField?: string; outcomeField?: string };
  return underPath(path, (): Metric<MetricEvent> => {
    switch (m.type) {
      case 'counter':
        return new CounterMetric({ ...base, ...(m.valueField !== undefined ? { value: field(m.valueField) } : {}) });
      case 'histogram':
        return new HistogramMetric({ ...base, value: field(m.valueField), ...(m.buckets !== undefined ? { buckets: m.buckets } : {}) });
      case 'gauge':
        return new GaugeMetric({ ...base, value: field(m.valueField), ...(m.mode !== undefined ? { mode: m.mode } : {}) });
      case 'outcome-counter':
        return new OutcomeCounterMetric({ ...base, ...(m.outcomeField !== undefined ? { outcome: m.outcomeField } : {}) });
    }
  });
}
