import { Agent, createServer, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import promClient, { Registry } from 'prom-client';
import {
  createMetricsHandler,
  createPrometheusBridge,
  negotiateFormat,
  OPENMETRICS_TEXT,
  PROMETHEUS_TEXT,
  startMetricsServer,
} from '../../../src/adapters/prometheus/index.ts';
import type { MetricsServer } from '../../../src/adapters/prometheus/index.ts';
import { isMvxError, MvxErrorCode } from '../../../src/core/errors.ts';
import { configureDiagnostics } from '../../../src/index.ts';
import { captureDiagnostics } from '../../support/diagnostics.ts';
import { FakeMetricsSource } from '../contract/fixtures/metric-source.ts';
import type { MetricSnapshot } from '../../../src/core/metrics/types.ts';

configureDiagnostics({ stderr: 'off' });

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function fetchRaw(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const T0 = 1_700_000_000_000;
const source = (snaps: () => MetricSnapshot[]): FakeMetricsSource => new FakeMetricsSource(snaps, { flush: false });
const counter = (name: string, value: number): MetricSnapshot => ({
  name,
  startTimeMs: T0,
  timeMs: T0,
  dimensions: [{ name: '', kind: 'counter', series: [{ attributes: { k: 'v' }, value }] }],
});

const servers: MetricsServer[] = [];
async function start(registry: Registry, extra: Parameters<typeof startMetricsServer>[0] = {}): Promise<MetricsServer> {
  const s = await startMetricsServer({ port: 0, registry, ...extra });
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('negotiateFormat', () => {
  it('follows quality values between OpenMetrics and the text format', () => {
    // What Prometheus 2.x sends.
    const prom = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiateFormat(prom, 'prometheus')).toBe('openmetrics');
    expect(negotiateFormat('text/plain;version=0.0.4', 'prometheus')).toBe('prometheus');
    expect(negotiateFormat('text/plain;q=0.9, application/openmetrics-text;q=0.8', 'openmetrics')).toBe('prometheus');
    expect(negotiateFormat('*/*', 'prometheus')).toBe('prometheus');
    expect(negotiateFormat(undefined, 'openmetrics')).toBe('openmetrics');
    expect(negotiateFormat('application/json', 'prometheus')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0', 'prometheus')).toBe('prometheus');
  });
});

describe('startMetricsServer and createMetricsHandler', () => {
  it('serves the registry on 127.0.0.1 at /metrics in the Prometheus text format by default', async () => {
    const registry = new Registry();
    new promClient.Counter({ name: 'hand_total', help: 'h', registers: [registry] }).inc(3);
    createPrometheusBridge(source(() => [counter('bridged', 5)]), { registry });
    const server = await start(registry);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const r = await fetchRaw(server.url);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(PROMETHEUS_TEXT);
    expect(r.body).toBe(await registry.metrics());
    expect(r.body).toContain('hand_total 3');
    expect(r.body).toContain('bridged_total{k="v"} 5');
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
  });

  it('serves OpenMetrics when Accept prefers it, with _total samples under the family name and # EOF', async () => {
    const registry = new Registry();
    new promClient.Counter({ name: 'hand_total', help: 'h "q"', registers: [registry] }).inc(3);
    new promClient.Histogram({ name: 'lat_seconds', help: 'l', buckets: [1], registers: [registry] }).observe(0.5);
    createPrometheusBridge(source(() => [counter('bridged', 5)]), { registry });
    const server = await start(registry);
    const r = await fetchRaw(server.url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(OPENMETRICS_TEXT);
    expect(r.body).toContain('# HELP hand h \\"q\\"\n# TYPE hand counter\nhand_total 3\n');
    expect(r.body).toContain('# TYPE bridged counter\nbridged_total{k="v"} 5\n');
    expect(r.body).toContain('lat_seconds_bucket{le="+Inf"} 1\n');
    expect(r.body.endsWith('# EOF\n')).toBe(true);
    expect(r.body).not.toContain('\n\n');
    // The registry itself was not switched to OpenMetrics.
    expect(registry.contentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    expect((await fetchRaw(server.url)).body).toContain('hand_total 3');
  });

  it('serves the text format from an OpenMetrics registry to clients that ask for it', async () => {
    const registry = new Registry();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as any);
    new promClient.Counter({ name: 'om_hand_total', help: 'h', registers: [registry] }).inc(2);
    createPrometheusBridge(source(() => [counter('om.bridged', 4)]), { registry });
    const server = await start(registry);
    const om = await fetchRaw(server.url);
    expect(om.headers['content-type']).toBe(OPENMETRICS_TEXT);
    expect(om.body).toContain('om_hand_total 2\n');
    for (let i = 0; i < 2; i++) {
      const text = await fetchRaw(server.url, { headers: { accept: 'text/plain;version=0.0.4' } });
      expect(text.headers['content-type']).toBe(PROMETHEUS_TEXT);
      expect(text.body).toContain('# TYPE om_hand_total counter\nom_hand_total 2\n');
      expect(text.body).toContain('om_bridged_total{k="v"} 4\n');
      expect(text.body).not.toContain('# EOF');
    }
  });

  it('answers HEAD with the headers only, 404 for other paths, 405 with Allow for other methods', async () => {
    const registry = new Registry();
    const server = await start(registry);
    const head = await fetchRaw(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await fetchRaw(`${server.url}?x=1`)).status).toBe(200);
    expect((await fetchRaw(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    expect((await fetchRaw(`http://127.0.0.1:${server.port}/metrics/x`)).status).toBe(404);
    // Absolute-form request targets (as sent through some proxies) are understood.
    const viaProxy = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `http://127.0.0.1:${server.port}/metrics`, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(viaProxy).toBe(200);
    const post = await fetchRaw(server.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('serves a configured path', async () => {
    const registry = new Registry();
    const server = await start(registry, { path: '/internal/prom' });
    expect(server.url.endsWith('/internal/prom')).toBe(true);
    expect((await fetchRaw(server.url)).status).toBe(200);
    expect((await fetchRaw(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
  });

  it('answers 500 with a short body and a diagnostic when collection fails, then recovers', async () => {
    const registry = new Registry();
    let fail = true;
    new promClient.Gauge({
      name: 'flaky',
      help: 'f',
      registers: [registry],
      collect() {
        if (fail) throw new Error('secret internal detail');
        this.set(1);
      },
    });
    const { list: seen, stop: off } = captureDiagnostics();
    const server = await start(registry);
    try {
      const r = await fetchRaw(server.url);
      expect(r.status).toBe(500);
      expect(r.body).not.toContain('secret');
      expect(seen.some((d) => d.code === 'scrape.failed')).toBe(true);
    } finally {
      off();
    }
    fail = false;
    const ok = await fetchRaw(server.url);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('flaky 1');
  });

  it('shows metrics a source gained since the last scrape in the very next scrape', async () => {
    const registry = new Registry();
    let snaps = [counter('a', 1)];
    createPrometheusBridge(source(() => snaps), { registry });
    const server = await start(registry);
    expect((await fetchRaw(server.url)).body).toContain('a_total{k="v"} 1');
    snaps = [...snaps, counter('b', 2)];
    expect((await fetchRaw(server.url)).body).toContain('b_total{k="v"} 2');
  });

  it('renders concurrent scrapes once', async () => {
    const registry = new Registry();
    let collects = 0;
    new promClient.Gauge({
      name: 'g',
      help: 'g',
      registers: [registry],
      async collect() {
        collects++;
        await new Promise((r) => setTimeout(r, 30));
        this.set(collects);
      },
    });
    const server = await start(registry);
    const replies = await Promise.all(Array.from({ length: 10 }, () => fetchRaw(server.url)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(collects).toBeLessThan(10);
  });

  it('fails with an MvxError naming host:port when the port is taken', async () => {
    const registry = new Registry();
    const first = await start(registry);
    let caught: unknown;
    try {
      await startMetricsServer({ port: first.port, registry });
    } catch (e) {
      caught = e;
    }
    expect(isMvxError(caught, MvxErrorCode.STARTUP)).toBe(true);
    expect((caught as Error).message).toContain(`127.0.0.1:${first.port}`);
    expect((caught as Error).message).toContain('already in use');
    expect(((caught as Error).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });

  it('close() is idempotent, stops listening, and does not wait for idle keep-alive connections', async () => {
    const registry = new Registry();
    // With a 10-minute grace period, close() resolving at all shows idle connections were closed at once.
    const server = await startMetricsServer({ port: 0, registry, closeTimeoutMs: 600_000 });
    // A keep-alive connection left idle.
    await new Promise<void>((resolve, reject) => {
      const req = request(server.url, { agent: new Agent({ keepAlive: true }) }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
    const p1 = server.close();
    expect(server.close()).toBe(p1);
    await p1;
    expect(server.server.listening).toBe(false);
    await expect(fetchRaw(server.url)).rejects.toThrow();
  });

  it('close() lets a scrape in progress finish', async () => {
    const registry = new Registry();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let entered: () => void = () => undefined;
    const inCollect = new Promise<void>((r) => (entered = r));
    new promClient.Gauge({
      name: 'slow',
      help: 's',
      registers: [registry],
      async collect() {
        entered();
        await gate;
        this.set(7);
      },
    });
    const server = await startMetricsServer({ port: 0, registry });
    const reply = fetchRaw(server.url);
    await inCollect;
    const closed = server.close();
    release();
    const r = await reply;
    await closed;
    expect(r.status).toBe(200);
    expect(r.body).toContain('slow 7');
  });

  it('works as a plain node:http handler', async () => {
    const registry = new Registry();
    new promClient.Counter({ name: 'plain_total', help: 'p', registers: [registry] }).inc();
    const httpServer = createServer(createMetricsHandler({ registry, openMetrics: false }));
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    try {
      const port = (httpServer.address() as { port: number }).port;
      const r = await fetchRaw(`http://127.0.0.1:${port}/metrics`, { headers: { accept: 'application/openmetrics-text' } });
      expect(r.headers['content-type']).toBe(PROMETHEUS_TEXT);
      expect(r.body).toContain('plain_total 1');
    } finally {
      await new Promise((r) => httpServer.close(r));
    }
  });

  it('rejects invalid options naming the option', async () => {
    await expect(startMetricsServer({ port: 70_000 })).rejects.toThrow(/'port'/);
    await expect(startMetricsServer({ headersTimeoutMs: -5 })).rejects.toThrow(/'headersTimeoutMs'/);
    expect(() => createMetricsHandler({ path: 'metrics' })).toThrow(/'path'/);
  });
});
