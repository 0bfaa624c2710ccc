/**
 * Exemplars end to end (issue 20): a real Prometheus (Debian's package) with exemplar storage
 * scrapes, over OpenMetrics, an HTTP service instrumented only through `logInvocation` and the
 * trace adapter; its `/api/v1/query_exemplars` returns exemplars whose trace and span ids are those
 * of spans the test exported, and the target stays healthy (no scrape error).
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createPrometheusBridge, startMetricsServer } from '../../src/adapters/prometheus/index.ts';
import type { MetricsServer } from '../../src/adapters/prometheus/index.ts';
import { registerOtelTracing } from '../../src/adapters/otel-trace/index.ts';
import type { OtelTracing } from '../../src/adapters/otel-trace/index.ts';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import { logInvocation } from '../../src/core/logger/invocation/log-invocation.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { NullSink } from '../../src/core/logger/sinks/null-sink.ts';
import { CounterMetric } from '../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../src/core/metrics/instruments/histogram-metric.ts';
import { AsyncMetricsRecorder } from '../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { useOtelAsyncContext } from '../adapters/otel-support.ts';
import { hasBinary, sleep, startPrometheus } from './prometheus-server.ts';
import type { PrometheusServer } from './prometheus-server.ts';

useOtelAsyncContext();

const available = hasBinary('prometheus') && hasBinary('promtool');
const SKIP_REASON = 'prometheus/promtool not found on PATH (install the Debian package `prometheus`; .ci/run does)';
if (!available && process.env.CI) throw new Error(`The exemplars end-to-end test must run in CI, but ${SKIP_REASON}`);

interface Served {
  readonly type: 'http.served';
  readonly route: string;
  readonly ms: number;
}

interface PromExemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: number;
}
interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: PromExemplar[];
}

describe.skipIf(!available)(`Exemplars in a real Prometheus${available ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  const registry = new Registry();
  const recorder = new AsyncMetricsRecorder<Served>();
  let tracing: OtelTracing;
  let service: Server;
  let metrics: MetricsServer;
  let prom: PrometheusServer | undefined;
  let requests = 0;

  async function drive(n: number): Promise<void> {
    const { port } = service.address() as { port: number };
    for (let i = 0; i < n; i++) {
      const route = ['/docs', '/users', '/health'][i % 3]!;
      const res = await fetch(`http://127.0.0.1:${port}${route}`);
      await res.text();
      requests++;
    }
  }

  beforeAll(async () => {
    tracing = registerOtelTracing({ tracerProvider });
    recorder.registerMetric(new HistogramMetric<Served>({ name: 'http.server.duration', unit: 'ms', eventTypes: 'http.served', attributes: ['route'], buckets: [1, 5, 20, 100], value: (e) => e.ms }));
    recorder.registerMetric(new CounterMetric<Served>({ name: 'http.server.requests', eventTypes: 'http.served', attributes: ['route'] }));
    const context = new LogContext({ namespace: 'svc', sink: new NullSink(), payloadProcessor: new LogPayloadProcessor() });
    // The service's only instrumentation: logInvocation on the handler, which emits a metric event.
    const handle = logInvocation({ event: 'http.request', context, params: ['route'] })(async (route: string): Promise<string> => {
      const started = performance.now();
      await sleep(route === '/docs' ? 12 : 1);
      recorder.emit({ type: 'http.served', route, ms: performance.now() - started });
      return 'ok';
    });
    service = createServer((req, res) => {
      void handle(req.url ?? '/').then((body) => res.end(body));
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    createPrometheusBridge(recorder, { registry });
    metrics = await startMetricsServer({ port: 0, registry });
    await drive(30);
    prom = await startPrometheus({ mvx: `127.0.0.1:${metrics.port}` }, { flags: ['--enable-feature=exemplar-storage'] });
  }, 90_000);

  afterAll(async () => {
    await prom?.stop();
    await metrics?.close();
    await new Promise((r) => service?.close(r));
    await tracing?.shutdown();
    await tracerProvider.shutdown();
    registry.clear();
  });

  async function queryExemplars(query: string): Promise<ExemplarSeries[]> {
    const end = Date.now() / 1000 + 60;
    const res = await fetch(`${prom!.url}/api/v1/query_exemplars?query=${encodeURIComponent(query)}&start=${end - 3600}&end=${end}`);
    const body = (await res.json()) as { status: string; error?: string; data: ExemplarSeries[] };
    if (body.status !== 'success') throw new Error(`query_exemplars ${query}: ${body.error}`);
    return body.data;
  }

  /** Polls (bounded) until the query returns at least `min` exemplars. */
  async function exemplarsOf(query: string, min: number): Promise<PromExemplar[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = (await queryExemplars(query)).flatMap((s) => s.exemplars.map((e) => ({ ...e, labels: { ...e.labels, le: s.seriesLabels['le'] ?? '' } })));
      if (found.length >= min || Date.now() > deadline) return found;
      await sleep(500);
    }
  }

  it('stores exemplars whose trace and span ids are those of exported spans', async () => {
    const exported = new Map(spans.getFinishedSpans().map((s) => [s.spanContext().spanId, s.spanContext().traceId]));
    expect(exported.size).toBe(requests);
    // One exemplar per bucket the values fell in, for each of the 3 routes: at least 3.
    const histogram = await exemplarsOf('http_server_duration_seconds_bucket{job="mvx"}', 3);
    expect(histogram.length, prom!.log()).toBeGreaterThanOrEqual(3);
    for (const e of histogram) {
      expect(e.labels['trace_id']).toMatch(/^[0-9a-f]{32}$/);
      expect(exported.get(e.labels['span_id']!), `span ${e.labels['span_id']} was exported`).toBe(e.labels['trace_id']);
      // The value is in seconds and within its bucket.
      const le = e.labels['le'] === '+Inf' ? Infinity : Number(e.labels['le']);
      expect(Number(e.value)).toBeLessThanOrEqual(le);
      expect(Number(e.value)).toBeGreaterThan(0);
    }
    const counter = await exemplarsOf('http_server_requests_total{job="mvx"}', 3);
    expect(counter).toHaveLength(3);
    for (const e of counter) {
      expect(exported.get(e.labels['span_id']!)).toBe(e.labels['trace_id']);
      expect(Number(e.value)).toBe(1);
    }
  });

  it('keeps the target healthy while scraping the OpenMetrics output, and takes new exemplars from new requests', async () => {
    const before = new Set((await exemplarsOf('http_server_requests_total{job="mvx"}', 3)).map((e) => e.labels['span_id']));
    await drive(9);
    const exported = new Map(spans.getFinishedSpans().map((s) => [s.spanContext().spanId, s.spanContext().traceId]));
    const deadline = Date.now() + 20_000;
    let fresh: PromExemplar[] = [];
    while (fresh.length === 0 && Date.now() < deadline) {
      await sleep(500);
      fresh = (await exemplarsOf('http_server_requests_total{job="mvx"}', 3)).filter((e) => !before.has(e.labels['span_id']));
    }
    expect(fresh.length).toBeGreaterThan(0);
    for (const e of fresh) expect(exported.get(e.labels['span_id']!)).toBe(e.labels['trace_id']);

    const res = await fetch(`${prom!.url}/api/v1/targets`);
    const [target] = ((await res.json()) as { data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] } }).data.activeTargets;
    expect({ health: target!.health, lastError: target!.lastError }).toEqual({ health: 'up', lastError: '' });
    const [up] = await prom!.query('min_over_time(up{job="mvx"}[5m])');
    expect(up!.value[1]).toBe('1');
    // It was OpenMetrics that Prometheus scraped: the _created series exist only there.
    expect((await prom!.query('http_server_requests_created{job="mvx"}')).length).toBe(3);
  });

  it('serves the classic text format, with exemplars held, as promtool accepts it', async () => {
    const classic = await (await fetch(metrics.url)).text();
    expect(classic).toContain('http_server_duration_seconds_bucket');
    expect(classic).not.toMatch(/# \{|_created|# UNIT/);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: classic, encoding: 'utf8' });
    expect({ status: r.status, output: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, output: '' });
    // The same scrape over OpenMetrics does carry them.
    const om = await (await fetch(metrics.url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })).text();
    expect(om).toMatch(/_bucket\{[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} /);
  });
});

describe.skipIf(available)('Exemplars in a real Prometheus: availability', () => {
  it(`is skipped here: ${SKIP_REASON}`, () => {
    expect(available).toBe(false);
  });
});
