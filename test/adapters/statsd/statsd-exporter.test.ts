import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StatsD } from 'hot-shots';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatsdExporter, type StatsdExporterOptions } from '../../../src/adapters/statsd/index.ts';
import { isMvxError, MvxErrorCode } from '../../../src/core/errors.ts';
import { configureDiagnostics } from '../../../src/index.ts';
import { captureDiagnostics } from '../../support/diagnostics.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { registerJobMetrics, type JobEvent } from './job-metrics.ts';
import { FakeMetricsSource, numberSnapshot } from '../contract/fixtures/metric-source.ts';
import { startUdpReceiver, type UdpReceiver } from './udp-receiver.ts';

let receiver: UdpReceiver;
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeEach(async () => {
  configureDiagnostics({ stderr: 'off' });
  receiver = await startUdpReceiver();
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await receiver.close();
});

function client(extra: ConstructorParameters<typeof StatsD>[0] = {}): StatsD {
  const c = new StatsD({ host: '127.0.0.1', port: receiver.port, maxBufferSize: 1432, ...extra });
  return c;
}

function exporter(options: StatsdExporterOptions): StatsdExporter {
  const e = new StatsdExporter(options);
  cleanups.push(() => e.close({ timeoutMs: 2000 }));
  return e;
}

function recorderWithJobs(): AsyncMetricsRecorder<JobEvent> {
  const recorder = new AsyncMetricsRecorder<JobEvent>();
  registerJobMetrics(recorder);
  cleanups.push(() => recorder.stop());
  return recorder;
}

describe('StatsdExporter, aggregated mode', () => {
  it('sends one increment per series per push carrying the change since the last push', async () => {
    const recorder = recorderWithJobs();
    const e = exporter({ client: client(), source: recorder });
    for (let i = 0; i < 1000; i++) recorder.emit({ type: 'job.done', queue: i % 4 === 0 ? 'a' : 'b', ms: 5 });
    await e.flush();
    let lines = await receiver.waitFor((l) => l.filter((x) => x.includes('|c')).length >= 2);
    expect(lines.filter((l) => l.includes('|c')).sort()).toEqual(['jobs.done:250|c|#queue:a', 'jobs.done:750|c|#queue:b']);

    receiver.clear();
    for (let i = 0; i < 7; i++) recorder.emit({ type: 'job.done', queue: 'a', ms: 5 });
    await e.flush();
    lines = await receiver.waitFor((l) => l.some((x) => x.includes('|c')));
    // Only the series that changed, and only by its change.
    expect(lines.filter((l) => l.includes('|c'))).toEqual(['jobs.done:7|c|#queue:a']);
    expect(e.stats().pushes).toBe(2);
  });

  it('sends nothing for counters that did not change', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([numberSnapshot('c', 'counter', [{ value: 5 }])]);
    const e = exporter({ client: client(), source });
    await e.flush();
    await receiver.waitFor((l) => l.length >= 1);
    await e.flush();
    source.set([numberSnapshot('c', 'counter', [{ value: 6 }])]);
    await e.flush();
    const lines = await receiver.waitFor((l) => l.length >= 2);
    expect(lines).toEqual(['c:5|c', 'c:1|c']);
    expect(e.stats().linesSent).toBe(2);
  });

  it('starts again from zero after a reset (new startTimeMs or a lower value)', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    const e = exporter({ client: client(), source });
    source.set([numberSnapshot('c', 'counter', [{ value: 10 }], 1000)]);
    await e.flush();
    source.set([numberSnapshot('c', 'counter', [{ value: 4 }], 1000)]);
    await e.flush();
    source.set([numberSnapshot('c', 'counter', [{ value: 12 }], 2000)]);
    await e.flush();
    const lines = await receiver.waitFor((l) => l.length >= 3);
    expect(lines).toEqual(['c:10|c', 'c:4|c', 'c:12|c']);
  });

  it('sends gauges and up-down counters as absolute gauges, negative ones as 0 then the value for Etsy statsd', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([
      numberSnapshot('queue.depth', 'gauge', [{ value: 42.5 }]),
      numberSnapshot('inflight', 'updown', [{ value: -3 }]),
    ]);
    const e = exporter({ client: client(), source });
    await e.flush();
    const lines = await receiver.waitFor((l) => l.length >= 3);
    expect(lines).toEqual(['queue.depth:42.5|g', 'inflight:0|g', 'inflight:-3|g']);
  });

  it('sends a negative gauge as is to DogStatsD', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([numberSnapshot('inflight', 'updown', [{ value: -3 }])]);
    const e = exporter({ client: client(), source, dialect: 'dogstatsd' });
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 1)).toEqual(['inflight:-3|g']);
  });

  it('replays histogram changes as timings with exact counts and the exact mean when one bucket holds them', async () => {
    const recorder = recorderWithJobs();
    const e = exporter({ client: client(), source: recorder });
    for (const ms of [20, 30, 40]) recorder.emit({ type: 'job.done', queue: 'a', ms });
    await e.flush();
    const lines = await receiver.waitFor((l) => l.filter((x) => x.includes('|ms')).length >= 3);
    expect(lines.filter((l) => l.includes('|ms'))).toEqual(['jobs.duration:30|ms', 'jobs.duration:30|ms', 'jobs.duration:30|ms']);
  });

  it('keeps each replayed value inside its bucket and the total sum when the buckets allow it', async () => {
    const recorder = recorderWithJobs();
    const e = exporter({ client: client(), source: recorder });
    const values = [5, 50, 60, 500];
    for (const ms of values) recorder.emit({ type: 'job.done', queue: 'a', ms });
    await e.flush();
    const lines = (await receiver.waitFor((l) => l.filter((x) => x.includes('|ms')).length >= 4)).filter((l) =>
      l.includes('|ms'),
    );
    const sent = lines.map((l) => Number(l.slice(l.indexOf(':') + 1, l.indexOf('|'))));
    expect(sent).toHaveLength(4);
    const bucketOf = (v: number): number => [10, 100, 1000, Infinity].findIndex((b) => v <= b);
    expect(sent.map(bucketOf)).toEqual(values.map(bucketOf));
    expect(sent.reduce((a, b) => a + b, 0)).toBeCloseTo(615, 6);
  });

  it('converts histograms in seconds to milliseconds for timers, and uses distribution for DogStatsD', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([
      {
        name: 'http.server.request.duration',
        unit: 's',
        startTimeMs: 1,
        timeMs: 2,
        dimensions: [
          { name: '', kind: 'histogram', bounds: [0.1, 1], series: [{ attributes: { method: 'GET' }, counts: [0, 2, 0], sum: 0.5, count: 2, min: 0.2, max: 0.3 }] },
        ],
      },
    ]);
    const e = exporter({ client: client(), source });
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 2)).toEqual([
      'http.server.request.duration:250|ms|#method:GET',
      'http.server.request.duration:250|ms|#method:GET',
    ]);
    receiver.clear();
    const d = exporter({ client: client(), source, dialect: 'dogstatsd' });
    await d.flush();
    expect(await receiver.waitFor((l) => l.length >= 2)).toEqual([
      'http.server.request.duration:0.25|d|#method:GET',
      'http.server.request.duration:0.25|d|#method:GET',
    ]);
  });

  it('caps histogram lines per series per push and counts the observations it did not send', async () => {
    const recorder = recorderWithJobs();
    const { list: diagnostics, stop } = captureDiagnostics();
    cleanups.push(stop);
    const e = exporter({ client: client(), source: recorder, maxHistogramLinesPerSeries: 10 });
    for (let i = 0; i < 40; i++) recorder.emit({ type: 'job.done', queue: 'a', ms: i < 30 ? 5 : 50 });
    await e.flush();
    const lines = (await receiver.waitFor((l) => l.filter((x) => x.includes('|ms')).length >= 10)).filter((l) =>
      l.includes('|ms'),
    );
    expect(lines).toHaveLength(10);
    // Shares follow the bucket counts: 30 → 7.5, 10 → 2.5 (largest remainder breaks the tie in order).
    expect(lines.filter((l) => Number(l.split(':')[1]!.split('|')[0]) <= 10)).toHaveLength(8);
    expect(e.stats().histogramObservationsNotSent).toBe(30);
    expect(diagnostics.some((d) => d.code === 'statsd.histogram_capped')).toBe(true);
  });

  it('pushes on its own every flushIntervalMs', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([numberSnapshot('g', 'gauge', [{ value: 1 }])]);
    const e = exporter({ client: client({ maxBufferSize: 0 }), source, flushIntervalMs: 20 });
    const lines = await receiver.waitFor((l) => l.length >= 2);
    expect(lines.slice(0, 2)).toEqual(['g:1|g', 'g:1|g']);
    expect(e.stats().pushes).toBeGreaterThanOrEqual(2);
  });
});

describe("StatsdExporter, aggregated mode with histogramValues: 'exact'", () => {
  it('sends each histogram observation with its exact value while counters stay aggregated', async () => {
    const recorder = recorderWithJobs();
    const e = exporter({ client: client(), source: recorder, histogramValues: 'exact' });
    for (const ms of [5, 50, 60, 500]) recorder.emit({ type: 'job.done', queue: 'a', ms });
    await e.flush();
    await e.flush(); // a second push finds nothing new for the histogram
    const lines = await receiver.waitFor((l) => l.length >= 5);
    expect(lines).toEqual(['jobs.duration:5|ms', 'jobs.duration:50|ms', 'jobs.duration:60|ms', 'jobs.duration:500|ms', 'jobs.done:4|c|#queue:a']);
  });
});

describe('StatsdExporter, per-event mode', () => {
  it('sends every change as it happens, histograms with the exact observed value', async () => {
    const recorder = recorderWithJobs();
    const e = exporter({ client: client(), source: recorder, mode: 'per-event' });
    for (const ms of [3, 250, 7]) recorder.emit({ type: 'job.done', queue: 'q', ms });
    await recorder.flush();
    await e.flush();
    const lines = await receiver.waitFor((l) => l.length >= 6);
    expect(lines).toEqual([
      'jobs.done:1|c|#queue:q',
      'jobs.duration:3|ms',
      'jobs.done:1|c|#queue:q',
      'jobs.duration:250|ms',
      'jobs.done:1|c|#queue:q',
      'jobs.duration:7|ms',
    ]);
    expect(e.stats().pushes).toBe(6);
  });

  it('sends a gauge only when it changed', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    const e = exporter({ client: client(), source, mode: 'per-event' });
    source.change(numberSnapshot('g', 'gauge', [{ value: 1 }]));
    source.change(numberSnapshot('g', 'gauge', [{ value: 1 }]));
    source.change(numberSnapshot('g', 'gauge', [{ value: 2 }]));
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 2)).toEqual(['g:1|g', 'g:2|g']);
  });

  it('shutdown() pushes what is pending, is idempotent, and reports lines: accepted = delivered + dropped + failed + pending', async () => {
    const recorder = recorderWithJobs();
    const e = exporter({ client: client(), source: recorder });
    for (let i = 0; i < 10; i++) recorder.emit({ type: 'job.done', queue: 'a', ms: 5 });
    const first = e.shutdown();
    expect(e.shutdown()).toBe(first);
    const report = await first;
    expect(report.timedOut).toBe(false);
    expect(report.delivered).toBeGreaterThan(0);
    expect(report.accepted).toBe(report.delivered + report.dropped + report.failed + report.pending);
    expect(report).toMatchObject({ linesSent: report.delivered, failed: 0, pending: 0 });
    expect(await receiver.waitFor((l) => l.some((x) => x.includes('|c')))).toContain('jobs.done:10|c|#queue:a');
    recorder.emit({ type: 'job.done', queue: 'a', ms: 5 });
    expect((await e.flush()).delivered).toBe(report.delivered); // nothing pushed after shutdown
  });

  it('stops listening at close (the deprecated name of shutdown)', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    const e = exporter({ client: client({ maxBufferSize: 0 }), source, mode: 'per-event', closeClient: false });
    await e.close();
    source.change(numberSnapshot('g', 'gauge', [{ value: 1 }]));
    expect(e.stats().linesSent).toBe(0);
  });
});

describe('StatsdExporter names and attributes', () => {
  it('sanitises names, keeps dots as hierarchy and adds the prefix after the client prefix', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([numberSnapshot('a b:c|d@e#f..g.', 'gauge', [{ value: 1 }])]);
    const e = exporter({ client: client({ prefix: 'svc' }), source, prefix: 'my app' });
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 1)).toEqual(['svc.my_app.a_b_c_d_e_f.g:1|g']);
  });

  it('names dimensions <metric>.<dimension>', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([
      {
        name: 'pool',
        startTimeMs: 1,
        timeMs: 2,
        dimensions: [
          { name: 'used', kind: 'gauge', series: [{ attributes: {}, value: 3 }] },
          { name: 'created', kind: 'counter', series: [{ attributes: {}, value: 9 }] },
        ],
      },
    ]);
    const e = exporter({ client: client(), source });
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 2)).toEqual(['pool.used:3|g', 'pool.created:9|c']);
  });

  it("encodes attributes into the name with attributes: 'name'", async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([numberSnapshot('req', 'counter', [{ attributes: { route: '/a.b', code: 200 }, value: 2 }])]);
    const e = exporter({ client: client(), source, attributes: 'name' });
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 1)).toEqual(['req.code.200.route._a_b:2|c']);
  });

  it("merges series under one name with attributes: 'drop' and says so once", async () => {
    const { list: diagnostics, stop } = captureDiagnostics();
    cleanups.push(stop);
    const source = new FakeMetricsSource([], { flush: false });
    source.set([numberSnapshot('req', 'counter', [{ attributes: { a: 1 }, value: 2 }, { attributes: { a: 2 }, value: 3 }])]);
    const e = exporter({ client: client(), source, attributes: 'drop' });
    await e.flush();
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 2)).toEqual(['req:2|c', 'req:3|c']);
    expect(diagnostics.filter((d) => d.code === 'statsd.attributes_dropped')).toHaveLength(1);
  });

  it('does not resend counts on every push when two series differ only by value type (200 and "200")', async () => {
    const recorder = new AsyncMetricsRecorder<{ type: 'req'; status: number | string }>();
    recorder.registerMetric(new CounterMetric<{ type: 'req'; status: number | string }>({ name: 'req', eventTypes: 'req', attributes: ['status'] }));
    cleanups.push(() => recorder.stop());
    const e = exporter({ client: client(), source: recorder });
    for (let i = 0; i < 5; i++) recorder.emit({ type: 'req', status: 200 });
    for (let i = 0; i < 3; i++) recorder.emit({ type: 'req', status: '200' });
    await e.flush();
    await e.flush(); // nothing new: must send nothing
    await e.flush();
    recorder.emit({ type: 'req', status: 200 });
    await e.flush();
    // 9 events in all; wait for the last push's line, then count everything that arrived.
    const lines = await receiver.waitFor((l) => l.reduce((n, x) => n + Number(/^req:(\d+)\|c/.exec(x)?.[1] ?? 0), 0) >= 9);
    await new Promise((r) => setTimeout(r, 50));
    const total = receiver.lines().reduce((n, x) => n + Number(/^req:(\d+)\|c/.exec(x)?.[1] ?? 0), 0);
    expect(lines.length).toBeGreaterThan(0);
    expect(total).toBe(9);
  });

  it('writes Telegraf tags when the client is configured for Telegraf', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([numberSnapshot('req', 'counter', [{ attributes: { code: 200 }, value: 2 }])]);
    const e = exporter({ client: client({ telegraf: true }), source, dialect: 'telegraf' });
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 1)).toEqual(['req,code=200:2|c']);
  });

  it('skips and counts non-finite values', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    source.set([numberSnapshot('g', 'gauge', [{ value: Number.NaN }]), numberSnapshot('h', 'gauge', [{ value: 1 }])]);
    const e = exporter({ client: client(), source });
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 1)).toEqual(['h:1|g']);
    expect(e.stats().nonFiniteValuesSkipped).toBe(1);
  });
});

describe('StatsdExporter configuration', () => {
  const source = new FakeMetricsSource([], { flush: false });
  const cases: [string, Partial<StatsdExporterOptions>][] = [
    ['client', { client: {} as never }],
    ['source', { source: {} as never }],
    ['dialect', { dialect: 'graphite' as never }],
    ['mode', { mode: 'sometimes' as never }],
    ['mode', { mode: 'per-event', source: { snapshots: () => [] } }],
    ['flushIntervalMs', { flushIntervalMs: 0 }],
    ['flushIntervalMs', { flushIntervalMs: 1.5 }],
    ['histogramType', { histogramType: 'distribution' }],
    ['histogramType', { dialect: 'telegraf', histogramType: 'distribution' }],
    ['attributes', { attributes: 'labels' as never }],
    ['histogramValues', { histogramValues: 'raw' as never }],
    ['histogramValues', { histogramValues: 'exact', source: { snapshots: () => [] } }],
    ['maxHistogramLinesPerSeries', { maxHistogramLinesPerSeries: -1 }],
    ['closeClient', { closeClient: 'yes' as never }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['prefix', { prefix: 3 as never }],
  ];
  for (const [option, bad] of cases) {
    it(`rejects an invalid ${option} at construction, naming it (${JSON.stringify(bad)})`, () => {
      const c = new StatsD({ mock: true });
      let thrown: unknown;
      try {
        new StatsdExporter({ client: c, source, ...bad });
      } catch (error) {
        thrown = error;
      }
      expect(isMvxError(thrown, MvxErrorCode.CONFIG)).toBe(true);
      expect((thrown as Error).message).toContain(`'${option}'`);
      // Nothing was changed on the client.
      expect((c as unknown as { errorHandler?: unknown }).errorHandler).toBeUndefined();
    });
  }
});

describe('StatsdExporter lifecycle', () => {
  it('close() pushes what is pending, closes the client, puts back its errorHandler and returns the same promise', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    const mine = (): void => {};
    const c = client({ errorHandler: mine, maxBufferSize: 8192, bufferFlushInterval: 60_000 });
    const e = new StatsdExporter({ client: c, source });
    expect((c as unknown as { errorHandler: unknown }).errorHandler).not.toBe(mine);
    source.set([numberSnapshot('last', 'counter', [{ value: 3 }])]);
    const p1 = e.close();
    expect(e.close()).toBe(p1);
    await p1;
    expect(await receiver.waitFor((l) => l.length >= 1)).toEqual(['last:3|c']);
    expect((c as unknown as { errorHandler: unknown }).errorHandler).toBe(mine);
    await e.flush(); // after close: resolves, sends nothing
    expect(e.stats().linesSent).toBe(1);
  });

  it('with closeClient: false leaves the client usable', async () => {
    const source = new FakeMetricsSource([], { flush: false });
    const c = client({ maxBufferSize: 0 });
    const e = new StatsdExporter({ client: c, source, closeClient: false });
    await e.close();
    c.increment('direct', 1);
    expect(await receiver.waitFor((l) => l.length >= 1)).toEqual(['direct:1|c']);
    c.close();
  });

  it('does not hold the process open: its push timer is unref-ed', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const script = `
      const { StatsD } = await import('hot-shots');
      const { StatsdExporter } = await import(${JSON.stringify(pathToFileURL(join(root, 'src/adapters/statsd/index.ts')).href)});
      const client = new StatsD({ host: '127.0.0.1', port: ${receiver.port} });
      new StatsdExporter({ client, source: { snapshots: () => [] }, flushIntervalMs: 60000 });
      console.log('started');`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('started');
    expect(res.status).toBe(0); // null if the time-out had to kill it
  });

  it('reports a throwing source and keeps going', async () => {
    let fail = true;
    const source = {
      snapshots: () => {
        if (fail) throw new Error('boom');
        return [numberSnapshot('ok', 'gauge', [{ value: 1 }])];
      },
    };
    const e = exporter({ client: client(), source });
    await e.flush();
    fail = false;
    await e.flush();
    expect(await receiver.waitFor((l) => l.length >= 1)).toEqual(['ok:1|g']);
    expect(e.stats().pushErrors).toBe(1);
  });
});
