/**
 * StatsD push: `npm run example -- statsd-push`.
 *
 * With no setting it starts nothing external: it opens a UDP socket on 127.0.0.1 standing in for
 * the StatsD daemon and prints the lines it receives. With `STATSD_HOST` (and `STATSD_PORT`,
 * default 8125) it pushes to that daemon or agent instead.
 */
import dgram from 'node:dgram';
import { StatsD } from 'hot-shots';
import { AsyncMetricsRecorder, CounterMetric, HistogramMetric } from 'mvx-common';
import { StatsdExporter } from 'mvx-common/statsd';

type JobEvent = { type: 'job.done'; queue: string; durationMs: number };

// Without STATSD_HOST, a stand-in for the daemon: prints every line it gets.
let standIn: dgram.Socket | undefined;
if (!process.env.STATSD_HOST) {
  standIn = dgram.createSocket('udp4');
  standIn.on('message', (msg) => {
    for (const line of msg.toString().split('\n')) console.log(`statsd <- ${line}`);
  });
  await new Promise<void>((resolve) => standIn!.bind(0, '127.0.0.1', () => resolve()));
}

// The metrics: production code emits facts, metrics interpret them.
const recorder = new AsyncMetricsRecorder<JobEvent>();
recorder.registerMetric(new CounterMetric<JobEvent>({ name: 'jobs.done', eventTypes: 'job.done', attributes: ['queue'] }));
recorder.registerMetric(
  new HistogramMetric<JobEvent>({ name: 'jobs.duration', unit: 'ms', eventTypes: 'job.done', buckets: [10, 50, 100, 500], value: (e) => e.durationMs }),
);

// Your hot-shots client, configured as recommended: an IP host (no DNS lookup per send; use
// cacheDns: true with a host name), a buffer that fits one MTU, and an error handler.
const client = new StatsD({
  host: process.env.STATSD_HOST || '127.0.0.1',
  port: standIn ? standIn.address().port : Number(process.env.STATSD_PORT ?? 8125),
  prefix: 'myapp',
  maxBufferSize: 1432,
  errorHandler: (err) => console.error('statsd client error:', err.message),
});

// Aggregated mode (the default): the change is pushed every flushIntervalMs (10 s by default).
const exporter = new StatsdExporter({ client, source: recorder, dialect: 'statsd' });

// Histograms travel as timings replayed from their buckets (snapshots keep counts per bucket, the
// sum, min and max, not the observations): the daemon's count per bucket and its sum are exact, and
// every value lies in its bucket narrowed to [min, max], so percentiles are right to the bucket.
// Within a bucket the values are representatives, not the observations: here the 900 jobs of 20 ms
// arrive as 22.07 ms and the 100 of 120 ms as 101.38 ms; only when all of an interval's observations
// fall in one bucket is the value their exact mean. At most maxHistogramLinesPerSeries (1000) lines
// go out per series per push.
for (let i = 0; i < 1000; i++) {
  recorder.emit({ type: 'job.done', queue: i % 10 === 0 ? 'slow' : 'fast', durationMs: i % 10 === 0 ? 120 : 20 });
}

// At shutdown: push what is pending, flush the client's buffer, close it.
await exporter.shutdown();
await new Promise((resolve) => setTimeout(resolve, 50)); // let the daemon read the last datagram
const { linesSent, sendErrors, histogramObservationsNotSent } = exporter.stats();
console.log(`exporter: lines sent ${linesSent}, send errors ${sendErrors}, observations not sent ${histogramObservationsNotSent}`);
standIn?.close();
await recorder.stop();
