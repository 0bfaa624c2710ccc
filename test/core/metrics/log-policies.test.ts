import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogContext } from '../../../src/core/logger/context/log-context.ts';
import { MemorySink } from '../../../src/core/logger/sinks/memory-sink.ts';
import { LogPayloadProcessor } from '../../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { MetricsRuntime } from '../../../src/core/metrics/runtime/metrics-runtime.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import {
  metricsLogPolicy,
  metricsRecorderLogPolicyConfig,
  metricsRuntimeLogPolicyConfig,
} from '../../../src/core/metrics/log-policies.ts';
import type { MetricsLogPolicyModeValue } from '../../../src/core/metrics/log-policies.ts';
import { MvxConfigError } from '../../../src/core/errors.ts';
import { configureDiagnostics, resetDiagnostics } from '../../../src/core/diagnostics.ts';

beforeEach(() => {
  resetDiagnostics();
  configureDiagnostics({ stderr: 'off' });
});
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

const RECORDER_NORMAL = ['metrics_recorder.start', 'metrics_recorder.stop', 'metrics_recorder.register_metric', 'metrics_recorder.dispatch_error'];
const RUNTIME_NORMAL = ['metrics_runtime.create_recorder', 'metrics_runtime.stop_recorder', 'metrics_runtime.stop_and_remove_recorder', 'metrics_runtime.shutdown'];

/** Every lifecycle and inspection call of a runtime and its recorders, logged in a namespaced context (`app.metrics`). */
async function run(policy: PatternLogEventPolicy): Promise<string[]> {
  const sink = new MemorySink();
  const root = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'DEBUG' });
  const ctx = root.child('app.metrics');
  ctx.setPolicy(policy);
  const rt = new MetricsRuntime({ namespace: 'app', defaults: { logContext: ctx } });
  const a = rt.createRecorder('a');
  a.registerMetric(new CounterMetric({ name: 'c', eventTypes: ['x'] }));
  a.registerMetric({ name: 'broken', eventTypes: ['x'], handle: () => { throw new Error('boom'); }, snapshot: () => ({ name: 'broken', startTimeMs: 0, timeMs: 0, dimensions: [] }) });
  a.emit({ type: 'x' });
  await a.flush();
  a.snapshots();
  rt.getRecorder('a');
  rt.tryGetRecorder('zz');
  rt.listRecorderIds();
  expect(() => rt.getRecorder('missing')).toThrow();
  rt.createRecorder('b');
  await rt.stopRecorder('a');
  await rt.stopAndRemoveRecorder('b');
  await rt.shutdown();
  // Unrelated events in the same context: denied by every preset (default false).
  ctx.info('other.event');
  return [...new Set(sink.events.map((e) => e.meta.name))];
}

describe('logging-policy presets (silent / normal / inspection)', () => {
  it('silent: default false and no rules; nothing is logged', async () => {
    expect(metricsRecorderLogPolicyConfig('silent')).toEqual({ defaultEnabled: false, rules: [] });
    expect(metricsRuntimeLogPolicyConfig('silent')).toEqual({ defaultEnabled: false, rules: [] });
    expect(await run(metricsLogPolicy({ recorder: 'silent', runtime: 'silent' }))).toEqual([]);
  });

  it('normal (the default): one allow rule on names with the lifecycle events; in a namespaced context', async () => {
    expect(metricsRecorderLogPolicyConfig()).toEqual({ defaultEnabled: false, rules: [{ action: 'allow', names: RECORDER_NORMAL }] });
    expect(metricsRuntimeLogPolicyConfig('normal')).toEqual({ defaultEnabled: false, rules: [{ action: 'allow', names: RUNTIME_NORMAL }] });
    expect((await run(metricsLogPolicy())).sort()).toEqual([...RECORDER_NORMAL, ...RUNTIME_NORMAL].sort());
  });

  it('inspection: normal plus the read-only calls', async () => {
    expect(metricsRecorderLogPolicyConfig('inspection').rules![0]!.names).toEqual([...RECORDER_NORMAL, 'metrics_recorder.snapshots']);
    expect(metricsRuntimeLogPolicyConfig('inspection').rules![0]!.names).toEqual([
      ...RUNTIME_NORMAL,
      'metrics_runtime.get_recorder',
      'metrics_runtime.try_get_recorder',
      'metrics_runtime.list_recorder_ids',
    ]);
    const names = await run(metricsLogPolicy({ recorder: 'inspection', runtime: 'inspection' }));
    expect(names.sort()).toEqual(
      [...RECORDER_NORMAL, 'metrics_recorder.snapshots', ...RUNTIME_NORMAL, 'metrics_runtime.get_recorder', 'metrics_runtime.try_get_recorder', 'metrics_runtime.list_recorder_ids'].sort(),
    );
  });

  it('recorder and runtime presets combine independently', async () => {
    const names = await run(metricsLogPolicy({ recorder: 'silent', runtime: 'inspection' }));
    expect(names.filter((n) => n.startsWith('metrics_recorder.'))).toEqual([]);
    expect(names).toContain('metrics_runtime.list_recorder_ids');
    expect(names).toContain('metrics_runtime.create_recorder');
  });

  it('the configs build pattern policies', () => {
    const p = PatternLogEventPolicy.fromConfig(metricsRuntimeLogPolicyConfig('normal'));
    expect(p.isEnabled({ namespace: 'deep.ns', name: 'metrics_runtime.shutdown' }, 20)).toBe(true);
    expect(p.isEnabled({ namespace: '', name: 'metrics_runtime.get_recorder' }, 10)).toBe(false);
  });

  it('an unknown mode is an MvxConfigError naming the option', () => {
    expect(() => metricsRecorderLogPolicyConfig('loud' as MetricsLogPolicyModeValue)).toThrow(MvxConfigError);
    expect(() => metricsRuntimeLogPolicyConfig(1 as unknown as MetricsLogPolicyModeValue)).toThrow(/option 'mode'/);
    expect(() => metricsLogPolicy({ runtime: 'NORMAL' as MetricsLogPolicyModeValue })).toThrow(/option 'runtime'/);
  });
});
