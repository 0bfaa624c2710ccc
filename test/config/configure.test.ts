import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { ConfigDocumentError, configure, configureFromFile } from '../../src/config/index.ts';
import type { MvxConfigDocument, MvxSystem } from '../../src/config/index.ts';
import { getConfiguredLogSinkNames, getLogContext, getLogSink, getRootLogContext, resetLogger } from '../../src/index.ts';
import type { DeliveryStats, MemorySink } from '../../src/index.ts';
import { startUdpReceiver } from '../adapters/statsd/udp-receiver.ts';
import type { UdpReceiver } from '../adapters/statsd/udp-receiver.ts';

let dir: string;
let system: MvxSystem | undefined;
let udp: UdpReceiver | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mvx-config-'));
});
afterEach(async () => {
  await system?.shutdown({ timeoutMs: 2000 });
  system = undefined;
  await udp?.close();
  udp = undefined;
  await resetLogger({ timeoutMs: 1000 });
  rmSync(dir, { recursive: true, force: true });
});

/** A whole system: sinks of every kind, contexts by namespace, a recorder, Prometheus and StatsD. */
function fullDocument(statsdPort: number): MvxConfigDocument {
  return {
    version: 1,
    sinks: {
      audit: { type: 'file', path: join(dir, 'audit.log'), maxBytes: 1_000_000, maxFiles: 3, async: { maxQueueSize: 1000, batchIntervalMs: 5 } },
      recent: { type: 'memory', capacity: 100 },
      errors: { type: 'memory' },
      errorsOnly: { type: 'filter', sink: 'errors', minLevel: 'ERROR' },
      both: { type: 'multi', sinks: ['recent', 'errorsOnly'] },
      quiet: { type: 'null' },
    },
    contexts: {
      '': { sink: 'quiet', minLevel: 'INFO' },
      orders: { sink: 'both', minLevel: 'DEBUG', payload: { maxStringLength: 8, redact: { keys: ['cardNumber'] } } },
      'orders.api': { sink: 'audit', policy: { rules: [{ action: 'deny', names: ['noisy'] }] } },
      metrics: { sink: 'recent', minLevel: 'DEBUG' },
    },
    metrics: {
      namespace: 'shop',
      logContext: 'metrics',
      logPolicy: { recorder: 'silent', runtime: 'normal' },
      recorders: {
        http: {
          maxQueueSize: 1000,
          metrics: [
            { type: 'counter', name: 'http.requests', eventTypes: ['http.request'], attributes: ['route'] },
            { type: 'histogram', name: 'http.duration', unit: 's', eventTypes: 'http.request', valueField: 'seconds', buckets: [0.1, 1] },
            { type: 'outcome-counter', name: 'http.outcomes', eventTypes: ['http.request'] },
          ],
        },
      },
    },
    adapters: {
      prometheus: { host: '127.0.0.1', port: 0 },
      statsd: { host: '127.0.0.1', port: statsdPort, flushIntervalMs: 60_000 },
    },
  };
}

function accounted(s: unknown): boolean {
  const d = s as DeliveryStats;
  return d.accepted === d.delivered + d.dropped + d.failed + d.pending;
}

async function checkFullSystem(sys: MvxSystem): Promise<void> {
  expect(getConfiguredLogSinkNames().sort()).toEqual(['audit', 'both', 'errors', 'errorsOnly', 'quiet', 'recent']);
  getLogContext('orders').info('placed', { id: 1, cardNumber: '4111 1111', note: 'a long note here' });
  getLogContext('orders').error('failed', { id: 2 });
  getLogContext('orders.api').info('request', { path: '/x' });
  getLogContext('orders.api').info('noisy');
  getLogContext('orders.api').debug('detail'); // minLevel DEBUG inherited from orders
  getLogContext('elsewhere').info('to the null sink');
  const http = sys.recorder<{ type: string; route: string; seconds: number; outcome: string }>('http')!;
  http.emit({ type: 'http.request', route: '/a', seconds: 0.05, outcome: 'success' });
  http.emit({ type: 'http.request', route: '/a', seconds: 2, outcome: 'failed' });

  const recent = getLogSink('recent') as MemorySink;
  const errors = getLogSink('errors') as MemorySink;
  expect(recent.names().filter((n) => !n.startsWith('metrics_'))).toEqual(['placed', 'failed']);
  expect(errors.names()).toEqual(['failed']);
  const placed = recent.first({ name: 'placed' })!;
  expect(placed.payload['cardNumber']).not.toBe('4111 1111');
  expect(String(placed.payload['note']).startsWith('a long n')).toBe(true);
  expect(String(placed.payload['note'])).not.toBe('a long note here');
  // Runtime lifecycle through the preset: create_recorder logged, recorder events silent.
  expect(recent.names()).toContain('metrics_runtime.create_recorder');
  expect(recent.names().some((n) => n.startsWith('metrics_recorder.'))).toBe(false);

  const flushed = await sys.flush({ timeoutMs: 2000 });
  expect(flushed.failures).toEqual({});
  const lines = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { namespace: string; event: string });
  expect(lines.map((l) => [l.namespace, l.event])).toEqual([
    ['orders.api', 'request'],
    ['orders.api', 'detail'],
  ]);

  const scrape = await (await fetch(`${sys.prometheusUrl!}`)).text();
  expect(scrape).toMatch(/http_requests_total\{route="\/a"\} 2/);
  expect(scrape).toMatch(/http_duration_seconds_count 2/);
  const got = await udp!.waitFor((l) => l.some((x) => x.startsWith('http.requests')));
  expect(got.some((l) => l.startsWith('http.requests'))).toBe(true);

  const stats = sys.stats();
  expect(Object.keys(stats.sinks).sort()).toEqual(['audit', 'both', 'errors', 'errorsOnly', 'quiet', 'recent']);
  for (const s of Object.values(stats.sinks)) expect(accounted(s)).toBe(true);
  expect(stats.recorders['http']).toMatchObject({ accepted: 2 });
  expect(Object.keys(stats.adapters).sort()).toEqual(['prometheus.bridge.http', 'prometheus.server', 'statsd.http']);
}

describe('configure(object)', () => {
  it('builds sinks, contexts, recorders and adapters that route events to the right places', async () => {
    udp = await startUdpReceiver();
    system = await configure(fullDocument(udp.port));
    await checkFullSystem(system);
  });

  it('shutdown stops everything, restores the facade and closes the sinks it created, once', async () => {
    udp = await startUdpReceiver();
    const rootSink = getRootLogContext().sink;
    const sys = await configure(fullDocument(udp.port));
    const url = sys.prometheusUrl!;
    const report = await sys.shutdown({ timeoutMs: 2000 });
    expect(report.failures).toEqual({});
    expect(report.timedOut).toBe(false);
    expect(await sys.shutdown()).toBe(report);
    expect(getConfiguredLogSinkNames()).toEqual([]);
    expect(getRootLogContext().sink).toBe(rootSink);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('an adapter that cannot start (a port taken): configure rejects and stops what it had built', async () => {
    udp = await startUdpReceiver();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const doc = fullDocument(udp.port);
    doc.adapters!.prometheus!.port = (blocker.address() as AddressInfo).port;
    const rootSink = getRootLogContext().sink;
    try {
      await expect(configure(doc)).rejects.toThrow(`adapters.prometheus: cannot start the metrics server on 127.0.0.1:${doc.adapters!.prometheus!.port}`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    expect(getConfiguredLogSinkNames()).toEqual([]);
    expect(getRootLogContext().sink).toBe(rootSink);
  });

  it('an invalid document changes nothing', async () => {
    const doc = fullDocument(1);
    (doc.contexts!['orders.api'] as { sink: string }).sink = 'missing';
    await expect(configure(doc)).rejects.toThrow(ConfigDocumentError);
    await expect(configure(doc)).rejects.toThrow('contexts["orders.api"].sink: unknown sink "missing" (defined: "audit", "recent", "errors", "errorsOnly", "both", "quiet")');
    expect(getConfiguredLogSinkNames()).toEqual([]);
  });
});

describe('configureFromFile', () => {
  it('reads JSON', async () => {
    udp = await startUdpReceiver();
    const file = join(dir, 'mvx.json');
    writeFileSync(file, JSON.stringify(fullDocument(udp.port)));
    system = await configureFromFile(file);
    await checkFullSystem(system);
  });

  it('reads YAML (the optional peer `yaml`)', async () => {
    udp = await startUdpReceiver();
    const file = join(dir, 'mvx.yaml');
    writeFileSync(file, toYaml(fullDocument(udp.port)));
    system = await configureFromFile(file);
    await checkFullSystem(system);
  });

  it('names the file and the path in errors; unreadable and malformed files too', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'version: 1\nsinks:\n  out:\n    type: console\n    colour: true\n');
    await expect(configureFromFile(file)).rejects.toThrow(`${file}: sinks.out.colour: unknown key; valid keys here are type, stream, format, colors, minLevel, maxBufferedBytes, exitTimeoutMs`);
    writeFileSync(join(dir, 'broken.json'), '{ "version": 1, ');
    await expect(configureFromFile(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: \(document\): is not valid JSON/);
    writeFileSync(join(dir, 'dup.yml'), 'version: 1\nversion: 1\n');
    await expect(configureFromFile(join(dir, 'dup.yml'))).rejects.toThrow(/dup\.yml: \(document\): is not valid YAML/);
    await expect(configureFromFile(join(dir, 'none.json'))).rejects.toThrow(/none\.json: \(document\): cannot be read/);
  });
});
