/**
 * StatsD push, runnable on its own: `node examples/statsd-push.ts`.
 *
 * Starts nothing external: it opens a UDP socket on 127.0.0.1 standing in for the StatsD daemon and
 * prints the lines it receives. Point the hot-shots client at your daemon or agent instead.
 */
import dgram from 'node:dgram';
import { StatsD } from 'hot-shots';
import { AsyncMetricsRecorder, CounterMetric, HistogramMetric } from 'mvx-common';
import { StatsdExporter } from 'mvx-common/statsd';

type JobEvent = { type: 'job.done'; queue: string; durationMs: number };

// A stand-in for the daemon: prints every line it gets.
const daemon = dgram.createSocket('udp4');
daemon.on('message', (msg) => {
  for (const line of msg.toString().split('\n')) console.log(`statsd <- ${line}`);
});
await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', () => resolve()));

// The metrics: production code emits facts, metrics interpret them.
const recorder = new AsyncMetricsRecorder<JobEvent>();
recorder.registerMetric(new CounterMetric<JobEvent>({ name: 'jobs.done', eventTypes: 'job.done', attributes: ['queue'] }));
recorder.registerMetric(
  new HistogramMetric<JobEvent>({ name: 'jobs.duration', unit: 'ms', eventTypes: 'job.done', buckets: [10, 50, 100, 500], value: (e) => e.durationMs }),
);

// Your hot-shots client, configured as recommended: an IP host (no DNS lookup per send; use
// cacheDns: true with a host name), a buffer that fits one MTU, and an error handler.
const client = new StatsD({
  host: '127.0.0.1',
  port: daemon.address().port,
  prefix: 'myapp',
  maxBufferSize: 1432,
  errorHandler: (err) => console.error('statsd client error:', err.message),
});

// Aggregated mode (the default): the change is pushed every flushIntervalMs (10 s by default).
const exporter = new StatsdExporter({ client, source: recorder, dialect: 'statsd' });

// Histograms travel as timings replayed from their buckets: exact counts, values to the bucket
// (exact mean per bucket range), at most maxHistogramLinesPerSeries (1000) lines per series per push.
for (let i = 0; i < 1000; i++) {
  recorder.emit({ type: 'job.done', queue: i % 10 === 0 ? 'slow' : 'fast', durationMs: i % 10 === 0 ? 120 : 20 });
}

// At shutdown: push what is pending, flush the client's buffer, close it.
await exporter.close();
await new Promise((resolve) => setTimeout(resolve, 50)); // let the stand-in daemon read the last datagram
console.log(`exporter stats: ${JSON.stringify(exporter.stats())}`);
daemon.close();
await recorder.stop();
