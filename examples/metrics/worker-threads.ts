/**
 * Four worker threads emit metric events; one recorder in the main thread owns the metrics, so the
 * totals are exact in one place. Run: `npm run example -- metrics/worker-threads`.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { MetricsRuntime, OutcomeCounterMetric, createWorkerMetricsRecorder } from 'mvx-common';
import type { NumberDimension } from 'mvx-common';

const WORKERS = 4;
const EVENTS_PER_WORKER = 25_000;

interface JobEvent {
  readonly type: 'job.done';
  readonly outcome: 'success' | 'failure';
}

if (isMainThread) {
  const runtime = new MetricsRuntime({ namespace: 'examples.workers' });
  const recorder = runtime.createRecorder<JobEvent>('jobs');
  recorder.registerMetric(new OutcomeCounterMetric<JobEvent>({ name: 'jobs', eventTypes: 'job.done', outcomes: ['success', 'failure'] }));
  const exits: Promise<number>[] = [];
  let workerDrops = 0;
  for (let i = 0; i < WORKERS; i++) {
    const worker = new Worker(new URL(import.meta.url), { workerData: { index: i } });
    runtime.connectWorker(worker, 'jobs'); // the worker side uses parentPort
    worker.on('message', (m: { dropped?: number }) => {
      if (m.dropped !== undefined) workerDrops += m.dropped;
    });
    exits.push(new Promise((resolve) => worker.on('exit', resolve)));
  }
  await Promise.all(exits); // each worker awaited its flush: its events are aggregated here
  for (const d of recorder.snapshots()[0]!.dimensions) console.log(`jobs.${d.name} ${(d as NumberDimension).series[0]?.value ?? 0}`);
  console.log(`dropped in workers ${workerDrops}, in the recorder ${recorder.stats().dropped.total}`);
  await runtime.shutdown();
} else {
  const { index } = workerData as { index: number };
  const metrics = createWorkerMetricsRecorder<JobEvent>();
  for (let i = 0; i < EVENTS_PER_WORKER; i++) {
    metrics.emit({ type: 'job.done', outcome: (i + index) % 5 === 0 ? 'failure' : 'success' });
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r)); // a real job would do I/O here
    // Backpressure for a bulk loop: a worker that emits faster than the main thread aggregates
    // would reach `maxPending` (10,000) and drop (counted); waiting now and then avoids it.
    if (i % 5000 === 4999) await metrics.flush();
  }
  await metrics.flush(); // resolves once the main thread has aggregated everything
  parentPort!.postMessage({ dropped: metrics.stats().dropped.total });
}
