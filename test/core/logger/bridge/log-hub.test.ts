/**
 * Worker threads logging through the owner's contexts and sinks (issue 17): one file for a pool,
 * exact accounting on both sides, the owner's configuration applied in the workers, bounded queues,
 * and shutdowns that drain what was accepted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { LogHub } from '../../../../src/core/logger/bridge/log-hub.ts';
import { configureLogContext, resetLogContexts } from '../../../../src/core/logger/context/facade.ts';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { FileSink } from '../../../../src/core/logger/sinks/file-sink.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { captureMvxStderr } from '../../../support/stderr-guard.ts';

const script = join(import.meta.dirname, 'fixtures', 'log-worker.ts');

afterEach(() => resetLogContexts({ root: true }));

/** Starts a worker attached to `hub`; `messages()` yields what it posts, in order. */
function start(hub: LogHub, data: Record<string, unknown>): { worker: Worker; message: (pred?: (m: any) => boolean) => Promise<any>; exited: Promise<number> } {
  const worker = new Worker(script, { workerData: data });
  hub.attach(worker);
  const queue: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  worker.on('message', (m: any) => {
    if (m?.mvx !== undefined) return; // the bridge's own messages
    const i = waiters.findIndex((w) => w.pred(m));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
    else queue.push(m);
  });
  const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
  return {
    worker,
    exited,
    message: (pred = () => true) =>
      new Promise((resolve) => {
        const i = queue.findIndex(pred);
        if (i >= 0) resolve(queue.splice(i, 1)[0]);
        else waiters.push({ pred, resolve });
      }),
  };
}

describe('LogHub: worker threads log through the owner', () => {
  it('four threads × 25,000 events into one file sink: every line once, accounting exact on both sides, then shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvx-loghub-'));
    try {
      const sink = new FileSink({ path: join(dir, 'pool.log') });
      configureLogContext('', { sink, minLevel: LogLevel.INFO });
      const hub = new LogHub();
      const workers = [0, 1, 2, 3].map((index) => start(hub, { script: 'volume', index, count: 25_000 }));
      const reports = await Promise.all(workers.map((w) => w.message((m) => 'report' in m).then((m) => m.report)));
      await Promise.all(workers.map((w) => w.exited));
      const hubReport = await hub.shutdown();
      const sinkReport = await sink.shutdown();

      for (const r of reports) {
        expect(r).toMatchObject({ accepted: 25_000, delivered: 25_000, dropped: 0, failed: 0, pending: 0, timedOut: false, state: 'closed' });
      }
      expect(hubReport).toMatchObject({ accepted: 100_000, delivered: 100_000, dropped: 0, failed: 0, pending: 0, timedOut: false });
      expect(sinkReport).toMatchObject({ accepted: 100_000, delivered: 100_000, dropped: 0, failed: 0, pending: 0, timedOut: false });

      const lines = readFileSync(join(dir, 'pool.log'), 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(100_000);
      const seen = new Set<string>();
      const next = [0, 0, 0, 0];
      for (const line of lines) {
        const e = JSON.parse(line) as { namespace: string; event: string; payload: { worker: number; i: number; password: string } };
        const { worker, i, password } = e.payload;
        expect(password).toBe('[REDACTED]'); // normalised (and redacted) in the worker
        expect(e.namespace).toBe(`jobs.w${worker}`);
        expect(i).toBe(next[worker]); // each worker's events in order
        next[worker]!++;
        seen.add(`${worker}:${i}`);
      }
      expect(seen.size).toBe(100_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("applies the owner's levels, policy and payload processor in the worker, and sends their changes", async () => {
    const sink = new MemorySink();
    configureLogContext('', { sink, minLevel: LogLevel.INFO });
    configureLogContext('app', {
      minLevel: LogLevel.DEBUG,
      policy: PatternLogEventPolicy.fromConfig({ rules: [{ action: 'deny', names: ['noisy.*'] }] }),
      payloadProcessor: new LogPayloadProcessor({ redact: { keys: ['ssn', /^te/] }, maxStringLength: 10 }),
    });
    const hub = new LogHub();
    const w = start(hub, { script: 'config' });
    expect(await w.message((m) => m.phase === 1)).toMatchObject({ version: 1 });
    configureLogContext('app', { minLevel: LogLevel.WARNING }); // reaches the worker by itself
    w.worker.postMessage('go');
    const { report } = await w.message((m) => 'report' in m);
    await w.exited;
    await hub.shutdown();
    const lines = sink.events.map((e: LogEvent) => `${e.meta.namespace}.${e.meta.name} ${JSON.stringify(e.payload)}`);
    expect(lines).toEqual([
      'app.worker.debug.kept {"n":1}',
      'app.worker.payload.shaped {"ssn":"[REDACTED]","text":"[REDACTED]","token":"[REDACTED]"}',
      'app.worker.warning.kept {}',
    ]);
    // Decided in the worker: the denied and disabled events never crossed.
    expect(report).toMatchObject({ accepted: 3, delivered: 3, dropped: 0, configVersion: 2 });
    expect(hub.stats()).toMatchObject({ accepted: 3, delivered: 3, droppedByReason: { disabled: 0 } });
  }, 30_000);

  it('a policy that cannot cross (not a PatternLogEventPolicy) is applied by the owner when the event arrives', async () => {
    const capture = captureMvxStderr();
    const sink = new MemorySink();
    configureLogContext('', { sink });
    configureLogContext('app', { policy: { isEnabled: (meta) => !meta.name.startsWith('secret.') } });
    const hub = new LogHub();
    const w = start(hub, { script: 'owner-policy' });
    const { report } = await w.message((m) => 'report' in m);
    await w.exited;
    expect(sink.events.map((e: LogEvent) => e.meta.name)).toEqual(['public.thing']);
    expect(report).toMatchObject({ accepted: 2, delivered: 1, dropped: 1, droppedByReason: { owner: 1 } });
    expect(hub.stats()).toMatchObject({ accepted: 2, delivered: 1, droppedByReason: { disabled: 1 } });
    expect(capture.lines).toEqual([
      "[mvx-common] LogHub config.policy_owner: the policy of 'app' is not a PatternLogEventPolicy: workers send every event above the minimum level and the owner decides",
    ]);
    await hub.shutdown();
  }, 30_000);

  it('is bounded: a worker that outruns a stalled owner sink drops beyond maxPending, counted; nothing else is lost', async () => {
    let stalled = true;
    const events: LogEvent[] = [];
    // A sink that reports a backlog over the hub's high-water mark while stalled.
    const sink = { log: (e: LogEvent) => void events.push(e), stats: () => ({ pending: stalled ? 10_000 : 0 }) };
    configureLogContext('', { sink });
    const hub = new LogHub({ sinkHighWaterMark: 100 });
    const w = start(hub, { script: 'outrun', count: 5000, maxPending: 1000 });
    const { stats } = await w.message((m) => 'stats' in m);
    expect(stats.accepted).toBe(5000);
    expect(stats.droppedByReason.overflow).toBeGreaterThan(3000);
    expect(stats.accepted).toBe(stats.delivered + stats.dropped + stats.failed + stats.pending);
    expect(stats.pending).toBeLessThanOrEqual(1000);
    expect(events.length).toBeLessThanOrEqual(1000); // one batch per worker passes the gate before it closes
    stalled = false;
    w.worker.postMessage('go');
    const { report } = await w.message((m) => 'report' in m);
    expect(report).toMatchObject({ accepted: 5000, pending: 0, failed: 0, timedOut: false });
    expect(report.delivered).toBe(5000 - report.droppedByReason.overflow);
    expect(events).toHaveLength(report.delivered);
    await w.exited;
    await hub.shutdown();
  }, 30_000);

  it("the hub's shutdown drains what the workers accepted; later events are counted as closed in the worker", async () => {
    const sink = new MemorySink();
    configureLogContext('', { sink });
    const hub = new LogHub();
    const w = start(hub, { script: 'hub-shutdown', count: 3000 });
    await w.message((m) => 'logged' in m);
    const report = await hub.shutdown();
    expect(report).toMatchObject({ accepted: 3000, delivered: 3000, pending: 0, timedOut: false, workers: 0, state: 'closed' });
    expect(sink.events).toHaveLength(3000);
    w.worker.postMessage('go');
    const { stats } = await w.message((m) => 'stats' in m);
    expect(stats).toMatchObject({ accepted: 3001, delivered: 3000, dropped: 1, droppedByReason: { closed: 1 }, pending: 0 });
    await w.worker.terminate();
  }, 30_000);

  it('never holds a worker thread open: a worker that is done ends without shutdown()', async () => {
    const sink = new MemorySink();
    configureLogContext('', { sink });
    const hub = new LogHub();
    const w = start(hub, { script: 'no-shutdown' });
    const code = await Promise.race([w.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
    expect(code).toBe(0);
    expect(sink.events.map((e: LogEvent) => e.meta.name)).toEqual(['only.event']);
    await hub.shutdown();
  }, 30_000);
});
