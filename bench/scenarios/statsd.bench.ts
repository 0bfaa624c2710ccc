/**
 * StatsD push, issue 8 targets, hot-shots measured in the same run:
 * (a) datagrams for 100,000 increments of one series: the exporter in aggregated mode vs a buffered
 *     hot-shots client (`maxBufferSize: 8192`) calling `increment` directly, counted by a real UDP
 *     receiver on 127.0.0.1. Target: at most 0.1x.
 * (b) cost per event, sustained: `recorder.emit` (AsyncMetricsRecorder + CounterMetric) with the
 *     aggregated exporter attached vs `client.increment('x', 1, tags)` at the fastest of four
 *     hot-shots configurations (maxBufferSize 8192 or 1432 — our docs' value —, tags as an object
 *     or a preformatted array), each reported. Target: at most 0.5x.
 */
import dgram from 'node:dgram';
import { StatsD } from 'hot-shots';
import { StatsdExporter } from '../../src/adapters/statsd/index.ts';
import { configureDiagnostics } from '../../src/core/diagnostics.ts';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../src/core/metrics/instruments/histogram-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { emitComparison, emitRow, sustainedNs } from '../harness.ts';

const SCENARIO = 'statsd';
const N = 100_000;

interface Ev {
  type: 'job.done';
  queue: string;
}

configureDiagnostics({ stderr: 'off' });

async function receiver(): Promise<{ port: number; datagrams: () => number; lines: () => number; close: () => Promise<void> }> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  let datagrams = 0;
  let lines = 0;
  socket.on('message', (msg) => {
    datagrams++;
    for (const b of msg) if (b === 10) lines++;
    lines++;
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return {
    port: socket.address().port,
    datagrams: () => datagrams,
    lines: () => lines,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

const yieldOnce = (): Promise<void> => new Promise((r) => setImmediate(r));

async function settle(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
}

function makeRecorder(): AsyncMetricsRecorder<Ev> {
  const recorder = new AsyncMetricsRecorder<Ev>();
  recorder.registerMetric(new CounterMetric<Ev>({ name: 'jobs.done', eventTypes: 'job.done', attributes: ['queue'] }));
  return recorder;
}

async function datagrams(): Promise<void> {
  // hot-shots directly, buffered at 8192 bytes.
  const peerRx = await receiver();
  const peer = new StatsD({ host: '127.0.0.1', port: peerRx.port, maxBufferSize: 8192 });
  for (let i = 0; i < N; i++) {
    peer.increment('jobs.done', 1, { queue: 'a' });
    if (i % 1000 === 999) await yieldOnce(); // let the receiver read, as a live process would
  }
  await new Promise<void>((r) => peer.close(() => r()));
  await settle(() => peerRx.lines() >= N);
  const peerDatagrams = peerRx.datagrams();
  const peerLines = peerRx.lines();
  await peerRx.close();

  // The exporter, aggregated mode, one push after the 100,000 events.
  const rx = await receiver();
  const recorder = makeRecorder();
  const client = new StatsD({ host: '127.0.0.1', port: rx.port, maxBufferSize: 8192 });
  const exporter = new StatsdExporter({ client, source: recorder });
  for (let i = 0; i < N; i++) {
    recorder.emit({ type: 'job.done', queue: 'a' });
    if (i % 1000 === 999) await yieldOnce();
  }
  await exporter.close();
  await settle(() => rx.lines() >= 1);
  const mvxDatagrams = rx.datagrams();
  await rx.close();
  await recorder.stop();
  process.stderr.write(`statsd: hot-shots sent ${peerDatagrams} datagrams carrying ${peerLines} lines; exporter sent ${mvxDatagrams}\n`);

  // Context: hot-shots at the buffer size our docs recommend (1432, one MTU-safe datagram).
  const docsRx = await receiver();
  const docsPeer = new StatsD({ host: '127.0.0.1', port: docsRx.port, maxBufferSize: 1432 });
  for (let i = 0; i < N; i++) {
    docsPeer.increment('jobs.done', 1, { queue: 'a' });
    if (i % 1000 === 999) await yieldOnce();
  }
  await new Promise<void>((r) => docsPeer.close(() => r()));
  await settle(() => docsRx.lines() >= N);
  emitRow({ scenario: SCENARIO, case: 'hot-shots increment, maxBufferSize 1432 (our docs), datagrams for 100,000 increments', subject: 'hot-shots', mode: 'count', value: docsRx.datagrams(), unit: 'datagrams' });
  await docsRx.close();

  emitComparison({
    scenario: SCENARIO,
    case: 'UDP datagrams for 100,000 increments of one series',
    mvx: { scenario: SCENARIO, case: 'aggregated exporter (one push)', subject: 'mvx-common', mode: 'count', value: mvxDatagrams, unit: 'datagrams' },
    peer: { scenario: SCENARIO, case: 'hot-shots increment, maxBufferSize 8192', subject: 'hot-shots', mode: 'count', value: peerDatagrams, unit: 'datagrams' },
    maxRatio: 0.1,
    target: 'at least ten times fewer datagrams than buffered hot-shots (issue 8)',
  });
}

/** hot-shots configurations tried for the peer: our docs' buffer size (1432, MTU-safe) and the largest (8192), tags as an object or preformatted. */
const PEER_CONFIGS = [
  { maxBufferSize: 8192, tags: 'object' },
  { maxBufferSize: 8192, tags: 'array' },
  { maxBufferSize: 1432, tags: 'object' },
  { maxBufferSize: 1432, tags: 'array' },
] as const;

async function costPerEvent(): Promise<void> {
  const rx = await receiver();
  const recorder = makeRecorder();
  const client = new StatsD({ host: '127.0.0.1', port: rx.port, maxBufferSize: 8192 });
  // Pushing every second, like hot-shots' own bufferFlushInterval, so pushes fall inside the measurement.
  const exporter = new StatsdExporter({ client, source: recorder, flushIntervalMs: 1000 });
  const ev: Ev = { type: 'job.done', queue: 'a' };

  // The peer at each configuration; the comparison takes its fastest (issue 16: fair peers).
  const peers: { name: string; ns: number }[] = [];
  for (const config of PEER_CONFIGS) {
    const peerRx = await receiver();
    const peer = new StatsD({ host: '127.0.0.1', port: peerRx.port, maxBufferSize: config.maxBufferSize });
    const tags = config.tags === 'object' ? { queue: 'a' } : ['queue:a'];
    const ns = await sustainedNs(() => peer.increment('jobs.done', 1, tags));
    await new Promise<void>((r) => peer.close(() => r()));
    await peerRx.close();
    const name = `hot-shots increment, maxBufferSize ${config.maxBufferSize}, tags ${config.tags === 'object' ? 'as an object' : "preformatted ['queue:a']"}`;
    peers.push({ name, ns });
    emitRow({ scenario: SCENARIO, case: name, subject: 'hot-shots', mode: 'sustained', value: ns, unit: 'ns' });
  }
  const mvxNs = await sustainedNs(() => recorder.emit(ev), { backlog: () => recorder.pending });
  await exporter.close();
  await recorder.stop();
  await rx.close();
  process.stderr.write(`statsd: exporter pushes during the run: ${exporter.stats().pushes}\n`);
  const fastest = peers.reduce((a, b) => (b.ns < a.ns ? b : a));

  emitComparison({
    scenario: SCENARIO,
    case: 'cost per increment event, sustained',
    mvx: { scenario: SCENARIO, case: 'recorder.emit + aggregated exporter', subject: 'mvx-common', mode: 'sustained', value: mvxNs, unit: 'ns' },
    peer: { scenario: SCENARIO, case: `fastest of the ${peers.length} configurations: ${fastest.name}`, subject: 'hot-shots', mode: 'sustained', value: fastest.ns, unit: 'ns' },
    maxRatio: 0.5,
    target: 'at most half of a buffered hot-shots increment at its fastest configuration (issue 8, 16)',
  });
}

/** Context, no target: per-event mode pays a snapshot of the metric and a client call per event. */
async function perEventCost(): Promise<void> {
  const rx = await receiver();
  const recorder = makeRecorder();
  const client = new StatsD({ host: '127.0.0.1', port: rx.port, maxBufferSize: 8192 });
  const exporter = new StatsdExporter({ client, source: recorder, mode: 'per-event' });
  const ev: Ev = { type: 'job.done', queue: 'a' };
  const ns = await sustainedNs(() => recorder.emit(ev), { backlog: () => recorder.pending });
  await exporter.close();
  await recorder.stop();
  await rx.close();
  emitRow({ scenario: SCENARIO, case: 'recorder.emit + per-event exporter (context)', subject: 'mvx-common', mode: 'sustained', value: ns, unit: 'ns' });
}

/** Context, no target: a histogram event, values replayed from buckets vs sent exactly per event. */
async function histogramCost(): Promise<void> {
  for (const histogramValues of ['buckets', 'exact'] as const) {
    const rx = await receiver();
    const recorder = new AsyncMetricsRecorder<Ev & { ms: number }>();
    recorder.registerMetric(
      new HistogramMetric<Ev & { ms: number }>({ name: 'jobs.duration', unit: 'ms', eventTypes: 'job.done', attributes: ['queue'], value: (e) => e.ms }),
    );
    const client = new StatsD({ host: '127.0.0.1', port: rx.port, maxBufferSize: 8192 });
    const exporter = new StatsdExporter({ client, source: recorder, flushIntervalMs: 1000, histogramValues });
    const ev = { type: 'job.done' as const, queue: 'a', ms: 12 };
    const ns = await sustainedNs(() => recorder.emit(ev), { backlog: () => recorder.pending });
    await exporter.close();
    await recorder.stop();
    await rx.close();
    emitRow({ scenario: SCENARIO, case: `histogram recorder.emit + aggregated exporter, histogramValues '${histogramValues}' (context)`, subject: 'mvx-common', mode: 'sustained', value: ns, unit: 'ns' });
  }
}

await datagrams();
await costPerEvent();
await perEventCost();
await histogramCost();
