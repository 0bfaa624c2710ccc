/**
 * The demo summary's "slowest bucket" line: the highest non-empty bucket of the latency histogram
 * across routes, and the latest exemplar with a trace that fell in it.
 */
import { describe, expect, it } from 'vitest';
import type { HistogramDimension } from 'mvx-common';
import { slowestBucket } from '../../examples/demo/slowest-bucket.ts';

const T = (n: number) => n.toString(16).padStart(32, '0');
const S = (n: number) => n.toString(16).padStart(16, '0');

describe('slowestBucket', () => {
  it('finds the highest non-empty bucket over every series, and its latest traced exemplar', () => {
    const dim: HistogramDimension = {
      name: '',
      kind: 'histogram',
      bounds: [0.1, 1],
      series: [
        { attributes: { route: '/a' }, counts: [3, 2, 0], sum: 1, count: 5, exemplars: [{ value: 0.5, timeMs: 10, traceId: T(1), spanId: S(1) }] },
        { attributes: { route: '/b' }, counts: [1, 4, 0], sum: 2, count: 5, exemplars: [{ value: 0.05, timeMs: 99, traceId: T(9), spanId: S(9) }, { value: 0.7, timeMs: 20, traceId: T(2), spanId: S(2) }] },
        { attributes: { route: '/c' }, counts: [0, 1, 0], sum: 0.9, count: 1, exemplars: [{ value: 0.9, timeMs: 30 }] }, // no trace: not an example
      ],
    };
    expect(slowestBucket(dim)).toEqual({ lower: 0.1, upper: 1, count: 7, exemplar: { value: 0.7, timeMs: 20, traceId: T(2), spanId: S(2) } });
  });

  it('reports the bucket above the last bound as open-ended, without an example when none was kept', () => {
    const dim: HistogramDimension = { name: '', kind: 'histogram', bounds: [0.1, 1], series: [{ attributes: {}, counts: [0, 0, 2], sum: 5, count: 2 }] };
    expect(slowestBucket(dim)).toEqual({ lower: 1, upper: Infinity, count: 2 });
    expect(slowestBucket({ ...dim, series: [{ attributes: {}, counts: [0, 0, 0], sum: 0, count: 0 }] })).toBeUndefined();
  });
});
