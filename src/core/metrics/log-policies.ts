/**
 * Logging-policy presets for the recorders and the runtime (the MVX reference's
 * `AsyncioMetricsRecorderLogPolicyMode` / `MetricsRuntimeLogPolicyMode`): which of their lifecycle
 * events a log context lets through.
 *
 * | mode | recorder (`metrics_recorder.*`) | runtime (`metrics_runtime.*`) |
 * | --- | --- | --- |
 * | `silent` | nothing | nothing |
 * | `normal` | `start`, `stop`, `register_metric`, `dispatch_error` | `create_recorder`, `stop_recorder`, `stop_and_remove_recorder`, `shutdown` |
 * | `inspection` | normal + `snapshots` | normal + `get_recorder`, `try_get_recorder`, `list_recorder_ids` |
 *
 * Each preset is a `PatternLogEventPolicy` configuration with `defaultEnabled: false` and (except
 * `silent`: no rules) one `allow` rule on event names. Unlike the reference, the rule matches the
 * event *name* (`names`), not the composed `namespace.name` key, so the presets work in any
 * namespace (the reference's match only worked without one). The reference's
 * `cleanup.task_creation_error`, `cleanup.failed`, `iter_metrics` and runtime `start` have no
 * counterpart here (no such events: the runtime runs from construction, snapshots are one call).
 *
 * Levels: `register_metric` and the inspection events are DEBUG; give the context
 * `minLevel: 'DEBUG'` to see them (a policy cannot lower the level gate).
 *
 * @module
 */
import { MvxConfigError } from '../errors.ts';
import { PatternLogEventPolicy } from '../logger/policy/pattern-log-event-policy.ts';
import type { PatternLogEventPolicyConfig } from '../logger/policy/pattern-log-event-policy.ts';

/** The preset modes. */
export const MetricsLogPolicyMode = {
  /** No lifecycle event. */
  SILENT: 'silent',
  /** Lifecycle changes and failures. */
  NORMAL: 'normal',
  /** Normal, plus the read-only calls (snapshots, recorder look-ups). */
  INSPECTION: 'inspection',
} as const;

/** One of {@link MetricsLogPolicyMode}. */
export type MetricsLogPolicyModeValue = (typeof MetricsLogPolicyMode)[keyof typeof MetricsLogPolicyMode];

const RECORDER = {
  normal: ['metrics_recorder.start', 'metrics_recorder.stop', 'metrics_recorder.register_metric', 'metrics_recorder.dispatch_error'],
  inspection: ['metrics_recorder.snapshots'],
} as const;
const RUNTIME = {
  normal: ['metrics_runtime.create_recorder', 'metrics_runtime.stop_recorder', 'metrics_runtime.stop_and_remove_recorder', 'metrics_runtime.shutdown'],
  inspection: ['metrics_runtime.get_recorder', 'metrics_runtime.try_get_recorder', 'metrics_runtime.list_recorder_ids'],
} as const;

const MODES: readonly string[] = Object.values(MetricsLogPolicyMode);

function checkMode(mode: unknown, option: string): MetricsLogPolicyModeValue {
  if (typeof mode !== 'string' || !MODES.includes(mode)) {
    throw new MvxConfigError(option, `must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${typeof mode === 'string' ? `'${mode}'` : typeof mode}`);
  }
  return mode as MetricsLogPolicyModeValue;
}

function namesFor(table: { normal: readonly string[]; inspection: readonly string[] }, mode: MetricsLogPolicyModeValue): string[] {
  if (mode === 'silent') return [];
  return mode === 'normal' ? [...table.normal] : [...table.normal, ...table.inspection];
}

function configFor(names: string[]): PatternLogEventPolicyConfig {
  return names.length === 0 ? { defaultEnabled: false, rules: [] } : { defaultEnabled: false, rules: [{ action: 'allow', names }] };
}

/**
 * The recorder preset as a `PatternLogEventPolicy` configuration (see the module table).
 * @param mode @default 'normal'
 * @throws MvxConfigError (option `mode`) for another value.
 */
export function metricsRecorderLogPolicyConfig(mode: MetricsLogPolicyModeValue = 'normal'): PatternLogEventPolicyConfig {
  return configFor(namesFor(RECORDER, checkMode(mode, 'mode')));
}

/**
 * The runtime preset as a `PatternLogEventPolicy` configuration (see the module table).
 * @param mode @default 'normal'
 * @throws MvxConfigError (option `mode`) for another value.
 */
export function metricsRuntimeLogPolicyConfig(mode: MetricsLogPolicyModeValue = 'normal'): PatternLogEventPolicyConfig {
  return configFor(namesFor(RUNTIME, checkMode(mode, 'mode')));
}

/** Options of {@link metricsLogPolicy}. */
export interface MetricsLogPolicyOptions {
  /** What the recorders log. @default 'normal' */
  recorder?: MetricsLogPolicyModeValue;
  /** What the runtime logs. @default 'normal' */
  runtime?: MetricsLogPolicyModeValue;
}

/**
 * One policy for a context the runtime and its recorders share: the union of both presets.
 *
 * @example
 * ```ts
 * configureLogContext('app.metrics', { policy: metricsLogPolicy({ recorder: 'silent', runtime: 'inspection' }), minLevel: 'DEBUG' });
 * const runtime = new MetricsRuntime({ namespace: 'app', defaults: { logContext: getLogContext('app.metrics') } });
 * ```
 * @throws MvxConfigError (option `recorder` or `runtime`) for an unknown mode.
 */
export function metricsLogPolicy(options: MetricsLogPolicyOptions = {}): PatternLogEventPolicy {
  const recorder = checkMode(options.recorder ?? 'normal', 'recorder');
  const runtime = checkMode(options.runtime ?? 'normal', 'runtime');
  return new PatternLogEventPolicy(configFor([...namesFor(RECORDER, recorder), ...namesFor(RUNTIME, runtime)]));
}
