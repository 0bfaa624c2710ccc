// A file system that fills up: after a failed or short write the file holds whole lines only, the
// next line never glues onto a torn one, and the counts match the file (delivered lines are in it,
// failed ones are not). Two real ways to run out of room: a small tmpfs (needs root to mount, as in
// CI; skipped with the reason otherwise) and a file-size limit (RLIMIT_FSIZE, no root needed), which
// gives the same short write followed by an error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { configureDiagnostics } from '../../../../src/index.ts';
import { FileSink } from '../../../../src/core/logger/sinks/file-sink.ts';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import { checkInvariant, sleep } from './helpers.ts';

interface Line {
  payload: { seq: number };
}

/** Parses every line (a torn or glued line fails here) and returns the sequence numbers. */
function fileSeqs(file: string): number[] {
  const text = readFileSync(file, 'utf8');
  expect(text === '' || text.endsWith('\n'), 'the file ends with a whole line').toBe(true);
  if (text === '') return [];
  return text
    .slice(0, -1)
    .split('\n')
    .map((l, i) => {
      try {
        return (JSON.parse(l) as Line).payload.seq;
      } catch {
        throw new Error(`line ${i + 1} is not a whole JSON line: ${l.slice(0, 80)}…${l.slice(-80)}`);
      }
    });
}

/** Mounts a tmpfs of `size` bytes; returns why it could not. */
function mountTmpfs(dir: string, size: number): string | undefined {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs as root)';
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}`;
}

const ev = (seq: number): LogEvent => ({ level: 30, meta: { namespace: 'disk', name: 'e' }, timestamp: Date.now(), payload: { seq, pad: 'p'.repeat(150) } });

const mnt = mkdtempSync(join(tmpdir(), 'mvx-full-'));
const skipReason = mountTmpfs(mnt, 64 * 1024);
if (skipReason !== undefined) console.warn(`skipping the tmpfs disk-full tests: ${skipReason}`);

beforeAll(() => configureDiagnostics({ stderr: 'off' }));
afterAll(() => {
  configureDiagnostics({ stderr: 'throttled' });
  if (skipReason === undefined && spawnSync('umount', [mnt]).status !== 0) spawnSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

describe.skipIf(skipReason !== undefined)('FileSink on a full tmpfs (64 KiB)', () => {
  it('only whole lines stay in the file; delivered lines are in it, failed ones are not; writing resumes cleanly when room comes back', async () => {
    const filler = join(mnt, 'filler');
    writeFileSync(filler, Buffer.alloc(16 * 1024));
    const path = join(mnt, 'app.log');
    const failed = new Set<number>();
    const sink = new FileSink({
      path,
      batchIntervalMs: 0,
      maxBatchSize: 50,
      maxRetries: 1,
      retryBaseDelayMs: 1,
      onError: (_e, batch) => batch.forEach((e) => failed.add(e.payload.seq as number)),
    });
    onTestFinished(async () => {
      await sink.shutdown({ timeoutMs: 1_000 });
      rmSync(path, { force: true });
      rmSync(filler, { force: true });
    });
    let seq = 0;
    // ~200 bytes a line: 1,000 lines are three times the room left.
    for (; seq < 1000; seq++) {
      sink.log(ev(seq));
      if (seq % 20 === 19) await sleep(1);
    }
    await sink.flush({ timeoutMs: 20_000 });
    const full = sink.stats();
    checkInvariant(full);
    expect(full.failed).toBeGreaterThan(0);
    let inFile = fileSeqs(path);
    expect(inFile.length).toBe(full.delivered);
    expect(inFile.filter((s) => failed.has(s))).toEqual([]);
    // Room comes back: the next lines start on a line of their own.
    rmSync(filler);
    const resumedFrom = seq;
    for (; seq < resumedFrom + 20; seq++) sink.log(ev(seq));
    const report = await sink.shutdown({ timeoutMs: 20_000 });
    checkInvariant(report);
    inFile = fileSeqs(path);
    expect(inFile.length).toBe(report.delivered);
    expect(inFile.slice(-20)).toEqual(Array.from({ length: 20 }, (_, i) => resumedFrom + i));
    expect(new Set(inFile).size).toBe(inFile.length);
    expect(inFile.filter((s) => failed.has(s))).toEqual([]);
    expect(report.delivered + failed.size).toBe(report.accepted);
  });

  it('at process exit on a full disk: the lines that fit are whole, the rest counted as failed', () => {
    const filler = join(mnt, 'filler2');
    writeFileSync(filler, Buffer.alloc(40 * 1024));
    const path = join(mnt, 'exit.log');
    onTestFinished(() => {
      rmSync(path, { force: true });
      rmSync(filler, { force: true });
    });
    const res = spawnSync(process.execPath, [join(import.meta.dirname, 'fixtures', 'fsize-child.ts'), path, '1000', 'exit'], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status, res.stderr).toBe(0);
    const { stats } = JSON.parse(res.stdout.trim()) as { stats: { accepted: number; delivered: number; failed: number } };
    const inFile = fileSeqs(path);
    expect(stats.failed).toBeGreaterThan(0);
    expect(inFile.length).toBe(stats.delivered);
    expect(inFile).toEqual(Array.from({ length: inFile.length }, (_, i) => i));
    expect(stats.delivered + stats.failed).toBe(1000);
  });
  it('at process exit with a batch waiting for its retry after a partial write, and room again: the rest of the batch is written', () => {
    const filler = join(mnt, 'filler3');
    writeFileSync(filler, Buffer.alloc(40 * 1024));
    const path = join(mnt, 'retry.log');
    onTestFinished(() => {
      rmSync(path, { force: true });
      rmSync(filler, { force: true });
    });
    const res = spawnSync(process.execPath, [join(import.meta.dirname, 'fixtures', 'fsize-child.ts'), path, '200', 'retry-exit', filler], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status, res.stderr).toBe(0);
    const { stats } = JSON.parse(res.stdout.trim()) as { stats: { accepted: number; delivered: number; failed: number; pending: number } };
    expect(fileSeqs(path)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(stats).toMatchObject({ accepted: 200, delivered: 200, failed: 0, pending: 0 });
  });
});

describe('FileSink under a file-size limit (RLIMIT_FSIZE: a short write, then EFBIG)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mvx-fsize-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const prlimit = spawnSync('prlimit', ['--version']).status === 0;

  for (const mode of ['async', 'exit']) {
    it.skipIf(!prlimit)(`${mode}: whole lines only, and the counts match the file`, () => {
      const path = join(dir, `${mode}.log`);
      const child = join(import.meta.dirname, 'fixtures', 'fsize-child.ts');
      // 30,001 bytes: not a multiple of the line size, so the limit cuts a line.
      const res = spawnSync('prlimit', ['--fsize=30001', process.execPath, child, path, '500', mode], { encoding: 'utf8', timeout: 30_000 });
      expect(res.status, res.stderr).toBe(0);
      const { stats, failedSeqs } = JSON.parse(res.stdout.trim()) as { stats: { accepted: number; delivered: number; failed: number; dropped: number }; failedSeqs: number[] };
      const inFile = fileSeqs(path);
      expect(stats.failed).toBeGreaterThan(0);
      expect(inFile.length).toBe(stats.delivered);
      expect(inFile).toEqual(Array.from({ length: inFile.length }, (_, i) => i));
      if (mode === 'async') expect(inFile.filter((s) => failedSeqs.includes(s))).toEqual([]);
      expect(stats.delivered + stats.failed + stats.dropped).toBe(500);
    });
  }
});
