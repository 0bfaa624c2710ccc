/**
 * One variant of the document service, run in its own process by `bench/service/run.ts` (forked,
 * with an IPC channel): `node server.ts <variant> <dir> [otlpBaseUrl]`.
 *
 * Protocol: it sends `{ type: 'ready', port, metricsPort? }` once listening; on `{ type: 'mark' }`
 * it answers `{ type: 'mark', cpuUs, handled }` (its CPU time and the requests received so far); on
 * `{ type: 'stop' }` it closes the service, delivers everything (file, exports), answers
 * `{ type: 'stopped', handled, counts }` and exits.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileSink, LogLevel, configureLogContext, getLogContext } from 'mvx-common';
import type { LogSink } from 'mvx-common';
import { OtelLogSink } from 'mvx-common/otel-logs';
import { OtelMetricsBridge } from 'mvx-common/otel-metrics';
import { registerOtelTracing } from 'mvx-common/otel-trace';
import { createPrometheusBridge, startMetricsServer } from 'mvx-common/prometheus';
import { Registry } from 'prom-client';
import { createDemoMetrics } from '../../examples/demo/metrics.ts';
import { createDemoServer } from '../../examples/demo/service.ts';
import { DocumentStorage } from '../../examples/demo/storage.ts';
import { NO_HOOKS, createHandService } from './hand-service.ts';
import { createOtelHooks } from './hooks-otel.ts';
import { createPinoPromHooks } from './hooks-pino.ts';
import { startOtelPipeline } from './otel-pipeline.ts';

/** The service's variants, in table order. */
const VARIANTS = ['plain', 'mvx', 'pino-prom', 'mvx-otlp', 'otel-sdk'] as const;
type Variant = (typeof VARIANTS)[number];

/** What a variant counted of its own output, checked against the requests (see run.ts). */
export interface VariantCounts {
  /** JSON lines in the log file (file variants). */
  logLines?: number;
  /** Sum of `http_server_requests_total` in a final scrape (Prometheus variants). */
  scrapedRequests?: number;
  /** Log records and spans the OTLP exporters delivered, and exports that failed (OTLP variants). */
  otlpLogRecords?: number;
  otlpSpans?: number;
  otlpFailed?: number;
}

// No simulated latency: the service is CPU-bound, so the instrumentation's cost shows in full.
const storage = (): DocumentStorage =>
  new DocumentStorage({ latency: { minMs: 0, maxMs: 0, slowRatio: 0, slowMs: 0, timeoutMs: 10_000 }, random: () => 0.5 });

interface Started {
  server: Server;
  metricsPort?: number;
  /** Delivers everything and returns the counts. */
  finish(): Promise<VariantCounts>;
}

function countLines(path: string): number {
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function requestsTotal(exposition: string): number {
  let sum = 0;
  for (const line of exposition.split('\n')) if (line.startsWith('http_server_requests_total{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startVariant(variant: Variant, dir: string, otlp: string | undefined): Promise<Started> {
  const logPath = join(dir, `${variant}.log`);
  switch (variant) {
    case 'plain':
      return { server: createHandService(storage(), NO_HOOKS), finish: () => Promise.resolve({}) };
    case 'mvx': {
      const sink = new FileSink({ path: logPath });
      await sink.start();
      configureLogContext('svc', { sink, minLevel: LogLevel.DEBUG });
      const metrics = createDemoMetrics();
      const registry = new Registry();
      createPrometheusBridge(metrics, { registry });
      const endpoint = await startMetricsServer({ registry, host: '127.0.0.1', port: 0 });
      const { server } = createDemoServer({ log: getLogContext('svc'), metrics, storage: storage() });
      return {
        server,
        metricsPort: endpoint.port,
        async finish() {
          await metrics.flush({ timeoutMs: 5000 });
          const scrapedRequests = requestsTotal(await registry.metrics());
          await endpoint.shutdown();
          await sink.shutdown({ timeoutMs: 10_000 });
          await metrics.stop({ timeoutMs: 5000 });
          return { logLines: countLines(logPath), scrapedRequests };
        },
      };
    }
    case 'pino-prom': {
      const pp = createPinoPromHooks(logPath, 'svc');
      const endpoint = createServer((_req, res) => {
        pp.registry.metrics().then((text) => res.writeHead(200, { 'content-type': pp.registry.contentType }).end(text), () => res.writeHead(500).end());
      });
      const metricsPort = await listen(endpoint);
      return {
        server: createHandService(storage(), pp.hooks),
        metricsPort,
        async finish() {
          const scrapedRequests = requestsTotal(await pp.registry.metrics());
          endpoint.close();
          await pp.flush();
          return { logLines: countLines(logPath), scrapedRequests };
        },
      };
    }
    case 'mvx-otlp':
    case 'otel-sdk': {
      if (otlp === undefined) throw new Error(`${variant} needs the receiver's URL`);
      const metrics = variant === 'mvx-otlp' ? createDemoMetrics() : undefined;
      const bridge = metrics && new OtelMetricsBridge({ source: metrics });
      const pipeline = startOtelPipeline(otlp, bridge ? [bridge] : []);
      let server: Server;
      let sink: LogSink | undefined;
      let tracing: { shutdown(): Promise<unknown> } | undefined;
      if (variant === 'mvx-otlp') {
        bridge!.bindMeter(pipeline.meterProvider.getMeter('mvx-common'));
        sink = new OtelLogSink({ loggerProvider: pipeline.loggerProvider });
        tracing = registerOtelTracing({ tracerProvider: pipeline.tracerProvider });
        configureLogContext('svc', { sink, minLevel: LogLevel.DEBUG });
        server = createDemoServer({ log: getLogContext('svc'), metrics, storage: storage() }).server;
      } else {
        server = createHandService(storage(), createOtelHooks(pipeline, 'svc'));
      }
      return {
        server,
        async finish() {
          await metrics?.flush({ timeoutMs: 5000 });
          await sink?.flush?.({ timeoutMs: 10_000 });
          await tracing?.shutdown();
          await pipeline.shutdown();
          const t = pipeline.tallies;
          return { otlpLogRecords: t.logs.delivered, otlpSpans: t.spans.delivered, otlpFailed: t.logs.failedExports + t.spans.failedExports + t.metrics.failedExports };
        },
      };
    }
  }
}

const [variant, dir, otlp] = process.argv.slice(2) as [Variant, string, string | undefined];
if (!VARIANTS.includes(variant) || process.send === undefined) {
  process.stderr.write(`usage: forked by bench/service/run.ts with <${VARIANTS.join('|')}> <dir> [otlpBaseUrl]\n`);
  process.exit(2);
}
const started = await startVariant(variant, dir, otlp);
let handled = 0;
started.server.on('request', () => handled++);
const port = await listen(started.server);
const send = (message: object): Promise<void> => new Promise((resolve) => process.send!(message, () => resolve()));
process.on('message', (message: { type: string }) => {
  if (message.type === 'mark') {
    const cpu = process.cpuUsage();
    void send({ type: 'mark', cpuUs: cpu.user + cpu.system, handled });
  } else if (message.type === 'stop') {
    started.server.closeAllConnections();
    started.server.close();
    void started.finish().then(async (counts) => {
      await send({ type: 'stopped', handled, counts });
      process.exit(0);
    });
  }
});
await send({ type: 'ready', port, metricsPort: started.metricsPort });
