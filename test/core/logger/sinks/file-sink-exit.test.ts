// An application that logs and then exits at once (process.exit, a fatal error, an uncaught
// exception) without awaiting the sink: every event accepted before the exit is in the file, once,
// whole and in order, and the sink's counts say so; what cannot be written is counted and reported.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkInvariant } from './helpers.ts';
import type { AsyncLogSinkStats } from '../../../../src/core/logger/sinks/async-log-sink-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'mvx-exit-now-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = join(import.meta.dirname, 'fixtures', 'exit-now-child.ts');
let n = 0;

interface Run {
  status: number | null;
  stderr: string;
  stats: AsyncLogSinkStats;
  seqs: number[];
}

function run(mode: string, count: number, file = join(dir, `case-${++n}`, 'app.log')): Run {
  const res = spawnSync(process.execPath, [child, file, mode, String(count)], { encoding: 'utf8', timeout: 30_000 });
  const stats = JSON.parse(res.stdout.trim().split('\n').at(-1) ?? 'null') as AsyncLogSinkStats;
  let seqs: number[] = [];
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    expect(text === '' || text.endsWith('\n'), 'the file ends with a whole line').toBe(true);
    seqs = text === '' ? [] : text.slice(0, -1).split('\n').map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq);
  }
  return { status: res.status, stderr: res.stderr, stats, seqs };
}

const upTo = (k: number): number[] => Array.from({ length: k }, (_, i) => i);

describe('FileSink: exit right after logging', () => {
  it('5,000 events then process.exit(0): all 5,000 lines, in order, counted as delivered', () => {
    const r = run('exit0', 5000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.seqs).toEqual(upTo(5000));
    checkInvariant(r.stats);
    expect(r.stats).toMatchObject({ accepted: 5000, delivered: 5000, failed: 0, dropped: 0, pending: 0 });
  });

  it('ctx.error(...) then process.exit(1) in the same tick: the error line is in the file', () => {
    for (let i = 0; i < 5; i++) {
      const r = run('fatal', 0);
      expect(r.status, r.stderr).toBe(1);
      expect(r.seqs).toEqual([0]);
      expect(r.stats).toMatchObject({ accepted: 1, delivered: 1, pending: 0 });
    }
  });

  it('an uncaught exception after logging: every line is in the file', () => {
    const r = run('uncaught', 2000);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('uncaught after logging');
    expect(r.seqs).toEqual(upTo(2001));
    expect(r.stats).toMatchObject({ accepted: 2001, delivered: 2001, pending: 0 });
  });

  it('a batch being written at exit is completed before the queued lines: all lines, once, in order', () => {
    for (let i = 0; i < 3; i++) {
      const r = run('inflight', 3000);
      expect(r.status, r.stderr).toBe(0);
      expect(r.seqs).toEqual(upTo(6000));
      checkInvariant(r.stats);
      expect(r.stats).toMatchObject({ accepted: 6000, delivered: 6000, pending: 0 });
    }
  });

  it('process.exit(1) 1 ms after logging: all lines once, in order', () => {
    for (let i = 0; i < 3; i++) {
      const r = run('later', 3000);
      expect(r.status, r.stderr).toBe(1);
      expect(r.seqs).toEqual(upTo(3001));
      expect(r.stats).toMatchObject({ accepted: 3001, delivered: 3001, pending: 0 });
    }
  });

  it('a file that cannot be opened at exit: the events are counted as failed and reported on stderr', () => {
    // A regular file where the directory should be: the path cannot be created, even by root.
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const r = run('unwritable', 10, join(blocker, 'app.log'));
    expect(r.status, r.stderr).toBe(0);
    checkInvariant(r.stats);
    expect(r.stats).toMatchObject({ accepted: 10, delivered: 0, failed: 10 });
    expect(r.stderr).toMatch(/FileSink sink\.exit_failed: 10 queued event\(s\) could not be written at process exit/);
  });
});

describe('FileSink: exit on a path under /proc', () => {
  it('exits at once: the queued events are counted as failed and reported (a recursive mkdir there never returns)', () => {
    const r = run('unwritable', 10, `/proc/mvx-no-such-dir-${process.pid}/logs/app.log`);
    expect(r.status, r.stderr).toBe(0);
    checkInvariant(r.stats);
    expect(r.stats).toMatchObject({ accepted: 10, delivered: 0, failed: 10 });
    expect(r.stderr).toMatch(/FileSink sink\.exit_failed: 10 queued event\(s\) could not be written at process exit/);
  });
});

describe('AsyncLogSink without deliverSync: exit with events held', () => {
  const asyncChild = join(import.meta.dirname, 'fixtures', 'exit-async-child.ts');
  const runAsync = (mode: string): { status: number | null; stderr: string; stats: AsyncLogSinkStats } => {
    const res = spawnSync(process.execPath, [asyncChild, mode], { encoding: 'utf8', timeout: 30_000 });
    return { status: res.status, stderr: res.stderr, stats: JSON.parse(res.stdout.trim()) as AsyncLogSinkStats };
  };

  it('queued events are counted as dropped (reason exit) and reported on stderr', () => {
    const r = runAsync('queued');
    expect(r.status, r.stderr).toBe(0);
    checkInvariant(r.stats);
    expect(r.stats).toMatchObject({ accepted: 100, dropped: 100, pending: 0, droppedByReason: { exit: 100 } });
    expect(r.stderr).toContain('[mvx-common] net sink.exit_dropped: 100 queued event(s) dropped at process exit: this sink cannot deliver synchronously');
  });

  it('a batch in flight stays pending (its outcome is unknown) and is reported with the dropped ones', () => {
    const r = runAsync('inflight');
    expect(r.status, r.stderr).toBe(0);
    checkInvariant(r.stats);
    expect(r.stats).toMatchObject({ accepted: 100, dropped: 90, pending: 10, inFlight: 10, droppedByReason: { exit: 90 } });
    expect(r.stderr).toContain('90 queued event(s) dropped at process exit: this sink cannot deliver synchronously; 10 event(s) were being delivered, outcome unknown (pending)');
  });
});
