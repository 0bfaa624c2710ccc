/**
 * A node:cluster service with ONE Prometheus endpoint and ONE log stream for all its workers.
 * Run: `npm run example -- cluster`.
 *
 * Three workers count jobs and log. The second is killed with SIGKILL halfway (after its counts
 * reached the primary) and replaced. The primary serves `/metrics` on 127.0.0.1 (a free port) for
 * the whole group, its own metrics included, and writes every worker's log events through its own
 * sink, with its own level: the workers' DEBUG events are filtered in the workers, never sent.
 */
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import {
  AsyncMetricsRecorder,
  CounterMetric,
  LogHub,
  LogLevel,
  MemorySink,
  configureLogContext,
  connectLogHub,
  createClusterMetricsAggregator,
  createClusterMetricsReporter,
  getLogContext,
} from 'mvx-common';
import { createPrometheusBridge, startMetricsServer } from 'mvx-common/prometheus';
import { Registry } from 'prom-client';

const JOBS = 200;

if (cluster.isPrimary) {
  // The primary: one aggregate of every worker's metrics, one hub for their logs.
  const own = new AsyncMetricsRecorder<{ type: 'restart' }>(); // the primary's own metrics
  own.registerMetric(new CounterMetric({ name: 'service.restarts', eventTypes: 'restart' }));
  const metrics = createClusterMetricsAggregator({ local: own });
  metrics.attachCluster(cluster); // every worker, those forked later included
  const registry = new Registry();
  createPrometheusBridge(metrics, { registry }); // the aggregate is a source like any recorder
  const server = await startMetricsServer({ registry, port: 0 });

  const sink = new MemorySink(); // a FileSink or an OtelLogSink in a real service
  configureLogContext('', { sink, minLevel: LogLevel.INFO });
  const logs = new LogHub();
  logs.attachCluster(cluster);

  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url) });
  let running = 0;
  const ended = new Promise<void>((resolve) => {
    const fork = (victim: boolean): void => {
      running++;
      const worker = cluster.fork({ VICTIM: victim ? '1' : '' });
      worker.on('message', (m: { app?: string }) => {
        if (m.app !== 'kill-me') return;
        worker.process.kill('SIGKILL'); // a crash: no code runs in the worker
        own.emit({ type: 'restart' });
        fork(false);
      });
      worker.on('exit', () => {
        if (--running === 0) resolve();
      });
    };
    for (let i = 0; i < 3; i++) fork(i === 1);
  });
  await ended;

  const scrape = await (await fetch(server.url)).text(); // what Prometheus would scrape
  for (const line of scrape.split('\n')) if (/^(jobs|service|mvx_cluster_workers)_/.test(line)) console.log(line);
  const byName = new Map<string, number>();
  for (const e of sink.events) byName.set(e.meta.name, (byName.get(e.meta.name) ?? 0) + 1);
  console.log(`log events: ${[...byName].sort().map(([n, c]) => `${n} x${c}`).join(', ')}`);
  const hub = await logs.shutdown();
  console.log(`log hub: accepted=${hub.accepted} delivered=${hub.delivered} dropped=${hub.dropped} failed=${hub.failed}`);
  await server.close();
} else {
  // A worker: its own recorder and contexts, reported and bridged to the primary.
  const recorder = new AsyncMetricsRecorder<{ type: 'job.done'; kind: string }>();
  recorder.registerMetric(new CounterMetric({ name: 'jobs.done', eventTypes: 'job.done', attributes: ['kind'] }));
  const reporter = createClusterMetricsReporter(recorder); // pushes changes, answers the primary's collections
  const logging = connectLogHub(); // this process's contexts now log through the primary
  await logging.ready(); // the primary's levels hold from the first event
  const log = getLogContext('service.worker');
  log.info('worker.started', { pid: process.pid });
  const victim = process.env.VICTIM === '1';
  for (let i = 0; i < JOBS; i++) {
    recorder.emit({ type: 'job.done', kind: i % 2 === 0 ? 'a' : 'b' });
    log.debug('job.done', { i }); // DEBUG: off in the primary, so decided off here, for nothing
    if (victim && i === JOBS / 2 - 1) {
      await reporter.flush(); // its 100 jobs are in the primary now
      log.info('worker.waiting');
      await logging.flush();
      process.send!({ app: 'kill-me' });
      await new Promise(() => undefined); // killed here
    }
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  log.info('worker.finished', { jobs: JOBS });
  await Promise.all([reporter.shutdown(), logging.shutdown()]); // nothing lost on a controlled exit
  process.exit(0);
}
