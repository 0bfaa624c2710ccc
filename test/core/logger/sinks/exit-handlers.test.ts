import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MvxConfigError, configureDiagnostics } from '../../../../src/index.ts';
import { installExitHandlers, shutdownAll, registerForShutdown } from '../../../../src/core/logger/sinks/exit-handlers.ts';
import { ProbeSink, ev } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'mvx-exit-'));
beforeAll(() => configureDiagnostics({ stderr: 'off' }));
afterAll(() => {
  configureDiagnostics({ stderr: 'throttled' });
  rmSync(dir, { recursive: true, force: true });
});
const child = join(import.meta.dirname, 'fixtures', 'exit-child.ts');

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the child, sends `signal` once it printed `ready`, resolves when it exits (killed after 30 s). */
function runChild(file: string, count: number, mode: string, signal: NodeJS.Signals): Promise<ChildResult> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [child, file, String(count), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    const guard = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (sentAt === 0 && stdout.includes('ready\n')) {
        sentAt = Date.now();
        proc.kill(signal);
      }
    });
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code, sig) => {
      clearTimeout(guard);
      resolve({ code, signal: sig, stdout, stderr, ms: Date.now() - sentAt });
    });
  });
}

function lineCount(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  return text === '' ? 0 : text.split('\n').length - 1;
}

describe('installExitHandlers', () => {
  it('SIGTERM: every logged line is in the file, participants shut down, and the process ends by the signal', async () => {
    const file = join(dir, 'term.log');
    const r = await runChild(file, 5000, 'handlers', 'SIGTERM');
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(r.stdout).toContain('participant shutdown');
    expect(lineCount(file)).toBe(5000);
    const seqs = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq);
    expect(seqs).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('SIGINT is handled the same way', async () => {
    const file = join(dir, 'int.log');
    const r = await runChild(file, 300, 'handlers', 'SIGINT');
    expect(r.signal, r.stderr).toBe('SIGINT');
    expect(lineCount(file)).toBe(300);
  });

  it('control: without the handlers the signal ends the process before the batch is written', async () => {
    const file = join(dir, 'none.log');
    const r = await runChild(file, 300, 'none', 'SIGTERM');
    expect(r.signal).toBe('SIGTERM');
    expect(lineCount(file)).toBe(0);
  });

  it('a participant that never finishes does not hold the exit beyond the bound', async () => {
    const file = join(dir, 'hang.log');
    const r = await runChild(file, 100, 'hang', 'SIGTERM');
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(lineCount(file)).toBe(100); // the file sink finished within the bound
  });

  it('is idempotent while installed and uninstalls its listeners', () => {
    const before = { term: process.listenerCount('SIGTERM'), exit: process.listenerCount('beforeExit') };
    const off1 = installExitHandlers({ signals: ['SIGTERM'] });
    const off2 = installExitHandlers();
    expect(off2).toBe(off1);
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    expect(process.listenerCount('beforeExit')).toBe(before.exit + 1);
    off1();
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    expect(process.listenerCount('beforeExit')).toBe(before.exit);
    const off3 = installExitHandlers();
    expect(off3).not.toBe(off1);
    off3();
  });

  it('validates its options', () => {
    expect(() => installExitHandlers({ timeoutMs: -1 })).toThrow(MvxConfigError);
    expect(() => installExitHandlers({ signals: ['TERM' as NodeJS.Signals] })).toThrow(/signals/);
    expect(() => installExitHandlers({ sinks: [{} as never] })).toThrow(/sinks\[0\]/);
  });

  it('shutdownAll shuts down given sinks and registered participants, counting failures', async () => {
    const sink = new ProbeSink({ batchIntervalMs: 60_000 });
    sink.log(ev(1));
    let flushed = 0;
    const offA = registerForShutdown({ flush: () => void flushed++ });
    const offB = registerForShutdown({
      shutdown: () => {
        throw new Error('broken');
      },
    });
    const r = await shutdownAll(2_000, [sink]);
    offA();
    offB();
    expect(r.failed).toBe(1);
    expect(r.timedOut).toBe(false);
    expect(flushed).toBe(1);
    expect(sink.state).toBe('stopped');
    expect(sink.delivered).toHaveLength(1);
  });
});
