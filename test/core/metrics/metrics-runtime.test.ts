import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsRuntime } from '../../../src/core/metrics/runtime/metrics-runtime.ts';
import { MetricsRuntimeError } from '../../../src/core/metrics/runtime/metrics-runtime-error.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import type { AsyncMetricsRecorderOptions } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import type { NumberDimension } from '../../../src/core/metrics/types.ts';
import { MvxConfigError, MvxError, MvxErrorCode, isMvxError } from '../../../src/core/errors.ts';
import { configureDiagnostics, resetDiagnostics } from '../../../src/core/diagnostics.ts';

beforeEach(() => {
  resetDiagnostics();
  configureDiagnostics({ stderr: 'off' });
});
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('MetricsRuntime', () => {
  it('creates running recorders with runtime defaults, overridable per recorder', () => {
    const rt = new MetricsRuntime({ namespace: 'app', defaults: { maxQueueSize: 100, overflowPolicy: 'drop-oldest' } });
    expect(rt.state).toBe('running');
    const a = rt.createRecorder('a');
    const b = rt.createRecorder('b', { maxQueueSize: 7 });
    expect(a.state).toBe('running');
    expect([a.maxQueueSize, a.overflowPolicy]).toEqual([100, 'drop-oldest']);
    expect([b.maxQueueSize, b.overflowPolicy]).toEqual([7, 'drop-oldest']);
    expect(a.id).toBe('a');
  });

  it('validates namespace, defaults and ids, naming the option', () => {
    expect(() => new MetricsRuntime({ namespace: ' ' })).toThrow(/'namespace'/);
    expect(() => new MetricsRuntime({ defaults: { maxQueueSize: -1 } })).toThrow(/'defaults.maxQueueSize'/);
    const rt = new MetricsRuntime();
    expect(() => rt.createRecorder('  ')).toThrow(MvxConfigError);
    expect(() => rt.createRecorder(3 as never)).toThrow(/'recorderId'/);
    expect(() => rt.getRecorder('')).toThrow(MvxConfigError);
  });

  it('normalises ids and refuses duplicates (also after trimming) with MVX_ALREADY_EXISTS', () => {
    const rt = new MetricsRuntime();
    const r = rt.createRecorder('  storage ');
    expect(rt.getRecorder('storage')).toBe(r);
    const e = caught(() => rt.createRecorder('storage  '));
    expect(e).toBeInstanceOf(MetricsRuntimeError);
    expect(e).toBeInstanceOf(MvxError);
    expect(e).toMatchObject({ code: MvxErrorCode.ALREADY_EXISTS, recorderId: 'storage' });
    expect(rt.listRecorderIds()).toEqual(['storage']);
  });

  it('get/tryGet/list: NOT_FOUND for a missing id, undefined from tryGet, creation order', () => {
    const rt = new MetricsRuntime();
    for (const id of ['c', 'a', 'b']) rt.createRecorder(id);
    expect(rt.listRecorderIds()).toEqual(['c', 'a', 'b']);
    expect(rt.tryGetRecorder('zzz')).toBeUndefined();
    expect(rt.tryGetRecorder(' a ')).toBe(rt.getRecorder('a'));
    expect(isMvxError(caught(() => rt.getRecorder('zzz')), MvxErrorCode.NOT_FOUND)).toBe(true);
  });

  it('stopRecorder stops (flushing) and keeps the recorder; repeated stop is a no-op; unknown id → NOT_FOUND', async () => {
    const rt = new MetricsRuntime();
    const r = rt.createRecorder('s');
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    r.emit({ type: 'x' });
    await rt.stopRecorder('s');
    expect(r.state).toBe('stopped');
    expect((r.snapshots()[0]!.dimensions[0] as NumberDimension).series[0]!.value).toBe(1);
    await rt.stopRecorder('s');
    expect(rt.listRecorderIds()).toEqual(['s']);
    expect(await rejection(rt.stopRecorder('nope'))).toMatchObject({ code: MvxErrorCode.NOT_FOUND, recorderId: 'nope' });
  });

  it('stopAndRemoveRecorder removes at once: of concurrent removals exactly one wins, the others get NOT_FOUND', async () => {
    const rt = new MetricsRuntime();
    const r = rt.createRecorder('x');
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => rt.stopAndRemoveRecorder('x')));
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((x) => x.status === 'fulfilled') as PromiseFulfilledResult<unknown>).value).toBe(r);
    for (const x of results.filter((y) => y.status === 'rejected')) {
      expect((x as PromiseRejectedResult).reason).toMatchObject({ code: MvxErrorCode.NOT_FOUND });
    }
    expect(r.state).toBe('stopped');
    expect(rt.listRecorderIds()).toEqual([]);
    // The id is free again.
    expect(rt.createRecorder('x')).not.toBe(r);
  });

  it('a recorder that fails to stop is removed anyway and reported as MVX_SHUTDOWN with its cause', async () => {
    const rt = new MetricsRuntime();
    const r = rt.createRecorder('bad');
    r.stop = () => Promise.reject(new Error('stuck'));
    const e = await rejection(rt.stopAndRemoveRecorder('bad'));
    expect(e).toMatchObject({ code: MvxErrorCode.SHUTDOWN, recorderId: 'bad' });
    expect((e as Error).cause).toBeInstanceOf(Error);
    expect(rt.listRecorderIds()).toEqual([]);
  });

  it('shutdown stops and removes every recorder (flushing them), is idempotent, and closes the runtime', async () => {
    const rt = new MetricsRuntime();
    const a = rt.createRecorder('a');
    const b = rt.createRecorder('b');
    await rt.stopRecorder('b');
    a.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    a.emit({ type: 'x' });
    const p1 = rt.shutdown();
    expect(rt.shutdown()).toBe(p1);
    await p1;
    expect(rt.state).toBe('closed');
    expect([a.state, b.state]).toEqual(['stopped', 'stopped']);
    expect((a.snapshots()[0]!.dimensions[0] as NumberDimension).series[0]!.value).toBe(1);
    expect(rt.listRecorderIds()).toEqual([]);
    expect(caught(() => rt.createRecorder('z'))).toMatchObject({ code: MvxErrorCode.INVALID_STATE });
    expect(await rejection(rt.start())).toMatchObject({ code: MvxErrorCode.INVALID_STATE });
  });

  it('shutdown resolves with the recorders\' reports added up (events)', async () => {
    const rt = new MetricsRuntime();
    const a = rt.createRecorder('a');
    const b = rt.createRecorder('b');
    a.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    for (let i = 0; i < 3; i++) a.emit({ type: 'x' });
    b.emit({ type: 'y' });
    expect(await rt.shutdown()).toEqual({ accepted: 4, delivered: 4, dropped: 0, failed: 0, pending: 0, timedOut: false });
  });

  it('shutdown goes on after one recorder fails and lists the failed ids', async () => {
    const rt = new MetricsRuntime();
    const ok = rt.createRecorder('ok');
    const bad = rt.createRecorder('bad');
    bad.stop = () => Promise.reject(new Error('nope'));
    const e = await rejection(rt.shutdown());
    expect(e).toMatchObject({ code: MvxErrorCode.SHUTDOWN, details: { failedRecorderIds: ['bad'] } });
    expect((e as MetricsRuntimeError).details.recorderErrors).toEqual({ bad: { errorType: 'Error', errorMessage: 'nope' } });
    expect(ok.state).toBe('stopped');
    expect(rt.state).toBe('closed');
  });

  it('shutdown is bounded by timeoutMs when a recorder never stops', async () => {
    const rt = new MetricsRuntime();
    const hung = rt.createRecorder('hung');
    hung.stop = () => new Promise<void>(() => {});
    const e = await rejection(rt.shutdown({ timeoutMs: 30 }));
    expect(e).toMatchObject({ code: MvxErrorCode.SHUTDOWN, details: { failedRecorderIds: ['hung'] } });
    expect(rt.state).toBe('closed');
  });

  it('builds custom recorders through a factory (per call or as a default) with the merged options', () => {
    class Custom extends AsyncMetricsRecorder {
      readonly seen: AsyncMetricsRecorderOptions;
      constructor(o: AsyncMetricsRecorderOptions) {
        super(o);
        this.seen = o;
      }
    }
    const rt = new MetricsRuntime({ defaults: { maxQueueSize: 5, factory: (o) => new Custom(o) } });
    const a = rt.createRecorder('a', { overflowPolicy: 'drop-oldest' });
    expect(a).toBeInstanceOf(Custom);
    expect((a as Custom).seen).toEqual({ maxQueueSize: 5, overflowPolicy: 'drop-oldest', id: 'a' });
    expect(a.state).toBe('running');
    const b = rt.createRecorder('b', { factory: (o) => new AsyncMetricsRecorder(o) });
    expect(b).not.toBeInstanceOf(Custom);
  });

  it('a failing factory gives MVX_STARTUP with its cause and registers nothing', () => {
    const rt = new MetricsRuntime();
    const e = caught(() => rt.createRecorder('x', { factory: () => { throw new Error('no'); } }));
    expect(e).toMatchObject({ code: MvxErrorCode.STARTUP, recorderId: 'x' });
    expect((e as Error).cause).toBeInstanceOf(Error);
    expect(caught(() => rt.createRecorder('y', { factory: () => ({}) as never }))).toMatchObject({ code: MvxErrorCode.STARTUP });
    expect(rt.listRecorderIds()).toEqual([]);
    expect(() => rt.createRecorder('x')).not.toThrow();
    expect(() => new MetricsRuntime({ defaults: { factory: 3 as never } })).toThrow(/'defaults.factory'/);
  });
});
