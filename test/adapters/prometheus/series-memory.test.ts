/**
 * Issue 16, memory per metric series: between scrapes the bridge keeps no copy of the source's
 * series (the snapshot of the last scrape is let go), labels whose keys are already label names
 * are not converted and kept, and the series store keeps no entry object per series. Retained
 * heap measured after a real GC; the bounds sit between the figures before and after the change.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createPrometheusBridge } from '../../../src/adapters/prometheus/index.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { SyncMetricsRecorder } from '../../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import type { MetricSnapshot } from '../../../src/core/metrics/types.ts';
import { captureMvxStderr } from '../../support/stderr-guard.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const N = 20_000;
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

function heapUsed(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

interface Ev {
  type: 'e';
  method: string;
  route: string;
}

/** Label values as flat strings (through JSON), allocated before anything is measured. */
function events(): Ev[] {
  return JSON.parse(JSON.stringify(Array.from({ length: N }, (_, i) => ({ type: 'e', method: 'GET', route: `/api/items/${i}` })))) as Ev[];
}

function recorderWith(evs: readonly Ev[]): SyncMetricsRecorder<Ev> {
  const recorder = new SyncMetricsRecorder<Ev>();
  recorder.registerMetric(new CounterMetric<Ev>({ name: 'requests', eventTypes: 'e', attributes: ['method', 'route'], seriesLimit: N + 1 }));
  for (const e of evs) recorder.emit(e);
  return recorder;
}

describe('memory per metric series (issue 16)', () => {
  it('lets the snapshot of a scrape go once the scrape is over', async () => {
    let last: WeakRef<object> | undefined;
    const source = {
      snapshots(): MetricSnapshot[] {
        const dim = { name: '', kind: 'counter' as const, series: [{ attributes: { route: '/a' }, value: 1 }] };
        last = new WeakRef(dim);
        return [{ name: 'hits', startTimeMs: 1, timeMs: 2, dimensions: [dim] }];
      },
    };
    const registry = new Registry();
    const bridge = createPrometheusBridge(source, { registry });
    expect(await registry.metrics()).toContain('hits_total{route="/a"} 1');
    await nextMacrotask();
    heapUsed();
    expect(last?.deref()).toBeUndefined();
    // The next scrape still reads a fresh snapshot.
    expect(await registry.metrics()).toContain('hits_total{route="/a"} 1');
    await bridge.shutdown();
  });

  it('still merges series whose labels print alike, whatever their key order and value types', async () => {
    const source = {
      snapshots: (): MetricSnapshot[] => [
        {
          name: 'hits',
          startTimeMs: 1,
          timeMs: 2,
          dimensions: [
            {
              name: '',
              kind: 'counter',
              series: [
                { attributes: { a: 'x', status: 200 }, value: 1 },
                { attributes: { status: '200', a: 'x' }, value: 2 },
                { attributes: { a: 'x', status: '404' }, value: 4 },
                { attributes: { 'a.b': 'x' }, value: 8 },
                { attributes: { a_b: 'x' }, value: 16 },
              ],
            },
          ],
        },
      ],
    };
    const registry = new Registry();
    const bridge = createPrometheusBridge(source, { registry });
    const stderr = captureMvxStderr();
    const text = await registry.metrics().finally(() => stderr.stop());
    expect(stderr.lines.join('')).toContain('labels.merged');
    const lines = text.split('\n').filter((l) => l.startsWith('hits_total'));
    expect(lines.sort()).toEqual(['hits_total{a="x",status="200"} 3', 'hits_total{a="x",status="404"} 4', 'hits_total{a_b="x"} 24']);
    expect(bridge.stats().mergedSeries).toBe(2);
    await bridge.shutdown();
  });

  it('merges a series that joins later the label set of one whose scrapes merged nothing so far', async () => {
    const a = Object.freeze({ status: 200 });
    const b = Object.freeze({ status: '200' });
    let series = [{ attributes: a as Record<string, string | number>, value: 1 }];
    const source = { snapshots: (): MetricSnapshot[] => [{ name: 'hits', startTimeMs: 1, timeMs: 2, dimensions: [{ name: '', kind: 'counter', series }] }] };
    const registry = new Registry();
    const bridge = createPrometheusBridge(source, { registry });
    expect(await registry.metrics()).toContain('hits_total{status="200"} 1');
    series = [...series, { attributes: { route: '/x' }, value: 2 }];
    expect(await registry.metrics()).toContain('hits_total{route="/x"} 2');
    // The same attribute objects again (nothing to merge), then one whose labels equal a's.
    expect(await registry.metrics()).toContain('hits_total{status="200"} 1');
    series = [...series, { attributes: b, value: 4 }];
    const stderr = captureMvxStderr();
    const text = await registry.metrics().finally(() => stderr.stop());
    expect(text.split('\n').filter((l) => l.startsWith('hits_total{status='))).toEqual(['hits_total{status="200"} 5']);
    const again = await registry.metrics();
    expect(again.split('\n').filter((l) => l.startsWith('hits_total{status='))).toEqual(['hits_total{status="200"} 5']);
    await bridge.shutdown();
  });

  it('keeps about the label text per series once scraped (no converted labels, no index, no snapshot)', async () => {
    const evs = events();
    const recorder = recorderWith(evs);
    const registry = new Registry();
    const before = heapUsed();
    const bridge = createPrometheusBridge(recorder, { registry });
    for (let i = 0; i < 2; i++) expect((await registry.metrics()).split('\n').length).toBe(N + 3);
    await nextMacrotask();
    const perSeries = (heapUsed() - before) / N;
    // prom-client's own cache of each label set's text (a WeakMap entry and the string) is about
    // 100 bytes; before issue 16 the bridge kept about 400 (label entries, canonical index, a
    // snapshot copy).
    expect(perSeries).toBeLessThan(160);
    await bridge.shutdown();
    expect(evs.length).toBe(N);
  });

  it('keeps no entry object per series in the series store, and attribute objects of their own size', () => {
    const evs = events();
    const before = heapUsed();
    const recorder = recorderWith(evs);
    const perSeries = (heapUsed() - before) / N;
    // Attributes (40 bytes, exactly sized), state (32), index entry and list slots: about 137;
    // with an entry object per series and attribute objects sized for 4 properties, about 185.
    expect(perSeries).toBeLessThan(150);
    expect(recorder.snapshots()[0]!.dimensions[0]!.series.length).toBe(N);
  });
});
