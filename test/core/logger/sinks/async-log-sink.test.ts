import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MvxConfigError, MvxError, MvxStateError, configureDiagnostics } from '../../../../src/index.ts';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import { AsyncLogSink } from '../../../../src/core/logger/sinks/async-log-sink.ts';
import { ProbeSink, checkInvariant, ev, gate, seqs, sleep } from './helpers.ts';
import { captureDiagnostics } from '../../../support/diagnostics.ts';

beforeEach(() => configureDiagnostics({ stderr: 'off' }));
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

describe('AsyncLogSink options', () => {
  it.each([
    [{ maxQueueSize: 0 }, 'maxQueueSize'],
    [{ maxQueueSize: 1.5 }, 'maxQueueSize'],
    [{ maxBatchSize: -1 }, 'maxBatchSize'],
    [{ overflowPolicy: 'block' }, 'overflowPolicy'],
    [{ batchIntervalMs: Number.NaN }, 'batchIntervalMs'],
    [{ maxRetries: 101 }, 'maxRetries'],
    [{ retryBaseDelayMs: 500, retryMaxDelayMs: 100 }, 'retryMaxDelayMs'],
    [{ onDrop: 'x' }, 'onDrop'],
    [{ name: '' }, 'name'],
  ])('rejects %j naming the option', (options, option) => {
    let caught: unknown;
    try {
      new ProbeSink(options as never);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MvxConfigError);
    expect((caught as MvxConfigError).option).toBe(option);
  });

  it('uses the class name in diagnostics by default', () => {
    expect(new ProbeSink().name).toBe('ProbeSink');
  });
});

describe('AsyncLogSink delivery', () => {
  it('starts lazily on the first event and delivers off the caller stack, in order, in batches by size', async () => {
    const sink = new ProbeSink({ maxBatchSize: 10 });
    expect(sink.state).toBe('idle');
    expect(sink.starts).toBe(0);
    for (let i = 0; i < 35; i++) sink.log(ev(i));
    expect(sink.delivered).toHaveLength(0); // nothing on the caller's stack
    expect(sink.state).toBe('starting');
    const report = await sink.flush();
    expect(report.timedOut).toBe(false);
    expect(sink.state).toBe('running');
    expect(sink.starts).toBe(1);
    expect(sink.batchesSeen.map((b) => b.length)).toEqual([10, 10, 10, 5]);
    expect(seqs(sink.delivered)).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(report).toMatchObject({ accepted: 35, delivered: 35, dropped: 0, failed: 0, pending: 0, batches: 4 });
  });

  it('delivers a partial batch after batchIntervalMs without a flush', async () => {
    const sink = new ProbeSink({ batchIntervalMs: 20 });
    sink.log(ev(1));
    sink.log(ev(2));
    await sleep(5);
    expect(sink.delivered.length).toBe(0);
    for (let i = 0; i < 100 && sink.delivered.length < 2; i++) await sleep(10);
    expect(sink.batchesSeen).toHaveLength(1);
    expect(seqs(sink.delivered)).toEqual([1, 2]);
  });

  it('schedules delivery with a ref\'ed immediate (regression: an unref\'ed one waited seconds for unrelated I/O to wake the loop)', async () => {
    const sink = new ProbeSink({ batchIntervalMs: 0 });
    await sink.start();
    await sleep(1); // let the start's own immediates run
    const count = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
    const before = count();
    sink.log(ev(1));
    // Only ref'ed immediates keep the loop from blocking in its poll phase (and only they are listed).
    expect(count()).toBe(before + 1);
    const report = await sink.flush({ timeoutMs: 2_000 });
    expect(report.timedOut).toBe(false);
    expect(seqs(sink.delivered)).toEqual([1]);
  });

  it('drop-newest under a blocked target drops exactly the new events and counts them', async () => {
    const g = gate();
    const dropped: [number, string][] = [];
    const sink = new ProbeSink(
      { maxQueueSize: 5, maxBatchSize: 2, batchIntervalMs: 0, onDrop: (e, r) => dropped.push([e.payload.seq as number, r]) },
      () => g.promise,
    );
    await sink.start();
    sink.log(ev(0));
    sink.log(ev(1));
    await sleep(5); // batch [0,1] now in flight, blocked
    for (let i = 2; i < 12; i++) sink.log(ev(i));
    checkInvariant(sink.stats());
    expect(sink.stats()).toMatchObject({ accepted: 12, inFlight: 2, queued: 5, dropped: 5, droppedByReason: { queue_full: 5 } });
    expect(dropped).toEqual([7, 8, 9, 10, 11].map((s) => [s, 'queue_full']));
    g.open();
    await sink.flush();
    expect(seqs(sink.delivered)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    checkInvariant(sink.stats());
  });

  it('drop-oldest evicts the oldest queued events and flush still completes', async () => {
    const g = gate();
    const sink = new ProbeSink({ maxQueueSize: 5, maxBatchSize: 2, batchIntervalMs: 0, overflowPolicy: 'drop-oldest' }, () => g.promise);
    await sink.start();
    sink.log(ev(0));
    sink.log(ev(1));
    await sleep(5);
    const flushing = sink.flush({ timeoutMs: 10_000 });
    for (let i = 2; i < 12; i++) sink.log(ev(i));
    expect(sink.stats()).toMatchObject({ accepted: 12, dropped: 5, queued: 5, inFlight: 2 });
    g.open();
    const report = await flushing; // Ko-Log's flush hung forever after one eviction
    expect(report.timedOut).toBe(false);
    await sink.flush();
    expect(seqs(sink.delivered)).toEqual([0, 1, 7, 8, 9, 10, 11]);
    checkInvariant(sink.stats());
  });

  it('retries a failing batch with backoff, then goes on', async () => {
    let calls = 0;
    const sink = new ProbeSink({ maxRetries: 3, retryBaseDelayMs: 1, batchIntervalMs: 0 }, () => {
      calls++;
      if (calls <= 2) throw new Error(`transient ${calls}`);
    });
    sink.log(ev(1));
    await sink.flush();
    expect(calls).toBe(3);
    expect(sink.stats()).toMatchObject({ delivered: 1, failed: 0, retries: 2 });
  });

  it('counts a batch as failed after maxRetries, calls onError once, reports it, and delivers the next batch', async () => {
    const { list: diags, stop: off } = captureDiagnostics();
    const errors: [unknown, number][] = [];
    let failing = true;
    const sink = new ProbeSink(
      { maxRetries: 2, retryBaseDelayMs: 1, batchIntervalMs: 0, onError: (e, b) => errors.push([e, b.length]) },
      () => {
        if (failing) throw new Error('target down');
      },
    );
    sink.log(ev(1));
    sink.log(ev(2));
    await sink.flush();
    expect(sink.stats()).toMatchObject({ failed: 2, delivered: 0, retries: 2 });
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toBe(2);
    expect((sink.stats().lastError as Error).message).toBe('target down');
    expect(diags.some((d) => d.component === 'ProbeSink' && d.code === 'sink.batch_failed')).toBe(true);
    failing = false; // the target recovers
    sink.log(ev(3));
    await sink.flush();
    expect(seqs(sink.delivered)).toEqual([3]);
    expect(sink.stats()).toMatchObject({ accepted: 3, delivered: 1, failed: 2, pending: 0 });
    off();
  });

  it('a batch that fails after delivering part of itself counts that part as delivered (deliveredOfFailedBatch), the rest as failed', async () => {
    const failedSeqs: number[] = [];
    class PartSink extends AsyncLogSink {
      done = 0;
      protected override deliver(batch: readonly LogEvent[]): void {
        this.done = Math.min(batch.length, this.done + 2); // two more events land per attempt, then it fails
        throw new Error('disk full');
      }
      protected override deliveredOfFailedBatch(): number {
        return this.done;
      }
    }
    const sink = new PartSink({ maxRetries: 2, retryBaseDelayMs: 1, batchIntervalMs: 0, maxBatchSize: 10, onError: (_e, b) => failedSeqs.push(...seqs(b)) });
    for (let i = 0; i < 10; i++) sink.log(ev(i));
    const report = await sink.flush();
    checkInvariant(report);
    expect(report).toMatchObject({ accepted: 10, delivered: 6, failed: 4 });
    expect(failedSeqs).toEqual([6, 7, 8, 9]);
  });

  it('a throwing target keeps the producer running; delivery resumes when it recovers; accounting exact throughout', async () => {
    let down = true;
    const sink = new ProbeSink({ maxQueueSize: 200, maxBatchSize: 50, maxRetries: 1, retryBaseDelayMs: 1, batchIntervalMs: 1 }, () => {
      if (down) throw new Error('unavailable');
    });
    let produced = 0;
    for (let round = 0; round < 40; round++) {
      if (round === 20) down = false;
      for (let i = 0; i < 30; i++) {
        expect(() => sink.log(ev(produced++))).not.toThrow();
      }
      checkInvariant(sink.stats());
      await sleep(1);
    }
    const report = await sink.shutdown({ timeoutMs: 10_000 });
    checkInvariant(report);
    expect(report.accepted).toBe(produced);
    expect(report.failed).toBeGreaterThan(0);
    expect(report.delivered).toBeGreaterThan(0);
    expect(report.pending).toBe(0);
    expect(report.delivered + report.failed + report.dropped).toBe(produced);
    // Events produced after recovery are all delivered (in order).
    const after = seqs(sink.delivered);
    expect(after).toEqual([...after].sort((a, b) => a - b));
    expect(after.at(-1)).toBe(produced - 1);
  });

  it('a sink slower than its producer drops exactly what it counts (invariant sampled continuously)', async () => {
    const sink = new ProbeSink({ maxQueueSize: 100, maxBatchSize: 10, batchIntervalMs: 0 }, () => sleep(2));
    let produced = 0;
    const deadline = Date.now() + 400;
    while (Date.now() < deadline) {
      for (let i = 0; i < 50; i++) {
        sink.log(ev(produced++));
        if (i % 10 === 0) checkInvariant(sink.stats());
      }
      await new Promise((r) => setImmediate(r));
    }
    const report = await sink.shutdown({ timeoutMs: 10_000 });
    checkInvariant(report);
    expect(report.dropped).toBeGreaterThan(0);
    expect(report.delivered + report.dropped).toBe(produced);
    expect(report.delivered).toBe(sink.delivered.length);
    expect(report.droppedByReason.queue_full).toBe(report.dropped);
    // No duplicates, in order.
    const s = seqs(sink.delivered);
    expect(new Set(s).size).toBe(s.length);
    expect(s).toEqual([...s].sort((a, b) => a - b));
  });
});

describe('AsyncLogSink lifecycle', () => {
  it('start() is idempotent and rejects with an MvxError when onStart fails; queued events count as failed', async () => {
    const sink = new ProbeSink({ retryBaseDelayMs: 1 });
    sink.startFn = () => {
      throw new Error('no route');
    };
    sink.log(ev(1));
    const p1 = sink.start();
    expect(sink.start()).toBe(p1);
    await expect(p1).rejects.toBeInstanceOf(MvxError);
    await expect(p1).rejects.toMatchObject({ code: 'MVX_STARTUP' });
    expect(sink.state).toBe('idle');
    expect(sink.stats()).toMatchObject({ accepted: 1, failed: 1, pending: 0 });
    // The target recovers: the next event starts the sink again (after the backoff).
    sink.startFn = undefined;
    await sleep(5);
    sink.log(ev(2));
    await sink.flush();
    expect(sink.state).toBe('running');
    expect(seqs(sink.delivered)).toEqual([2]);
    const p2 = sink.start();
    expect(sink.start()).toBe(p2);
    await p2;
  });

  it('a start() that fails with nothing queued is reported once, by its rejection (no sink.start_failed diagnostic); events it costs are reported', async () => {
    const { list: diags, stop: off } = captureDiagnostics();
    try {
      const sink = new ProbeSink({ retryBaseDelayMs: 1 });
      sink.startFn = () => {
        throw new Error('no route');
      };
      await expect(sink.start()).rejects.toMatchObject({ code: 'MVX_STARTUP' });
      expect(diags.filter((d) => d.code === 'sink.start_failed')).toEqual([]);
      // An event that a failed start costs is a loss no rejection tells anyone about: reported.
      await sleep(5); // past the start backoff
      sink.log(ev(1));
      await sink.flush({ timeoutMs: 5_000 });
      expect(sink.stats()).toMatchObject({ accepted: 1, failed: 1, pending: 0 });
      const reported = diags.filter((d) => d.code === 'sink.start_failed');
      expect(reported).toHaveLength(1);
      expect(reported[0]!.details).toMatchObject({ events: 1 });
    } finally {
      off();
    }
  });

  it('an onStart that throws synchronously does not wedge the sink: the next event starts it again', async () => {
    class SyncStartSink extends AsyncLogSink {
      refuse = true;
      readonly delivered: LogEvent[] = [];
      protected override deliver(batch: readonly LogEvent[]): void {
        this.delivered.push(...batch);
      }
      protected override onStart(): void {
        // A plain (not async) hook: `onStart(): Promise<void> | void` allows it.
        if (this.refuse) throw new Error('no route');
      }
    }
    const sink = new SyncStartSink({ retryBaseDelayMs: 1, batchIntervalMs: 0 });
    sink.log(ev(1));
    const failed = sink.start(); // the attempt the event made
    await expect(failed).rejects.toMatchObject({ code: 'MVX_STARTUP' });
    expect(sink.state).toBe('idle');
    expect(sink.stats()).toMatchObject({ accepted: 1, failed: 1, pending: 0 });
    sink.refuse = false;
    await sleep(5); // past the start backoff
    sink.log(ev(2));
    const r = await sink.flush({ timeoutMs: 5_000 });
    expect(sink.state).toBe('running');
    expect(seqs(sink.delivered)).toEqual([2]);
    expect(r).toMatchObject({ timedOut: false, accepted: 2, delivered: 1, failed: 1, pending: 0 });
    expect(sink.start()).not.toBe(failed);
    await sink.start();
  });

  it('a shutdown after a synchronous onStart failure delivers nothing through a sink that never started', async () => {
    class SyncStartSink extends AsyncLogSink {
      readonly delivered: LogEvent[] = [];
      stops = 0;
      protected override deliver(batch: readonly LogEvent[]): void {
        this.delivered.push(...batch);
      }
      protected override onStart(): void {
        throw new Error('no route');
      }
      protected override onStop(): void {
        this.stops++;
      }
    }
    const sink = new SyncStartSink({ retryBaseDelayMs: 60_000, batchIntervalMs: 0 });
    sink.log(ev(1)); // fails at start: counted as failed
    sink.log(ev(2)); // waits for the next start attempt (after the backoff)
    const r = await sink.shutdown({ timeoutMs: 5_000 });
    expect(sink.delivered).toEqual([]);
    expect(sink.stops).toBe(0);
    expect(r).toMatchObject({ state: 'stopped', accepted: 2, delivered: 0, failed: 2, pending: 0 });
    checkInvariant(r);
  });

  it('onError is called for a failed start only with events queued (an explicit start() rejects instead)', async () => {
    const batches: number[] = [];
    const sink = new ProbeSink({ retryBaseDelayMs: 1, onError: (_e, b) => batches.push(b.length) });
    sink.startFn = () => {
      throw new Error('no route');
    };
    await expect(sink.start()).rejects.toMatchObject({ code: 'MVX_STARTUP' });
    expect(batches).toEqual([]);
    await sleep(5);
    sink.log(ev(1));
    await sink.flush({ timeoutMs: 1_000 });
    expect(batches).toEqual([1]);
  });

  it('flush() and shutdown() share one promise on repeat', async () => {
    const sink = new ProbeSink({ batchIntervalMs: 50 });
    sink.log(ev(1));
    const f1 = sink.flush();
    expect(sink.flush()).toBe(f1);
    sink.log(ev(2));
    const f2 = sink.flush(); // a new event arrived: a new flush covers it
    expect(f2).not.toBe(f1);
    await f2;
    expect(seqs(sink.delivered)).toEqual([1, 2]);
    const s1 = sink.shutdown();
    expect(sink.shutdown()).toBe(s1);
    const report = await s1;
    expect(report).toMatchObject({ state: 'stopped', timedOut: false, delivered: 2 });
    expect(sink.stops).toBe(1);
    await sink.shutdown();
    expect(sink.stops).toBe(1);
  });

  it('a hanging deliver: flush and shutdown resolve at their bound with timedOut and exact counts', async () => {
    let aborted: unknown;
    const sink = new ProbeSink({ maxBatchSize: 3, batchIntervalMs: 0 }, (_b, signal) => {
      signal.addEventListener('abort', () => (aborted = signal.reason));
      return new Promise<void>(() => {}); // never settles
    });
    for (let i = 0; i < 10; i++) sink.log(ev(i));
    const f = await sink.flush({ timeoutMs: 30 });
    expect(f).toMatchObject({ timedOut: true, accepted: 10, inFlight: 3, queued: 7, pending: 10 });
    const r = await sink.shutdown({ timeoutMs: 30 });
    expect(r).toMatchObject({ timedOut: true, state: 'stopped', accepted: 10, inFlight: 3, pending: 3, dropped: 7 });
    expect(r.droppedByReason.shutdown_timeout).toBe(7);
    checkInvariant(r);
    expect(aborted).toBeInstanceOf(MvxError);
  });

  it('deliveryTimeoutMs ends a hung attempt (its signal aborts), retries it, then counts the batch as failed', async () => {
    const reasons: unknown[] = [];
    let calls = 0;
    const sink = new ProbeSink({ deliveryTimeoutMs: 20, maxRetries: 1, retryBaseDelayMs: 1, batchIntervalMs: 0 }, (_b, signal) => {
      calls++;
      signal.addEventListener('abort', () => reasons.push(signal.reason));
      return new Promise<void>(() => {});
    });
    sink.log(ev(1));
    const r = await sink.flush({ timeoutMs: 5_000 });
    expect(r).toMatchObject({ timedOut: false, failed: 1, retries: 1, pending: 0 });
    expect(calls).toBe(2);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatchObject({ code: 'MVX_TIMEOUT' });
    sink.deliverFn = undefined; // the target answers again
    sink.log(ev(2));
    await sink.flush();
    expect(seqs(sink.delivered)).toEqual([2]);
  });

  it('a shutdown that times out during a retry backoff counts the batch as failed', async () => {
    const sink = new ProbeSink({ maxRetries: 5, retryBaseDelayMs: 10_000, batchIntervalMs: 0 }, () => {
      throw new Error('down');
    });
    sink.log(ev(1));
    await sleep(10);
    const r = await sink.shutdown({ timeoutMs: 30 });
    expect(r).toMatchObject({ timedOut: true, failed: 1, pending: 0 });
  });

  it('events logged after shutdown are dropped with reason shutdown and never throw', async () => {
    const reasons: string[] = [];
    const sink = new ProbeSink({ onDrop: (_e, r) => reasons.push(r) });
    sink.log(ev(1));
    const stopping = sink.shutdown();
    expect(() => sink.log(ev(2))).not.toThrow();
    await stopping;
    sink.log(ev(3));
    expect(reasons).toEqual(['shutdown', 'shutdown']);
    expect(sink.stats()).toMatchObject({ accepted: 3, delivered: 1, dropped: 2, droppedByReason: { shutdown: 2 } });
    await expect(sink.start()).rejects.toBeInstanceOf(MvxStateError);
  });

  it('a throwing onDrop hook is reported, not thrown', () => {
    const { list: diags, stop: off } = captureDiagnostics();
    const sink = new ProbeSink({
      maxQueueSize: 1,
      onDrop: () => {
        throw new Error('hook bug');
      },
    });
    sink.log(ev(1));
    expect(() => sink.log(ev(2))).not.toThrow();
    expect(diags.some((d) => d.code === 'sink.hook_failed')).toBe(true);
    off();
    void sink.shutdown();
  });

  it('shutdown of a never-started sink with queued events starts it, delivers and stops', async () => {
    const sink = new ProbeSink({ batchIntervalMs: 1000 });
    const events: LogEvent[] = [ev(1), ev(2)];
    for (const e of events) sink.log(e);
    const r = await sink.shutdown();
    expect(r).toMatchObject({ delivered: 2, pending: 0, timedOut: false });
    expect(sink.delivered[0]).toBe(events[0]); // the exact event object
  });

  it('await shutdown() / flush() at the end of a program is not cut short by a retry backoff: the process waits for the report', () => {
    const script = join(import.meta.dirname, 'fixtures', 'awaited-shutdown-child.ts');
    for (const mode of ['shutdown', 'flush']) {
      const res = spawnSync(process.execPath, [script, mode], { encoding: 'utf8', timeout: 20_000 });
      expect(res.signal, res.stderr).toBeNull();
      expect(res.status, `${mode}: ${res.stderr}`).toBe(0);
      const report = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { timedOut: boolean; accepted: number; failed: number; pending: number; retries: number };
      expect(report).toMatchObject({ timedOut: false, accepted: 10, failed: 10, pending: 0, retries: 3 });
    }
  });

  it('sinks started and dropped without shutdown() do not grow the registry of live sinks without bound', () => {
    const script = join(import.meta.dirname, 'fixtures', 'dropped-sinks-child.ts');
    const res = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 60_000 });
    expect(res.status, res.stderr).toBe(0);
    const { entries } = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { entries: number };
    expect(entries).toBeLessThan(2_500); // 10,001 sinks started; all but the last one collectable
  });

  it('timers do not keep the process alive; queued events are still delivered at natural exit', () => {
    const script = join(import.meta.dirname, 'fixtures', 'no-shutdown-child.ts');
    for (const mode of ['ok', 'hang']) {
      const res = spawnSync(process.execPath, [script, mode], { encoding: 'utf8', timeout: 20_000 });
      expect(res.signal, res.stderr).toBeNull(); // not killed by the timeout: it exited by itself
      expect(res.status, res.stderr).toBe(0);
      const line = res.stdout.trim().split('\n').at(-1)!;
      const stats = JSON.parse(line) as { accepted: number; delivered: number };
      expect(stats.accepted).toBe(100);
      if (mode === 'ok') expect(stats.delivered).toBe(100);
    }
  });
});
