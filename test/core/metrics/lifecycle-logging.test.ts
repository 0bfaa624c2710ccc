import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogContext } from '../../../src/core/logger/context/log-context.ts';
import { MemorySink } from '../../../src/core/logger/sinks/memory-sink.ts';
import { LogPayloadProcessor } from '../../../src/core/logger/payload/log-payload-processor.ts';
import { LogLevel } from '../../../src/core/logger/level.ts';
import { MetricsRuntime } from '../../../src/core/metrics/runtime/metrics-runtime.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { MvxConfigError } from '../../../src/core/errors.ts';
import { configureDiagnostics, resetDiagnostics } from '../../../src/core/diagnostics.ts';

beforeEach(() => {
  resetDiagnostics();
  configureDiagnostics({ stderr: 'off' });
});
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

function context(): { sink: MemorySink; ctx: LogContext } {
  const sink = new MemorySink();
  return { sink, ctx: new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), namespace: 'app.metrics' }) };
}

const lines = (sink: MemorySink) => sink.events.map((e) => `${e.meta.name} ${e.outcome ?? ''} ${e.meta.entityId ?? ''}`);

describe('lifecycle logging through a LogContext', () => {
  it('a recorder logs start, register_metric, stop (with its counters) and a dispatch error once', async () => {
    const { sink, ctx } = context();
    const r = new AsyncMetricsRecorder({ id: 'jobs', logContext: ctx });
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    r.registerMetric({ name: 'broken', eventTypes: ['x'], handle: () => { throw new Error('boom'); }, snapshot: () => ({ name: 'broken', startTimeMs: 0, timeMs: 0, dimensions: [] }) });
    r.emit({ type: 'x' });
    r.emit({ type: 'x' });
    await r.stop();
    expect(lines(sink)).toEqual([
      'metrics_recorder.register_metric success jobs',
      'metrics_recorder.register_metric success jobs',
      'metrics_recorder.start success jobs',
      'metrics_recorder.dispatch_error failed jobs',
      'metrics_recorder.stop success jobs',
    ]);
    const err = sink.first({ name: 'metrics_recorder.dispatch_error' })!;
    expect(err.level).toBe(LogLevel.ERROR);
    expect(err.payload).toMatchObject({ kind: 'metric', metric: 'broken', eventType: 'x' });
    expect(sink.first({ name: 'metrics_recorder.stop' })!.payload).toMatchObject({ accepted: 2, dispatched: 2, failed: 2, dropped: 0 });
  });

  it('without a log context nothing is logged, and a non-context is refused', () => {
    expect(() => new AsyncMetricsRecorder({ logContext: {} as never })).toThrow(MvxConfigError);
  });

  it('the runtime logs its own lifecycle with the namespace as entity id, and passes the context to its recorders', async () => {
    const { sink, ctx } = context();
    const rt = new MetricsRuntime({ namespace: 'app', defaults: { logContext: ctx } });
    rt.createRecorder('a');
    rt.createRecorder('b');
    await rt.stopRecorder('a');
    await rt.stopAndRemoveRecorder('b');
    await rt.shutdown();
    expect(lines(sink)).toEqual([
      'metrics_runtime.create_recorder success app',
      'metrics_recorder.start success a',
      'metrics_runtime.create_recorder success app',
      'metrics_recorder.start success b',
      'metrics_recorder.stop success a',
      'metrics_runtime.stop_recorder success app',
      'metrics_recorder.stop success b',
      'metrics_runtime.stop_and_remove_recorder success app',
      'metrics_runtime.shutdown success app',
    ]);
    expect(sink.first({ name: 'metrics_runtime.create_recorder' })!.payload).toMatchObject({ recorderId: 'a', maxQueueSize: 10000, overflowPolicy: 'drop-newest' });
  });
});
