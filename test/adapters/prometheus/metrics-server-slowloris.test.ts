/**
 * Issue 13: slow clients must not lock scrapes out. 300 clients that trickle their request headers
 * (one byte a second) fill more than the connection cap; a scrape made meanwhile must succeed, by
 * a plain HTTP client and by a real Prometheus server (`up == 1` for its scrapes during the
 * attack). Before the fix the cap refused every new connection until the header time-out (10 s)
 * cut the slow clients off.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createPrometheusBridge, startMetricsServer } from '../../../src/adapters/prometheus/index.ts';
import type { MetricsServer } from '../../../src/adapters/prometheus/index.ts';
import { configureDiagnostics } from '../../../src/core/diagnostics.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { freePort, hasBinary } from '../../e2e/prometheus-server.ts';

configureDiagnostics({ stderr: 'off' });

const SLOW_CLIENTS = 300;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** 300 slowloris clients: each sends a request line, then one header byte a second, forever (until stopped). */
class Slowloris {
  readonly sockets = new Set<Socket>();
  connected = 0;
  closedByServer = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(port: number, count: number) {
    for (let i = 0; i < count; i++) {
      const s = connect(port, '127.0.0.1');
      this.sockets.add(s);
      s.on('connect', () => {
        this.connected++;
        s.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      });
      s.on('error', () => {});
      s.on('close', () => {
        if (this.sockets.delete(s)) this.closedByServer++;
      });
      s.on('data', () => {});
    }
    this.timer = setInterval(() => {
      for (const s of this.sockets) if (s.writable) s.write('a');
    }, 1_000);
  }

  stop(): void {
    clearInterval(this.timer);
    const all = [...this.sockets];
    this.sockets.clear();
    for (const s of all) s.destroy();
  }
}

/** One scrape with a fresh connection; resolves with the status and body, or rejects after `deadlineMs`. */
function scrape(url: string, deadlineMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(deadlineMs, () => req.destroy(new Error(`no answer within ${deadlineMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

const registry = new Registry();
const recorder = new AsyncMetricsRecorder<{ type: string }>();
let server: MetricsServer;
let attack: Slowloris | undefined;

beforeAll(async () => {
  recorder.registerMetric(new CounterMetric({ name: 'api.calls', eventTypes: 'call' }));
  for (let i = 0; i < 7; i++) recorder.emit({ type: 'call' });
  createPrometheusBridge(recorder, { registry });
});
afterEach(async () => {
  attack?.stop();
  attack = undefined;
  await server?.close();
});
afterAll(() => registry.clear());

describe('metrics server under a slowloris attack (issue 13)', () => {
  it('serves a scrape while 300 slow clients hold more than the connection cap', async () => {
    server = await startMetricsServer({ port: 0, registry }); // defaults: cap 256, header time-out 10 s
    attack = new Slowloris(server.port, SLOW_CLIENTS);
    await until(() => attack!.connected === SLOW_CLIENTS, 10_000);
    // The cap is full of slow clients (the server holds as many as it allows).
    await until(async () => (await new Promise<number>((r) => server.server.getConnections((_e, n) => r(n)))) >= 256, 10_000);

    // A deadline, not a performance target: well under the 10 s header time-out that used to be
    // the only way out.
    const res = await scrape(server.url, 5_000);
    expect(res.status).toBe(200);
    expect(res.body).toContain('api_calls_total 7');
    // Room was made by closing slow clients that had not finished their headers, oldest first.
    const stats = server.stats();
    expect(stats.evictedConnections).toBeGreaterThan(0);
    expect(stats.openConnections).toBeLessThanOrEqual(256);
    expect(attack.closedByServer).toBe(stats.evictedConnections);
  });

  it('never evicts a connection whose request is in progress: with the cap full of them, a newcomer is refused and counted', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    // A registry whose collection waits for the gate: the scrapes in progress stay in progress.
    const slow = new Registry();
    slow.registerMetric({
      name: 'gated',
      help: 'waits',
      type: 'gauge',
      aggregator: 'sum',
      get: async () => {
        await gate;
        return { name: 'gated', help: 'waits', type: 'gauge', aggregator: 'sum', values: [{ value: 1, labels: {} }] };
      },
      reset: () => {},
    } as never);
    server = await startMetricsServer({ port: 0, registry: slow, maxConnections: 4 });
    const inProgress = Array.from({ length: 4 }, () => scrape(server.url, 10_000).catch((e: unknown) => e));
    await until(() => server.stats().openConnections === 4, 5_000);
    await sleep(100); // their requests have been read
    await expect(scrape(server.url, 5_000)).rejects.toThrow();
    expect(server.stats()).toMatchObject({ evictedConnections: 0, refusedConnections: 1 });
    release();
    for (const r of await Promise.all(inProgress)) expect(r).toMatchObject({ status: 200 });
  });
});

const prometheusAvailable = hasBinary('prometheus');
if (!prometheusAvailable && process.env.CI) throw new Error('the slowloris test needs the Debian package `prometheus` in CI');


describe.skipIf(!prometheusAvailable)('a real Prometheus scraping during the attack (issue 13)', () => {
  let prom: ChildProcess | undefined;
  let dir = '';
  let promLog = '';

  afterAll(async () => {
    if (prom !== undefined && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (prom.exitCode === null) prom.kill('SIGKILL');
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the target with up == 1 while 300 slow clients hold more than the connection cap', async () => {
    // A long header time-out, so that the slow clients stay for the whole test: only making room
    // for new connections lets Prometheus in.
    server = await startMetricsServer({ port: 0, registry, headersTimeoutMs: 120_000, requestTimeoutMs: 120_000 });
    attack = new Slowloris(server.port, SLOW_CLIENTS);
    await until(() => attack!.connected === SLOW_CLIENTS, 10_000);

    // Prometheus starts during the attack: every connection it makes comes after the slow ones.
    dir = mkdtempSync(join(tmpdir(), 'mvx-prom-slowloris-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: mvx', `    static_configs: [{ targets: ['127.0.0.1:${server.port}'] }]`, ''].join('\n'),
    );
    const promUrl = `http://127.0.0.1:${await freePort()}`;
    prom = spawn(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--web.listen-address=${promUrl.slice(7)}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prom.stderr!.on('data', (c: Buffer) => {
      if (promLog.length < 20_000) promLog += c.toString();
    });
    const query = async (q: string): Promise<number | undefined> => {
      try {
        const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        const v = body.data.result[0]?.value[1];
        return v === undefined ? undefined : Number(v);
      } catch {
        return undefined; // not listening yet
      }
    };
    // Three scrapes or more, every one of them during the attack.
    await until(async () => ((await query('count_over_time(up{job="mvx"}[5m])')) ?? 0) >= 3, 60_000).catch(() => {
      throw new Error(`Prometheus did not scrape three times; log:\n${promLog}`);
    });
    expect(await query('min_over_time(up{job="mvx"}[5m])')).toBe(1);
    expect(await query('api_calls_total{job="mvx"}')).toBe(7);
    // The slow clients were never cut off by a time-out: each is connected or was evicted.
    expect(attack.sockets.size + attack.closedByServer).toBe(SLOW_CLIENTS);
    expect(attack.closedByServer).toBe(server.stats().evictedConnections);
  }, 90_000);
});
