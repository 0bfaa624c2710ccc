/**
 * Scale rows (issue 16): heap per series and scrape time at 1e3, 1e4 and 1e5 series.
 *
 * - mvx: one `CounterMetric` (attributes `method`, `route`; series limit raised to N + 1) in an
 *   `AsyncMetricsRecorder`, exposed by `createPrometheusBridge` in a prom-client `Registry`.
 * - peer: one prom-client 15 `Counter` (label names `method`, `route`) in its own `Registry`,
 *   `inc(labels)` once per label set, the same N label sets.
 *
 * Heap: `heapUsed` after a full GC, with the structure built and scraped twice (its steady state:
 * label caches filled, no scrape output held), minus `heapUsed` before it was built, per series,
 * each side measured in a fresh process of its own (this file, run with `--heap <side> <n>`) after
 * a warm-up build of 100 series, so code compiled on first use and the other side's garbage are
 * not counted. The label values themselves (`/api/items/<i>` strings, allocated before either side
 * is built) are not counted on either side. Targets: bytes per series ≤ 1.2× prom-client's at 1e5 series;
 * scrape ≤ 0.5× prom-client's `register.metrics()` at every size.
 */
import { spawnSync } from 'node:child_process';
import promClient from 'prom-client';
import { createPrometheusBridge } from '../../src/adapters/prometheus/index.ts';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { emitComparison, emitRow, onceNs } from '../harness.ts';

const SCENARIO = 'prometheus-scale';
const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number);
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (npm run bench does)');

interface Ev {
  type: 'e';
  method: string;
  route: string;
}

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

/** Builds the recorder + bridge for `labels`; returns its registry (the recorder is reachable from the bridge's collectors). */
async function buildMvx(labels: readonly Ev[], n: number): Promise<promClient.Registry> {
  const recorder = new AsyncMetricsRecorder<Ev>();
  recorder.registerMetric(new CounterMetric<Ev>({ name: 'scale.requests', eventTypes: 'e', attributes: ['method', 'route'], seriesLimit: n + 1 }));
  for (let i = 0; i < labels.length; i++) {
    recorder.emit(labels[i]!);
    if (i % 1000 === 999) await recorder.flush(); // the recorder's queue is bounded
  }
  await recorder.flush();
  const registry = new promClient.Registry();
  createPrometheusBridge(recorder, { registry });
  return registry;
}

function buildPeer(labels: readonly Ev[]): promClient.Registry {
  const registry = new promClient.Registry();
  const counter = new promClient.Counter({ name: 'scale_requests_total', help: 'scale.requests', labelNames: ['method', 'route'], registers: [registry] });
  for (const l of labels) counter.inc({ method: l.method, route: l.route });
  return registry;
}

async function scrapeTwice(registry: promClient.Registry): Promise<number> {
  let lines = 0;
  for (let i = 0; i < 2; i++) lines = (await registry.metrics()).split('\n').length;
  return lines;
}

/** Heap per series of the structure `build` makes, scraped twice, and the registry (kept alive by the caller). */
async function measureHeap(build: () => Promise<promClient.Registry> | promClient.Registry, n: number): Promise<{ bytes: number; registry: promClient.Registry; lines: number }> {
  const before = heapUsed();
  const registry = await build();
  const lines = await scrapeTwice(registry);
  // A macrotask later: no scrape output is still referenced from a stack frame.
  await new Promise((resolve) => setTimeout(resolve, 10));
  const bytes = (heapUsed() - before) / n;
  return { bytes, registry, lines };
}

function labelSets(n: number): Ev[] {
  // Through JSON so that every label value is a flat string (a template literal makes a cons string,
  // which the first side to hash it would flatten, paying for both).
  return JSON.parse(JSON.stringify(Array.from({ length: n }, (_, i) => ({ type: 'e', method: METHODS[i % 5]!, route: `/api/items/${i}` })))) as Ev[];
}

/** `--heap <mvx|peer> <n>`: prints this process's measurement of one side as JSON. */
async function heapChild(side: string, n: number): Promise<void> {
  const build = (l: Ev[], k: number): Promise<promClient.Registry> | promClient.Registry => (side === 'mvx' ? buildMvx(l, k) : buildPeer(l));
  const warm = await measureHeap(() => build(labelSets(100), 100), 100);
  warm.registry.clear();
  const labels = labelSets(n);
  const { bytes, lines } = await measureHeap(() => build(labels, n), n);
  process.stdout.write(`${JSON.stringify({ bytes, lines, kept: labels.length })}\n`);
}

function heapOf(side: 'mvx' | 'peer', n: number): { bytes: number; lines: number } {
  const res = spawnSync(process.execPath, ['--expose-gc', import.meta.filename, '--heap', side, String(n)], { encoding: 'utf8', timeout: 300_000 });
  if (res.status !== 0) throw new Error(`heap measurement of ${side} at ${n} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as { bytes: number; lines: number };
}

if (process.argv[2] === '--heap') {
  await heapChild(process.argv[3]!, Number(process.argv[4]));
} else {
  for (const n of SIZES) {
    const labels = labelSets(n);
    const mvxRegistry = await buildMvx(labels, n);
    const peerRegistry = buildPeer(labels);
    const [mvxLines, peerLines] = [await scrapeTwice(mvxRegistry), await scrapeTwice(peerRegistry)];
    if (mvxLines !== peerLines) throw new Error(`expositions differ: ${mvxLines} vs ${peerLines} lines`);
    const peerScrape = await onceNs(() => peerRegistry.metrics());
    const mvxScrape = await onceNs(() => mvxRegistry.metrics());
    const peerScrape2 = await onceNs(() => peerRegistry.metrics());
    mvxRegistry.clear();
    peerRegistry.clear();
    const mvxHeap = heapOf('mvx', n);
    const peerHeap = heapOf('peer', n);
    if (mvxHeap.lines !== peerHeap.lines) throw new Error(`expositions differ in the heap runs: ${mvxHeap.lines} vs ${peerHeap.lines} lines`);
    const size = n.toLocaleString('en-US');
    emitComparison({
      scenario: SCENARIO,
      case: `await registry.metrics(): 1 counter x ${size} series`,
      mvx: { scenario: SCENARIO, case: `scrape, ${size} series: bridge (AsyncMetricsRecorder + CounterMetric)`, subject: 'mvx-common', mode: 'once', value: mvxScrape },
      peer: { scenario: SCENARIO, case: `scrape, ${size} series: prom-client 15 Counter, registry.metrics()`, subject: 'prom-client', mode: 'once', value: Math.min(peerScrape, peerScrape2) },
      maxRatio: 0.5,
      target: 'scrape at most 0.5x prom-client at 1e3, 1e4, 1e5 series (issue 16)',
    });
    const heapCmp = {
      scenario: SCENARIO,
      case: `heap bytes per series after 2 scrapes, ${size} series`,
      mvx: { scenario: SCENARIO, case: `heap bytes/series, ${size} series: recorder + bridge (+ prom-client's label text cache)`, subject: 'mvx-common', mode: 'count' as const, value: Math.round(mvxHeap.bytes) },
      peer: { scenario: SCENARIO, case: `heap bytes/series, ${size} series: prom-client 15 Counter + registry`, subject: 'prom-client', mode: 'count' as const, value: Math.round(peerHeap.bytes) },
      maxRatio: 1.2,
      target: 'heap per series at most 1.2x prom-client (issue 16; checked at 1e5)',
    };
    if (n >= 100_000) emitComparison(heapCmp);
    else {
      emitRow(heapCmp.mvx);
      emitRow(heapCmp.peer);
    }
  }
}
