import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { GaugeMetric } from '../../../src/core/metrics/instruments/gauge-metric.ts';
import { HistogramMetric } from '../../../src/core/metrics/instruments/histogram-metric.ts';
import { OutcomeCounterMetric } from '../../../src/core/metrics/instruments/outcome-counter-metric.ts';
import {
  DEFAULT_BYTES_BUCKETS,
  DEFAULT_MILLISECONDS_BUCKETS,
  DEFAULT_SECONDS_BUCKETS,
} from '../../../src/core/metrics/instruments/histogram-buckets.ts';
import type { HistogramDimension, MetricEvent, NumberDimension } from '../../../src/core/metrics/types.ts';
import { MvxConfigError } from '../../../src/core/errors.ts';
import { configureDiagnostics, diagnosticCounts, resetDiagnostics } from '../../../src/core/diagnostics.ts';

type Ev = MetricEvent & Record<string, unknown>;

beforeEach(() => {
  resetDiagnostics();
  configureDiagnostics({ stderr: 'off' });
});
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

const num = (d: unknown) => d as NumberDimension;
const hist = (d: unknown) => d as HistogramDimension;

describe('CounterMetric', () => {
  it('counts accepted events per attribute set and ignores other types', () => {
    const m = new CounterMetric<Ev>({ name: 'http.requests', eventTypes: 'req', attributes: ['method', 'status'] });
    expect(m.handle({ type: 'req', method: 'GET', status: 200 })).toBe(true);
    expect(m.handle({ type: 'req', status: 200, method: 'GET' })).toBe(true);
    expect(m.handle({ type: 'req', method: 'POST', status: 500 })).toBe(true);
    expect(m.handle({ type: 'other', method: 'GET', status: 200 })).toBe(false);
    const snap = m.snapshot();
    expect(snap.name).toBe('http.requests');
    const d = num(snap.dimensions[0]);
    expect(d).toMatchObject({ name: '', kind: 'counter' });
    expect(d.series).toEqual([
      { attributes: { method: 'GET', status: 200 }, value: 2 },
      { attributes: { method: 'POST', status: 500 }, value: 1 },
    ]);
  });

  it('adds a value read from the event, and drops negative or NaN values with a diagnostic', () => {
    const m = new CounterMetric<Ev>({ name: 'bytes', unit: 'By', eventTypes: ['read', 'write'], value: (e) => e.n as number });
    m.handle({ type: 'read', n: 10 });
    m.handle({ type: 'write', n: 5 });
    expect(m.handle({ type: 'read', n: -1 })).toBe(false);
    expect(m.handle({ type: 'read', n: Number.NaN })).toBe(false);
    expect(m.handle({ type: 'read', n: '5' as never })).toBe(false);
    expect(num(m.snapshot().dimensions[0]).series[0]!.value).toBe(15);
    expect(diagnosticCounts().get('Metric:metric.value_invalid')).toBe(3);
    expect(m.invalidValues).toBe(3);
  });

  it('applies the filter and leaves out non-primitive attribute values', () => {
    const m = new CounterMetric<Ev>({ name: 'c', eventTypes: '*', attributes: ['a'], filter: (e) => e.keep === true });
    expect(m.handle({ type: 'x', a: 'v', keep: false })).toBe(false);
    m.handle({ type: 'x', a: { nested: 1 }, keep: true });
    m.handle({ type: 'y', keep: true });
    expect(num(m.snapshot().dimensions[0]).series).toEqual([{ attributes: {}, value: 2 }]);
  });

  it('takes attributes from a function', () => {
    const m = new CounterMetric<Ev>({ name: 'c', eventTypes: 'x', attributes: (e) => ({ k: String(e.k) }) });
    m.handle({ type: 'x', k: 1 });
    m.handle({ type: 'x', k: 1 });
    expect(num(m.snapshot().dimensions[0]).series).toEqual([{ attributes: { k: '1' }, value: 2 }]);
  });

  it('throws configuration errors naming the option', () => {
    expect(() => new CounterMetric({ name: '', eventTypes: 'x' })).toThrow(/'name'/);
    expect(() => new CounterMetric({ name: 'a', eventTypes: [] })).toThrow(/'eventTypes'/);
    expect(() => new CounterMetric({ name: 'a', eventTypes: ['x', ''] })).toThrow(/'eventTypes\[1\]'/);
    expect(() => new CounterMetric({ name: 'a', eventTypes: 'x', attributes: ['ok', ''] })).toThrow(/'attributes\[1\]'/);
    expect(() => new CounterMetric({ name: 'a', eventTypes: 'x', seriesLimit: 0 })).toThrow(MvxConfigError);
  });

  it('reset() restarts the cumulative period', async () => {
    const m = new CounterMetric({ name: 'c', eventTypes: 'x' });
    m.handle({ type: 'x' });
    const before = m.startTimeMs;
    await new Promise((r) => setTimeout(r, 5));
    m.reset();
    expect(num(m.snapshot().dimensions[0]).series).toEqual([]);
    expect(m.startTimeMs).toBeGreaterThan(before);
  });
});

describe('OutcomeCounterMetric', () => {
  it('exposes total and one dimension per fixed outcome, zeros included, and other_total for the rest', () => {
    const m = new OutcomeCounterMetric<Ev>({ name: 'save.attempts', eventTypes: 'save', outcomes: ['success', 'failure', 'timeout'] });
    m.handle({ type: 'save', outcome: 'success' });
    m.handle({ type: 'save', outcome: 'success' });
    m.handle({ type: 'save', outcome: 'failure' });
    m.handle({ type: 'save', outcome: 'exploded' });
    const dims = m.snapshot().dimensions.map((d) => [d.name, d.kind, num(d).series[0]!.value]);
    expect(dims).toEqual([
      ['total', 'counter', 4],
      ['success_total', 'counter', 2],
      ['failure_total', 'counter', 1],
      ['timeout_total', 'counter', 0],
      ['other_total', 'counter', 1],
    ]);
  });

  it('discovers outcomes dynamically up to maxOutcomes, reads a custom key, and keeps attributes per series', () => {
    const m = new OutcomeCounterMetric<Ev>({ name: 'op', eventTypes: 'op', outcome: 'result', maxOutcomes: 2, attributes: ['kind'] });
    for (const result of ['ok', 'err', 'weird', 'ok']) m.handle({ type: 'op', result, kind: 'read' });
    m.handle({ type: 'op', result: 'ok', kind: 'write' });
    const snap = m.snapshot();
    expect(snap.dimensions.map((d) => d.name)).toEqual(['total', 'ok_total', 'err_total', 'other_total']);
    expect(num(snap.dimensions[0]).series).toEqual([
      { attributes: { kind: 'read' }, value: 4 },
      { attributes: { kind: 'write' }, value: 1 },
    ]);
    expect(num(snap.dimensions[1]).series.map((s) => s.value)).toEqual([2, 1]);
    expect(num(snap.dimensions[3]).series.map((s) => s.value)).toEqual([1, 0]);
  });

  it('counts a missing outcome as other and reports it', () => {
    const m = new OutcomeCounterMetric<Ev>({ name: 'op', eventTypes: 'op' });
    m.handle({ type: 'op' });
    expect(m.outcomeNames()).toEqual(['other']);
    expect(diagnosticCounts().get('Metric:metric.outcome_invalid')).toBe(1);
    expect(m.invalidOutcomes).toBe(1);
  });

  it('rejects invalid outcome names', () => {
    expect(() => new OutcomeCounterMetric({ name: 'a', eventTypes: 'x', outcomes: ['ok', 'bad-name'] })).toThrow(/'outcomes\[1\]'/);
    expect(() => new OutcomeCounterMetric({ name: 'a', eventTypes: 'x', outcomes: ['total'] })).toThrow(MvxConfigError);
  });
});

describe('GaugeMetric', () => {
  it('keeps the last value in mode last', () => {
    const m = new GaugeMetric<Ev>({ name: 'queue.depth', eventTypes: 'depth', value: (e) => e.v as number });
    m.handle({ type: 'depth', v: 3 });
    m.handle({ type: 'depth', v: 1 });
    expect(m.snapshot().dimensions[0]).toMatchObject({ kind: 'gauge', series: [{ attributes: {}, value: 1 }] });
  });

  it('adds deltas, negative ones included, in mode updown', () => {
    const m = new GaugeMetric<Ev>({
      name: 'pool.in_use',
      mode: 'updown',
      eventTypes: ['acquire', 'release'],
      value: (e) => (e.type === 'acquire' ? 1 : -1),
    });
    for (const type of ['acquire', 'acquire', 'release', 'acquire']) m.handle({ type });
    expect(m.snapshot().dimensions[0]).toMatchObject({ kind: 'updown', series: [{ value: 2 }] });
    expect(m.handle({ type: 'acquire', v: 1 })).toBe(true);
  });

  it('drops non-finite values', () => {
    const m = new GaugeMetric<Ev>({ name: 'g', eventTypes: 'x', value: (e) => e.v as number });
    expect(m.handle({ type: 'x', v: Infinity })).toBe(false);
    expect(m.handle({ type: 'x', v: 'nope' })).toBe(false);
    expect(num(m.snapshot().dimensions[0]).series).toEqual([]);
    expect(m.invalidValues).toBe(2);
  });
});

describe('HistogramMetric', () => {
  it('uses OTel bucket semantics: bounds[i-1] < v <= bounds[i], one extra bucket above the last bound', () => {
    const m = new HistogramMetric<Ev>({ name: 'h', eventTypes: 'x', buckets: [1, 2, 5], value: (e) => e.v as number });
    for (const v of [0, 1, 1.5, 2, 5, 5.01, 100, -3]) m.handle({ type: 'x', v });
    const d = hist(m.snapshot().dimensions[0]);
    expect(d.bounds).toEqual([1, 2, 5]);
    expect(d.series[0]).toEqual({ attributes: {}, counts: [3, 2, 1, 2], sum: 0 + 1 + 1.5 + 2 + 5 + 5.01 + 100 - 3, count: 8, min: -3, max: 100 });
  });

  it('picks default bounds by unit: seconds, ms, bytes', () => {
    const v = () => 1;
    expect(new HistogramMetric({ name: 'a', eventTypes: 'x', value: v }).bounds).toEqual(DEFAULT_SECONDS_BUCKETS);
    expect(new HistogramMetric({ name: 'a', unit: 's', eventTypes: 'x', value: v }).bounds).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    expect(new HistogramMetric({ name: 'a', unit: 'ms', eventTypes: 'x', value: v }).bounds).toEqual(DEFAULT_MILLISECONDS_BUCKETS);
    expect(new HistogramMetric({ name: 'a', unit: 'By', eventTypes: 'x', value: v }).bounds).toEqual(DEFAULT_BYTES_BUCKETS);
  });

  it('finds buckets by binary search when there are many bounds', () => {
    const bounds = Array.from({ length: 40 }, (_, i) => i + 1);
    const m = new HistogramMetric<Ev>({ name: 'h', eventTypes: 'x', buckets: bounds, value: (e) => e.v as number });
    for (const v of [0.5, 1, 17.5, 40, 41]) m.handle({ type: 'x', v });
    const counts = hist(m.snapshot().dimensions[0]).series[0]!.counts;
    expect(counts.length).toBe(41);
    expect(counts[0]).toBe(2);
    expect(counts[17]).toBe(1);
    expect(counts[39]).toBe(1);
    expect(counts[40]).toBe(1);
  });

  it('snapshots are copies: later observations do not change an earlier snapshot', () => {
    const m = new HistogramMetric<Ev>({ name: 'h', eventTypes: 'x', buckets: [1], value: () => 0.5 });
    m.handle({ type: 'x' });
    const first = hist(m.snapshot().dimensions[0]).series[0]!;
    m.handle({ type: 'x' });
    expect(first.counts).toEqual([1, 0]);
    expect(first.count).toBe(1);
  });

  it('rejects bounds that are not strictly increasing finite numbers', () => {
    expect(() => new HistogramMetric({ name: 'h', eventTypes: 'x', buckets: [1, 1], value: () => 1 })).toThrow(/'buckets\[1\]'/);
    expect(() => new HistogramMetric({ name: 'h', eventTypes: 'x', buckets: [1, Infinity], value: () => 1 })).toThrow(MvxConfigError);
    expect(() => new HistogramMetric({ name: 'h', eventTypes: 'x', buckets: [], value: () => 1 })).toThrow(MvxConfigError);
  });
});

describe('sums that would stop being finite (issue 13)', () => {
  it('a counter fed 1e308 twice keeps 1e308 and rejects the value that would make it +Infinity', () => {
    const m = new CounterMetric<Ev>({ name: 'c', eventTypes: 'x', value: (e) => e.v as number });
    expect(m.handle({ type: 'x', v: 1e308 })).toBe(true);
    expect(m.handle({ type: 'x', v: 1e308 })).toBe(false);
    expect(num(m.snapshot().dimensions[0]).series).toEqual([{ attributes: {}, value: 1e308 }]);
    expect(m.invalidValues).toBe(1);
    expect(diagnosticCounts().get('Metric:metric.value_invalid')).toBe(1);
    // The counter goes on: a value that fits is still added.
    expect(m.handle({ type: 'x', v: 1 })).toBe(true);
    expect(Number.isFinite(num(m.snapshot().dimensions[0]).series[0]!.value)).toBe(true);
  });

  it('an up-down counter rejects a delta that would make it -Infinity, and goes on with the next one', () => {
    const m = new GaugeMetric<Ev>({ name: 'u', mode: 'updown', eventTypes: 'x', value: (e) => e.v as number });
    m.handle({ type: 'x', v: -1e308 });
    expect(m.handle({ type: 'x', v: -1e308 })).toBe(false);
    expect(m.handle({ type: 'x', v: 1e308 })).toBe(true);
    expect(num(m.snapshot().dimensions[0]).series).toEqual([{ attributes: {}, value: 0 }]);
    expect(m.invalidValues).toBe(1);
    expect(diagnosticCounts().get('Metric:metric.value_invalid')).toBe(1);
  });

  it('a histogram rejects an observation whose sum would stop being finite, leaving counts, sum, min and max as they were', () => {
    const m = new HistogramMetric<Ev>({ name: 'h', eventTypes: 'x', buckets: [1], value: (e) => e.v as number });
    m.handle({ type: 'x', v: 1e308 });
    expect(m.handle({ type: 'x', v: 1.7e308 })).toBe(false);
    expect(hist(m.snapshot().dimensions[0]).series[0]).toEqual({ attributes: {}, counts: [0, 1], sum: 1e308, count: 1, min: 1e308, max: 1e308 });
    expect(m.invalidValues).toBe(1);
    expect(diagnosticCounts().get('Metric:metric.value_invalid')).toBe(1);
  });
});
