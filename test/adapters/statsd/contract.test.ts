/**
 * The StatsD exporter runs the metrics-exporter contract: a real hot-shots client sends to a real
 * UDP socket on 127.0.0.1, and the lines received are read the way the Etsy daemon reads them
 * (counters add up, a signed gauge is a change, timers are observations).
 */
import { StatsD } from 'hot-shots';
import { histogramValueFactor, sanitizeStatsdName, StatsdExporter } from '../../../src/adapters/statsd/index.ts';
import type { MetricAttributes, MetricsSource } from '../../../src/index.ts';
import { runMetricsExporterContract, type ExportedMetrics, type ExporterUnderTest } from '../contract/metrics-exporter.ts';
import { FakeMetricsSource } from '../contract/fixtures/metric-source.ts';
import { startUdpReceiver } from './udp-receiver.ts';

interface Line {
  name: string;
  value: string;
  type: string;
  tags: string[];
}

function parseLine(line: string): Line {
  const [head = '', type = '', ...rest] = line.split('|');
  const colon = head.lastIndexOf(':');
  const tags = rest.find((p) => p.startsWith('#'))?.slice(1).split(',') ?? [];
  return { name: head.slice(0, colon), value: head.slice(colon + 1), type, tags };
}

const tagsOf = (attributes: MetricAttributes): string[] => Object.entries(attributes).map(([k, v]) => `${k}:${String(v)}`);
const sameTags = (a: string[], b: string[]): boolean => a.length === b.length && a.every((t) => b.includes(t));

/** What an Etsy StatsD daemon would hold after receiving `lines`, never reset (no flush interval here). */
function daemonView(lines: string[]): ExportedMetrics {
  const parsed = lines.map(parseLine);
  return {
    value(metric, dimension, kind, _unit, attributes, bounds) {
      const name = sanitizeStatsdName(dimension === '' ? metric : `${metric}.${dimension}`);
      const tags = tagsOf(attributes);
      const mine = parsed.filter((l) => l.name === name && sameTags(l.tags, tags));
      if (mine.length === 0) return undefined;
      if (kind === 'counter') return mine.filter((l) => l.type === 'c').reduce((sum, l) => sum + Number(l.value), 0);
      if (kind !== 'histogram') {
        let value = 0;
        for (const l of mine.filter((x) => x.type === 'g')) value = /^[+-]/.test(l.value) ? value + Number(l.value) : Number(l.value);
        return value;
      }
      const values = mine.filter((l) => l.type === 'ms').map((l) => Number(l.value));
      const scale = histogramValueFactor(_unit, 'timing');
      const les = [...(bounds ?? []).map((b) => b * scale), Infinity];
      return {
        buckets: les.map((le) => [le, values.filter((v) => v <= le).length] as const),
        count: values.length,
        sum: values.reduce((a, b) => a + b, 0),
      };
    },
  };
}

runMetricsExporterContract({
  name: 'StatsdExporter (hot-shots over UDP to 127.0.0.1)',
  // The daemon keeps a vanished series' last value (until its own interval ends); the exporter stops sending it.
  forgetsVanished: false,
  unitScale: (unit) => histogramValueFactor(unit, 'timing'),
  badOptions: [
    { option: 'client', create: () => new StatsdExporter({ client: {} as never, source: new FakeMetricsSource() }) },
    { option: 'mode', create: () => new StatsdExporter({ client: new StatsD({ mock: true }), source: new FakeMetricsSource(), mode: 'sometimes' as never }) },
    { option: 'flushIntervalMs', create: () => new StatsdExporter({ client: new StatsD({ mock: true }), source: new FakeMetricsSource(), flushIntervalMs: 0 }) },
    { option: 'histogramType', create: () => new StatsdExporter({ client: new StatsD({ mock: true }), source: new FakeMetricsSource(), histogramType: 'distribution' }) },
  ],
  async create(source: MetricsSource): Promise<ExporterUnderTest> {
    const receiver = await startUdpReceiver();
    const client = new StatsD({ host: '127.0.0.1', port: receiver.port, maxBufferSize: 1432 });
    let exporter: StatsdExporter;
    try {
      exporter = new StatsdExporter({ client, source, flushTimeoutMs: 100, timeoutMs: 2000 });
    } catch (error) {
      await new Promise((r) => client.close(r));
      await receiver.close();
      throw error;
    }
    return {
      async collect() {
        await exporter.flush();
        // Every line handed to the client has arrived (loopback UDP: bounded wait, no loss).
        const lines = await receiver.waitFor((l) => l.length >= exporter.stats().linesSent);
        return { ok: true, metrics: daemonView(lines) };
      },
      lifecycle: exporter,
      dispose: () => receiver.close(),
    };
  },
});
