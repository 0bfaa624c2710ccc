/**
 * `npm run demo`: a small real HTTP service (document storage) instrumented only through
 * mvx-common, driven by a built-in load client for about ten seconds, on embedded defaults:
 *
 * - readable logs on the console (stderr), filtered by a `PatternLogEventPolicy` loaded from
 *   `console-policy.json`;
 * - every event as JSON lines in a rotating file (`.tmp/demo-logs/demo.log`);
 * - a Prometheus endpoint on http://127.0.0.1:9464/metrics;
 * - OTLP export of logs, metrics and spans when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, StatsD
 *   push when `STATSD_HOST` is set (see `docker-compose.otel.yml`).
 *
 * It prints progress, then a summary, flushes everything and exits 0; or exits 1 with a clear
 * message when something is wrong (a port already taken, an unwritable log directory).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  ConsoleSink,
  FileSink,
  FilteringSink,
  LogLevel,
  MultiSink,
  PatternLogEventPolicy,
  configureLogContext,
  getLogContext,
  getRootLogContext,
  installExitHandlers,
  registerForShutdown,
} from 'mvx-common';
import type { LogSink } from 'mvx-common';
import { createPrometheusBridge, startMetricsServer } from 'mvx-common/prometheus';
import { Registry } from 'prom-client';
import { loadConfig } from './config.ts';
import { runLoad } from './load-client.ts';
import { createDemoMetrics } from './metrics.ts';
import { createDemoServer } from './service.ts';
import { printSummary } from './summary.ts';
import { startOptionalExports } from './optional-exports.ts';

async function main(): Promise<number> {
  const config = loadConfig();

  // --- logging: one context tree, two widths -------------------------------------------------
  const consolePolicy = PatternLogEventPolicy.fromConfig(
    JSON.parse(readFileSync(join(import.meta.dirname, 'console-policy.json'), 'utf8')),
  );
  const consoleSink = new FilteringSink({ target: new ConsoleSink({ stream: 'stderr', format: 'readable' }), policy: consolePolicy });
  const fileSink = new FileSink({ path: join(config.logDir, 'demo.log'), maxBytes: 5 * 1024 * 1024, maxFiles: 3 });
  await fileSink.start(); // an unwritable directory is a clear error now, not a crash later

  const metrics = createDemoMetrics();
  const extra = await startOptionalExports(config, metrics);
  const sinks: LogSink[] = [consoleSink, fileSink, ...extra.logSinks];
  configureLogContext('demo', { sink: new MultiSink(sinks), minLevel: LogLevel.DEBUG });
  const log = getLogContext('demo');

  // --- metrics: recorder -> Prometheus endpoint ---------------------------------------------
  const registry = new Registry();
  createPrometheusBridge(metrics, { registry });
  const metricsServer = await startMetricsServer({ registry, host: '127.0.0.1', port: config.metricsPort });

  // Ctrl-C or SIGTERM while the load runs: flush the sinks, the recorder and the exporters within
  // 5 s, then exit as the signal asks (the summary is skipped).
  installExitHandlers({ timeoutMs: 5000 });
  registerForShutdown(metrics);
  registerForShutdown({ shutdown: () => extra.shutdown() });
  registerForShutdown({ shutdown: () => metricsServer.close() });

  // --- the service ----------------------------------------------------------------------------
  const { server, storage } = createDemoServer({ log, metrics });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.servicePort, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  log.info('started', { service: baseUrl, metrics: metricsServer.url, logFile: join(config.logDir, 'demo.log'), ...extra.describe });

  const tally = await runLoad({
    baseUrl,
    durationMs: config.durationS * 1000,
    rate: config.rate,
    concurrency: config.concurrency,
    abortRatio: config.abortRatio,
    abortAfterMs: 4,
    onProgress: config.progress
      ? (t, elapsed) => {
          const statuses = Object.entries(t.byStatus)
            .map(([s, n]) => `${s}:${n}`)
            .join(' ');
          process.stdout.write(`[demo] ${(elapsed / 1000).toFixed(1)}s  sent ${t.sent}  ${statuses}  aborted ${t.aborted}\n`);
        }
      : undefined,
  });
  log.info('load.finished', { sent: tally.sent, aborted: tally.aborted, documents: storage.size });

  // --- stop: server, then metrics, then sinks (everything flushed) -----------------------------
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await metrics.flush({ timeoutMs: 5000 });
  const scrape = await fetch(metricsServer.url).then((r) => r.text());
  log.info('stopped');

  const result = await printSummary({ tally, metrics, scrape, consoleSink, fileSink, extra });
  await extra.shutdown();
  await metrics.stop({ timeoutMs: 5000 });
  await metricsServer.close();
  await new MultiSink(sinks).shutdown({ timeoutMs: 5000 });
  await getRootLogContext().sink.flush?.();
  return result.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    const why =
      e?.code === 'EADDRINUSE'
        ? `a port is already taken (${e.message}). Stop the other process or choose ports: npm run demo -- --port 8081 --metrics-port 9465`
        : (e?.message ?? String(err));
    process.stderr.write(`\ndemo failed: ${why}\n`);
    process.exitCode = 1;
  },
);
