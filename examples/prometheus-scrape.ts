/**
 * Prometheus scrape: a recorder's metrics in a prom-client registry, served on
 * `127.0.0.1:<port>/metrics` (9464 by default; a free port here), then scraped once.
 * Run: `npm run example -- prometheus-scrape`.
 */
import { AsyncMetricsRecorder, CounterMetric, HistogramMetric } from 'mvx-common';
import { createPrometheusBridge, startMetricsServer } from 'mvx-common/prometheus';
import { Registry } from 'prom-client';

type RequestEvent = { type: 'http.request'; route: string; status: number; durationS: number };

const recorder = new AsyncMetricsRecorder<RequestEvent>({ id: 'web' });
recorder.registerMetric(new CounterMetric<RequestEvent>({ name: 'http.server.requests', description: 'Requests handled', eventTypes: 'http.request', attributes: ['route', 'status'] }));
recorder.registerMetric(
  new HistogramMetric<RequestEvent>({
    name: 'http.server.duration',
    description: 'Request duration',
    unit: 's', // exported as http_server_duration_seconds
    eventTypes: 'http.request',
    value: (e) => e.durationS,
    buckets: [0.01, 0.1, 1],
  }),
);

const registry = new Registry();
createPrometheusBridge(recorder, { registry });
const server = await startMetricsServer({ registry, port: 0 });

for (const [route, status, durationS] of [['/a', 200, 0.004], ['/a', 200, 0.05], ['/b', 500, 0.3]] as const) {
  recorder.emit({ type: 'http.request', route, status, durationS });
}
const body = await fetch(server.url).then((r) => r.text()); // a scrape waits for pending events
process.stdout.write(body);
await server.shutdown();
await recorder.stop();
