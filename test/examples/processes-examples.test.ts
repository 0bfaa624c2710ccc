/**
 * The examples of issue 17 run as a user runs them (`npm run example -- <name>`) and print the
 * exact figures: a cluster with a killed and replaced worker, and a pool of threads logging into one file.
 */
import { describe, expect, it } from 'vitest';
import { exampleOutput } from './run-example.ts';

describe('processes and threads examples', () => {
  it('cluster: one scrape for the group, exact across a SIGKILL and a restart, one log stream', async () => {
    const { stdout } = await exampleOutput('cluster');
    expect(stdout.trim().split('\n').sort()).toEqual(
      [
        'jobs_done_total{kind="a"} 350',
        'jobs_done_total{kind="b"} 350',
        'log events: worker.finished x3, worker.started x4, worker.waiting x1',
        'log hub: accepted=8 delivered=8 dropped=0 failed=0',
        'mvx_cluster_workers_answering 0',
        'mvx_cluster_workers_connected 0',
        'mvx_cluster_workers_exited_total 4',
        'service_restarts_total 1',
      ].sort(),
    );
  }, 60_000);

  it('worker-threads-logs: every line once in one file, redacted in the threads, exact accounting', async () => {
    const { stdout } = await exampleOutput('worker-threads-logs');
    expect(stdout.trim().split('\n')).toEqual([
      'lines 20000, distinct 20000, card redacted in 20000',
      'thread 0: accepted=5000 delivered=5000 dropped=0 pending=0',
      'thread 1: accepted=5000 delivered=5000 dropped=0 pending=0',
      'thread 2: accepted=5000 delivered=5000 dropped=0 pending=0',
      'thread 3: accepted=5000 delivered=5000 dropped=0 pending=0',
      'file sink: accepted=20000 delivered=20000 dropped=0 failed=0',
    ]);
  }, 60_000);
});
