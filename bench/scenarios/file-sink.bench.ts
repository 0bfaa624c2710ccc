/**
 * Enabled events written to a file, delivery included. Issue 4 target: throughput at least 1.5x
 * pino's for the same payload to the same destination, i.e. at most 1/1.5 of pino's ns/op; issue
 * 16 tightened it to at most 0.5x. Wall and CPU time per call (see `Timing`); for the real file,
 * the lines in the file are counted after each run and must equal the calls made.
 *
 * Sustained mode (see `bench/harness.ts`): K calls, then yield until the backlog is under a bound,
 * so the writing is paid inside the measurement:
 * - mvx-common: `ctx.info('msg', { a: 1, b: 'x', nested: { c: [1, 2, 3] } })` on a `LogContext`
 *   (payload processor, event build) → `FileSink` (JSON lines, batches of up to 512 events per
 *   write); backlog = `stats().pending` events, bound 4096 events (~0.8 MB of lines, under the queue
 *   bound, so nothing is dropped: checked).
 * - pino `sync: false`: `pino.destination({ dest, sync: false })` (sonic-boom); backlog = pending
 *   bytes, bound 1 MiB (as in the peer baseline).
 * - pino `sync: true`: one `fs.writeSync` per line; no backlog.
 * Destinations: `/dev/null` and a real file in the OS temp directory (truncated between cases).
 * The target row compares against the faster pino variant for each destination.
 *
 * A `count` row records the heap growth of an overload run (a producer ten times faster than the
 * sink for `BENCH_OVERLOAD_MS`, default 10,000 ms): it stays within the queue's bound.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import type { LogEvent } from '../../src/core/logger/event.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { AsyncLogSink } from '../../src/core/logger/sinks/async-log-sink.ts';
import { FileSink } from '../../src/core/logger/sinks/file-sink.ts';
import { emitComparison, emitRow, sustainedTiming } from '../harness.ts';
import type { Timing } from '../harness.ts';

const SCENARIO = 'file-sink';
const tmp = mkdtempSync(join(tmpdir(), 'mvx-bench-file-'));
const realFile = join(tmp, 'bench.log');
writeFileSync(realFile, '');

/** Lines in `dest` must be `expected` (the real file only: /dev/null keeps nothing). */
function checkLines(dest: string, expected: number, who: string): void {
  if (dest !== realFile) return;
  const text = readFileSync(dest, 'utf8');
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  if (lines !== expected) throw new Error(`${who}: ${lines} lines in the file, ${expected} calls made`);
  process.stderr.write(`${who} ${dest}: ${lines} lines, as many as calls\n`);
}

async function mvxNs(dest: string): Promise<Timing> {
  const sink = new FileSink({ path: dest });
  const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
  await sink.start();
  let calls = 0;
  const ns = await sustainedTiming(() => (calls++, ctx.info('msg', { a: 1, b: 'x', nested: { c: [1, 2, 3] } })), {
    backlog: () => sink.stats().pending,
    maxBacklog: 4096,
  });
  const report = await sink.shutdown({ timeoutMs: 60_000 });
  if (report.dropped !== 0 || report.failed !== 0 || report.pending !== 0 || report.delivered !== report.accepted) {
    throw new Error(`mvx run was not loss-free: ${JSON.stringify(report)}`);
  }
  if (report.delivered !== calls) throw new Error(`mvx: ${report.delivered} delivered, ${calls} calls`);
  checkLines(dest, calls, 'mvx');
  process.stderr.write(`mvx ${dest}: ${report.delivered} events, ${report.batches} batches, ${report.bytesWritten} bytes\n`);
  return ns;
}

async function pinoNs(dest: string, sync: boolean): Promise<Timing> {
  const stream = pino.destination({ dest, sync });
  if (!sync) await new Promise<void>((resolve) => stream.once('ready', () => resolve()));
  const logger = pino({ level: 'info' }, stream);
  const pending = stream as unknown as { _len: number };
  let calls = 0;
  const ns = await sustainedTiming(() => (calls++, logger.info({ a: 1, b: 'x', nested: { c: [1, 2, 3] } }, 'msg')), sync ? {} : { backlog: () => pending._len, maxBacklog: 1 << 20 });
  await new Promise<void>((resolve) => {
    stream.flush(() => resolve());
  });
  // Closed: everything written (sonic-boom writes what is buffered before it closes).
  await new Promise<void>((resolve) => {
    stream.once('close', () => resolve());
    stream.end();
  });
  checkLines(dest, calls, `pino sync:${sync}`);
  return ns;
}

for (const [label, dest] of [
  ['/dev/null', '/dev/null'],
  ['real file', realFile],
] as const) {
  const reset = (): void => {
    if (dest === realFile) truncateSync(realFile, 0);
  };
  reset();
  const pinoAsync1 = await pinoNs(dest, false);
  reset();
  const pinoSync1 = await pinoNs(dest, true);
  reset();
  const mvx = await mvxNs(dest);
  reset();
  const pinoAsync2 = await pinoNs(dest, false);
  reset();
  const pinoSync2 = await pinoNs(dest, true);
  reset();
  const min = (a: Timing, b: Timing): Timing => (a.ns <= b.ns ? a : b);
  const pinoAsync = min(pinoAsync1, pinoAsync2);
  const pinoSync = min(pinoSync1, pinoSync2);
  const best = min(pinoAsync, pinoSync);
  const row = (c: string, subject: string, t: Timing) => ({ scenario: SCENARIO, case: c, subject, mode: 'sustained' as const, value: t.ns, cpuNs: t.cpuNs });
  emitRow(row(`pino info(obj,'msg') -> ${label}, destination sync:false`, 'pino', pinoAsync));
  emitRow(row(`pino info(obj,'msg') -> ${label}, destination sync:true`, 'pino', pinoSync));
  emitComparison({
    scenario: SCENARIO,
    case: `enabled event -> ${label}, delivery included`,
    mvx: row(`ctx.info('msg', obj) -> FileSink ${label}`, 'mvx-common', mvx),
    peer: row(`pino info(obj,'msg') -> ${label}, faster of pino.destination sync:false/sync:true`, 'pino', best),
    maxRatio: 0.5,
    target: "at most 0.5x pino to the same destination (issue 16; issue 4 asked 0.67x)",
  });
}

// --- overload: heap growth stays within the queue bound ------------------------------------------
class SlowSink extends AsyncLogSink {
  protected override deliver(_batch: readonly LogEvent[]): Promise<void> {
    // At most 100 events per 1 ms timer tick: over ten times slower than the producer below.
    return new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function overloadHeapGrowth(ms: number): Promise<{ growth: number; produced: number; stats: ReturnType<SlowSink['stats']> }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const sink = new SlowSink({ maxBatchSize: 100, batchIntervalMs: 0 });
  const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let produced = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) {
      ctx.info('msg', { a: 1, b: 'x', nested: { c: [1, 2, 3] }, i: produced++ });
    }
    await new Promise((r) => setImmediate(r));
    if ((produced & 0x3fff) < 1000) {
      gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  const stats = sink.stats();
  await sink.shutdown({ timeoutMs: 1 });
  return { growth: peak - before, produced, stats };
}

const overloadMs = Number(process.env.BENCH_OVERLOAD_MS ?? 10_000);
const o = await overloadHeapGrowth(overloadMs);
if (o.stats.accepted !== o.produced || o.stats.accepted !== o.stats.delivered + o.stats.dropped + o.stats.failed + o.stats.pending) {
  throw new Error(`overload accounting broken: ${JSON.stringify(o.stats)}`);
}
process.stderr.write(`overload ${overloadMs} ms: produced ${o.produced}, delivered ${o.stats.delivered}, dropped ${o.stats.dropped}, heap growth ${(o.growth / 1e6).toFixed(1)} MB\n`);
emitRow({
  scenario: SCENARIO,
  case: `overload ${overloadMs} ms, producer >= 10x faster than the sink, queue 10,000: peak heap growth after GC (bytes)`,
  subject: 'mvx-common',
  mode: 'count',
  value: o.growth,
  unit: 'bytes',
});
emitRow({ scenario: SCENARIO, case: `overload ${overloadMs} ms: events produced`, subject: 'mvx-common', mode: 'count', value: o.produced });
emitRow({ scenario: SCENARIO, case: `overload ${overloadMs} ms: events dropped (queue_full)`, subject: 'mvx-common', mode: 'count', value: o.stats.dropped });
emitRow({ scenario: SCENARIO, case: `overload ${overloadMs} ms: producer rate / sink rate`, subject: 'mvx-common', mode: 'count', value: o.produced / Math.max(1, o.stats.delivered) });

rmSync(tmp, { recursive: true, force: true });
