import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MvxConfigError, MvxError, configureDiagnostics } from '../../../../src/index.ts';
import { FileSink } from '../../../../src/core/logger/sinks/file-sink.ts';
import { checkInvariant, ev, sleep } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'mvx-file-sink-'));
let n = 0;
const fresh = (name = 'app.log'): string => join(dir, `case-${++n}`, name);

beforeEach(() => configureDiagnostics({ stderr: 'off' }));
afterAll(() => {
  configureDiagnostics({ stderr: 'throttled' });
  rmSync(dir, { recursive: true, force: true });
});

/** What `sink.start()` rejects with (`undefined` when it starts). */
function startError(sink: FileSink): Promise<unknown> {
  return sink.start().then(
    () => undefined,
    (e: unknown) => e,
  );
}

function lines(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n') || text === '').toBe(true);
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

/** Every file of a rotated set, oldest first (path.N … path.1, then path), decompressing .gz. */
function rotatedSet(path: string): { name: string; size: number; lines: string[] }[] {
  const base = path.split('/').at(-1)!;
  const d = path.slice(0, -base.length - 1);
  const rotated = readdirSync(d)
    .filter((f) => f.startsWith(`${base}.`))
    .map((f) => ({ f, i: Number(f.slice(base.length + 1).replace(/\.gz$/, '')) }))
    .sort((a, b) => b.i - a.i);
  const out = rotated.map(({ f }) => {
    const raw = readFileSync(join(d, f));
    const text = f.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    return { name: f, size: raw.length, lines: text === '' ? [] : text.slice(0, -1).split('\n') };
  });
  if (existsSync(path)) out.push({ name: base, size: statSync(path).size, lines: lines(path) });
  return out;
}

describe('FileSink', () => {
  it('100,000 events then shutdown(): exactly 100,000 JSON lines, none lost or duplicated, in order', async () => {
    const path = fresh();
    const sink = new FileSink({ path, maxQueueSize: 100_000 });
    for (let i = 0; i < 100_000; i++) sink.log(ev(i));
    const report = await sink.shutdown({ timeoutMs: 60_000 });
    expect(report).toMatchObject({ timedOut: false, accepted: 100_000, delivered: 100_000, dropped: 0, failed: 0, pending: 0 });
    const all = lines(path);
    expect(all).toHaveLength(100_000);
    for (let i = 0; i < all.length; i++) {
      const obj = JSON.parse(all[i]!) as { payload: { seq: number }; event: string; namespace: string; level: number };
      if (obj.payload.seq !== i) throw new Error(`line ${i} has seq ${obj.payload.seq}`);
    }
    expect(JSON.parse(all[0]!)).toMatchObject({ level: 20, namespace: 'test', event: 'tick', time: new Date(1_700_000_000_000).toISOString() });
    expect(report.batches).toBeLessThan(100_000 / 100); // many lines per write call
  });

  it('appends to an existing file and writes the readable format on request', async () => {
    const path = fresh();
    const first = new FileSink({ path });
    first.log(ev(1));
    await first.shutdown();
    const second = new FileSink({ path, format: 'readable' });
    second.log(ev(2, { user: 'ann' }));
    await second.shutdown();
    const all = lines(path);
    expect(all).toHaveLength(2);
    expect(JSON.parse(all[0]!)).toMatchObject({ payload: { seq: 1 } });
    expect(all[1]).toContain('test.tick');
    expect(all[1]).toContain('"user":"ann"');
    expect(all[1]).not.toContain('\x1b[');
  });

  it('a custom format that throws costs one line (written as JSON instead), not the batch', async () => {
    const path = fresh();
    const sink = new FileSink({
      path,
      format: (e) => {
        if (e.payload.seq === 2) throw new Error('formatter bug');
        return `seq=${String(e.payload.seq)}`;
      },
    });
    for (let i = 0; i < 4; i++) sink.log(ev(i));
    const r = await sink.shutdown();
    expect(r).toMatchObject({ delivered: 4, failed: 0 });
    const all = lines(path);
    expect(all[0]).toBe('seq=0');
    expect(JSON.parse(all[2]!)).toMatchObject({ payload: { seq: 2 } });
    expect(all[3]).toBe('seq=3');
  });

  it('creates missing directories', async () => {
    const path = join(dir, `deep-${++n}`, 'a', 'b', 'c.log');
    const sink = new FileSink({ path });
    await sink.start();
    sink.log(ev(1));
    await sink.shutdown();
    expect(lines(path)).toHaveLength(1);
  });

  it('validates options, naming the option, and rejects unknown ones', () => {
    expect(() => new FileSink({ path: '' })).toThrow(MvxConfigError);
    expect(() => new FileSink({ path: 'x.log', maxBytes: 10 })).toThrow(/maxBytes/);
    expect(() => new FileSink({ path: 'x.log', maxFiles: 0 })).toThrow(/maxFiles/);
    expect(() => new FileSink({ path: 'x.log', rotateDaily: 'hourly' as never })).toThrow(/rotateDaily/);
    expect(() => new FileSink({ path: 'x.log', max_bytes: 1 } as never)).toThrow(/'max_bytes'.*not an option/);
    expect(() => new FileSink({ path: 'x.log', maxQueueSize: -1 })).toThrow(/maxQueueSize/);
  });

  it('an unwritable path: start() rejects naming the path, log() never throws and counts failures, delivery resumes when the path becomes writable', async () => {
    const parent = join(dir, `blocked-${++n}`);
    writeFileSync(parent, 'a regular file where a directory is needed');
    const path = join(parent, 'app.log');
    const sink = new FileSink({ path, retryBaseDelayMs: 1, retryMaxDelayMs: 20 });
    const err = await startError(sink);
    expect(err).toBeInstanceOf(MvxError);
    expect((err as MvxError).code).toBe('MVX_STARTUP');
    expect((err as MvxError).message).toContain(path);
    for (let i = 0; i < 50; i++) expect(() => sink.log(ev(i))).not.toThrow();
    await sink.flush();
    const s = sink.stats();
    checkInvariant(s);
    expect(s.failed).toBe(50);
    expect(s.delivered).toBe(0);
    // The target recovers.
    rmSync(parent);
    await sleep(30);
    sink.log(ev(100));
    const report = await sink.flush();
    expect(report).toMatchObject({ delivered: 1, failed: 50, pending: 0 });
    await sink.shutdown();
    expect(JSON.parse(lines(path)[0]!)).toMatchObject({ payload: { seq: 100 } });
  });

  it('a path under /proc (where a recursive mkdir never returns): start() rejects naming the path instead of hanging', async () => {
    const path = `/proc/mvx-no-such-dir-${process.pid}/logs/app.log`;
    const sink = new FileSink({ path, maxRetries: 0 });
    const err = await startError(sink);
    expect(err).toBeInstanceOf(MvxError);
    expect((err as MvxError).code).toBe('MVX_STARTUP');
    expect((err as MvxError).message).toContain(path);
    expect((err as MvxError).details).toMatchObject({ errno: 'ENOENT' });
    await sink.shutdown({ timeoutMs: 1000 });
  }, 10_000);

  it('a full disk (/dev/full, ENOSPC): the producer goes on, failures are counted and reported', async () => {
    const errors: unknown[] = [];
    const sink = new FileSink({ path: '/dev/full', maxRetries: 1, retryBaseDelayMs: 1, batchIntervalMs: 0, onError: (e) => errors.push(e) });
    let produced = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) {
        sink.log(ev(produced++));
      }
      checkInvariant(sink.stats());
      await sleep(1);
    }
    const report = await sink.shutdown({ timeoutMs: 10_000 });
    checkInvariant(report);
    expect(report.accepted).toBe(produced);
    expect(report.delivered).toBe(0);
    expect(report.failed + report.dropped).toBe(produced);
    expect(report.failed).toBeGreaterThan(0);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOSPC');
  });

  it('process.exit() right after logging: the queued lines are written synchronously at exit', () => {
    const script = join(import.meta.dirname, 'fixtures', 'process-exit-child.ts');
    const path = fresh();
    const res = spawnSync(process.execPath, [script, path, '3000'], { encoding: 'utf8', timeout: 20_000 });
    expect(res.status, res.stderr).toBe(0);
    const all = lines(path);
    expect(all).toHaveLength(3000);
    expect(all.map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    const stats = JSON.parse(res.stdout.trim()) as { accepted: number; delivered: number };
    expect(stats).toMatchObject({ accepted: 3000, delivered: 3000 });
    // With maxBytes, only what fits is written at exit (no rotation then) and the rest counts as failed.
    const limited = fresh();
    const res2 = spawnSync(process.execPath, [script, limited, '100', '2048'], { encoding: 'utf8', timeout: 20_000 });
    expect(res2.status, res2.stderr).toBe(0);
    expect(statSync(limited).size).toBeLessThanOrEqual(2048);
    const s2 = JSON.parse(res2.stdout.trim()) as { accepted: number; delivered: number; failed: number };
    expect(s2.delivered).toBe(lines(limited).length);
    expect(s2.delivered + s2.failed).toBe(100);
  });

  it('deliveryTimeoutMs on a stalled write: the retry waits for the timed-out write, so no line is written twice', async () => {
    const path = fresh('stalled.fifo');
    mkdirSync(dirname(path), { recursive: true });
    expect(spawnSync('mkfifo', [path]).status).toBe(0);
    // A reader that does not read yet: the pipe (64 KiB) fills and the sink's write blocks.
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const sink = new FileSink({ path, deliveryTimeoutMs: 50, maxRetries: 100, retryBaseDelayMs: 1, batchIntervalMs: 0, maxBatchSize: 10_000 });
    const count = 2_000;
    const pad = 'x'.repeat(200); // ~500 KB in all, far beyond the pipe's buffer
    for (let i = 1; i <= count; i++) sink.log(ev(i, { pad }));
    for (let i = 0; i < 500 && sink.stats().retries === 0; i++) await sleep(10); // the first attempt timed out
    expect(sink.stats().retries).toBeGreaterThan(0);
    const flushed = sink.flush({ timeoutMs: 20_000 });
    let done = false;
    void flushed.then(() => (done = true));
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(65_536);
    for (let idle = 0; idle < 50; ) {
      let n = 0;
      try {
        n = readSync(reader, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      }
      if (n > 0) {
        chunks.push(Buffer.from(buf.subarray(0, n)));
        idle = 0;
      } else {
        if (done) idle++;
        await sleep(5);
      }
    }
    const r = await flushed;
    await sink.shutdown();
    closeSync(reader);
    const text = Buffer.concat(chunks).toString('utf8');
    const got = text
      .slice(0, -1)
      .split('\n')
      .map((l) => {
        try {
          return (JSON.parse(l) as { payload: { seq: number } }).payload.seq;
        } catch {
          return -1; // a line garbled by two writes at once
        }
      });
    expect(got).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(r).toMatchObject({ timedOut: false, delivered: count, failed: 0, pending: 0 });
    checkInvariant(r);
  });

  it('writes to /dev/null without rotating', async () => {
    const sink = new FileSink({ path: '/dev/null', maxBytes: 1024 });
    for (let i = 0; i < 1000; i++) sink.log(ev(i));
    const r = await sink.shutdown();
    expect(r).toMatchObject({ delivered: 1000, rotations: 0 });
  });
});

describe('FileSink rotation', () => {
  it('keeps every file under maxBytes, keeps all lines in order across files', async () => {
    const path = fresh();
    const sink = new FileSink({ path, maxBytes: 4096, maxFiles: 100, maxBatchSize: 64 });
    for (let i = 0; i < 2000; i++) sink.log(ev(i, { pad: 'x'.repeat(i % 97) }));
    // What is checked is the files, not the speed: on a loaded machine 30 rotations took longer than
    // the default 5 s shutdown bound (1,664 of 2,000 lines delivered), so the bound is the test's.
    const r = await sink.shutdown({ timeoutMs: 25_000 });
    expect(r.delivered).toBe(2000);
    const files = rotatedSet(path);
    expect(files.length).toBeGreaterThan(20);
    expect(r.rotations).toBe(files.length - 1);
    for (const f of files) expect(f.size, f.name).toBeLessThanOrEqual(4096);
    const all = files.flatMap((f) => f.lines).map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq);
    expect(all).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('keeps at most maxFiles rotated files (oldest deleted) and never exceeds maxBytes', async () => {
    const path = fresh();
    const sink = new FileSink({ path, maxBytes: 2048, maxFiles: 3 });
    for (let i = 0; i < 500; i++) sink.log(ev(i));
    await sink.shutdown();
    const files = rotatedSet(path);
    expect(files.map((f) => f.name).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
    for (const f of files) expect(f.size).toBeLessThanOrEqual(2048);
    const seqsInFiles = files.flatMap((f) => f.lines).map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq);
    expect(seqsInFiles.at(-1)).toBe(499); // the newest are kept, contiguous
    expect(seqsInFiles).toEqual(Array.from({ length: seqsInFiles.length }, (_, i) => 500 - seqsInFiles.length + i));
  });

  it('rotates before an existing file would exceed maxBytes', async () => {
    const path = fresh();
    const first = new FileSink({ path });
    for (let i = 0; i < 20; i++) first.log(ev(i));
    await first.shutdown();
    const before = statSync(path).size;
    const sink = new FileSink({ path, maxBytes: before + 50 });
    sink.log(ev(20));
    await sink.shutdown();
    expect(statSync(`${path}.1`).size).toBe(before);
    expect(lines(path)).toHaveLength(1);
  });

  it('replaces a single line larger than maxBytes with a truncation marker line', async () => {
    const path = fresh();
    const sink = new FileSink({ path, maxBytes: 1024 });
    sink.log(ev(1));
    sink.log(ev(2, { big: 'y'.repeat(5000) }));
    sink.log(ev(3));
    const r = await sink.shutdown();
    expect(r).toMatchObject({ delivered: 3, truncated: 1 });
    const files = rotatedSet(path);
    for (const f of files) expect(f.size).toBeLessThanOrEqual(1024);
    const parsed = files.flatMap((f) => f.lines).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(3);
    expect(parsed[1]).toMatchObject({ truncated: true, namespace: 'test', event: 'tick' });
    expect(parsed[1]!.bytes).toBeGreaterThan(5000);
  });

  it('gzips rotated files into valid gzip, lines preserved', async () => {
    const path = fresh();
    const sink = new FileSink({ path, maxBytes: 4096, maxFiles: 50, compress: true });
    for (let i = 0; i < 600; i++) sink.log(ev(i));
    const r = await sink.shutdown({ timeoutMs: 20_000 });
    expect(r.rotations).toBeGreaterThan(3);
    expect(r).toMatchObject({ compressed: r.rotations, compressFailures: 0 });
    const files = rotatedSet(path);
    expect(files.filter((f) => f.name.endsWith('.gz'))).toHaveLength(r.rotations);
    const all = files.flatMap((f) => f.lines).map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq);
    expect(all).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it('a rotation that fails mid-batch is retried without writing any line twice', async () => {
    const path = fresh();
    mkdirSync(`${path}.5`, { recursive: true });
    writeFileSync(join(`${path}.5`, 'blocker'), 'x'); // app.log.5 is a non-empty directory: rotation fails
    const sink = new FileSink({ path, maxBytes: 2048, maxFiles: 5, maxRetries: 100, retryBaseDelayMs: 5, retryMaxDelayMs: 5, maxBatchSize: 1000 });
    for (let i = 0; i < 40; i++) sink.log(ev(i));
    for (let i = 0; i < 400 && sink.stats().retries === 0; i++) await sleep(5);
    expect(sink.stats().retries).toBeGreaterThan(0);
    expect(sink.stats().delivered).toBe(0);
    const firstPart = lines(path).length;
    expect(firstPart).toBeGreaterThan(0); // the lines that fitted were written before the failure
    rmSync(`${path}.5`, { recursive: true }); // the obstacle goes away
    const r = await sink.shutdown({ timeoutMs: 10_000 });
    expect(r).toMatchObject({ delivered: 40, failed: 0 });
    const all = rotatedSet(path);
    for (const f of all) expect(f.size).toBeLessThanOrEqual(2048);
    const s = all.flatMap((f) => f.lines).map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq);
    expect(s).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('daily rotation follows an injected clock, aligned to midnight, never at start-up', async () => {
    const path = fresh();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{"old":true}\n'); // an existing file from yesterday is not rotated at start
    let now = Date.UTC(2026, 0, 10, 23, 59, 0);
    const sink = new FileSink({ path, rotateDaily: 'utc', clock: () => now, batchIntervalMs: 0 });
    sink.log(ev(1));
    await sink.flush();
    expect(sink.stats().rotations).toBe(0);
    now = Date.UTC(2026, 0, 10, 23, 59, 59, 999);
    sink.log(ev(2));
    await sink.flush();
    expect(sink.stats().rotations).toBe(0);
    now = Date.UTC(2026, 0, 11, 0, 0, 0, 1); // past midnight UTC
    sink.log(ev(3));
    await sink.flush();
    expect(sink.stats().rotations).toBe(1);
    now = Date.UTC(2026, 0, 11, 12, 0, 0);
    sink.log(ev(4));
    await sink.flush();
    expect(sink.stats().rotations).toBe(1);
    now = Date.UTC(2026, 0, 12, 0, 0, 0, 0);
    sink.log(ev(5));
    await sink.shutdown();
    expect(sink.stats().rotations).toBe(2);
    const files = rotatedSet(path);
    expect(files.map((f) => f.lines.length)).toEqual([3, 2, 1]);
  });
});
