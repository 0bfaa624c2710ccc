// Long run (npm run test:long, MVX_LONG=1): the default root context logs into its stderr pipe for
// ten seconds while the reader takes about 1 MB/s, far less than the logger produces. The sink's
// memory stays within its documented bound (maxBufferedBytes, 4 MiB by default, plus per-line
// overhead and one chunk in the stream), the accounting is exact at every step, and at exit the
// reader has received exactly the lines counted as delivered, each whole. Skipped by `npm test`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConsoleSinkStats } from '../../src/core/logger/sinks/console-sink.ts';

const child = join(import.meta.dirname, '..', 'core', 'logger', 'sinks', 'fixtures', 'console-overload-child.ts');
const MiB = 1024 * 1024;

interface Result {
  produced: number;
  peakHeap: number;
  peakRss: number;
  violations: number;
  samples: number;
  stats: ConsoleSinkStats;
  lines: number;
  seqs: number[];
  readWhileRunning: number;
}

/** Runs the child for `durationMs`, reading its stderr 64 KiB at most every 50 ms until it exits, then all of it. */
function run(durationMs: number, maxBufferedBytes?: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const args = ['--expose-gc', child, String(durationMs)];
    if (maxBufferedBytes !== undefined) args.push(String(maxBufferedBytes));
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const guard = setTimeout(() => proc.kill('SIGKILL'), durationMs + 60_000);
    let stdout = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const chunks: Buffer[] = [];
    let readWhileRunning = 0;
    const slow = setInterval(() => {
      const c = proc.stderr.read(64 * 1024) as Buffer | null;
      if (c !== null) {
        chunks.push(c);
        readWhileRunning += c.length;
      }
    }, 50);
    proc.on('exit', () => {
      clearInterval(slow);
      proc.stderr.on('data', (d: Buffer) => chunks.push(d));
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(guard);
      try {
        expect(code, 'child exit code').toBe(0);
        const text = Buffer.concat(chunks).toString('utf8');
        expect(text.endsWith('\n'), 'stderr ends with a whole line').toBe(true);
        const seqs: number[] = [];
        for (const line of text.slice(0, -1).split('\n')) {
          if (line.startsWith('[mvx-common]')) continue; // the sink's own drop reports
          seqs.push((JSON.parse(line) as { payload: { seq: number } }).payload.seq);
        }
        const r = JSON.parse(stdout.trim()) as Omit<Result, 'lines' | 'seqs' | 'readWhileRunning'>;
        resolve({ ...r, lines: seqs.length, seqs, readWhileRunning });
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

describe.runIf(process.env.MVX_LONG === '1')('console sink into a slow stderr reader, 10 s (long)', () => {
  it('memory stays within the bound, accounting exact, the reader gets exactly the delivered lines', async () => {
    const r = await run(10_000);
    const s = r.stats;
    expect(r.violations).toBe(0);
    expect(r.samples).toBeGreaterThan(50);
    expect(s.accepted).toBe(r.produced);
    expect(s.delivered + s.dropped + s.failed + s.pending).toBe(s.accepted);
    expect(s.pending).toBe(0);
    expect(s.failed).toBe(0);
    // Overloaded: the reader took far less than was logged.
    expect(s.droppedByReason.queue_full).toBeGreaterThan(10 * s.delivered);
    // Exact: every delivered line arrived, whole, once, in order; nothing else did.
    expect(r.lines).toBe(s.delivered);
    for (let i = 1; i < r.seqs.length; i++) if (r.seqs[i]! <= r.seqs[i - 1]!) throw new Error(`line ${i}: seq ${r.seqs[i]} after ${r.seqs[i - 1]}`);
    // The documented bound: 4 MiB of lines waiting, ~50 bytes of overhead per line, one 64 KiB
    // chunk in the stream; 16 MiB leaves room for the GC's own slack.
    expect(r.peakHeap).toBeLessThan(16 * MiB);
    // RSS also holds the young generation the formatting churns through (tens of MB at this rate):
    // the bound only has to tell a bounded sink from the unbounded one (+667 MB in 6 s, issue 13).
    expect(r.peakRss).toBeLessThan(128 * MiB);
    console.log(`console overload: produced ${r.produced}, delivered ${s.delivered}, dropped ${JSON.stringify(s.droppedByReason)}, peak heap +${(r.peakHeap / MiB).toFixed(1)} MiB, peak RSS +${(r.peakRss / MiB).toFixed(1)} MiB`);
  }, 120_000);

  it('control: the same load with an effectively unbounded backlog for 5 s grows the heap far past that bound', async () => {
    const r = await run(5_000, 2 ** 32);
    expect(r.peakHeap).toBeGreaterThan(2 * 16 * MiB);
  }, 120_000);
});
