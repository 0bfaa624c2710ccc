/**
 * The primary's aggregate of its workers' metrics (in-process: each worker is a recorder and a
 * reporter on a MessageChannel; the same protocol runs over process IPC in processes.test.ts and
 * the end-to-end test).
 */
import { describe, expect, it } from 'vitest';
import { ClusterMetricsAggregator } from '../../../../src/core/metrics/cluster/cluster-metrics-aggregator.ts';
import { CounterMetric } from '../../../../src/core/metrics/instruments/counter-metric.ts';
import { GaugeMetric } from '../../../../src/core/metrics/instruments/gauge-metric.ts';
import { HistogramMetric } from '../../../../src/core/metrics/instruments/histogram-metric.ts';
import { SyncMetricsRecorder } from '../../../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import { MvxConfigError } from '../../../../src/core/errors.ts';
import { captureMvxStderr } from '../../../support/stderr-guard.ts';
import { fakeWorker, seriesOf, settle, until, valueOf } from './in-process.ts';
import type { FakeWorker } from './in-process.ts';

const jobs = (r: SyncMetricsRecorder<any>): void => r.registerMetric(new CounterMetric({ name: 'jobs', eventTypes: 'job', attributes: ['q'] }));
const gauge = (name: string) => (r: SyncMetricsRecorder<any>): void =>
  r.registerMetric(new GaugeMetric<any>({ name, eventTypes: name, value: (e) => e.v }));
const latency = (r: SyncMetricsRecorder<any>): void =>
  r.registerMetric(new HistogramMetric<any>({ name: 'latency', unit: 'ms', eventTypes: 'lat', value: (e) => e.v, buckets: [10, 100] }));
const all = (r: SyncMetricsRecorder<any>): void => {
  jobs(r);
  latency(r);
  for (const g of ['depth', 'version', 'low', 'temp', 'inflight']) gauge(g)(r);
};

function emitJobs(w: FakeWorker, q: string, n: number): void {
  for (let i = 0; i < n; i++) w.recorder.emit({ type: 'job', q });
}

describe('ClusterMetricsAggregator', () => {
  it("sums every worker's counters and histograms with the primary's own, and applies each gauge's rule", async () => {
    const local = new SyncMetricsRecorder<any>();
    all(local);
    const agg = new ClusterMetricsAggregator({
      local,
      gaugeAggregation: { version: 'max', low: 'min', temp: 'last', inflight: 'per-worker' },
    });
    const ws = [fakeWorker(agg, all), fakeWorker(agg, all), fakeWorker(agg, all)];
    ws.forEach((w, i) => {
      emitJobs(w, 'a', 10 * (i + 1));
      emitJobs(w, 'b', i);
      w.recorder.emit({ type: 'lat', v: 5 * (i + 1) }); // 5, 10, 15: two in the first bucket, one in the second
      for (const g of ['depth', 'version', 'low', 'inflight']) w.recorder.emit({ type: g, v: i + 1 });
    });
    emitJobs({ recorder: local } as FakeWorker, 'a', 7);
    local.emit({ type: 'depth', v: 100 });
    ws[1]!.recorder.emit({ type: 'temp', v: 20 });
    await agg.flush();
    ws[0]!.recorder.emit({ type: 'temp', v: 21 }); // reported later: the last one
    await agg.flush();

    const snaps = agg.snapshots();
    expect(valueOf(snaps, 'jobs', '', { q: 'a' })).toBe(10 + 20 + 30 + 7);
    expect(valueOf(snaps, 'jobs', '', { q: 'b' })).toBe(0 + 1 + 2);
    expect(seriesOf(snaps, 'latency')).toEqual(['{} count=3 sum=30 counts=2,1,0']);
    expect(valueOf(snaps, 'depth', '')).toBe(1 + 2 + 3 + 100); // sum (default)
    expect(valueOf(snaps, 'version', '')).toBe(3); // max
    expect(valueOf(snaps, 'low', '')).toBe(1); // min
    expect(valueOf(snaps, 'temp', '')).toBe(21); // last reported
    // per-worker: one series per worker (slot names), none for the primary, which set no value
    expect(seriesOf(snaps, 'inflight')).toEqual(['{"worker":"1"} 1', '{"worker":"2"} 2', '{"worker":"3"} 3']);
    expect(snaps.find((s) => s.name === 'latency')!.unit).toBe('ms');
    expect(agg.stats()).toMatchObject({ workers: { connected: 3, answering: 3, exited: 0 }, failed: 0, dropped: 0 });
  });

  it('keeps counters monotonic when a worker crashes and another takes its place; the dead worker\'s gauges leave', async () => {
    const setup = (r: SyncMetricsRecorder<any>): void => {
      jobs(r);
      gauge('depth')(r);
      latency(r);
    };
    const agg = new ClusterMetricsAggregator({ perWorker: ['latency'] });
    const a = fakeWorker(agg, setup);
    const b = fakeWorker(agg, setup);
    emitJobs(a, 'x', 5);
    emitJobs(b, 'x', 2);
    a.recorder.emit({ type: 'depth', v: 4 });
    b.recorder.emit({ type: 'depth', v: 1 });
    a.recorder.emit({ type: 'lat', v: 50 });
    await agg.flush();
    const seen: number[] = [valueOf(agg.snapshots(), 'jobs', '', { q: 'x' })!];

    a.crash();
    await until(() => agg.stats().workers.exited === 1, 'the crash being seen');
    let snaps = agg.snapshots();
    seen.push(valueOf(snaps, 'jobs', '', { q: 'x' })!);
    expect(valueOf(snaps, 'depth', '')).toBe(1); // a's gauge left with it
    expect(seriesOf(snaps, 'latency')).toEqual(['{"worker":"1"} count=1 sum=50 counts=0,1,0']); // kept

    const a2 = fakeWorker(agg, setup); // the replacement takes the free slot '1'
    emitJobs(a2, 'x', 3);
    a2.recorder.emit({ type: 'lat', v: 500 });
    await agg.flush();
    snaps = agg.snapshots();
    seen.push(valueOf(snaps, 'jobs', '', { q: 'x' })!);
    expect(seriesOf(snaps, 'latency')).toEqual(['{"worker":"1"} count=2 sum=550 counts=0,1,1']);

    // A worker whose own metric starts again (re-registered): what it counted before is kept.
    b.recorder.registerMetric(new CounterMetric({ name: 'jobs', eventTypes: 'job', attributes: ['q'] }));
    emitJobs(b, 'x', 1);
    await agg.flush();
    seen.push(valueOf(agg.snapshots(), 'jobs', '', { q: 'x' })!);
    expect(seen).toEqual([7, 7, 10, 11]);
    expect(agg.stats().workers).toMatchObject({ connected: 2, exited: 1 });
  });

  it('sends only the series that changed since the last report', async () => {
    const agg = new ClusterMetricsAggregator();
    const w = fakeWorker(agg, jobs);
    await w.reporter.flush(); // the worker introduces itself with a full report, empty here
    expect(w.sent[0]).toMatchObject({ full: true, s: 1 });
    const reportOf = async (): Promise<[Record<string, any>, number]> => {
      await w.reporter.flush();
      return [w.sent.at(-1)!, w.bytes.at(-1)!];
    };
    for (let i = 0; i < 1000; i++) w.recorder.emit({ type: 'job', q: `q${i}` });
    const [first, firstBytes] = await reportOf();
    for (let i = 0; i < 10; i++) w.recorder.emit({ type: 'job', q: `q${i * 100}` });
    const [second, secondBytes] = await reportOf();
    const [third, thirdBytes] = await reportOf(); // nothing changed: a heartbeat
    expect(first.d).toHaveLength(1000);
    expect(first.n).toHaveLength(2000); // 1,000 [id, value] pairs
    expect(second.n).toHaveLength(20); // the 10 that changed
    expect(second.d).toBeUndefined(); // no definition again
    expect(third.n).toBeUndefined();
    expect(secondBytes).toBeLessThan(firstBytes / 50);
    expect(thirdBytes).toBeLessThan(80);
    expect(w.reporter.stats()).toMatchObject({ delivered: w.sent.length, seriesSent: 1010, fullReports: 1, pending: 0, dropped: 0, failed: 0 });
    expect(valueOf(agg.snapshots(), 'jobs', '', { q: 'q100' })).toBe(2);
  });

  it('detects a lost report by its sequence number and repairs it with a full report, counting nothing twice', async () => {
    const agg = new ClusterMetricsAggregator();
    const w = fakeWorker(agg, jobs);
    emitJobs(w, 'x', 3);
    await w.reporter.flush();
    emitJobs(w, 'x', 4);
    emitJobs(w, 'y', 1); // a new series: its definition is in the report that gets lost
    w.drop(1);
    await w.reporter.flush({ timeoutMs: 50 }); // lost: never applied
    emitJobs(w, 'x', 5);
    const report = await w.reporter.flush();
    expect(report.timedOut).toBe(false);
    const snaps = agg.snapshots();
    expect(valueOf(snaps, 'jobs', '', { q: 'x' })).toBe(12);
    expect(valueOf(snaps, 'jobs', '', { q: 'y' })).toBe(1);
    expect(agg.stats()).toMatchObject({ resyncs: 1, dropped: 1, failed: 0 });
    // The lost report and the one refused after it are dropped; the full report is delivered.
    const stats = w.reporter.stats();
    expect(stats).toMatchObject({ dropped: 2, fullReports: 2, pending: 0, failed: 0 });
    expect(stats.delivered).toBe(stats.accepted - 2);
    expect(valueOf(snaps, 'mvx.cluster.resyncs', '')).toBe(1);
  });

  it('repairs reordered reports the same way', async () => {
    const agg = new ClusterMetricsAggregator();
    const w = fakeWorker(agg, jobs);
    await w.reporter.flush();
    const before = w.sent.length;
    w.hold();
    emitJobs(w, 'x', 1);
    void w.reporter.flush({ timeoutMs: 10 });
    await until(() => w.sent.length === before + 1);
    emitJobs(w, 'x', 2);
    void w.reporter.flush({ timeoutMs: 10 });
    await until(() => w.sent.length === before + 2);
    w.release([1, 0]); // the second report first
    await w.reporter.flush();
    expect(valueOf(agg.snapshots(), 'jobs', '', { q: 'x' })).toBe(3);
    expect(agg.stats().resyncs).toBe(1);
  });

  it('serves the last values of a worker that does not answer in time, and shows its staleness', async () => {
    const agg = new ClusterMetricsAggregator({ collectTimeoutMs: 150 });
    const fast = fakeWorker(agg, jobs);
    const slow = fakeWorker(agg, jobs);
    emitJobs(fast, 'x', 1);
    emitJobs(slow, 'x', 10);
    await agg.flush();
    slow.hold(); // from now on its answers are late
    emitJobs(fast, 'x', 1);
    emitJobs(slow, 'x', 10);
    await settle(100);
    const report = await agg.flush({ timeoutMs: 250 });
    expect(report).toEqual({ timedOut: true, accepted: 2, delivered: 1, dropped: 0, failed: 0, pending: 1 });
    const snaps = agg.snapshots();
    expect(valueOf(snaps, 'jobs', '', { q: 'x' })).toBe(2 + 10); // the slow worker's last values
    expect(valueOf(snaps, 'mvx.cluster.workers', 'answering')).toBe(1);
    expect(valueOf(snaps, 'mvx.cluster.workers', 'connected')).toBe(2);
    const ages = Object.fromEntries(snaps.find((s) => s.name === 'mvx.cluster.worker.report_age')!.dimensions[0]!.series.map((s) => [s.attributes.worker, (s as { value: number }).value]));
    expect(ages['2']).toBeGreaterThanOrEqual(0.1);
    expect(ages['2']).toBeGreaterThan(ages['1']!);
    slow.release(); // late answers arrive: applied
    await until(() => valueOf(agg.snapshots(), 'jobs', '', { q: 'x' }) === 22, 'the late answer being applied');
    expect(await agg.flush()).toMatchObject({ timedOut: false, delivered: 2 });
  });

  it('bounds the primary: a series limit with one overflow series, and a bound on the series of one worker', async () => {
    const agg = new ClusterMetricsAggregator({ seriesLimit: 3, maxSeriesPerWorker: 15 });
    const a = fakeWorker(agg, jobs);
    for (let i = 0; i < 10; i++) a.recorder.emit({ type: 'job', q: `q${i}` });
    await agg.flush();
    expect(seriesOf(agg.snapshots(), 'jobs')).toEqual(['{"otel.metric.overflow":true} 8', '{"q":"q0"} 1', '{"q":"q1"} 1']);
    for (let i = 10; i < 20; i++) a.recorder.emit({ type: 'job', q: `q${i}` });
    await agg.flush();
    expect(agg.stats().refusedSeries).toBe(5);
    expect(seriesOf(agg.snapshots(), 'jobs')).toEqual(['{"otel.metric.overflow":true} 13', '{"q":"q0"} 1', '{"q":"q1"} 1']);
  });

  it('leaves out, and reports once, a dimension that arrives with another kind or other buckets', async () => {
    const capture = captureMvxStderr();
    const agg = new ClusterMetricsAggregator();
    const a = fakeWorker(agg, latency);
    const b = fakeWorker(agg, (r) => r.registerMetric(new HistogramMetric<any>({ name: 'latency', unit: 'ms', eventTypes: 'lat', value: (e) => e.v, buckets: [1, 2, 3] })));
    a.recorder.emit({ type: 'lat', v: 1 });
    b.recorder.emit({ type: 'lat', v: 1 });
    b.recorder.emit({ type: 'lat', v: 2 });
    await agg.flush();
    expect(seriesOf(agg.snapshots(), 'latency')).toEqual(['{} count=1 sum=1 counts=1,0,0']);
    expect(agg.stats().clashes).toBe(1);
    expect(capture.lines).toEqual([
      "[mvx-common] ClusterMetricsAggregator cluster.dimension_clash: dimension '' of metric 'latency' arrives as histogram [1,2,3], first seen as histogram [10,100]; those series are left out",
    ]);
  });

  it('tells a listener which metric changed, with the aggregate as its snapshot', async () => {
    const agg = new ClusterMetricsAggregator();
    const seen: string[] = [];
    agg.onMetricChanged((m) => seen.push(`${m.name}=${valueOf([m.snapshot()], 'jobs', '', { q: 'x' })}`));
    const a = fakeWorker(agg, jobs);
    const b = fakeWorker(agg, jobs);
    emitJobs(a, 'x', 1);
    emitJobs(b, 'x', 2);
    await agg.flush();
    expect(seen.sort()).toEqual(['jobs=1', 'jobs=3']);
  });

  it('throws MvxConfigError naming the option', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ collectTimeoutMs: -1 }, 'collectTimeoutMs'],
      [{ gaugeAggregation: { depth: 'avg' } }, 'gaugeAggregation.depth'],
      [{ defaultGaugeAggregation: 'first' }, 'defaultGaugeAggregation'],
      [{ perWorker: 'yes' }, 'perWorker'],
      [{ seriesLimit: 1 }, 'seriesLimit'],
      [{ local: {} }, 'local'],
      [{ workerAttribute: '' }, 'workerAttribute'],
    ];
    for (const [options, option] of bad) {
      expect(() => new ClusterMetricsAggregator(options as never), option).toThrow(MvxConfigError);
      try {
        new ClusterMetricsAggregator(options as never);
      } catch (e) {
        expect((e as MvxConfigError).option).toBe(option);
      }
    }
    expect(() => new ClusterMetricsAggregator().attach({} as never)).toThrow(MvxConfigError);
  });
});
