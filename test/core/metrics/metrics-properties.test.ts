import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../../src/core/metrics/instruments/histogram-metric.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { OVERFLOW_ATTRIBUTE } from '../../../src/core/metrics/types.ts';
import type { HistogramDimension, MetricEvent, NumberDimension } from '../../../src/core/metrics/types.ts';
import { configureDiagnostics, resetDiagnostics } from '../../../src/core/diagnostics.ts';
import { fuzzRuns, fuzzTimeout } from '../../support/fuzz.ts';

type Ev = MetricEvent & { a?: unknown; b?: unknown; v?: number };

beforeEach(() => {
  resetDiagnostics();
  configureDiagnostics({ stderr: 'off' });
});
afterEach(() => configureDiagnostics({ stderr: 'throttled' }));

const runs = fuzzRuns(200);
const attrValue = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(undefined), fc.constant(null), fc.constant({}));

describe('metric invariants (property-based)', { timeout: fuzzTimeout(runs) }, () => {
  it('counter: per-series values add up to the accepted events, series ≤ limit, one overflow series at most', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ a: attrValue, b: attrValue }), { maxLength: 300 }), fc.integer({ min: 2, max: 20 }), (events, limit) => {
        const m = new CounterMetric<Ev>({ name: 'c', eventTypes: 'x', attributes: ['a', 'b'], seriesLimit: limit });
        for (const e of events) m.handle({ type: 'x', ...e });
        const series = (m.snapshot().dimensions[0] as NumberDimension).series;
        expect(series.reduce((s, x) => s + x.value, 0)).toBe(events.length);
        expect(series.length).toBeLessThanOrEqual(limit);
        const overflow = series.filter((s) => OVERFLOW_ATTRIBUTE in s.attributes);
        expect(overflow.length).toBeLessThanOrEqual(1);
        expect(overflow[0]?.value ?? 0).toBe(m.overflowUpdates);
        // Attribute sets are distinct and hold only primitives.
        const keys = series.map((s) => JSON.stringify(Object.entries(s.attributes).map(([k, v]) => [k, typeof v, v])));
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: runs },
    );
  });

  it('histogram: bucket counts add up to count, sum/min/max match the accepted observations (finite, keeping the sum finite)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: false }), { maxLength: 200 }), (values) => {
        const m = new HistogramMetric<Ev>({ name: 'h', eventTypes: 'x', buckets: [-1, 0, 0.5, 1, 10], value: (e) => e.v as number });
        for (const v of values) m.handle({ type: 'x', v });
        // The model: a value is accepted when it is finite and the sum stays finite with it.
        const finite: number[] = [];
        let total = 0;
        for (const v of values) {
          if (Number.isFinite(v) && Number.isFinite(total + v)) {
            finite.push(v);
            total += v;
          }
        }
        expect(m.invalidValues).toBe(values.length - finite.length);
        const d = m.snapshot().dimensions[0] as HistogramDimension;
        if (finite.length === 0) {
          expect(d.series).toEqual([]);
          return;
        }
        const s = d.series[0]!;
        expect(s.count).toBe(finite.length);
        expect(s.counts.reduce((a, b) => a + b, 0)).toBe(finite.length);
        // == rather than Object.is: 0 and -0 are the same observation.
        expect(s.min === Math.min(...finite)).toBe(true);
        expect(s.max === Math.max(...finite)).toBe(true);
        expect(s.sum).toBe(finite.reduce((a, b) => a + b, 0));
        for (const v of finite) {
          const i = d.bounds.findIndex((b) => v <= b);
          expect(s.counts[i === -1 ? d.bounds.length : i]).toBeGreaterThan(0);
        }
      }),
      { numRuns: runs },
    );
  });

  it('recorder accounting: every emit is accepted or dropped; accepted = dispatched + pending + evicted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('emit'), fc.constant('bad'), fc.constant('yield'), fc.constant('flush')), { maxLength: 400 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom('drop-newest', 'drop-oldest'),
        async (ops, maxQueueSize, overflowPolicy) => {
          const r = new AsyncMetricsRecorder<Ev>({ maxQueueSize, overflowPolicy: overflowPolicy as 'drop-newest' | 'drop-oldest' });
          const c = new CounterMetric<Ev>({ name: 'c', eventTypes: 'x' });
          r.registerMetric(c);
          let emitted = 0;
          for (const op of ops) {
            if (op === 'emit') {
              emitted++;
              r.emit({ type: 'x' });
            } else if (op === 'bad') {
              emitted++;
              r.emit({ type: 1 } as never);
            } else if (op === 'yield') await new Promise((res) => setImmediate(res));
            else await r.flush();
          }
          await r.flush();
          const s = r.stats();
          expect(s.accepted + s.dropped.invalid + (overflowPolicy === 'drop-newest' ? s.dropped.overflow : 0)).toBe(emitted);
          expect(s.accepted).toBe(s.dispatched + s.pending + (overflowPolicy === 'drop-oldest' ? s.dropped.overflow : 0));
          expect(s.pending).toBe(0);
          const total = (c.snapshot().dimensions[0] as NumberDimension).series[0]?.value ?? 0;
          expect(total).toBe(s.dispatched);
        },
      ),
      { numRuns: Math.min(runs, 100) },
    );
  });
});
