/** The Prometheus bridge runs the metrics-exporter contract, scraped over HTTP from its metrics server. */
import { Registry } from 'prom-client';
import { createPrometheusBridge, prometheusName, prometheusUnit, startMetricsServer } from '../../../src/adapters/prometheus/index.ts';
import { runLifecycleContract } from '../contract/lifecycle.ts';
import { runMetricsExporterContract } from '../contract/metrics-exporter.ts';
import { FakeMetricsSource } from '../contract/fixtures/metric-source.ts';
import { prometheusView } from '../contract/fixtures/prometheus-text.ts';

runMetricsExporterContract({
  name: 'PrometheusBridge (prom-client registry, scraped over HTTP)',
  forgetsVanished: true,
  unitScale: (unit) => {
    const u = prometheusUnit(unit, 'histogram');
    return u.factor / u.divisor;
  },
  badOptions: [
    { option: 'registry', create: () => createPrometheusBridge(new FakeMetricsSource(), { registry: {} as never }) },
    { option: 'prefix', create: () => createPrometheusBridge(new FakeMetricsSource(), { registry: new Registry(), prefix: 'bad-prefix' }) },
    { option: 'flushTimeoutMs', create: () => createPrometheusBridge(new FakeMetricsSource(), { registry: new Registry(), flushTimeoutMs: -1 }) },
    { option: 'port', create: () => startMetricsServer({ registry: new Registry(), port: 70_000 }) },
  ],
  async create(source) {
    const registry = new Registry();
    const bridge = createPrometheusBridge(source, { registry, flushTimeoutMs: 100 });
    const server = await startMetricsServer({ registry, port: 0 });
    return {
      async collect() {
        const res = await fetch(server.url);
        const text = await res.text();
        return { ok: res.status === 200, metrics: prometheusView(res.status === 200 ? text : '', (m, d, k, u) => prometheusName(m, d, k, u).name) };
      },
      lifecycle: bridge,
      async dispose() {
        await server.shutdown();
      },
    };
  },
});

runLifecycleContract('startMetricsServer (requests: answered = served + refused + failed + in progress)', async () => {
  const registry = new Registry();
  const server = await startMetricsServer({ registry, port: 0 });
  return {
    component: server,
    // After shutdown the port is closed: the requests fail at the client, the server counts nothing.
    use: async () => {
      await fetch(server.url).then((r) => r.text(), () => '');
      await fetch(server.url.replace('/metrics', '/other')).then((r) => r.text(), () => '');
    },
    dispose: () => server.shutdown().then(() => undefined),
  };
});
