import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { SyncMetricsRecorder } from '../../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { OutcomeCounterMetric } from '../../../src/core/metrics/instruments/outcome-counter-metric.ts';
import type { Metric, MetricEvent, MetricSnapshot, NumberDimension } from '../../../src/core/metrics/types.ts';
import { MvxConfigError, MvxStateError } from '../../../src/core/errors.ts';
import { configureDiagnostics, diagnosticCounts, resetDiagnostics } from '../../../src/core/diagnostics.ts';
import { captureDiagnostics } from '../../support/diagnostics.ts';

type Ev = MetricEvent & { outcome?: string; n?: number };

beforeEach(() => {
  resetDiagnostics();
  configureDiagnostics({ stderr: 'off' });
});
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

function total(snapshots: MetricSnapshot[], name: string, dim = ''): number {
  const s = snapshots.find((x) => x.name === name);
  const d = s?.dimensions.find((x) => x.name === dim) as NumberDimension | undefined;
  return d?.series.reduce((a, b) => a + b.value, 0) ?? 0;
}

/** A metric that records what it saw. */
class Probe implements Metric<Ev> {
  readonly seen: Ev[] = [];
  readonly name: string;
  readonly eventTypes: readonly string[] | '*';
  constructor(name: string, eventTypes: readonly string[] | '*') {
    this.name = name;
    this.eventTypes = eventTypes;
  }
  handle(event: Ev): boolean {
    this.seen.push(event);
    return true;
  }
  snapshot(): MetricSnapshot {
    return { name: this.name, startTimeMs: 0, timeMs: 0, dimensions: [{ name: '', kind: 'counter', series: [{ attributes: {}, value: this.seen.length }] }] };
  }
}

const yieldImmediate = () => new Promise<void>((r) => setImmediate(r));

describe('AsyncMetricsRecorder lifecycle', () => {
  it('starts idle with nothing pending and no metrics, and starts lazily on the first emit', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    expect(r.state).toBe('idle');
    expect(r.metrics()).toEqual([]);
    expect(r.stats()).toMatchObject({ accepted: 0, pending: 0 });
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    r.emit({ type: 'x' });
    expect(r.state).toBe('running');
    expect(r.pending).toBe(1);
    await r.flush();
    expect(total(r.snapshots(), 'c')).toBe(1);
  });

  it('validates options with errors naming the option', () => {
    expect(() => new AsyncMetricsRecorder({ maxQueueSize: 0 })).toThrow(/'maxQueueSize'/);
    expect(() => new AsyncMetricsRecorder({ maxQueueSize: 1.5 })).toThrow(MvxConfigError);
    expect(() => new AsyncMetricsRecorder({ overflowPolicy: 'raise' as never })).toThrow(/'overflowPolicy'/);
    expect(() => new AsyncMetricsRecorder({ dispatch: 'sync' as never })).toThrow(/'dispatch'/);
    expect(() => new AsyncMetricsRecorder({ id: '  ' })).toThrow(/'id'/);
    expect(new AsyncMetricsRecorder({ id: ' a ' }).id).toBe('a');
  });

  it('does not aggregate on the caller stack; the batch runs after the current task', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    const probe = new Probe('p', ['x']);
    r.registerMetric(probe);
    r.emit({ type: 'x' });
    r.emit({ type: 'x' });
    expect(probe.seen.length).toBe(0);
    await yieldImmediate();
    await yieldImmediate();
    expect(probe.seen.length).toBe(2);
    expect(r.stats()).toMatchObject({ accepted: 2, dispatched: 2, pending: 0 });
  });

  it('dispatch: microtask aggregates before the next macrotask', async () => {
    const r = new AsyncMetricsRecorder<Ev>({ dispatch: 'microtask' });
    const probe = new Probe('p', ['x']);
    r.registerMetric(probe);
    r.emit({ type: 'x' });
    expect(probe.seen.length).toBe(0);
    await Promise.resolve();
    expect(probe.seen.length).toBe(1);
  });

  it('stop() flushes every queued event, is idempotent (same promise), and later emits are dropped and counted', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    for (let i = 0; i < 10; i++) r.emit({ type: 'x' });
    const p1 = r.stop();
    const p2 = r.stop();
    expect(p1).toBe(p2);
    await p1;
    expect(r.state).toBe('stopped');
    expect(total(r.snapshots(), 'c')).toBe(10);
    r.emit({ type: 'x' });
    await r.flush();
    expect(total(r.snapshots(), 'c')).toBe(10);
    expect(r.stats().dropped).toMatchObject({ stopped: 1, total: 1 });
  });

  it('events accepted while stopping are aggregated before stop() resolves, not after the recorder is stopped', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    let countAtOnStopped = -1;
    (r as unknown as { onStopped: () => void }).onStopped = () => (countAtOnStopped = total(r.snapshots(), 'c'));
    r.emit({ type: 'x' });
    const stopped = r.stop();
    // Same task as stop(): the recorder is `stopping`, so these are accepted.
    r.emit({ type: 'x' });
    r.emit({ type: 'x' });
    expect(r.stats().accepted).toBe(3);
    await stopped;
    expect(r.stats()).toMatchObject({ state: 'stopped', accepted: 3, dispatched: 3, pending: 0 });
    expect(total(r.snapshots(), 'c')).toBe(3);
    expect(countAtOnStopped).toBe(3);
  });

  it('shutdown() flushes, stops for good (start() rejects), is idempotent, and reports events: accepted = delivered + dropped + failed + pending', async () => {
    for (const overflowPolicy of ['drop-newest', 'drop-oldest'] as const) {
      const r = new AsyncMetricsRecorder<Ev>({ maxQueueSize: 4, overflowPolicy });
      r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
      for (let i = 0; i < 6; i++) r.emit({ type: 'x' }); // two over the queue bound
      r.emit(null as never); // invalid
      const p1 = r.shutdown();
      expect(r.shutdown()).toBe(p1);
      const report = await p1;
      expect(report).toEqual({ accepted: 7, delivered: 4, dropped: 3, failed: 0, pending: 0, timedOut: false });
      expect(r.state).toBe('stopped');
      r.emit({ type: 'x' });
      expect(await r.flush()).toMatchObject({ accepted: 8, dropped: 4, delivered: 4 });
      await expect(r.start()).rejects.toBeInstanceOf(MvxStateError);
    }
  });

  it('stop() from idle goes straight to stopped', async () => {
    const r = new AsyncMetricsRecorder();
    await r.stop();
    expect(r.state).toBe('stopped');
  });

  it('restarts after stop; metrics survive the restart', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    r.emit({ type: 'x' });
    await r.stop();
    await r.start();
    expect(r.state).toBe('running');
    r.emit({ type: 'x' });
    await r.flush();
    expect(total(r.snapshots(), 'c')).toBe(2);
    expect(r.metrics().map((m) => m.name)).toEqual(['c']);
    // A new stop is a new promise.
    await r.stop();
    expect(r.state).toBe('stopped');
  });

  it('start() while stopping rejects with an MvxStateError', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    let startError: unknown;
    r.registerMetric(new Probe('p', '*'));
    r.onMetricChanged(() => {
      if (r.state === 'stopping' && startError === undefined) r.start().catch((e: unknown) => (startError = e));
    });
    r.emit({ type: 'x' });
    await r.stop();
    await yieldImmediate();
    expect(startError).toBeInstanceOf(MvxStateError);
  });
});

describe('AsyncMetricsRecorder flush semantics', () => {
  it('after await flush(), snapshots reflect every event emitted before the call', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    r.registerMetric(new OutcomeCounterMetric<Ev>({ name: 'attempts', eventTypes: 'a', outcomes: ['success', 'failure'] }));
    for (let i = 0; i < 1000; i++) r.emit({ type: 'a', outcome: i % 4 === 0 ? 'failure' : 'success' });
    await r.flush();
    const s = r.snapshots();
    expect(total(s, 'attempts', 'total')).toBe(1000);
    expect(total(s, 'attempts', 'failure_total')).toBe(250);
    expect(total(s, 'attempts', 'success_total')).toBe(750);
  });

  it('flush() from inside a listener does not re-enter and still resolves', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    const flushes: Promise<unknown>[] = [];
    r.onMetricChanged(() => {
      if (flushes.length === 0) flushes.push(r.flush({ timeoutMs: 5000 }));
    });
    r.emit({ type: 'x' });
    r.emit({ type: 'x' });
    await r.flush();
    await Promise.all(flushes);
    expect(total(r.snapshots(), 'c')).toBe(2);
  });

  it('events emitted by a listener are aggregated in a later turn (bounded turns)', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    r.registerMetric(new CounterMetric({ name: 'first', eventTypes: 'a' }));
    r.registerMetric(new CounterMetric({ name: 'second', eventTypes: 'b' }));
    r.onMetricChanged((m) => {
      if (m.name === 'first') r.emit({ type: 'b' });
    });
    r.emit({ type: 'a' });
    await r.flush();
    await yieldImmediate();
    await r.flush();
    expect(total(r.snapshots(), 'second')).toBe(1);
  });
});

describe('AsyncMetricsRecorder overflow', () => {
  it('drop-newest (default) keeps the first events and counts the drops', async () => {
    const r = new AsyncMetricsRecorder<Ev>({ maxQueueSize: 5 });
    const probe = new Probe('p', '*');
    r.registerMetric(probe);
    for (let i = 0; i < 8; i++) r.emit({ type: 'x', n: i });
    expect(r.stats()).toMatchObject({ accepted: 5, pending: 5, dropped: { overflow: 3, total: 3 } });
    await r.flush();
    expect(probe.seen.map((e) => e.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('drop-oldest evicts the oldest events and counts them', async () => {
    const r = new AsyncMetricsRecorder<Ev>({ maxQueueSize: 5, overflowPolicy: 'drop-oldest' });
    const probe = new Probe('p', '*');
    r.registerMetric(probe);
    for (let i = 0; i < 8; i++) r.emit({ type: 'x', n: i });
    expect(r.stats()).toMatchObject({ accepted: 8, pending: 5, dropped: { overflow: 3 } });
    await r.flush();
    expect(probe.seen.map((e) => e.n)).toEqual([3, 4, 5, 6, 7]);
    expect(r.stats()).toMatchObject({ dispatched: 5, pending: 0 });
  });

  it('accounting is exact: accepted = dispatched + pending + evicted, and every emit is counted once', async () => {
    const r = new AsyncMetricsRecorder<Ev>({ maxQueueSize: 100, overflowPolicy: 'drop-oldest' });
    r.registerMetric(new Probe('p', '*'));
    let emitted = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 150; i++, emitted++) r.emit({ type: 'x' });
      if (round % 3 === 0) await yieldImmediate();
    }
    r.emit(null as never);
    emitted++;
    await r.flush();
    const s = r.stats();
    expect(s.accepted).toBe(s.dispatched + s.pending + s.dropped.overflow);
    expect(s.accepted + s.dropped.invalid).toBe(emitted);
  });

  it('invalid events are dropped, counted and reported, never thrown', () => {
    const r = new AsyncMetricsRecorder();
    expect(() => r.emit(undefined as never)).not.toThrow();
    expect(() => r.emit({ type: 42 } as never)).not.toThrow();
    expect(() => r.emit('x' as never)).not.toThrow();
    expect(r.stats().dropped).toMatchObject({ invalid: 3, total: 3 });
    expect(diagnosticCounts().get('AsyncMetricsRecorder(metrics):event.invalid')).toBe(3);
  });
});

describe('routing', () => {
  it('a metric never sees events of other types; * metrics see all; unknown types reach only * metrics', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    const a = new Probe('a', ['t.a']);
    const ab = new Probe('ab', ['t.a', 't.b']);
    const all = new Probe('all', '*');
    r.registerMetric(a);
    r.registerMetric(ab);
    r.registerMetric(all);
    for (const type of ['t.a', 't.b', 't.c', 't.a']) r.emit({ type });
    await r.flush();
    expect(a.seen.map((e) => e.type)).toEqual(['t.a', 't.a']);
    expect(ab.seen.map((e) => e.type)).toEqual(['t.a', 't.b', 't.a']);
    expect(all.seen.map((e) => e.type)).toEqual(['t.a', 't.b', 't.c', 't.a']);
  });

  it('registering a metric with the same name replaces it (keeping its position) and reroutes', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    const old = new Probe('m', ['x']);
    r.registerMetric(old);
    r.registerMetric(new Probe('other', ['x']));
    const replacement = new Probe('m', ['y']);
    r.registerMetric(replacement);
    r.emit({ type: 'x' });
    r.emit({ type: 'y' });
    await r.flush();
    expect(old.seen).toEqual([]);
    expect(replacement.seen.map((e) => e.type)).toEqual(['y']);
    expect(r.metrics().map((m) => m.name)).toEqual(['m', 'other']);
  });

  it('rejects something that is not a metric', () => {
    const r = new AsyncMetricsRecorder();
    expect(() => r.registerMetric(null as never)).toThrow(MvxConfigError);
    expect(() => r.registerMetric({ name: 'x', eventTypes: '*' } as never)).toThrow(/handle/);
    expect(() => r.registerMetric({ name: 'x', eventTypes: 'x', handle: () => true, snapshot: () => ({}) } as never)).toThrow(/eventTypes/);
  });
});

describe('isolation and the change hook', () => {
  it('a throwing metric is isolated: counted as failed, reported once, other metrics and later events unaffected', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    const broken: Metric<Ev> = {
      name: 'broken',
      eventTypes: ['x'],
      handle: () => {
        throw new Error('boom');
      },
      snapshot: () => ({ name: 'broken', startTimeMs: 0, timeMs: 0, dimensions: [] }),
    };
    r.registerMetric(broken);
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    for (let i = 0; i < 5; i++) r.emit({ type: 'x' });
    await r.flush();
    r.emit({ type: 'x' });
    await r.flush();
    expect(r.state).toBe('running');
    expect(total(r.snapshots(), 'c')).toBe(6);
    expect(r.stats().failed.metric).toBe(6);
    expect(r.stats().dispatched).toBe(6);
    expect(diagnosticCounts().get('AsyncMetricsRecorder(metrics):metric.handle_failed')).toBe(1);
  });

  it('a throwing or rejecting listener is isolated; the other listeners still run', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    const seen: string[] = [];
    r.onMetricChanged(() => {
      throw new Error('listener boom');
    });
    r.onMetricChanged(async () => {
      throw new Error('async listener boom');
    });
    r.onMetricChanged((m, e) => seen.push(`${m.name}:${e.type}`));
    r.emit({ type: 'x' });
    r.emit({ type: 'x' });
    await r.flush();
    await yieldImmediate();
    expect(seen).toEqual(['c:x', 'c:x']);
    expect(r.stats().failed.listener).toBe(4);
    expect(diagnosticCounts().get('AsyncMetricsRecorder(metrics):metric.listener_failed')).toBe(2);
    expect(total(r.snapshots(), 'c')).toBe(2);
  });

  it('listeners are told which metric changed by which event, only for accepted events, with progressive state', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    r.registerMetric(new OutcomeCounterMetric<Ev>({ name: 'attempts', eventTypes: 'save', outcomes: ['success', 'failure'] }));
    const records: string[] = [];
    const off = r.onMetricChanged((m, e) => {
      const s = m.snapshot();
      records.push(`${m.name} ${e.type} ${[0, 1, 2].map((i) => (s.dimensions[i] as NumberDimension).series[0]!.value).join('/')}`);
    });
    r.emit({ type: 'save', outcome: 'success' });
    r.emit({ type: 'unknown' });
    r.emit({ type: 'save', outcome: 'success' });
    r.emit({ type: 'save', outcome: 'failure' });
    await r.flush();
    expect(records).toEqual(['attempts save 1/1/0', 'attempts save 2/2/0', 'attempts save 3/2/1']);
    off();
    r.emit({ type: 'save', outcome: 'success' });
    await r.flush();
    expect(records.length).toBe(3);
  });

  it('a throwing snapshot() is left out of snapshots() and reported', () => {
    const r = new AsyncMetricsRecorder();
    r.registerMetric({ name: 'bad', eventTypes: '*', handle: () => false, snapshot: () => { throw new Error('no'); } });
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    expect(r.snapshots().map((s) => s.name)).toEqual(['c']);
  });
});

describe('SyncMetricsRecorder', () => {
  it('aggregates on the caller stack with the same routing and isolation', () => {
    const r = new SyncMetricsRecorder<Ev>();
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    r.registerMetric({ name: 'bad', eventTypes: ['x'], handle: () => { throw new Error('x'); }, snapshot: () => ({ name: 'bad', startTimeMs: 0, timeMs: 0, dimensions: [] }) });
    r.emit({ type: 'x' });
    r.emit({ type: 'y' });
    r.emit(null as never);
    expect(total(r.snapshots(), 'c')).toBe(1);
    expect(r.stats()).toMatchObject({ accepted: 2, failed: { metric: 1 }, dropped: { invalid: 1 } });
  });
});

describe('hostile events', () => {
  it('a throwing type getter or Proxy never throws out of emit() nor out of the dispatch turn', async () => {
    const r = new AsyncMetricsRecorder<Ev>();
    const all = new Probe('all', '*');
    r.registerMetric(all);
    r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
    const throwing = Object.defineProperty({}, 'type', { get: () => { throw new Error('getter'); } });
    const proxy = new Proxy({}, { get: () => { throw new Error('trap'); } });
    let calls = 0;
    // Valid when emitted, throwing when the dispatcher reads it again.
    const flaky = Object.defineProperty({}, 'type', { get: () => { if (calls++ > 0) throw new Error('later'); return 'x'; } });
    expect(() => r.emit(throwing as never)).not.toThrow();
    expect(() => r.emit(proxy as never)).not.toThrow();
    expect(() => r.emit(flaky as never)).not.toThrow();
    r.emit({ type: 'x' });
    await r.flush();
    expect(r.stats()).toMatchObject({ accepted: 2, dispatched: 2, dropped: { invalid: 2 } });
    expect(total(r.snapshots(), 'c')).toBe(1);
    expect(r.state).toBe('running');
  });
});

describe('AsyncMetricsRecorder hooks', () => {
  it('a throwing onStarting or onStopped is reported as hook.failed and the recorder goes on', async () => {
    class Hooked extends AsyncMetricsRecorder {
      protected override onStarting(): void {
        throw new Error('start hook');
      }
      protected override onStopped(): void {
        throw new Error('stop hook');
      }
    }
    const capture = captureDiagnostics();
    try {
      const r = new Hooked({ id: 'hooked' });
      r.registerMetric(new CounterMetric({ name: 'c', eventTypes: 'x' }));
      r.emit({ type: 'x' });
      await r.flush();
      await r.stop();
      const failed = capture.withCode('hook.failed');
      expect(failed.map((d) => [d.component, d.message])).toEqual([
        ['AsyncMetricsRecorder(hooked)', 'onStarting() threw; ignored, the recorder goes on'],
        ['AsyncMetricsRecorder(hooked)', 'onStopped() threw; ignored, the recorder goes on'],
      ]);
      expect(r.state).toBe('stopped');
      expect(r.snapshots()[0]!.dimensions[0]!.series[0]).toMatchObject({ value: 1 });
    } finally {
      capture.stop();
    }
  });
});
