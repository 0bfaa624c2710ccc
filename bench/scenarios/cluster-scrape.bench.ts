/**
 * Cluster scrape, issue 17 target: a node:cluster of 4 workers × 1,000 series (10 counters × 100
 * label values each), scraped in the primary.
 * - mvx-common: each worker's AsyncMetricsRecorder reported by a ClusterMetricsReporter (default
 *   1 s push, plus a collection before each scrape); the primary's ClusterMetricsAggregator read
 *   by the Prometheus bridge: `await registry.metrics()`.
 * - prom-client: each worker's Counters in the global registry; the primary's
 *   `await new AggregatorRegistry().clusterMetrics()`.
 * Between two scrapes every worker increments every one of its series (the worst case for the
 * changed-series protocol) or, in a second case, 10 % of them. Measured per scrape: wall time in
 * the primary (median of 40, after 5 warm-ups: on a shared 2-core VM the mean is ruled by
 * scheduling spikes), CPU time of the primary and of all processes together (process.cpuUsage,
 * load-independent), and bytes moved over IPC in both directions by the library (JSON as Node's
 * IPC sends it, one newline per message; the bench's own tick messages are not counted, the
 * periodic pushes of mvx-common between scrapes are).
 * Targets: at most 0.5x prom-client for time and bytes.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import promClient from 'prom-client';
import { createPrometheusBridge } from '../../src/adapters/prometheus/index.ts';
import { configureDiagnostics } from '../../src/core/diagnostics.ts';
import { ClusterMetricsAggregator } from '../../src/core/metrics/cluster/cluster-metrics-aggregator.ts';
import { createClusterMetricsReporter } from '../../src/core/metrics/cluster/cluster-metrics-reporter.ts';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { emitComparison, emitRow } from '../harness.ts';

const SCENARIO = 'cluster-scrape';
const WORKERS = 4;
const METRICS = 10;
const LABELS = 100;
const WARMUP = 5;
const SCRAPES = 40;

type Lib = 'mvx' | 'prom';
interface Tick {
  bench: 'tick';
  /** Fraction of the series to increment. */
  share: number;
}

configureDiagnostics({ stderr: 'off' });

/** Bytes of one IPC message as Node sends it (JSON, then a newline), when it is the library's. */
function libraryBytes(message: unknown): number {
  const m = message as { bench?: unknown };
  return m !== null && typeof m === 'object' && m.bench === undefined ? JSON.stringify(message).length + 1 : 0;
}

if (cluster.isWorker) {
  const lib = process.env.LIB as Lib;
  let bytes = 0;
  const send = process.send!.bind(process);
  process.send = ((message: unknown, ...rest: unknown[]) => {
    bytes += libraryBytes(message);
    return (send as (...a: unknown[]) => boolean)(message, ...rest);
  }) as typeof process.send;
  let inc: (m: number, l: number) => void;
  let flush: () => Promise<unknown> = () => Promise.resolve();
  if (lib === 'prom') {
    new promClient.AggregatorRegistry(); // installs the worker's listener (prom-client #501)
    const counters = Array.from({ length: METRICS }, (_, m) => new promClient.Counter({ name: `bench_requests_${m}_total`, help: `requests ${m}`, labelNames: ['route'] }));
    inc = (m, l) => counters[m]!.inc({ route: `/r${l}` });
  } else {
    const recorder = new AsyncMetricsRecorder<{ type: string; route: string }>();
    for (let m = 0; m < METRICS; m++) recorder.registerMetric(new CounterMetric({ name: `bench.requests.${m}`, description: `requests ${m}`, eventTypes: `e${m}`, attributes: ['route'] }));
    createClusterMetricsReporter(recorder);
    inc = (m, l) => recorder.emit({ type: `e${m}`, route: `/r${l}` });
    flush = () => recorder.flush();
  }
  let round = 0;
  let tickCpuUs = 0;
  process.on('message', (msg: Tick | { bench: 'bytes' }) => {
    if (msg.bench === 'tick') {
      const c0 = process.cpuUsage();
      const every = Math.round(1 / msg.share);
      for (let m = 0; m < METRICS; m++) for (let l = 0; l < LABELS; l++) if ((m * LABELS + l + round) % every === 0) inc(m, l);
      round++;
      void flush().then(() => {
        const c = process.cpuUsage(c0);
        tickCpuUs += c.user + c.system; // the bench's own work, not the library's scrape work
        send({ bench: 'ticked' });
      });
    } else if (msg.bench === 'bytes') {
      const cpu = process.cpuUsage();
      send({ bench: 'bytes', bytes, cpuUs: cpu.user + cpu.system - tickCpuUs });
    }
  });
  send({ bench: 'ready' });
} else {
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), silent: false });

  const once = <T>(w: Worker, kind: string): Promise<T> =>
    new Promise((resolve) => {
      const on = (m: { bench?: string }): void => {
        if (m?.bench === kind) {
          w.off('message', on);
          resolve(m as T);
        }
      };
      w.on('message', on);
    });

  interface Result {
    /** Median wall time of a scrape, ns. */
    ns: number;
    bytesPerScrape: number;
    /** CPU of the primary per scrape, ns. */
    primaryCpuNs: number;
    /** CPU of the primary and the workers per scrape (the bench's ticks left out), ns. */
    totalCpuNs: number;
    size: number;
  }

  async function run(lib: Lib, share: number): Promise<Result> {
    let primaryBytes = 0;
    const aggregator = lib === 'mvx' ? new ClusterMetricsAggregator() : undefined;
    const prom = lib === 'prom' ? new promClient.AggregatorRegistry() : undefined;
    const registry = new promClient.Registry();
    const workers: Worker[] = [];
    const ready: Promise<unknown>[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const w = cluster.fork({ LIB: lib });
      const send = w.send.bind(w);
      w.send = ((message: unknown, ...rest: unknown[]) => {
        primaryBytes += libraryBytes(message);
        return (send as (...a: unknown[]) => boolean)(message, ...rest);
      }) as typeof w.send;
      aggregator?.attach(w);
      ready.push(once(w, 'ready'));
      workers.push(w);
    }
    await Promise.all(ready);
    const tick = async (): Promise<void> => {
      await Promise.all(workers.map((w) => {
        const done = once(w, 'ticked');
        w.send({ bench: 'tick', share });
        return done;
      }));
    };
    await tick(); // every series exists before the first scrape
    if (aggregator !== undefined) {
      await aggregator.flush();
      createPrometheusBridge(aggregator, { registry });
    }
    const scrape = (): Promise<string> => (aggregator !== undefined ? registry.metrics() : prom!.clusterMetrics());
    let size = 0;
    for (let i = 0; i < WARMUP; i++) {
      await tick();
      size = (await scrape()).length;
    }
    const usage = async (): Promise<{ bytes: number; workerCpuUs: number }> => {
      const counts = await Promise.all(
        workers.map((w) => {
          const p = once<{ bytes: number; cpuUs: number }>(w, 'bytes');
          w.send({ bench: 'bytes' });
          return p;
        }),
      );
      return { bytes: counts.reduce((a, c) => a + c.bytes, primaryBytes), workerCpuUs: counts.reduce((a, c) => a + c.cpuUs, 0) };
    };
    const before = await usage();
    const times: number[] = [];
    let primaryCpuUs = 0;
    for (let i = 0; i < SCRAPES; i++) {
      await tick();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const text = await scrape();
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      primaryCpuUs += c.user + c.system;
      if (!text.includes('bench_requests_9_total{route="/r99"}')) throw new Error(`${lib}: scrape lacks a series`);
    }
    const after = await usage();
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((r) => {
            w.once('exit', r);
            w.kill();
          }),
      ),
    );
    times.sort((a, b) => a - b);
    return {
      ns: times[Math.floor(times.length / 2)]! * 1e6,
      bytesPerScrape: (after.bytes - before.bytes) / SCRAPES,
      primaryCpuNs: (primaryCpuUs / SCRAPES) * 1e3,
      totalCpuNs: ((primaryCpuUs + after.workerCpuUs - before.workerCpuUs) / SCRAPES) * 1e3,
      size,
    };
  }

  for (const share of [1, 0.1]) {
    const label = share === 1 ? 'every series changed between scrapes' : '10 % of series changed between scrapes';
    const peer = await run('prom', share);
    const mvx = await run('mvx', share);
    const target = share === 1;
    const caseTime = `scrape time, ${WORKERS} workers x 1,000 series, ${label}`;
    const caseBytes = `IPC bytes per scrape, ${WORKERS} workers x 1,000 series, ${label}`;
    const cpuCase = (what: string): string => `${what} per scrape, ${WORKERS} workers x 1,000 series, ${label}`;
    for (const [what, key] of [['primary CPU', 'primaryCpuNs'], ['CPU of all processes', 'totalCpuNs']] as const) {
      emitRow({ scenario: SCENARIO, case: `${cpuCase(what)} (mvx-common)`, subject: 'mvx-common', mode: 'once', value: mvx[key] });
      emitRow({ scenario: SCENARIO, case: `${cpuCase(what)} (prom-client)`, subject: 'prom-client', mode: 'once', value: peer[key] });
    }
    if (target) {
      emitComparison({
        scenario: SCENARIO,
        case: caseTime,
        mvx: { scenario: SCENARIO, case: `${caseTime} (ClusterMetricsAggregator + Prometheus bridge)`, subject: 'mvx-common', mode: 'once', value: mvx.ns },
        peer: { scenario: SCENARIO, case: `${caseTime} (AggregatorRegistry.clusterMetrics())`, subject: 'prom-client', mode: 'once', value: peer.ns },
        maxRatio: 0.5,
        target: 'at most 0.5x prom-client AggregatorRegistry.clusterMetrics() (issue 17)',
      });
      emitComparison({
        scenario: SCENARIO,
        case: caseBytes,
        mvx: { scenario: SCENARIO, case: caseBytes, subject: 'mvx-common', mode: 'count', value: Math.round(mvx.bytesPerScrape) },
        peer: { scenario: SCENARIO, case: caseBytes, subject: 'prom-client', mode: 'count', value: Math.round(peer.bytesPerScrape) },
        maxRatio: 0.5,
        target: 'at most 0.5x prom-client AggregatorRegistry.clusterMetrics() (issue 17)',
      });
    } else {
      emitRow({ scenario: SCENARIO, case: `${caseTime} (mvx-common)`, subject: 'mvx-common', mode: 'once', value: mvx.ns });
      emitRow({ scenario: SCENARIO, case: `${caseTime} (prom-client)`, subject: 'prom-client', mode: 'once', value: peer.ns });
      emitRow({ scenario: SCENARIO, case: `${caseBytes} (mvx-common)`, subject: 'mvx-common', mode: 'count', value: Math.round(mvx.bytesPerScrape) });
      emitRow({ scenario: SCENARIO, case: `${caseBytes} (prom-client)`, subject: 'prom-client', mode: 'count', value: Math.round(peer.bytesPerScrape) });
    }
    process.stderr.write(`cluster-scrape ${label}: exposition ${mvx.size} vs ${peer.size} chars\n`);
  }
  process.exit(0);
}
