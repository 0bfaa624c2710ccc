/**
 * Scale rows (issue 16): the cost of one emit against the number of registered metrics (1, 10,
 * 100, 1000), delivery and aggregation included (sustained mode).
 *
 * - mvx: an `AsyncMetricsRecorder` with M `CounterMetric`s, each for its own event type and
 *   reading 2 attributes (`method`, `status`); the emitted events are of the first type, so one
 *   metric counts them and the other M - 1 must cost nothing.
 * - peer: a prom-client 15 `Registry` with M `Counter`s (label names `method`, `status`),
 *   `inc({ method, status })` on the first, the same values.
 * Target: the cost does not grow with M, and stays no slower than prom-client's `inc(labels)`
 * with as many metrics registered (issue 5's 0.5x target is for a counter + histogram event
 * against `inc` + `observe`, the `metrics-emit` scenario; a single counter is close to the floor
 * of the recorder's queue on one side and one map lookup on the other).
 */
import promClient from 'prom-client';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { emitComparison, sustainedNs } from '../harness.ts';

const SCENARIO = 'metrics-scale';
const METHODS = ['GET', 'POST'];
const STATUSES = ['200', '201', '404', '500'];

interface Ev {
  type: string;
  method: string;
  status: string;
}

// Warm-up, untimed: the first size measured would otherwise pay the recorder's and prom-client's
// compilation.
{
  const recorder = new AsyncMetricsRecorder<Ev>();
  recorder.registerMetric(new CounterMetric<Ev>({ name: 'warm', eventTypes: 'e0', attributes: ['method', 'status'] }));
  const registry = new promClient.Registry();
  const counter = new promClient.Counter({ name: 'warm_total', help: 'warm', labelNames: ['method', 'status'], registers: [registry] });
  await sustainedNs((i) => recorder.emit({ type: 'e0', method: METHODS[i & 1]!, status: STATUSES[(i >> 1) & 3]! }), { backlog: () => recorder.pending });
  await sustainedNs((i) => counter.inc({ method: METHODS[i & 1]!, status: STATUSES[(i >> 1) & 3]! }));
  await recorder.stop();
}

for (const m of [1, 10, 100, 1000]) {
  const recorder = new AsyncMetricsRecorder<Ev>();
  for (let i = 0; i < m; i++) recorder.registerMetric(new CounterMetric<Ev>({ name: `scale.requests.${i}`, eventTypes: `e${i}`, attributes: ['method', 'status'] }));
  const registry = new promClient.Registry();
  const counters = Array.from({ length: m }, (_, i) => new promClient.Counter({ name: `scale_requests_${i}_total`, help: `requests ${i}`, labelNames: ['method', 'status'], registers: [registry] }));
  const first = counters[0]!;
  let emitted = 0;
  const mvx = (i: number): void => {
    emitted++;
    recorder.emit({ type: 'e0', method: METHODS[i & 1]!, status: STATUSES[(i >> 1) & 3]! });
  };
  const peer = (i: number): void => {
    first.inc({ method: METHODS[i & 1]!, status: STATUSES[(i >> 1) & 3]! });
  };
  const peerNs = await sustainedNs(peer);
  const mvxNs = await sustainedNs(mvx, { backlog: () => recorder.pending });
  const peerNs2 = await sustainedNs(peer);
  await recorder.flush();
  const counted = recorder.snapshots()[0]!.dimensions[0]!.series.reduce((n, s) => n + (s as { value: number }).value, 0);
  if (counted !== emitted) throw new Error(`counted ${counted} of ${emitted} events`);
  await recorder.stop();
  const label = `${m.toLocaleString('en-US')} registered metric${m === 1 ? '' : 's'}`;
  emitComparison({
    scenario: SCENARIO,
    case: `emit of a 2-attribute counter event, ${label}`,
    mvx: { scenario: SCENARIO, case: `AsyncMetricsRecorder.emit, ${label} (one counts the event)`, subject: 'mvx-common', mode: 'sustained', value: mvxNs },
    peer: { scenario: SCENARIO, case: `prom-client 15 counter.inc({ method, status }), ${label} in the registry`, subject: 'prom-client', mode: 'sustained', value: Math.min(peerNs, peerNs2) },
    maxRatio: 1,
    target: 'flat in the number of registered metrics, no slower than prom-client inc(labels) with as many registered (scale row, issue 16)',
  });
}
