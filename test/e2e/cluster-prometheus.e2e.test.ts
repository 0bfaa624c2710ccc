/**
 * Issue 17's end-to-end evidence: a node:cluster of four workers emitting known counts, one of them
 * killed with SIGKILL mid-run and replaced, the primary serving ONE endpoint for the group, scraped
 * once a second by a real Prometheus: no counter ever goes down (`resets()` is 0 for every counter
 * series over the run) and the final values are exact.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBinary, sleep, startPrometheus } from './prometheus-server.ts';
import type { PrometheusServer } from './prometheus-server.ts';

const available = hasBinary('prometheus');
const SKIP_REASON = 'prometheus not found on PATH (install the Debian package `prometheus`; .ci/run does)';
if (!available && process.env.CI) throw new Error(`The cluster end-to-end test must run in CI, but ${SKIP_REASON}`);

const P = { WORKERS: 4, ROUNDS: 30, PER_ROUND: 50, ROUND_MS: 200, VICTIM_JOBS: 300 };
const FULL_RUNS = P.WORKERS; // three original workers and the victim's replacement
const ROUNDS_DONE = FULL_RUNS * P.ROUNDS + P.VICTIM_JOBS / P.PER_ROUND;
const JOBS = ROUNDS_DONE * P.PER_ROUND;
/** ms values of one round: i % 150 for i < PER_ROUND. */
const roundMs = Array.from({ length: P.PER_ROUND }, (_, i) => i % 150);

describe.skipIf(!available)(`a node:cluster scraped by a real Prometheus${available ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let app: ChildProcess | undefined;
  let prom: PrometheusServer | undefined;
  const events: Record<string, unknown>[] = [];
  let done!: Promise<void>;
  let stderr = '';

  beforeAll(async () => {
    app = fork(join(import.meta.dirname, 'fixtures', 'cluster-app.ts'), [], {
      env: { ...process.env, ...Object.fromEntries(Object.entries(P).map(([k, v]) => [k, String(v)])) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    app.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let buffered = '';
    let onLine: (e: Record<string, unknown>) => void = () => undefined;
    app.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const e = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        events.push(e);
        onLine(e);
      }
    });
    const port = await new Promise<number>((resolve, reject) => {
      onLine = (e) => typeof e.port === 'number' && resolve(e.port);
      app!.once('exit', (code) => reject(new Error(`the cluster app exited (${code}): ${stderr}`)));
    });
    done = new Promise<void>((resolve) => {
      onLine = (e) => e.done === true && resolve();
    });
    prom = await startPrometheus({ cluster: `127.0.0.1:${port}` });
    await sleep(1_500); // a scrape or two before the workers start
    app.send('go');
  }, 90_000);

  afterAll(async () => {
    if (app !== undefined && app.exitCode === null) {
      const exited = new Promise((r) => app!.once('exit', r));
      app.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (app.exitCode === null) app.kill('SIGKILL');
    }
    await prom?.stop();
  });

  it('no counter resets, and the final values are exact', async () => {
    await Promise.race([done, sleep(60_000).then(() => Promise.reject(new Error(`the cluster did not finish in 60 s: ${JSON.stringify(events)} ${stderr}`)))]);
    expect(events.filter((e) => 'killed' in e)).toHaveLength(1);
    const q = async (expr: string): Promise<number> => {
      const r = await prom!.query(expr);
      return r.length === 1 ? Number(r[0]!.value[1]) : NaN;
    };
    // Wait (bounded) for a scrape after the last worker ended, then read the final values. The jobs
    // total can be complete one scrape before the last worker's exit is counted: wait for both.
    const deadline = Date.now() + 15_000;
    const final = async (): Promise<boolean> =>
      (await q('sum(e2e_jobs_total)')) === JOBS && (await q('mvx_cluster_workers_exited_total')) === P.WORKERS + 1 && (await q('mvx_cluster_workers_connected')) === 0;
    while (!(await final()) && Date.now() < deadline) await sleep(250);

    expect(await q('sum(e2e_jobs_total)')).toBe(JOBS);
    expect(await q('e2e_jobs_total{kind="a"}')).toBe(JOBS / 2);
    expect(await q('e2e_jobs_total{kind="b"}')).toBe(JOBS / 2);
    expect(await q('e2e_job_duration_seconds_count')).toBe(JOBS);
    const sumMs = ROUNDS_DONE * roundMs.reduce((a, b) => a + b, 0);
    expect(await q('e2e_job_duration_seconds_sum')).toBeCloseTo(sumMs / 1000, 9);
    for (const [le, ms] of [['0.001', 1], ['0.01', 10], ['0.1', 100]] as const) {
      expect(await q(`e2e_job_duration_seconds_bucket{le="${le}"}`)).toBe(ROUNDS_DONE * roundMs.filter((v) => v <= ms).length);
    }
    expect(await q('e2e_restarts_total')).toBe(1); // the primary's own metric, in the same scrape
    expect(await q('mvx_cluster_workers_exited_total')).toBe(P.WORKERS + 1);
    expect(await q('mvx_cluster_workers_connected')).toBe(0);

    // Over the whole run: every counter series (counters, histogram buckets and counts) only went up.
    // (resets() drops the metric name, so one query per name.)
    const counters = (await prom!.query('{job="cluster", __name__=~".+_(total|bucket|count)"}')).map((s) => s.metric.__name__!);
    const names = [...new Set(counters)].sort();
    expect(names).toEqual([
      'e2e_job_duration_seconds_bucket',
      'e2e_job_duration_seconds_count',
      'e2e_jobs_total',
      'e2e_restarts_total',
      'mvx_cluster_resyncs_total',
      'mvx_cluster_workers_exited_total',
    ]);
    let series = 0;
    for (const name of names) {
      const resets = await prom!.query(`resets(${name}{job="cluster"}[10m])`);
      series += resets.length;
      expect(resets.filter((r) => r.value[1] !== '0').map((r) => ({ name, ...r.metric }))).toEqual([]);
    }
    expect(series).toBe(4 + 1 + 2 + 1 + 1 + 1);
    // ...while Prometheus scraped throughout (the run lasts about 7 s), and no scrape failed.
    expect(await q('count_over_time(e2e_jobs_total{kind="a"}[10m])')).toBeGreaterThanOrEqual(6);
    expect(await q('min_over_time(up{job="cluster"}[10m])')).toBe(1);
  }, 90_000);
});

describe.skipIf(available)('cluster end to end: availability', () => {
  it(`is skipped here: ${SKIP_REASON}`, () => {
    expect(available).toBe(false);
  });
});
