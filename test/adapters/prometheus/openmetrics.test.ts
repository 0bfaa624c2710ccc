/**
 * The OpenMetrics exposition of bridged metrics (issue 20): exemplars, `# UNIT`, `_created`, and
 * gzip; the classic text format unchanged.
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createPrometheusBridge, renderRegistry, startMetricsServer } from '../../../src/adapters/prometheus/index.ts';
import type { MetricsServer } from '../../../src/adapters/prometheus/index.ts';
import { acceptsGzip } from '../../../src/adapters/prometheus/metrics-handler.ts';
import { setLogCorrelationProvider } from '../../../src/core/logger/correlation.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { HistogramMetric } from '../../../src/core/metrics/instruments/histogram-metric.ts';
import { SyncMetricsRecorder } from '../../../src/core/metrics/recorder/sync-metrics-recorder.ts';
import type { ExemplarFilter } from '../../../src/core/metrics/exemplars/exemplar.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const OM = 'application/openmetrics-text; version=1.0.0';

interface Served {
  readonly type: 'served';
  readonly route: string;
  readonly ms: number;
  readonly user?: string;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let active: Readonly<Record<string, string>> | undefined;
beforeEach(() => {
  active = Object.freeze({ trace_id: TRACE, span_id: SPAN, trace_flags: '01' });
  setLogCorrelationProvider(() => active);
});
const servers: MetricsServer[] = [];
afterEach(async () => {
  setLogCorrelationProvider(undefined);
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A recorder with a counter and a millisecond histogram, fed the same events whatever the filter. */
function world(exemplarFilter: ExemplarFilter) {
  const recorder = new SyncMetricsRecorder<Served>({ exemplarFilter });
  const counter = new CounterMetric<Served>({ name: 'http.server.requests', description: 'Requests served', eventTypes: 'served', attributes: ['route'], exemplarAttributes: ['user'] });
  const histogram = new HistogramMetric<Served>({ name: 'http.server.duration', description: 'Request duration', unit: 'ms', eventTypes: 'served', attributes: ['route'], buckets: [10, 50, 250], value: (e) => e.ms });
  recorder.registerMetric(counter);
  recorder.registerMetric(histogram);
  recorder.emit({ type: 'served', route: '/a', ms: 42, user: 'alice' });
  recorder.emit({ type: 'served', route: '/a', ms: 7, user: 'x'.repeat(200) });
  active = undefined;
  recorder.emit({ type: 'served', route: '/a', ms: 900 }); // outside a trace: no exemplar
  const registry = new Registry();
  createPrometheusBridge(recorder, { registry });
  return { registry, counter, histogram };
}

describe('OpenMetrics exposition of bridged metrics', () => {
  it('serves exemplars on counter samples and on the bucket of each value, # UNIT and _created', async () => {
    const { registry, counter, histogram } = world('trace_based');
    const server = await startMetricsServer({ port: 0, registry });
    servers.push(server);
    const r = await get(server.url, { accept: OM });
    expect(r.headers['content-type']).toContain('application/openmetrics-text');
    const body = r.raw.toString('utf8');
    const lines = body.split('\n');
    const tsOf = (line: string) => Number(line.split(' ').at(-1));
    const created = String(histogram.startTimeMs / 1000);

    expect(lines).toContain('# TYPE http_server_duration_seconds histogram');
    expect(lines).toContain('# UNIT http_server_duration_seconds seconds');
    const bucket = (le: string) => lines.find((l) => l.startsWith(`http_server_duration_seconds_bucket{route="/a",le="${le}"}`))!;
    // 7 ms and 42 ms were observed in sampled traces: in the 0.01 and 0.05 buckets, in seconds.
    expect(bucket('0.01')).toMatch(new RegExp(`^http_server_duration_seconds_bucket\\{route="/a",le="0.01"\\} 1 # \\{trace_id="${TRACE}",span_id="${SPAN}"\\} 0.007 [0-9.]+$`));
    expect(bucket('0.05')).toMatch(new RegExp(` 2 # \\{trace_id="${TRACE}",span_id="${SPAN}"\\} 0.042 [0-9.]+$`));
    expect(bucket('0.25')).toBe('http_server_duration_seconds_bucket{route="/a",le="0.25"} 2');
    expect(bucket('+Inf')).toBe('http_server_duration_seconds_bucket{route="/a",le="+Inf"} 3');
    expect(Math.abs(tsOf(bucket('0.05')) * 1000 - Date.now())).toBeLessThan(60_000);
    // _created closes the series, after _count.
    const count = lines.indexOf('http_server_duration_seconds_count{route="/a"} 3');
    expect(lines[count + 1]).toBe(`http_server_duration_seconds_created{route="/a"} ${created}`);

    // The counter: family without _total, the exemplar on the _total sample, its attribute kept
    // while the label set fits in 128 characters (the 200-character user does not).
    expect(lines).toContain('# TYPE http_server_requests counter');
    expect(lines.some((l) => l.startsWith('# UNIT http_server_requests'))).toBe(false);
    const total = lines.find((l) => l.startsWith('http_server_requests_total{route="/a"} 3 # {'))!;
    expect(total).toMatch(new RegExp(`^http_server_requests_total\\{route="/a"\\} 3 # \\{trace_id="${TRACE}",span_id="${SPAN}"(,user="alice")?\\} 1 [0-9.]+$`));
    expect(lines[lines.indexOf(total) + 1]).toBe(`http_server_requests_created{route="/a"} ${counter.startTimeMs / 1000}`);
    expect(body.endsWith('# EOF\n')).toBe(true);
  });

  it('keeps the classic text format byte for byte: the same events with exemplars on and off give the same body', async () => {
    const withExemplars = world('on');
    const without = world('off');
    const a = await startMetricsServer({ port: 0, registry: withExemplars.registry });
    const b = await startMetricsServer({ port: 0, registry: without.registry });
    servers.push(a, b);
    const [ra, rb] = await Promise.all([get(a.url), get(b.url)]);
    // The start times differ by the construction time only: the classic format has none.
    expect(ra.raw.toString('utf8')).toBe(rb.raw.toString('utf8'));
    expect(ra.raw.toString('utf8')).toBe(await withExemplars.registry.metrics());
    expect(ra.raw.toString('utf8')).not.toMatch(/# \{|_created|# UNIT/);
    expect(await renderRegistry(withExemplars.registry, 'prometheus')).not.toMatch(/# \{|_created|# UNIT/);
  });
});

describe('an OpenMetrics registry (prom-client renders it)', () => {
  it('prints the exemplars too, without # UNIT and _created', async () => {
    const recorder = new SyncMetricsRecorder<Served>();
    recorder.registerMetric(new HistogramMetric<Served>({ name: 'http.server.duration', unit: 'ms', eventTypes: 'served', buckets: [10, 50], value: (e) => e.ms }));
    recorder.emit({ type: 'served', route: '/a', ms: 42 });
    const registry = new Registry();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as any);
    createPrometheusBridge(recorder, { registry });
    const body = await registry.metrics();
    expect(body).toMatch(new RegExp(`http_server_duration_seconds_bucket\\{le="0.05"\\} 1 # \\{trace_id="${TRACE}",span_id="${SPAN}"\\} 0.042 [0-9.]+\n`));
    expect(body).not.toMatch(/_created|# UNIT/);
  });
});

describe('gzip', () => {
  it('compresses for clients that accept it, the same exposition once decoded; identity otherwise', async () => {
    const { registry } = world('trace_based');
    const server = await startMetricsServer({ port: 0, registry });
    const plain = await startMetricsServer({ port: 0, registry, gzip: false });
    servers.push(server, plain);
    const zipped = await get(server.url, { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept, Accept-Encoding');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.raw.length);
    expect(gunzipSync(zipped.raw).toString('utf8')).toBe(await registry.metrics());
    const om = await get(server.url, { 'accept-encoding': 'gzip', accept: OM });
    expect(gunzipSync(om.raw).toString('utf8')).toContain('# EOF');

    const identity = await get(server.url);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.raw.toString('utf8')).toBe(await registry.metrics());
    const refused = await get(server.url, { 'accept-encoding': 'gzip;q=0, *' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const off = await get(plain.url, { 'accept-encoding': 'gzip' });
    expect(off.headers['content-encoding']).toBeUndefined();
    const head = await get(server.url, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.raw.length).toBe(0);
  });

  it('reads Accept-Encoding by quality value', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('x-gzip')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('')).toBe(false);
  });
});
