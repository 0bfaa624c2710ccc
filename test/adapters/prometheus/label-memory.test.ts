/**
 * Issue 13: the bridge's label caches are bounded by what the source holds now, not by an entry
 * count. Series whose attributes come and go (a metric reset between scrapes, a custom metric
 * reporting new attribute objects) must not keep their label text alive, and distinct long
 * attribute keys must not fill the label-name cache. Retained heap measured after a real GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createPrometheusBridge } from '../../../src/adapters/prometheus/index.ts';
import { configureDiagnostics } from '../../../src/core/diagnostics.ts';
import type { MetricAttributes, MetricSnapshot, MetricsSource } from '../../../src/core/metrics/types.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
configureDiagnostics({ stderr: 'off' });

const MB = 1024 * 1024;

/** A source whose one counter reports `series()` fresh on every snapshot. */
function churningSource(series: () => Array<[MetricAttributes, number]>): MetricsSource {
  return {
    snapshots(): MetricSnapshot[] {
      return [{ name: 'churn', startTimeMs: 1, timeMs: 2, dimensions: [{ name: '', kind: 'counter', series: series().map(([attributes, value]) => ({ attributes, value })) }] }];
    },
  };
}

/** A full collection; V8 keeps unused hidden classes for a couple of GCs (`--retain-maps-for-n-gc`). */
function fullGc(): void {
  for (let i = 0; i < 4; i++) gc();
}

function retainedAfter(run: () => Promise<void>): Promise<number> {
  fullGc();
  const before = process.memoryUsage().heapUsed;
  return run().then(() => {
    fullGc();
    return process.memoryUsage().heapUsed - before;
  });
}

describe('Prometheus bridge label caches (issue 13)', () => {
  it('forget the labels of series that are gone: 4 rounds of 500 new 8 KB attribute values leave nothing behind', async () => {
    const registry = new Registry();
    let round = 0;
    let live: Array<[MetricAttributes, number]> = [];
    createPrometheusBridge(churningSource(() => live), { registry });
    await registry.metrics();
    const growth = await retainedAfter(async () => {
      for (round = 0; round < 4; round++) {
        live = Array.from({ length: 500 }, (_, i): [MetricAttributes, number] => [{ id: `${round}-${i}:`.padEnd(8 * 1024, 'x') }, i]);
        const text = await registry.metrics();
        expect(text).toContain(`churn_total{id="${round}-499:xxx`);
      }
      // The source drops every series; the next scrape sees none.
      live = [];
      expect(await registry.metrics()).not.toContain('id=');
    });
    // 2000 label sets of 8 KB were seen (16 MB of values, more as label text); none is held once
    // the source let them go.
    expect(growth).toBeLessThan(4 * MB);
  });

  it('bounds the label-name cache in characters: 3000 distinct 8 KB attribute keys are not all kept', async () => {
    const registry = new Registry();
    let live: Array<[MetricAttributes, number]> = [];
    createPrometheusBridge(churningSource(() => live), { registry });
    const growth = await retainedAfter(async () => {
      for (let round = 0; round < 3; round++) {
        live = Array.from({ length: 1000 }, (_, i): [MetricAttributes, number] => [{ [`k${round}_${i}_`.padEnd(8 * 1024, 'k')]: 'v' }, 1]);
        await registry.metrics();
      }
      live = [];
      await registry.metrics();
    });
    // Unbounded, the cache would hold 3000 keys and their label names: about 48 MB.
    expect(growth).toBeLessThan(4 * MB);
  });

  it('still merges equal label sets when a series swept out of the cache comes back', async () => {
    const registry = new Registry();
    const a: MetricAttributes = { status: 200 };
    let live: Array<[MetricAttributes, number]> = [[a, 1]];
    createPrometheusBridge(churningSource(() => live), { registry });
    expect(await registry.metrics()).toContain('churn_total{status="200"} 1');
    live = [[{ status: 404 }, 1]]; // `a` is swept out of the index
    await registry.metrics();
    live = [[{ status: '200' }, 2], [a, 3]]; // a new equal label set first, then `a` again
    const text = await registry.metrics();
    expect(text.match(/churn_total\{status="200"\}/g)).toHaveLength(1);
    expect(text).toContain('churn_total{status="200"} 5');
  });
});
