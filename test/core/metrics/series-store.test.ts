import { describe, expect, it } from 'vitest';
import { attributesKey } from '../../../src/core/metrics/series/attribute-key.ts';
import { SeriesStore, DEFAULT_SERIES_LIMIT } from '../../../src/core/metrics/series/series-store.ts';
import { OVERFLOW_ATTRIBUTE } from '../../../src/core/metrics/types.ts';
import type { MetricAttributes, NumberDimension } from '../../../src/core/metrics/types.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { MvxConfigError } from '../../../src/core/errors.ts';
import { captureMvxStderr } from '../../support/stderr-guard.ts';

describe('attributesKey', () => {
  it('is independent of key order', () => {
    expect(attributesKey({ a: 1, b: 'x' })).toBe(attributesKey({ b: 'x', a: 1 }));
  });
  it('keeps 1 and "1" and true/"true" apart', () => {
    expect(attributesKey({ a: 1 })).not.toBe(attributesKey({ a: '1' }));
    expect(attributesKey({ a: true })).not.toBe(attributesKey({ a: 'true' }));
  });
  it('cannot be confused by separators inside values', () => {
    expect(attributesKey({ a: 'x', b: 'y' })).not.toBe(attributesKey({ a: 'x1:bs1:y' }));
    expect(attributesKey({ a: 'x;', b: 1 })).not.toBe(attributesKey({ a: 'x', 'b': '1' }));
  });
  it('is empty for no attributes', () => {
    expect(attributesKey({})).toBe('');
  });
});

describe('SeriesStore', () => {
  it('creates one series per attribute set and reuses it', () => {
    const store = new SeriesStore(() => ({ value: 0 }));
    store.get({ route: '/a' }).value++;
    store.get({ route: '/a' }).value++;
    store.get({ route: '/b' }).value++;
    expect([...store.entries()].map((e) => [e.attributes, e.state.value])).toEqual([
      [{ route: '/a' }, 2],
      [{ route: '/b' }, 1],
    ]);
  });

  it('caps series at the limit, overflow series included, and counts overflow updates', () => {
    const store = new SeriesStore(() => ({ value: 0 }), 5);
    for (let i = 0; i < 10; i++) store.get({ id: i }).value++;
    expect(store.size).toBe(5);
    const entries = [...store.entries()];
    expect(entries.at(-1)!.attributes).toEqual({ [OVERFLOW_ATTRIBUTE]: true });
    expect(entries.at(-1)!.state.value).toBe(6);
    expect(store.overflowUpdates).toBe(6);
    // Existing series keep updating after the limit is hit.
    store.get({ id: 0 }).value++;
    expect(entries[0]!.state.value).toBe(2);
    expect(store.overflowUpdates).toBe(6);
  });

  it('does not export undefined, null or object values from an attributes function as attributes ("undefined" labels)', () => {
    const m = new CounterMetric<{ type: 'x'; route?: unknown }>({ name: 'c', eventTypes: 'x', attributes: (e) => ({ route: e.route, n: 10n }) as never });
    m.handle({ type: 'x' });
    m.handle({ type: 'x', route: null });
    m.handle({ type: 'x', route: { nested: 1 } });
    m.handle({ type: 'x', route: '/a' });
    const series = (m.snapshot().dimensions[0] as NumberDimension).series;
    expect(series.map((s) => ({ ...s.attributes }))).toEqual([{ n: '10' }, { n: '10', route: '/a' }]);
    expect(series.map((s) => s.value)).toEqual([3, 1]);
  });

  it('freezes stored attributes (a caller mutating its object does not move a series)', () => {
    const attrs: Record<string, string> = { a: 'x' };
    const store = new SeriesStore(() => ({ value: 0 }));
    store.get(attrs).value++;
    attrs.a = 'y';
    expect([...store.entries()][0]!.attributes).toEqual({ a: 'x' });
    expect(Object.isFrozen([...store.entries()][0]!.attributes)).toBe(true);
  });

  it('defaults to the OpenTelemetry limit of 2000 and rejects a limit below 2', () => {
    expect(new SeriesStore(() => 0).limit).toBe(DEFAULT_SERIES_LIMIT);
    expect(DEFAULT_SERIES_LIMIT).toBe(2000);
    expect(() => new SeriesStore(() => 0, 1)).toThrow(MvxConfigError);
    expect(() => new SeriesStore(() => 0, 2.5)).toThrow(/seriesLimit/);
  });

  it('clear() forgets series and the overflow count', () => {
    const store = new SeriesStore(() => ({ value: 0 }), 2);
    store.get({ a: 1 });
    store.get({ a: 2 });
    store.clear();
    expect(store.size).toBe(0);
    expect(store.overflowUpdates).toBe(0);
  });
});

describe('SeriesStore.getByValues (the key-list hot path)', () => {
  it('keeps 1 and "1" apart, treats undefined as absent, and shares the limit and overflow', () => {
    const store = new SeriesStore(() => ({ value: 0 }), 4);
    const build = (vals: unknown[]) => (): MetricAttributes => Object.fromEntries(vals.flatMap((v, i) => (v === undefined ? [] : [[`k${i}`, v]]))) as MetricAttributes;
    for (const vals of [[1, 'a'], ['1', 'a'], [1, 'a'], [undefined, 'a'], [2, 'b'], [3, 'c']]) store.getByValues(vals, build(vals)).value++;
    expect([...store.entries()].map((e) => [e.attributes, e.state.value])).toEqual([
      [{ k0: 1, k1: 'a' }, 2],
      [{ k0: '1', k1: 'a' }, 1],
      [{ k1: 'a' }, 1],
      [{ [OVERFLOW_ATTRIBUTE]: true }, 2],
    ]);
    expect(store.overflowUpdates).toBe(2);
  });
});

describe('SeriesStore attribute value length (issue 13)', () => {
  it('cuts string values over maxAttributeValueLength with a marker, on both paths, counting and reporting each cut', async () => {
    const { configureDiagnostics, diagnosticCounts, resetDiagnostics } = await import('../../../src/core/diagnostics.ts');
    resetDiagnostics();
    configureDiagnostics({ stderr: 'off' });
    try {
      const byKey = new SeriesStore(() => ({ value: 0 }), 10, 4);
      byKey.get({ a: 'abcdefgh', n: 123456789 }).value++;
      byKey.get({ a: 'abcdXYZW', n: 123456789 }).value++; // equal up to the cut: the same series
      byKey.get({ a: 'abcd' }).value++; // at the bound: kept whole
      expect([...byKey.entries()].map((e) => [e.attributes, e.state.value])).toEqual([
        [{ a: 'abcd…[+4 chars]', n: 123456789 }, 2],
        [{ a: 'abcd' }, 1],
      ]);
      expect(byKey.cutAttributeValues).toBe(2);

      const byValues = new SeriesStore(() => ({ value: 0 }), 10, 4);
      const values: unknown[] = ['abcdefgh', 'xy'];
      byValues.getByValues(values, () => ({ k0: values[0] as string, k1: values[1] as string })).value++;
      expect([...byValues.entries()][0]!.attributes).toEqual({ k0: 'abcd…[+4 chars]', k1: 'xy' });
      expect(byValues.cutAttributeValues).toBe(1);
      expect(diagnosticCounts().get('Metric:metric.attribute_cut')).toBe(3);
    } finally {
      configureDiagnostics({ stderr: 'throttled' });
    }
  });

  it('never splits a surrogate pair, defaults to 1024 and validates the option', () => {
    const stderr = captureMvxStderr();
    const store = new SeriesStore(() => ({ value: 0 }), 10, 3);
    store.get({ a: 'ab😀cd' });
    expect([...store.entries()][0]!.attributes).toEqual({ a: 'ab…[+4 chars]' });
    expect(stderr.lines).toEqual([
      '[mvx-common] Metric metric.attribute_cut: an attribute value of 6 characters was cut to maxAttributeValueLength (3)',
    ]);
    expect(new SeriesStore(() => 0).maxAttributeValueLength).toBe(1024);
    expect(() => new SeriesStore(() => 0, 10, 0)).toThrow(/maxAttributeValueLength/);
    expect(() => new CounterMetric({ name: 'c', eventTypes: 'x', maxAttributeValueLength: 1.5 })).toThrow(MvxConfigError);
  });
});
