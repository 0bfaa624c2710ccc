/**
 * Cluster aggregation over real process IPC: children made with child_process.fork and workers of
 * a node:cluster, reporting to an aggregator in this process.
 */
import cluster from 'node:cluster';
import type { Worker as ClusterWorker } from 'node:cluster';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterMetricsAggregator } from '../../../../src/core/metrics/cluster/cluster-metrics-aggregator.ts';
import type { MetricSnapshot } from '../../../../src/core/metrics/types.ts';
import { until, valueOf } from './in-process.ts';

/** The sum of every series of a number dimension (per-worker series included). */
function total(snaps: readonly MetricSnapshot[], metric: string): number {
  const d = snaps.find((s) => s.name === metric)?.dimensions[0];
  return d === undefined || d.kind === 'histogram' ? NaN : d.series.reduce((a, s) => a + s.value, 0);
}

const script = join(import.meta.dirname, 'fixtures', 'reporting-child.ts');

function exitOf(child: ChildProcess | ClusterWorker, withinMs: number): Promise<number | string> {
  const proc = 'process' in child ? child.process : child;
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode ?? proc.signalCode!);
    const timer = setTimeout(() => resolve('still running'), withinMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal!);
    });
  });
}

function spawnChild(mode: string, count: number): { child: ChildProcess; stdout: () => string } {
  const child = fork(script, [mode, String(count)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, stdout: () => out };
}

describe('cluster metrics over process IPC', () => {
  it('a forked child reports to its parent, shuts down, and exits by itself; the parent keeps its final counts', async () => {
    const agg = new ClusterMetricsAggregator();
    const { child, stdout } = spawnChild('shutdown', 1000);
    agg.attach(child);
    expect(await exitOf(child, 15_000)).toBe(0);
    await until(() => agg.stats().workers.exited === 1);
    expect(JSON.parse(stdout())).toMatchObject({ timedOut: false, state: 'closed', failed: 0, dropped: 0, pending: 0 });
    const snaps = agg.snapshots();
    expect(valueOf(snaps, 'jobs', '')).toBe(1000);
    expect(valueOf(snaps, 'busy', '')).toBeUndefined(); // its gauge left with it
    expect(agg.stats().workers).toEqual({ connected: 0, answering: 0, exited: 1 });
  }, 30_000);

  it('the reporter never holds a process open: a child whose work is done exits without shutdown()', async () => {
    const agg = new ClusterMetricsAggregator();
    const { child } = spawnChild('flush', 10);
    agg.attach(child);
    expect(await exitOf(child, 15_000)).toBe(0);
    await until(() => agg.stats().workers.exited === 1);
    expect(valueOf(agg.snapshots(), 'jobs', '')).toBe(10);
  }, 30_000);

  it("the application's own message listener keeps the child alive, as it does without the library", async () => {
    const agg = new ClusterMetricsAggregator();
    const { child } = spawnChild('app-listener', 10);
    agg.attach(child);
    expect(await exitOf(child, 2_000)).toBe('still running');
    await until(() => valueOf(agg.snapshots(), 'jobs', '') === 10, 'the child\'s counts arriving');
    child.disconnect(); // the application's listener no longer holds it
    expect(await exitOf(child, 15_000)).toBe(0);
  }, 30_000);

  describe('node:cluster', () => {
    afterAll(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGKILL');
    });

    it('counts stay exact and monotonic when a worker is killed with SIGKILL and replaced', async () => {
      cluster.setupPrimary({ exec: script, args: ['serve'], silent: false });
      const agg = new ClusterMetricsAggregator({ perWorker: ['jobs'] });
      const stop = agg.attachCluster(cluster);
      const start = (count: number): Promise<ClusterWorker> =>
        new Promise((resolve) => {
          const w = cluster.fork({ COUNT: String(count) });
          w.on('message', (m: { app?: string }) => {
            if (m.app === 'flushed') resolve(w);
          });
        });
      const [a, b] = await Promise.all([start(300), start(200)]);
      const nameOf = (w: ClusterWorker): string | undefined => agg.workers().find((x) => x.pid === w.process.pid)?.name;
      const [slotA, slotB] = [nameOf(a), nameOf(b)];
      expect([slotA, slotB].sort()).toEqual(['1', '2']);
      const seen = [total(agg.snapshots(), 'jobs')];
      a.process.kill('SIGKILL');
      await exitOf(a, 10_000);
      await until(() => agg.stats().workers.exited === 1);
      seen.push(total(agg.snapshots(), 'jobs'));
      const c = await start(50);
      expect(nameOf(c)).toBe(slotA); // the free slot of the killed worker
      await agg.flush();
      const snaps = agg.snapshots();
      seen.push(total(snaps, 'jobs'));
      expect(seen).toEqual([500, 500, 550]);
      const perWorker = snaps.find((s) => s.name === 'jobs')!.dimensions[0]!.series.map((s) => [s.attributes.worker, (s as { value: number }).value]);
      expect(Object.fromEntries(perWorker)).toEqual({ [slotA!]: 350, [slotB!]: 200 });
      expect(agg.stats().workers).toMatchObject({ connected: 2, exited: 1 });
      stop();
      b.kill();
      c.kill();
      await Promise.all([exitOf(b, 10_000), exitOf(c, 10_000)]);
    }, 60_000);
  });
});
