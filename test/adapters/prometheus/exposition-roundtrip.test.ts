/**
 * Property: whatever names, attribute keys and values a snapshot holds, the exposition (text and
 * OpenMetrics) parses back to exactly the snapshot's values under valid names and labels.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createPrometheusBridge, renderRegistry } from '../../../src/adapters/prometheus/index.ts';
import { toLabels } from '../../../src/adapters/prometheus/labels.ts';
import { configureDiagnostics } from '../../../src/index.ts';
import { parsePrometheusText } from '../contract/fixtures/prometheus-text.ts';
import { fuzzRuns, fuzzTimeout } from '../../support/fuzz.ts';
import type { MetricAttributes, MetricSnapshot } from '../../../src/core/metrics/types.ts';

configureDiagnostics({ stderr: 'off' });


const attrValue = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constantFrom('a"b', 'back\\slash', 'new\nline', 'ünï', '{}', ','));
const attrKey = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('http.method', 'le', '__x', '1st', 'a b'));
const attributes = fc.dictionary(attrKey, attrValue, { maxKeys: 4 });

const snapshotArb = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 10 }),
    kind: fc.constantFrom('counter' as const, 'gauge' as const, 'updown' as const, 'histogram' as const),
    unit: fc.constantFrom(undefined, 's', 'ms', 'By', '1', '{x}'),
    series: fc.uniqueArray(fc.tuple(attributes, fc.integer({ min: 0, max: 1_000_000 }), fc.array(fc.nat(50), { minLength: 3, maxLength: 3 })), {
      maxLength: 4,
      selector: ([a]) => JSON.stringify(Object.entries(toLabels(a, true)).sort()),
    }),
  })
  .map(({ name, kind, unit, series }): MetricSnapshot => {
    const dim =
      kind === 'histogram'
        ? {
            name: '',
            kind,
            bounds: [1, 10],
            series: series.map(([a, v, counts]) => ({ attributes: a as MetricAttributes, counts, sum: v, count: counts.reduce((x, y) => x + y, 0) })),
          }
        : { name: '', kind, series: series.map(([a, v]) => ({ attributes: a as MetricAttributes, value: kind === 'counter' ? v : v - 500_000 })) };
    return { name: `m_${name}`, unit, startTimeMs: 0, timeMs: 0, dimensions: [dim] };
  });

const runs = fuzzRuns(300);

describe('exposition round trip', () => {
  it('parses back to the snapshot values, in both formats', { timeout: fuzzTimeout(runs) }, async () => {
    await fc.assert(
      fc.asyncProperty(snapshotArb, async (snap) => {
        const registry = new Registry();
        const bridge = createPrometheusBridge({ snapshots: () => [snap] }, { registry });
        const [promName] = bridge.names();
        const dim = snap.dimensions[0]!;
        const divisor = snap.unit === 'ms' ? 1000 : 1;
        for (const text of [await registry.metrics(), await renderRegistry(registry, 'openmetrics')]) {
          const samples = parsePrometheusText(text);
          for (const s of dim.series) {
            const labels = toLabels(s.attributes, dim.kind === 'histogram');
            const find = (name: string, extra: Record<string, string> = {}): number | undefined =>
              samples.find((x) => x.name === name && JSON.stringify(Object.entries(x.labels).sort()) === JSON.stringify(Object.entries({ ...labels, ...extra }).sort()))?.value;
            if (dim.kind === 'histogram' && 'counts' in s) {
              expect(find(`${promName}_bucket`, { le: String(1 / divisor) })).toBe(s.counts[0]);
              expect(find(`${promName}_bucket`, { le: String(10 / divisor) })).toBe(s.counts[0]! + s.counts[1]!);
              expect(find(`${promName}_bucket`, { le: '+Inf' })).toBe(s.count);
              expect(find(`${promName}_sum`)).toBe(s.sum / divisor);
              expect(find(`${promName}_count`)).toBe(s.count);
            } else if ('value' in s) {
              expect(find(promName!)).toBe(s.value / divisor);
            }
          }
        }
        bridge.close();
      }),
      { numRuns: runs },
    );
  });

  it('exports attributes named like Object.prototype members (toString, constructor) with their own values', async () => {
    expect(toLabels({ toString: 'x', constructor: 'y', hasOwnProperty: 1 }, false)).toEqual({ toString: 'x', constructor: 'y', hasOwnProperty: '1' });
    const registry = new Registry();
    const snap: MetricSnapshot = {
      name: 'c',
      startTimeMs: 1,
      timeMs: 2,
      dimensions: [{ name: '', kind: 'counter', series: [{ attributes: { toString: 'x', valueOf: 'v' }, value: 3 }] }],
    };
    const bridge = createPrometheusBridge({ snapshots: () => [snap] }, { registry });
    expect(parsePrometheusText(await registry.metrics())).toEqual([{ name: 'c_total', labels: { toString: 'x', valueOf: 'v' }, value: 3 }]);
    bridge.close();
  });

  it('joins attributes that sanitise to one label name with ; in key order', () => {
    expect(toLabels({ a_b: 'y', 'a.b': 'x' }, false)).toEqual({ a_b: 'x;y' });
  });
});
