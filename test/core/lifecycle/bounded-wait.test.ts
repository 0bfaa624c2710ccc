import { spawnSync } from 'node:child_process';
import { stat } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitBounded } from '../../../src/core/lifecycle/bounded-wait.ts';

describe('waitBounded', () => {
  it('resolves with the value of work that settles in time', async () => {
    expect(await waitBounded(Promise.resolve(7), { timeoutMs: 1000 })).toEqual({ status: 'done', value: 7 });
    expect(await waitBounded(() => 'sync', { timeoutMs: 1000 })).toEqual({ status: 'done', value: 'sync' });
  });

  it('never rejects: a rejection or a synchronous throw resolves as failed', async () => {
    const error = new Error('backend down');
    expect(await waitBounded(Promise.reject(error), { timeoutMs: 1000 })).toEqual({ status: 'failed', error });
    expect(
      await waitBounded(() => {
        throw error;
      }, { timeoutMs: 1000 }),
    ).toEqual({ status: 'failed', error });
  });

  it('resolves as timeout at the bound, and a later rejection of the work is not left unhandled', async () => {
    let reject!: (e: Error) => void;
    const work = new Promise<never>((_, r) => (reject = r));
    const started = performance.now();
    expect(await waitBounded(work, { timeoutMs: 30 })).toEqual({ status: 'timeout' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    reject(new Error('late'));
    await new Promise((r) => setTimeout(r, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('work whose I/O finished while the process was starved counts as in time, though the bound expired too', async () => {
    const work = new Promise<string>((resolve) => stat(import.meta.filename, () => resolve('stat')));
    const waiting = waitBounded(work, { timeoutMs: 20 });
    const until = Date.now() + 300;
    while (Date.now() < until); // a busy process: the bound and the stat are both due when the loop runs again
    expect(await waiting).toEqual({ status: 'done', value: 'stat' });
  });

  it('Infinity waits for the work without a timer', async () => {
    expect(await waitBounded(new Promise((r) => setTimeout(r, 20, 'late')), { timeoutMs: Infinity })).toEqual({ status: 'done', value: 'late' });
  });

  const child = join(import.meta.dirname, 'fixtures', 'bounded-wait-child.ts');
  it('holdProcess: an awaited wait as the last step of a program keeps it alive until the bound', () => {
    const r = spawnSync(process.execPath, [child, 'hold'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; waitedMs: number };
    expect(out.status).toBe('timeout');
    expect(out.waitedMs).toBeGreaterThanOrEqual(290);
  });

  it('by default the timer is unref\'ed: a library never holds a process open', () => {
    const r = spawnSync(process.execPath, [child, 'unref'], { encoding: 'utf8', timeout: 20_000 });
    // Node ends the process with nothing left to run: an unsettled top-level await exits with 13.
    expect(r.status).toBe(13);
    expect(r.stdout).toBe('');
  });
});
