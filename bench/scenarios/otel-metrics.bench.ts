/**
 * An event counted through the OpenTelemetry metrics bridge vs an OTel `counter.add()`. Issue 6
 * target: at most 0.3× `counter.add(1, { method, status })`.
 *
 * - mvx: `recorder.emit({ type, method, status })` on an `AsyncMetricsRecorder` with a
 *   `CounterMetric` reading 2 attributes, bridged into a MeterProvider by `OtelMetricsBridge`
 *   (observable counter); sustained mode, K emits then yield until the recorder has aggregated
 *   them (aggregation paid inside the measurement). Collection is not in the hot path: the bridge
 *   reads one snapshot per collection, amortised over the export interval (measured separately).
 * - peer: `counter.add(1, { method, status })` on an SDK Counter of a MeterProvider with the same
 *   reader, attributes written as an object literal at the call site (as is the event), sustained
 *   mode too (it hands nothing to the event loop, so sustained only adds the yield).
 * - the comparison (issue 16): both sides with `reader.collect()` inside the timed region, once
 *   every 1,000 events (the mvx side flushes its recorder first); the figures without collection
 *   are context rows.
 * - context: the same emit on a `SyncMetricsRecorder` (aggregation on the caller's stack), and one
 *   `reader.collect()` of the bridge (8 series).
 * Sanity: after the run, the totals the SDK exports through the bridge equal the events emitted.
 */
import { InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, AggregationTemporality, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { OtelMetricsBridge } from '../../src/adapters/otel-metrics/index.ts';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { SyncMetricsRecorder } from '../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import type { MetricsRecorder } from '../../src/core/metrics/types.ts';
import { emitComparison, emitRow, onceNs, sustainedNs } from '../harness.ts';

const SCENARIO = 'otel-metrics';
const METHODS = ['GET', 'POST'];
const STATUSES = ['200', '201', '404', '500'];

interface RequestEvent {
  readonly type: 'http.request';
  readonly method: string;
  readonly status: string;
}

function pipeline(recorder: MetricsRecorder<RequestEvent> & { snapshots(): ReturnType<MetricsRecorder['snapshots']> }) {
  recorder.registerMetric(new CounterMetric<RequestEvent>({ name: 'http.server.requests', eventTypes: 'http.request', attributes: ['method', 'status'] }));
  const bridge = new OtelMetricsBridge({ source: recorder });
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
    metricProducers: [bridge],
  });
  const provider = new MeterProvider({ readers: [reader] });
  bridge.bindMeter(provider.getMeter('mvx-common'));
  return { reader, provider };
}

async function exportedTotal(reader: PeriodicExportingMetricReader, name: string): Promise<number> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name) as SumMetricData | undefined;
  return (metric?.dataPoints ?? []).reduce((n, p) => n + p.value, 0);
}

const asyncRecorder = new AsyncMetricsRecorder<RequestEvent>({ id: 'bench-otel' });
const asyncPipe = pipeline(asyncRecorder);
const syncRecorder = new SyncMetricsRecorder<RequestEvent>();
const syncPipe = pipeline(syncRecorder);

const peerReader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
const peerProvider = new MeterProvider({ readers: [peerReader] });
const counter = peerProvider.getMeter('peer').createCounter('http.server.requests.peer');

let emittedAsync = 0;
let emittedSync = 0;
let added = 0;
const mvxAsync = (i: number): void => {
  emittedAsync++;
  asyncRecorder.emit({ type: 'http.request', method: METHODS[i & 1]!, status: STATUSES[(i >> 1) & 3]! });
};
const mvxSync = (i: number): void => {
  emittedSync++;
  syncRecorder.emit({ type: 'http.request', method: METHODS[i & 1]!, status: STATUSES[(i >> 1) & 3]! });
};
const peer = (i: number): void => {
  added++;
  counter.add(1, { method: METHODS[i & 1]!, status: STATUSES[(i >> 1) & 3]! });
};

const peer1 = await sustainedNs(peer);
const mvx1 = await sustainedNs(mvxAsync, { backlog: () => asyncRecorder.pending });
const sync1 = await sustainedNs(mvxSync);
const peer2 = await sustainedNs(peer);
const mvx2 = await sustainedNs(mvxAsync, { backlog: () => asyncRecorder.pending });
const collectNs = await onceNs(() => asyncPipe.reader.collect());

// The comparison (issue 16, fair peers): K events, then the reader's collect(), all inside the
// timed region, so what each side defers to collection time is paid too.
const K = 1000;
const withCollect = async (op: (i: number) => void, reader: PeriodicExportingMetricReader, drain?: () => Promise<unknown>): Promise<number> => {
  let i = 0;
  const ns = await onceNs(async () => {
    for (let j = 0; j < K; j++) op(i++);
    if (drain) await drain();
    await reader.collect();
  });
  return ns / K;
};
const peerC1 = await withCollect(peer, peerReader);
const mvxC1 = await withCollect(mvxAsync, asyncPipe.reader, () => asyncRecorder.flush());
const peerC2 = await withCollect(peer, peerReader);
const mvxC2 = await withCollect(mvxAsync, asyncPipe.reader, () => asyncRecorder.flush());

// Sanity: what the SDK exports through the bridge is exactly what was emitted.
await asyncRecorder.flush();
const exportedAsync = await exportedTotal(asyncPipe.reader, 'http.server.requests');
const exportedSync = await exportedTotal(syncPipe.reader, 'http.server.requests');
const exportedPeer = await exportedTotal(peerReader, 'http.server.requests.peer');
if (exportedAsync !== emittedAsync || exportedSync !== emittedSync || exportedPeer !== added) {
  throw new Error(`totals differ: async ${exportedAsync}/${emittedAsync}, sync ${exportedSync}/${emittedSync}, peer ${exportedPeer}/${added}`);
}
process.stderr.write(`otel-metrics: exported totals match (${emittedAsync} async, ${emittedSync} sync, ${added} peer)\n`);

emitComparison({
  scenario: SCENARIO,
  case: `event counted through the OTel metrics bridge (2 attributes), reader.collect() every ${K.toLocaleString('en-US')} events inside the timed region`,
  mvx: { scenario: SCENARIO, case: `AsyncMetricsRecorder.emit → CounterMetric → OtelMetricsBridge, flush + collect() per ${K} events`, subject: 'mvx-common', mode: 'sustained', value: Math.min(mvxC1, mvxC2) },
  peer: { scenario: SCENARIO, case: `sdk-metrics 3 counter.add(1, { method, status }), cumulative, collect() per ${K} events`, subject: '@opentelemetry/sdk-metrics', mode: 'sustained', value: Math.min(peerC1, peerC2) },
  maxRatio: 0.3,
  target: 'at most 0.3x an OTel counter.add(1, attributes), collection included (issue 6, 16)',
});
emitRow({ scenario: SCENARIO, case: 'AsyncMetricsRecorder.emit → CounterMetric (bridged by OtelMetricsBridge), collection not timed (context)', subject: 'mvx-common', mode: 'sustained', value: Math.min(mvx1, mvx2) });
emitRow({ scenario: SCENARIO, case: 'counter.add(1, { method, status }), collection not timed (context)', subject: '@opentelemetry/sdk-metrics', mode: 'sustained', value: Math.min(peer1, peer2) });
emitRow({ scenario: SCENARIO, case: 'SyncMetricsRecorder.emit → CounterMetric (aggregation on the caller stack)', subject: 'mvx-common', mode: 'sustained', value: sync1 });
emitRow({ scenario: SCENARIO, case: 'await reader.collect(): bridge batch callback, 1 counter x 8 series (per collection)', subject: 'mvx-common', mode: 'once', value: collectNs });

await Promise.all([asyncPipe.provider.shutdown(), syncPipe.provider.shutdown(), peerProvider.shutdown()]);
await asyncRecorder.stop();
