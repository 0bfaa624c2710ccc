/**
 * The metrics-exporter contract: what every adapter that exports a `MetricsSource` promises,
 * whatever its backend (unstorage's `testDriver()` idea). An adapter's test file describes how to
 * build it and how to read its backend (a {@link MetricsExporterDriver}) and calls
 * {@link runMetricsExporterContract}; its own tests then hold only what is special to its backend.
 *
 * The promises:
 * - bad options are rejected with `MvxConfigError` naming the option;
 * - counters, up-down counters, gauges and histograms are exported with their attributes;
 * - histograms: cumulative buckets, `+Inf` equal to the count, the sum in the backend's unit;
 * - a metric at its series limit exports its overflow series (`otel.metric.overflow=true`);
 * - a dimension that vanished from the source stops being exported (pull backends forget it,
 *   push backends stop sending it);
 * - a hanging or throwing source is bounded and reported, never thrown; the next collection works;
 * - the lifecycle: `shutdown()` idempotent, reports and stats that add up
 *   (`accepted = delivered + dropped + failed + pending`), nothing read from the source after it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AsyncMetricsRecorder,
  CounterMetric,
  GaugeMetric,
  HistogramMetric,
  MvxConfigError,
  OVERFLOW_ATTRIBUTE,
} from '../../../src/index.ts';
import type { MetricAttributes, MetricDimensionKind, MetricsSource } from '../../../src/index.ts';
import type { DeliveryStats, LifecycleReport } from '../../../src/adapter-kit/index.ts';
import { useDiagnosticsCapture } from '../../support/diagnostics.ts';
import { expectAccounting, expectIdempotentShutdown } from './lifecycle.ts';
import { FakeMetricsSource, numberSnapshot } from './fixtures/metric-source.ts';

/** A histogram series as the backend shows it. */
export interface ExportedHistogram {
  /** Cumulative counts by upper bound (in the backend's unit), ending with `Infinity`. */
  readonly buckets: ReadonlyArray<readonly [le: number, count: number]>;
  readonly count: number;
  readonly sum: number;
}

/** What the backend shows after a collection (a push backend: everything it was sent so far). */
export interface ExportedMetrics {
  /**
   * The value of one series: the exported series of dimension `dimension` of metric `metric`
   * (named by the core) with these core attributes; `undefined` when the backend has none.
   * `bounds`: the dimension's bucket bounds in the core's unit (a push backend rebuilds buckets).
   */
  value(metric: string, dimension: string, kind: MetricDimensionKind, unit: string | undefined, attributes: MetricAttributes, bounds?: readonly number[]): number | ExportedHistogram | undefined;
}

/** One exporter under test, built by a driver. */
export interface ExporterUnderTest {
  /** One collection (a scrape, a reader's collect, a push) and what the backend then shows. `ok: false`: the backend got a failure (an HTTP 500). */
  collect(): Promise<{ ok: boolean; metrics: ExportedMetrics }>;
  /** The adapter's lifecycle. */
  readonly lifecycle: {
    flush(options?: { timeoutMs?: number }): Promise<LifecycleReport>;
    shutdown(options?: { timeoutMs?: number }): Promise<LifecycleReport>;
    stats(): DeliveryStats;
  };
  /** Releases what the test itself started (servers, providers, sockets). */
  dispose(): Promise<void>;
}

/** How the contract builds and reads one adapter. */
export interface MetricsExporterDriver {
  readonly name: string;
  /** Pull backends forget a vanished dimension; a push backend (the StatsD daemon) keeps its last value, but no longer gets updates. */
  readonly forgetsVanished: boolean;
  /** Factor from the core's histogram unit to the backend's (Prometheus: `ms` → seconds, 0.001; StatsD timers: `s` → ms, 1000). */
  unitScale(unit: string | undefined): number;
  /** Options the adapter rejects, each with the option its error must name (the source is checked by the contract itself). */
  readonly badOptions: ReadonlyArray<{ readonly option: string; create(): unknown }>;
  /** Builds the exporter over `source`, with its source-flush bound at about 100 ms. Throws what the adapter throws. */
  create(source: MetricsSource): Promise<ExporterUnderTest>;
}

type Ev =
  | { type: 'req'; route: string; ms: number }
  | { type: 'pool'; pool: string; delta: number }
  | { type: 'temp'; room: string; celsius: number }
  | { type: 'tenant'; tenant: string };

function recorderWithEveryKind(): AsyncMetricsRecorder<Ev> {
  const r = new AsyncMetricsRecorder<Ev>({ id: 'contract' });
  r.registerMetric(new CounterMetric<Ev>({ name: 'http.requests', eventTypes: 'req', attributes: ['route'] }));
  r.registerMetric(
    new HistogramMetric<Ev & { type: 'req' }>({ name: 'http.duration', unit: 'ms', eventTypes: 'req', attributes: ['route'], value: (e) => e.ms, buckets: [10, 100] }),
  );
  r.registerMetric(new GaugeMetric<Ev & { type: 'pool' }>({ name: 'pool.in_use', mode: 'updown', eventTypes: 'pool', attributes: ['pool'], value: (e) => e.delta }));
  r.registerMetric(new GaugeMetric<Ev & { type: 'temp' }>({ name: 'room.temperature', eventTypes: 'temp', attributes: ['room'], value: (e) => e.celsius }));
  return r;
}

/** Registers the contract's tests for one adapter. */
export function runMetricsExporterContract(driver: MetricsExporterDriver): void {
  describe(`metrics-exporter contract: ${driver.name}`, () => {
    const diagnostics = useDiagnosticsCapture();
    const open: ExporterUnderTest[] = [];
    const recorders: AsyncMetricsRecorder<any>[] = [];
    afterEach(async () => {
      for (const x of open.splice(0)) {
        await x.lifecycle.shutdown({ timeoutMs: 2000 });
        await x.dispose();
      }
      for (const r of recorders.splice(0)) await r.stop();
    });
    const start = async (source: MetricsSource): Promise<ExporterUnderTest> => {
      const x = await driver.create(source);
      open.push(x);
      return x;
    };
    /** A collection, then the accounting checked. */
    const collect = async (x: ExporterUnderTest): Promise<{ ok: boolean; metrics: ExportedMetrics }> => {
      const result = await x.collect();
      expectAccounting(x.lifecycle.stats());
      return result;
    };

    it('rejects bad options with MvxConfigError naming the option, the source first', async () => {
      await expect(driver.create(null as never)).rejects.toMatchObject({ name: 'MvxConfigError', option: 'source' });
      await expect(driver.create({} as never)).rejects.toMatchObject({ name: 'MvxConfigError', option: 'source' });
      expect(driver.badOptions.length).toBeGreaterThan(0);
      for (const bad of driver.badOptions) {
        let thrown: unknown;
        try {
          await bad.create();
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `option ${bad.option}`).toBeInstanceOf(MvxConfigError);
        expect((thrown as MvxConfigError).option).toBe(bad.option);
      }
    });

    it('exports counters, up-down counters, gauges and histograms with their attributes', async () => {
      const recorder = recorderWithEveryKind();
      recorders.push(recorder);
      const x = await start(recorder);
      recorder.emit({ type: 'req', route: '/a', ms: 5 });
      recorder.emit({ type: 'req', route: '/a', ms: 50 });
      recorder.emit({ type: 'req', route: '/b', ms: 500 });
      recorder.emit({ type: 'pool', pool: 'x', delta: 3 });
      recorder.emit({ type: 'pool', pool: 'x', delta: -5 });
      recorder.emit({ type: 'temp', room: 'a', celsius: 21.5 });
      const { ok, metrics } = await collect(x);
      expect(ok).toBe(true);
      expect(metrics.value('http.requests', '', 'counter', undefined, { route: '/a' })).toBe(2);
      expect(metrics.value('http.requests', '', 'counter', undefined, { route: '/b' })).toBe(1);
      expect(metrics.value('pool.in_use', '', 'updown', undefined, { pool: 'x' })).toBe(-2);
      expect(metrics.value('room.temperature', '', 'gauge', undefined, { room: 'a' })).toBe(21.5);
      expect(metrics.value('http.duration', '', 'histogram', 'ms', { route: '/a' }, [10, 100])).toMatchObject({ count: 2 });

      // A second collection: cumulative totals, whatever the backend's protocol.
      recorder.emit({ type: 'req', route: '/a', ms: 5 });
      recorder.emit({ type: 'temp', room: 'a', celsius: 19 });
      const again = (await collect(x)).metrics;
      expect(again.value('http.requests', '', 'counter', undefined, { route: '/a' })).toBe(3);
      expect(again.value('room.temperature', '', 'gauge', undefined, { room: 'a' })).toBe(19);
      expect(again.value('pool.in_use', '', 'updown', undefined, { pool: 'x' })).toBe(-2);
    });

    it('histograms: cumulative buckets, +Inf equal to the count, the sum in the backend unit', async () => {
      const recorder = recorderWithEveryKind();
      recorders.push(recorder);
      const x = await start(recorder);
      for (const ms of [5, 50, 500, 7]) recorder.emit({ type: 'req', route: '/a', ms });
      const { metrics } = await collect(x);
      const scale = driver.unitScale('ms');
      const h = metrics.value('http.duration', '', 'histogram', 'ms', { route: '/a' }, [10, 100]) as ExportedHistogram;
      expect(h.count).toBe(4);
      expect(h.sum).toBeCloseTo(562 * scale, 6);
      expect(h.buckets.map(([le]) => le)).toEqual([10 * scale, 100 * scale, Infinity]);
      expect(h.buckets.map(([, n]) => n)).toEqual([2, 3, 4]);
      expect(h.buckets.at(-1)![1]).toBe(h.count);
    });

    it('exports the overflow series of a metric at its series limit, marked otel.metric.overflow=true', async () => {
      const recorder = new AsyncMetricsRecorder<Ev>({ id: 'overflow' });
      recorders.push(recorder);
      recorder.registerMetric(new CounterMetric<Ev>({ name: 'tenant.requests', eventTypes: 'tenant', attributes: ['tenant'], seriesLimit: 2 }));
      const x = await start(recorder);
      for (const tenant of ['a', 'b', 'c', 'c']) recorder.emit({ type: 'tenant', tenant });
      const { metrics } = await collect(x);
      expect(metrics.value('tenant.requests', '', 'counter', undefined, { tenant: 'a' })).toBe(1);
      expect(metrics.value('tenant.requests', '', 'counter', undefined, { [OVERFLOW_ATTRIBUTE]: true })).toBe(3);
      expect(metrics.value('tenant.requests', '', 'counter', undefined, { tenant: 'b' })).toBeUndefined();
    });

    it('a dimension that vanished from the source is no longer exported; the others still are', async () => {
      const source = new FakeMetricsSource([numberSnapshot('kept', 'counter', [{ value: 1 }]), numberSnapshot('gone', 'counter', [{ value: 5 }])]);
      const x = await start(source);
      expect((await collect(x)).metrics.value('gone', '', 'counter', undefined, {})).toBe(5);
      source.set([numberSnapshot('kept', 'counter', [{ value: 2 }])]);
      await collect(x);
      source.set([numberSnapshot('kept', 'counter', [{ value: 3 }])]);
      const { ok, metrics } = await collect(x);
      expect(ok).toBe(true);
      expect(metrics.value('kept', '', 'counter', undefined, {})).toBe(3);
      expect(metrics.value('gone', '', 'counter', undefined, {})).toBe(driver.forgetsVanished ? undefined : 5);
    });

    it('a source whose flush hangs is bounded and reported; the collection goes on with what is aggregated', async () => {
      const source = new FakeMetricsSource([numberSnapshot('jobs', 'counter', [{ value: 4 }])]);
      const x = await start(source);
      source.fault = 'hang-flush';
      const { metrics } = await collect(x);
      expect(metrics.value('jobs', '', 'counter', undefined, {})).toBe(4);
      expect(diagnostics().list.some((d) => /timeout/.test(d.code)), diagnostics().keys().join(', ')).toBe(true);
    });

    it('a source that throws is reported, never thrown into the caller; the next collection works again', async () => {
      const source = new FakeMetricsSource([numberSnapshot('jobs', 'counter', [{ value: 4 }])]);
      const x = await start(source);
      await collect(x);
      source.fault = 'throw-snapshots';
      await expect(collect(x)).resolves.toBeDefined();
      source.fault = 'throw-flush';
      await expect(collect(x)).resolves.toBeDefined();
      expect(diagnostics().list.length).toBeGreaterThan(0);
      source.fault = 'none';
      source.set([numberSnapshot('jobs', 'counter', [{ value: 6 }])]);
      const { ok, metrics } = await collect(x);
      expect(ok).toBe(true);
      expect(metrics.value('jobs', '', 'counter', undefined, {})).toBe(6);
    });

    it('lifecycle: shutdown() is idempotent, its report adds up, and nothing reads the source after it', async () => {
      const source = new FakeMetricsSource([numberSnapshot('jobs', 'counter', [{ value: 4 }])]);
      const x = await start(source);
      await collect(x);
      const flushed = await x.lifecycle.flush({ timeoutMs: 1000 });
      expectAccounting(flushed);
      await expectIdempotentShutdown(x.lifecycle);
      const { reads, flushes } = source;
      source.set([numberSnapshot('jobs', 'counter', [{ value: 5 }])]);
      await x.collect();
      await new Promise((r) => setTimeout(r, 50));
      expect({ reads: source.reads, flushes: source.flushes }).toEqual({ reads, flushes });
      expectAccounting(await x.lifecycle.flush());
    });
  });
}
