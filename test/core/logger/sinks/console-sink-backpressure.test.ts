// ConsoleSink against a reader slower than the logger: the backlog is bounded (maxBufferedBytes),
// drops are counted by reason, accepted = delivered + dropped + failed + pending at every step, and
// at process exit what is pending is written synchronously or counted and reported.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureDiagnostics } from '../../../../src/core/diagnostics.ts';
import { buildLogEvent } from '../../../../src/core/logger/build-event.ts';
import { ConsoleSink } from '../../../../src/core/logger/sinks/console-sink.ts';
import type { ConsoleSinkStats } from '../../../../src/core/logger/sinks/console-sink.ts';

/** A real Writable whose writes complete only when the test releases them (a reader that stopped). */
class StalledStream extends Writable {
  readonly received: string[] = [];
  readonly #callbacks: (() => void)[] = [];
  constructor() {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.received.push(String(chunk));
    this.#callbacks.push(cb);
  }
  /** Completes the writes handed over so far. */
  release(): number {
    const cbs = this.#callbacks.splice(0);
    for (const cb of cbs) cb();
    return cbs.length;
  }
  seqs(): number[] {
    return this.received
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq);
  }
}

const ev = (seq: number) => buildLogEvent({ level: 30, meta: { namespace: 'app', name: 'tick' }, payload: { seq, pad: 'x'.repeat(100) } });

function checkInvariant(s: ConsoleSinkStats): void {
  expect(s.delivered + s.dropped + s.failed + s.pending).toBe(s.accepted);
  expect(Object.values(s.droppedByReason).reduce((a, b) => a + b, 0)).toBe(s.dropped);
  expect(s.pending).toBe(s.queued + s.inFlight);
}

beforeEach(() => configureDiagnostics({ stderr: 'off' }));
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

describe('ConsoleSink with a slow reader', () => {
  it('the backlog stays within maxBufferedBytes, the stream holds one chunk at most, drops are counted, the invariant holds throughout', () => {
    const stream = new StalledStream();
    const bound = 64 * 1024;
    const sink = new ConsoleSink({ stream, format: 'json', maxBufferedBytes: bound });
    for (let seq = 0; seq < 20_000; seq++) {
      sink.log(ev(seq));
      if (seq % 500 === 0) {
        const s = sink.stats();
        checkInvariant(s);
        expect(s.queuedBytes).toBeLessThanOrEqual(bound);
        expect(stream.writableLength).toBeLessThanOrEqual(64 * 1024 + 1024);
      }
    }
    const s = sink.stats();
    checkInvariant(s);
    expect(s.accepted).toBe(20_000);
    expect(s.droppedByReason.queue_full).toBeGreaterThan(15_000);
    expect(s.queuedBytes).toBeGreaterThan(bound - 1024);
    expect(s.inFlight).toBe(1);
  });

  it('when the reader resumes, the backlog goes out in order, once, and the counts match what it got', async () => {
    const stream = new StalledStream();
    const sink = new ConsoleSink({ stream, format: 'json', maxBufferedBytes: 32 * 1024 });
    let seq = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 200; i++) sink.log(ev(seq++));
      checkInvariant(sink.stats());
      stream.release();
      await new Promise((r) => setImmediate(r));
    }
    const flushed = sink.flush({ timeoutMs: 10_000 });
    for (let i = 0; i < 100 && sink.stats().pending > 0; i++) {
      stream.release();
      await new Promise((r) => setImmediate(r));
    }
    await flushed;
    const s = sink.stats();
    checkInvariant(s);
    expect(s.pending).toBe(0);
    const got = stream.seqs();
    expect(got.length).toBe(s.delivered);
    expect(s.delivered + s.dropped).toBe(10_000);
    expect(s.dropped).toBeGreaterThan(0);
    for (let i = 1; i < got.length; i++) expect(got[i]!).toBeGreaterThan(got[i - 1]!);
  });

  it('a stream that keeps up gets every line at once, nothing waits', () => {
    const chunks: string[] = [];
    const fast = new Writable({
      decodeStrings: false,
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    });
    const sink = new ConsoleSink({ stream: fast, format: 'json' });
    for (let seq = 0; seq < 1000; seq++) {
      sink.log(ev(seq));
      expect(chunks).toHaveLength(seq + 1);
    }
    expect(sink.stats()).toMatchObject({ accepted: 1000, delivered: 1000, pending: 0, dropped: 0 });
  });

  it('shutdown() on a stalled stream: the backlog is dropped at its bound (shutdown_timeout), later events as shutdown', async () => {
    const stream = new StalledStream();
    const sink = new ConsoleSink({ stream, format: 'json' });
    for (let seq = 0; seq < 100; seq++) sink.log(ev(seq));
    await sink.shutdown({ timeoutMs: 20 });
    sink.log(ev(100));
    const s = sink.stats();
    checkInvariant(s);
    expect(s).toMatchObject({ accepted: 101, inFlight: 1, queued: 0, droppedByReason: { shutdown_timeout: 99, shutdown: 1 } });
  });

  it('validates its new options, naming them', () => {
    expect(() => new ConsoleSink({ maxBufferedBytes: -1 })).toThrow(expect.objectContaining({ option: 'maxBufferedBytes' }));
    expect(() => new ConsoleSink({ exitTimeoutMs: Number.NaN })).toThrow(expect.objectContaining({ option: 'exitTimeoutMs' }));
  });
});

interface ChildRun {
  code: number | null;
  stats: ConsoleSinkStats;
  seqs: number[];
}

/** Runs the console child; its stderr is read only after `readAfterMs` (or once it exited, if negative). */
function runConsoleChild(count: number, mode: string, readAfterMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'console-exit-child.ts'), String(count), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const guard = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    let stdout = '';
    const err: Buffer[] = [];
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const read = (): void => void proc.stderr.on('data', (d: Buffer) => err.push(d));
    if (readAfterMs >= 0) setTimeout(read, readAfterMs);
    else proc.on('exit', read);
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(guard);
      const text = Buffer.concat(err).toString('utf8');
      try {
        expect(text === '' || text.endsWith('\n'), 'stderr ends with a whole line').toBe(true);
        const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('[mvx-common]'));
        const seqs = lines.map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq);
        resolve({ code, stats: JSON.parse(stdout.trim()) as ConsoleSinkStats, seqs });
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

describe('ConsoleSink on a stderr pipe at process.exit()', () => {
  it('a reader that is late but reads: every line arrives, once, whole, in order (default root context)', async () => {
    // 2,000 lines of ~330 bytes: ten times what the pipe holds.
    const r = await runConsoleChild(2000, 'default', 300);
    expect(r.code).toBe(0);
    expect(r.seqs).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(r.stats).toMatchObject({ accepted: 2000, delivered: 2000, dropped: 0, pending: 0 });
  });

  it('coalescing: lines still queued for the end of the run when the process exits are written by the exit path, in order', async () => {
    const r = await runConsoleChild(2000, 'coalesce', 300);
    expect(r.code).toBe(0);
    expect(r.seqs).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(r.stats).toMatchObject({ accepted: 2000, delivered: 2000, dropped: 0, pending: 0 });
  });

  it('a reader that does not read until the process is gone: what was not written within exitTimeoutMs is dropped (exit), and the reader gets exactly the delivered lines', async () => {
    const r = await runConsoleChild(2000, 'short', -1);
    expect(r.code).toBe(0);
    checkInvariant(r.stats);
    expect(r.stats.pending).toBe(0);
    expect(r.stats.droppedByReason.exit).toBeGreaterThan(0);
    expect(r.seqs.length).toBe(r.stats.delivered);
    expect(r.seqs).toEqual(Array.from({ length: r.seqs.length }, (_, i) => i));
  });
});

describe('ConsoleSink on a TTY', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('writes are synchronous on a terminal: every line delivered at once, nothing waits at exit (run under script(1))', () => {
    const childFile = join(import.meta.dirname, 'fixtures', 'console-exit-child.ts');
    const out = join(mkdtempSync(join(tmpdir(), 'mvx-tty-')), 'typescript');
    const cmd = [process.execPath, childFile, '3000', 'default'].map((a) => `'${a}'`).join(' ');
    const res = spawnSync('script', ['-qec', cmd, out], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status, res.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    // Readable lines on a TTY (format auto), one per event.
    expect(text.match(/app\.tick/g)).toHaveLength(3000);
    const stats = JSON.parse(/\{"accepted".*\}/.exec(text)![0]) as ConsoleSinkStats;
    expect(stats).toMatchObject({ accepted: 3000, delivered: 3000, pending: 0, dropped: 0 });
    rmSync(dirname(out), { recursive: true, force: true });
  });
});
