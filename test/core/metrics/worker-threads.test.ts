import { MessageChannel, Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsRuntime } from '../../../src/core/metrics/runtime/metrics-runtime.ts';
import { OutcomeCounterMetric } from '../../../src/core/metrics/instruments/outcome-counter-metric.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import type { NumberDimension } from '../../../src/core/metrics/types.ts';
import { createWorkerMetricsRecorder } from '../../../src/core/metrics/worker/worker-metrics-recorder.ts';
import type { WorkerMetricsRecorderStats } from '../../../src/core/metrics/worker/worker-metrics-recorder.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { MvxConfigError, MvxErrorCode } from '../../../src/core/errors.ts';
import { configureDiagnostics, resetDiagnostics } from '../../../src/core/diagnostics.ts';

beforeEach(() => {
  resetDiagnostics();
  configureDiagnostics({ stderr: 'off' });
});
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

const script = join(import.meta.dirname, 'fixtures', 'emit-worker.ts');

function run(worker: Worker): Promise<WorkerMetricsRecorderStats> {
  return new Promise((resolve, reject) => {
    let stats: WorkerMetricsRecorderStats | undefined;
    worker.on('message', (m: { done?: boolean; stats?: WorkerMetricsRecorderStats }) => {
      if (m.done === true) stats = m.stats;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 && stats ? resolve(stats) : reject(new Error(`worker exited with ${code}`))));
  });
}

function dim(snapshot: { dimensions: readonly unknown[] }, name: string): NumberDimension {
  return snapshot.dimensions.find((d) => (d as NumberDimension).name === name) as NumberDimension;
}

describe('worker threads', () => {
  it('four workers emitting 50,000 events each concurrently give exact totals in the owning recorder', async () => {
    const rt = new MetricsRuntime({ namespace: 'test' });
    const recorder = rt.createRecorder('jobs');
    recorder.registerMetric(new OutcomeCounterMetric({ name: 'jobs', eventTypes: 'job.done', outcomes: ['success', 'failure'] }));
    recorder.registerMetric(new CounterMetric({ name: 'jobs.by_worker', eventTypes: 'job.done', attributes: ['worker'] }));
    const perWorker = 50_000;
    const workers = [0, 1, 2, 3].map((workerIndex) => new Worker(script, { workerData: { count: perWorker, workerIndex } }));
    for (const w of workers) rt.connectWorker(w, 'jobs');
    const stats = await Promise.all(workers.map(run));
    for (const s of stats) expect(s).toMatchObject({ accepted: perWorker, acknowledged: perWorker, pending: 0, dropped: { total: 0 } });

    const [jobs, byWorker] = recorder.snapshots();
    expect(dim(jobs!, 'total').series[0]!.value).toBe(4 * perWorker);
    expect(dim(jobs!, 'failure_total').series[0]!.value).toBe(4 * perWorker / 10);
    expect(dim(jobs!, 'success_total').series[0]!.value).toBe(4 * perWorker * 0.9);
    expect(dim(byWorker!, '').series.map((s) => [s.attributes.worker, s.value]).sort()).toEqual([
      [0, perWorker],
      [1, perWorker],
      [2, perWorker],
      [3, perWorker],
    ]);
    expect(recorder.stats()).toMatchObject({ accepted: 4 * perWorker, dispatched: 4 * perWorker, dropped: { total: 0 } });
    await rt.shutdown();
  }, 60_000);

  it('uncloneable events are dropped and counted in the worker; the rest of their batch arrives', async () => {
    const rt = new MetricsRuntime();
    const recorder = rt.createRecorder('jobs');
    recorder.registerMetric(new CounterMetric({ name: 'jobs', eventTypes: 'job.done' }));
    // stderr: true keeps the worker's stderr here instead of piping it into this process's.
    const w = new Worker(script, { workerData: { count: 10, workerIndex: 0, uncloneable: 3 }, stderr: true });
    let stderr = '';
    w.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const detach = rt.connectWorker(w, 'jobs');
    const s = await run(w);
    expect(s).toMatchObject({ accepted: 10, acknowledged: 10, dropped: { uncloneable: 3, total: 3 } });
    // The worker reports the first drop on its stderr; the same code is then summarised, not repeated,
    // and the summary is printed when the worker exits (no report is left pending at exit).
    await new Promise<void>((resolve) => (w.stderr.readableEnded ? resolve() : w.stderr.once('end', () => resolve())));
    expect(stderr.trim().split('\n')).toEqual([
      "[mvx-common] WorkerMetricsRecorder event.uncloneable: event 'job.done' cannot be structured-cloned to the owning thread; dropped | DataCloneError: () => 1 could not be cloned.",
      "[mvx-common] WorkerMetricsRecorder event.uncloneable: 2 more since the last report | last: event 'job.done' cannot be structured-cloned to the owning thread; dropped | DataCloneError: () => 1 could not be cloned.",
    ]);
    expect(dim(recorder.snapshots()[0]!, '').series[0]!.value).toBe(10);
    detach();
    await rt.shutdown();
  }, 30_000);
});

describe('worker bridge over a MessageChannel (both ends in this thread)', () => {
  it('flush() resolves once the owner aggregated; batches are split at maxBatchSize; foreign messages are ignored', async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = new AsyncMetricsRecorder();
    owner.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    owner.attachPort(port1);
    const handle = createWorkerMetricsRecorder(port2, { maxBatchSize: 7 });
    port2.postMessage({ unrelated: true });
    port1.postMessage('also unrelated');
    for (let i = 0; i < 100; i++) handle.emit({ type: 'x' });
    await handle.flush({ timeoutMs: 5000 });
    expect(dim(owner.snapshots()[0]!, '').series[0]!.value).toBe(100);
    expect(handle.stats()).toMatchObject({ accepted: 100, acknowledged: 100, pending: 0 });
    await owner.stop();
    port1.close();
  });

  it('while the owner is stopped, worker events are acknowledged and counted as dropped; after start() they flow again', async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = new AsyncMetricsRecorder();
    owner.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    owner.attachPort(port1);
    const handle = createWorkerMetricsRecorder(port2);
    handle.emit({ type: 'x' });
    await handle.flush({ timeoutMs: 5000 });
    await owner.stop();
    handle.emit({ type: 'x' });
    handle.emit({ type: 'x' });
    await handle.flush({ timeoutMs: 5000 });
    expect(owner.stats().dropped.stopped).toBe(2);
    await owner.start();
    handle.emit({ type: 'x' });
    await handle.flush({ timeoutMs: 5000 });
    expect(dim(owner.snapshots()[0]!, '').series[0]!.value).toBe(2);
    expect(handle.stats()).toMatchObject({ accepted: 4, acknowledged: 4, pending: 0 });
    await owner.stop();
    port1.close();
  });

  it('detach() tells the worker side: its pending flushes resolve and later events are counted as closed', async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = new AsyncMetricsRecorder();
    owner.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    const detach = owner.attachPort(port1);
    const handle = createWorkerMetricsRecorder(port2);
    handle.emit({ type: 'x' });
    await handle.flush({ timeoutMs: 5000 });
    detach();
    await handle.flush({ timeoutMs: 5000 }); // answered by the 'closed' notice
    handle.emit({ type: 'x' });
    expect(handle.stats().dropped.closed).toBe(1);
    expect(dim(owner.snapshots()[0]!, '').series[0]!.value).toBe(1);
    port1.close();
  });

  it('two handles on one port (two modules of a worker on parentPort) do not take each other\'s acknowledgements', async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = new AsyncMetricsRecorder();
    owner.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    owner.attachPort(port1);
    const a = createWorkerMetricsRecorder(port2);
    const b = createWorkerMetricsRecorder(port2);
    for (let i = 0; i < 5; i++) a.emit({ type: 'x' });
    for (let i = 0; i < 3; i++) b.emit({ type: 'x' });
    await Promise.all([a.flush({ timeoutMs: 5000 }), b.flush({ timeoutMs: 5000 })]);
    expect(dim(owner.snapshots()[0]!, '').series[0]!.value).toBe(8);
    expect(a.stats()).toMatchObject({ accepted: 5, acknowledged: 5, pending: 0 });
    expect(b.stats()).toMatchObject({ accepted: 3, acknowledged: 3, pending: 0 });
    await owner.stop();
    port1.close();
  });

  it('a batch posted after the owner detached is counted as closed, not left pending forever', async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = new AsyncMetricsRecorder();
    owner.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    const detach = owner.attachPort(port1);
    const handle = createWorkerMetricsRecorder(port2);
    handle.emit({ type: 'x' });
    await handle.flush({ timeoutMs: 5000 });
    // Emitted while attached; the batch leaves at the end of this task, after the detach below.
    handle.emit({ type: 'x' });
    handle.emit({ type: 'x' });
    detach();
    await handle.flush({ timeoutMs: 5000 }); // answered by the 'closed' notice
    expect(dim(owner.snapshots()[0]!, '').series[0]!.value).toBe(1);
    const s = handle.stats();
    expect(s).toMatchObject({ acknowledged: 1, pending: 0, dropped: { closed: 2 } });
    expect(s.accepted).toBe(s.acknowledged + s.pending);
    port1.close();
  });

  it('flush() is bounded when nobody answers, and maxPending bounds what is outstanding', async () => {
    const { port1, port2 } = new MessageChannel();
    const handle = createWorkerMetricsRecorder(port2, { maxPending: 10 });
    for (let i = 0; i < 25; i++) handle.emit({ type: 'x' });
    expect(handle.stats()).toMatchObject({ accepted: 10, dropped: { overflow: 15 } });
    await expect(handle.flush({ timeoutMs: 20 })).rejects.toMatchObject({ code: MvxErrorCode.TIMEOUT });
    port1.close();
  });

  it('shutdown() never rejects: a flush nobody acknowledges resolves with timedOut, and later events are counted as closed', async () => {
    const { port1, port2 } = new MessageChannel();
    const handle = createWorkerMetricsRecorder(port2, { maxPending: 10 });
    for (let i = 0; i < 12; i++) handle.emit({ type: 'x' });
    const first = handle.shutdown({ timeoutMs: 20 });
    expect(handle.shutdown()).toBe(first);
    const report = await first;
    expect(report).toMatchObject({ timedOut: true, delivered: 0 });
    expect(report.accepted).toBe(report.delivered + report.dropped + report.failed + report.pending);
    handle.emit({ type: 'x' });
    expect(handle.stats().dropped.closed).toBeGreaterThanOrEqual(1);
    port1.close();
  });

  it('close() (the deprecated name of shutdown) still flushes, then counts later events as closed; it rejects like flush()', async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = new AsyncMetricsRecorder();
    owner.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    const detach = owner.attachPort(port1);
    const handle = createWorkerMetricsRecorder(port2);
    handle.emit({ type: 'x' });
    await handle.close({ timeoutMs: 5000 });
    expect(dim(owner.snapshots()[0]!, '').series[0]!.value).toBe(1);
    handle.emit({ type: 'x' });
    expect(handle.stats().dropped.closed).toBe(1);
    detach();
    port1.close();
    await owner.stop();
  });

  it('refuses to start without a port outside a worker', () => {
    expect(() => createWorkerMetricsRecorder()).toThrow(MvxConfigError);
  });

  it('runtime shutdown detaches connected workers: their handles count later events as closed', async () => {
    const { port1, port2 } = new MessageChannel();
    const rt = new MetricsRuntime();
    const owner = rt.createRecorder('jobs');
    owner.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    rt.connectWorker(port1, 'jobs');
    const handle = createWorkerMetricsRecorder(port2);
    handle.emit({ type: 'x' });
    await handle.flush({ timeoutMs: 5000 });
    await rt.shutdown();
    await handle.flush({ timeoutMs: 5000 });
    handle.emit({ type: 'x' });
    expect(handle.stats().dropped.closed).toBe(1);
    expect(dim(owner.snapshots()[0]!, '').series[0]!.value).toBe(1);
    port1.close();
  });
});
