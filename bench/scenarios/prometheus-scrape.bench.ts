/**
 * Scrape cost: `await registry.metrics()` of 100 metrics × 10 series through the bridge (metrics
 * core: 100 `CounterMetric`s in an `AsyncMetricsRecorder`, each with 10 label sets) against
 * prom-client's own `register.metrics()` for 100 hand-written `Counter`s × the same 10 label sets,
 * in the same process. Issue 7 target: at most 1.2× prom-client.
 * A second case does the same with histograms (default buckets), reported without a target.
 */
import promClient from 'prom-client';
import { createPrometheusBridge } from '../../src/adapters/prometheus/index.ts';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../src/core/metrics/instruments/histogram-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { emitComparison, emitRow, onceNs } from '../harness.ts';

const METRICS = 100;
const SERIES = 10;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const STATUSES = ['200', '500'];
const labelSets = Array.from({ length: SERIES }, (_, i) => ({ method: METHODS[i % 5]!, status: STATUSES[Math.floor(i / 5)]! }));
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Ev { type: string; method: string; status: string; v: number }

async function counters(): Promise<void> {
  const peer = new promClient.Registry();
  for (let m = 0; m < METRICS; m++) {
    const c = new promClient.Counter({ name: `bench_requests_${m}_total`, help: `requests ${m}`, labelNames: ['method', 'status'], registers: [peer] });
    for (const [i, l] of labelSets.entries()) c.inc(l, i + 1);
  }
  const registry = new promClient.Registry();
  const recorder = new AsyncMetricsRecorder<Ev>();
  for (let m = 0; m < METRICS; m++) {
    recorder.registerMetric(new CounterMetric<Ev>({ name: `bench.requests.${m}`, description: `requests ${m}`, eventTypes: `e${m}`, attributes: ['method', 'status'], value: (e) => e.v }));
    for (const [i, l] of labelSets.entries()) recorder.emit({ type: `e${m}`, ...l, v: i + 1 });
  }
  await recorder.flush();
  createPrometheusBridge(recorder, { registry });
  const [a, b] = [await registry.metrics(), await peer.metrics()];
  if (a.length !== b.length) throw new Error(`expositions differ in size: ${a.length} vs ${b.length}`);

  const peerNs = await onceNs(() => peer.metrics());
  const mvxNs = await onceNs(() => registry.metrics());
  const peerNs2 = await onceNs(() => peer.metrics());
  emitComparison({
    scenario: 'prometheus-scrape',
    case: 'await registry.metrics(): 100 counters x 10 series',
    mvx: { scenario: 'prometheus-scrape', case: 'bridge (AsyncMetricsRecorder + CounterMetric)', subject: 'mvx-common', mode: 'once', value: mvxNs },
    peer: { scenario: 'prometheus-scrape', case: 'hand-written prom-client Counters', subject: 'prom-client', mode: 'once', value: Math.min(peerNs, peerNs2) },
    maxRatio: 1.2,
    target: 'at most 1.2x prom-client register.metrics() for the same series (issue 7)',
  });
}

async function histograms(): Promise<void> {
  const peer = new promClient.Registry();
  for (let m = 0; m < METRICS; m++) {
    const h = new promClient.Histogram({ name: `bench_duration_${m}_seconds`, help: `duration ${m}`, labelNames: ['method', 'status'], registers: [peer] });
    for (const [i, l] of labelSets.entries()) h.observe(l, (i + 1) / 100);
  }
  const registry = new promClient.Registry();
  const recorder = new AsyncMetricsRecorder<Ev>();
  for (let m = 0; m < METRICS; m++) {
    recorder.registerMetric(new HistogramMetric<Ev>({ name: `bench.duration.${m}`, unit: 's', description: `duration ${m}`, eventTypes: `e${m}`, attributes: ['method', 'status'], value: (e) => e.v, buckets: SECONDS_BUCKETS }));
    for (const [i, l] of labelSets.entries()) recorder.emit({ type: `e${m}`, ...l, v: (i + 1) / 100 });
  }
  await recorder.flush();
  createPrometheusBridge(recorder, { registry });
  const peerNs = await onceNs(() => peer.metrics());
  const mvxNs = await onceNs(() => registry.metrics());
  emitRow({ scenario: 'prometheus-scrape', case: 'await registry.metrics(): 100 histograms x 10 series (bridge)', subject: 'mvx-common', mode: 'once', value: mvxNs });
  emitRow({ scenario: 'prometheus-scrape', case: 'await registry.metrics(): 100 histograms x 10 series (prom-client Histograms)', subject: 'prom-client', mode: 'once', value: peerNs });
}

await counters();
await histograms();
