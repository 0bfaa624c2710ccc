/**
 * Metric emission, delivery and aggregation included (issue 5).
 *
 * Case 1 (target ≤ 0.5× prom-client): one `emit()` of an event that updates a 2-attribute outcome
 * counter (`route`, `method`; dimensions total/success_total/failure_total) and a histogram
 * (`route`, `method`, default seconds buckets), in sustained mode (K emits, then yield until the
 * recorder's pending count is 0, so the batch aggregation is paid inside the measurement), against
 * prom-client `counter.inc({ route, method, outcome })` + `histogram.observe({ route, method }, v)`
 * on the same values — the same information, outcome being a label there. Both sides build their
 * object literals per call.
 *
 * Context rows: the same with `dispatch: 'microtask'`, with a `SyncMetricsRecorder`, and the peer
 * with a 2-label counter; a snapshot of 100 metrics × 10 series (`recorder.snapshots()`), with
 * prom-client's `registry.getMetricsAsJSON()` on the same series as context.
 */
import promClient from 'prom-client';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { SyncMetricsRecorder } from '../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import { OutcomeCounterMetric } from '../../src/core/metrics/instruments/outcome-counter-metric.ts';
import { HistogramMetric } from '../../src/core/metrics/instruments/histogram-metric.ts';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import type { MetricsRecorder } from '../../src/core/metrics/types.ts';
import { emitComparison, emitRow, onceNs, opNs, sustainedNs } from '../harness.ts';

const SCENARIO = 'metrics-emit';
const ROUTES = ['/users', '/orders', '/items', '/health'];
const METHODS = ['GET', 'POST'];
const OUTCOMES = ['success', 'success', 'success', 'failure'];
const VALUES = Array.from({ length: 16 }, (_, i) => (i + 1) * 0.013);

interface RequestEvent {
  readonly type: 'http.request';
  readonly route: string;
  readonly method: string;
  readonly outcome: string;
  readonly durationS: number;
}

function register(recorder: MetricsRecorder<RequestEvent>): void {
  recorder.registerMetric(
    new OutcomeCounterMetric<RequestEvent>({ name: 'http.requests', eventTypes: 'http.request', outcomes: ['success', 'failure'], attributes: ['route', 'method'] }),
  );
  recorder.registerMetric(
    new HistogramMetric<RequestEvent>({ name: 'http.request.duration', unit: 's', eventTypes: 'http.request', attributes: ['route', 'method'], value: (e) => e.durationS }),
  );
}

const emitOne = (recorder: MetricsRecorder<RequestEvent>) => (i: number) =>
  recorder.emit({ type: 'http.request', route: ROUTES[i & 3]!, method: METHODS[(i >> 2) & 1]!, outcome: OUTCOMES[(i >> 3) & 3]!, durationS: VALUES[i & 15]! });

async function emitCase(): Promise<void> {
  const registry = new promClient.Registry();
  const counter = new promClient.Counter({ name: 'http_requests_total', help: 'requests', labelNames: ['route', 'method', 'outcome'], registers: [registry] });
  const counter2 = new promClient.Counter({ name: 'http_requests2_total', help: 'requests', labelNames: ['route', 'method'], registers: [registry] });
  const histogram = new promClient.Histogram({ name: 'http_request_duration_seconds', help: 'duration', labelNames: ['route', 'method'], registers: [registry] });
  const peer = (i: number) => {
    const route = ROUTES[i & 3]!;
    const method = METHODS[(i >> 2) & 1]!;
    counter.inc({ route, method, outcome: OUTCOMES[(i >> 3) & 3]! });
    histogram.observe({ route, method }, VALUES[i & 15]!);
  };
  const peer2 = (i: number) => {
    const route = ROUTES[i & 3]!;
    const method = METHODS[(i >> 2) & 1]!;
    counter2.inc({ route, method });
    histogram.observe({ route, method }, VALUES[i & 15]!);
  };

  const immediate = new AsyncMetricsRecorder<RequestEvent>({ id: 'bench' });
  register(immediate);
  const microtask = new AsyncMetricsRecorder<RequestEvent>({ id: 'bench-micro', dispatch: 'microtask' });
  register(microtask);
  const sync = new SyncMetricsRecorder<RequestEvent>();
  register(sync);

  const peerNs = await sustainedNs(peer);
  const mvxNs = await sustainedNs(emitOne(immediate), { backlog: () => immediate.pending });
  const peerNsAgain = await sustainedNs(peer);
  const microNs = await sustainedNs(emitOne(microtask), { backlog: () => microtask.pending });
  const syncNs = await sustainedNs(emitOne(sync));
  const peer2Ns = await sustainedNs(peer2);
  const s = immediate.stats();
  if (s.dropped.total !== 0 || s.failed.metric !== 0) throw new Error(`unexpected drops or failures: ${JSON.stringify(s)}`);

  emitComparison({
    scenario: SCENARIO,
    case: 'emit: 2-attribute outcome counter + histogram, delivery and aggregation included (sustained)',
    mvx: { scenario: SCENARIO, case: 'AsyncMetricsRecorder.emit (dispatch: immediate)', subject: 'mvx-common', mode: 'sustained', value: mvxNs },
    peer: { scenario: SCENARIO, case: 'counter.inc(labels) + histogram.observe(labels, v)', subject: 'prom-client', mode: 'sustained', value: Math.min(peerNs, peerNsAgain) },
    maxRatio: 0.5,
    target: "at most half of prom-client's inc(labels) + observe(labels) (issue 5)",
  });
  emitRow({ scenario: SCENARIO, case: 'AsyncMetricsRecorder.emit (dispatch: microtask)', subject: 'mvx-common', mode: 'sustained', value: microNs });
  emitRow({ scenario: SCENARIO, case: 'SyncMetricsRecorder.emit (aggregation on the caller stack)', subject: 'mvx-common', mode: 'sustained', value: syncNs });
  emitRow({ scenario: SCENARIO, case: 'counter.inc({route, method}) + histogram.observe (2-label counter)', subject: 'prom-client', mode: 'sustained', value: peer2Ns });
}

async function snapshotCase(): Promise<void> {
  const METRICS = 100;
  const SERIES = 10;
  const recorder = new AsyncMetricsRecorder<{ type: string; k: number }>();
  const registry = new promClient.Registry();
  for (let m = 0; m < METRICS; m++) {
    recorder.registerMetric(new CounterMetric<{ type: string; k: number }>({ name: `bench.metric.${m}`, eventTypes: `e${m}`, attributes: ['k'] }));
    const c = new promClient.Counter({ name: `bench_metric_${m}_total`, help: 'x', labelNames: ['k'], registers: [registry] });
    for (let k = 0; k < SERIES; k++) {
      recorder.emit({ type: `e${m}`, k });
      c.inc({ k });
    }
  }
  await recorder.flush();
  const snap = recorder.snapshots();
  if (snap.length !== METRICS || snap.some((x) => x.dimensions[0]!.series.length !== SERIES)) throw new Error('snapshot shape');
  const mvxNs = await opNs(() => recorder.snapshots());
  const peerNs = await onceNs(() => registry.getMetricsAsJSON());
  emitRow({ scenario: SCENARIO, case: 'recorder.snapshots(): 100 counters x 10 series', subject: 'mvx-common', mode: 'op', value: mvxNs });
  emitRow({ scenario: SCENARIO, case: 'await registry.getMetricsAsJSON(): 100 counters x 10 series (context)', subject: 'prom-client', mode: 'once', value: peerNs });
}

await emitCase();
await snapshotCase();
