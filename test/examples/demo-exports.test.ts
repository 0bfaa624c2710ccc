/**
 * The demo's OTLP and StatsD paths against real receivers (the OTLP/HTTP test receiver and the
 * Etsy StatsD daemon, on 127.0.0.1): the summary's delivered figures are what arrived, the
 * resource names the service, and an endpoint that is down is reported per exporter with its
 * reason and a non-zero exit status, within a bounded time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAttributes, logRecords, metricsOf, spansOf } from '../e2e/otlp-json.ts';
import type { OtlpKeyValue } from '../e2e/otlp-json.ts';
import { startOtlpReceiver } from '../e2e/otlp-receiver.ts';
import type { OtlpReceiver } from '../e2e/otlp-receiver.ts';
import { startStatsdDaemon } from '../e2e/statsd-daemon.ts';
import type { StatsdDaemon } from '../e2e/statsd-daemon.ts';
import { deliveryLine, freePort, root, runDemo } from './demo-run.ts';

const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** The resource attributes of every body of a signal. */
function resources(bodies: readonly unknown[], key: 'resourceLogs' | 'resourceSpans' | 'resourceMetrics'): Record<string, unknown>[] {
  return (bodies as Record<string, { resource: { attributes: OtlpKeyValue[] } }[]>[]).flatMap((b) => b[key]!.map((r) => decodeAttributes(r.resource.attributes)));
}

function figure(line: string | undefined, pattern: RegExp): number {
  const m = pattern.exec(line ?? '');
  expect(m, line).not.toBeNull();
  return Number(m![1]);
}

describe('the demo with OTLP and StatsD receivers up', () => {
  let receiver: OtlpReceiver;
  let statsd: StatsdDaemon;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    statsd = await startStatsdDaemon();
  });
  afterAll(async () => {
    await receiver?.close();
    await statsd?.stop();
  });

  it('reports what each exporter delivered, which is what arrived, under the service name mvx-demo', async () => {
    const run = await runDemo(['--duration', '2', '--rate', '60', '--metrics-port', '0', '--linger', '0', '--quiet'], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, STATSD_HOST: '127.0.0.1', STATSD_PORT: String(statsd.port) },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^result: every request counted, everything delivered$/m);

    const logs = deliveryLine(run.stdout, 'otlp logs');
    const emitted = figure(logs, /(\d+) records emitted: /);
    expect(figure(logs, /: (\d+) delivered, 0 failed, 0 dropped by the batch processor$/)).toBe(emitted);
    expect(logRecords(receiver.bodies.logs)).toHaveLength(emitted);

    const traces = deliveryLine(run.stdout, 'otlp traces');
    const ended = figure(traces, /(\d+) spans ended: /);
    expect(figure(traces, /: (\d+) delivered, 0 failed/)).toBe(ended);
    expect(spansOf(receiver.bodies.traces)).toHaveLength(ended);

    const metrics = deliveryLine(run.stdout, 'otlp metrics');
    const points = metricsOf(receiver.bodies.metrics).reduce(
      (n, m) => n + (m.sum?.dataPoints.length ?? 0) + (m.gauge?.dataPoints.length ?? 0) + (m.histogram?.dataPoints.length ?? 0),
      0,
    );
    expect(figure(metrics, /: (\d+) delivered, 0 failed/)).toBe(points);

    // service.name and service.version on every signal (it was unknown_service:node).
    for (const [bodies, key] of [
      [receiver.bodies.logs, 'resourceLogs'],
      [receiver.bodies.traces, 'resourceSpans'],
      [receiver.bodies.metrics, 'resourceMetrics'],
    ] as const) {
      const rs = resources(bodies, key);
      expect(rs.length).toBeGreaterThan(0);
      for (const r of rs) expect(r).toMatchObject({ 'service.name': 'mvx-demo', 'service.version': version });
    }

    // StatsD: the lines the summary says were sent, final push included, all reached the daemon.
    const sent = figure(deliveryLine(run.stdout, 'statsd'), /(\d+) lines sent over UDP/);
    expect(sent).toBeGreaterThan(0);
    const counters = await statsd.waitFor<Record<string, number>>('counters', (c) => (c['statsd.metrics_received'] ?? 0) >= sent, 3000);
    expect(counters['statsd.metrics_received']).toBe(sent);
  });

  it('honours OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', async () => {
    receiver.bodies.logs.length = 0;
    receiver.bodies.traces.length = 0;
    const run = await runDemo(['--duration', '1', '--rate', '30', '--metrics-port', '0', '--linger', '0', '--quiet'], {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: 'billing',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=ci,service.version=9.9.9',
      },
    });
    expect(run.code, run.stderr).toBe(0);
    for (const r of [...resources(receiver.bodies.logs, 'resourceLogs'), ...resources(receiver.bodies.traces, 'resourceSpans')]) {
      expect(r).toMatchObject({ 'service.name': 'billing', 'service.version': '9.9.9', 'deployment.environment.name': 'ci' });
    }
  });
});

describe('the demo with the OTLP endpoint down', () => {
  it('says per exporter what failed and why, exits 1, and does not sit waiting', async () => {
    const closed = await freePort();
    const run = await runDemo(['--duration', '1', '--rate', '40', '--metrics-port', '0', '--linger', '0', '--quiet'], {
      // A refused connection is retryable for the OTLP exporters (first retry after 1 s ± 20 %, while
      // the export's time-out lasts): with a 300 ms time-out each export fails at its first refusal,
      // so every export ends well within the demo's 3 s bound even on a loaded machine (with 1000 ms,
      // chained span batches each waited about a second and were still in flight at the bound).
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`, OTEL_EXPORTER_OTLP_TIMEOUT: '300' },
      killAfterMs: 30_000,
    });
    expect(run.signal, 'the demo hung and was killed').toBeNull();
    expect(run.code).toBe(1);
    for (const [name, unit] of [
      ['otlp logs', 'records'],
      ['otlp traces', 'spans'],
      ['otlp metrics', 'data points'],
    ] as const) {
      const line = deliveryLine(run.stdout, name);
      expect(line, run.stdout).toMatch(/: 0 delivered, [1-9]\d* failed.*\(last error: .*ECONNREFUSED/);
      expect(run.stdout).toMatch(new RegExp(`problems: .*${name}: [1-9]\\d* ${unit} not delivered`));
    }
    expect(run.stderr).not.toMatch(/still running/);
  });
});
