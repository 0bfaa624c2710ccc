/**
 * `npm run demo`: a small real HTTP service (document storage) instrumented only through
 * mvx-common, driven by a built-in load client for about ten seconds, on embedded defaults:
 *
 * - its sinks and contexts built from an `mvx-common/config` document (`mvx.json`, `--config`):
 *   readable logs on the console (stderr), filtered by a `PatternLogEventPolicy` loaded from
 *   `console-policy.json` (`--policy`), and every event as JSON lines in a rotating file
 *   (`.tmp/demo-logs/demo.log`, `--log-dir`);
 * - a Prometheus endpoint on http://127.0.0.1:9464/metrics, kept up a few seconds after the load
 *   so that a scraper sees the final totals;
 * - OTLP export of logs, metrics and spans when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, StatsD
 *   push when `STATSD_HOST` is set (see `docker-compose.otel.yml`).
 *
 * It prints progress, then a summary of what was counted and delivered, and exits 0 when
 * everything was; 1 when it could not run (one message naming the cause) or something was not
 * delivered; 130 / 143 after Ctrl-C / SIGTERM, which stop the load and still flush and summarise.
 * Whatever happens, what it opened is closed, and the process ends within a few seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MultiSink, configureDiagnostics, configureLogContext, getLogContext, parsePatternLogEventPolicyConfig } from 'mvx-common';
import type { FileSink, FilteringSink, LogSink, PatternLogEventPolicyConfig } from 'mvx-common';
import { configure, readConfigFile } from 'mvx-common/config';
import type { MvxSystem } from 'mvx-common/config';
import { createPrometheusBridge, startMetricsServer } from 'mvx-common/prometheus';
import { Registry } from 'prom-client';
import { UsageError, helpText, loadConfig } from './config.ts';
import type { DemoConfig } from './config.ts';
import { runLoad } from './load-client.ts';
import { Resources, SIGNAL_EXIT, bounded, onStopSignals, sleep } from './lifecycle.ts';
import { createDemoMetrics } from './metrics.ts';
import { startOptionalExports } from './optional-exports.ts';
import { createDemoServer } from './service.ts';
import { printSummary } from './summary.ts';
import type { ExternalScrape } from './summary.ts';

/** Bound of each flush and close, ms. */
const CLOSE_TIMEOUT_MS = 2000;
/** How long the process may take to end once `main` is done before it is ended explicitly, ms. */
const EXIT_GRACE_MS = 3000;

/** A failure the demo explains itself: printed as `demo failed: <message>`. */
class DemoError extends Error {}

/** Reads and checks the console policy, naming the file in every error; returns its configuration. */
function loadPolicy(file: string): PatternLogEventPolicyConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DemoError(`cannot read the console policy ${file}: ${(err as Error).message} (choose one with --policy)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DemoError(`the console policy ${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parsePatternLogEventPolicyConfig(json);
  } catch (err) {
    throw new DemoError(`the console policy ${file} is not a valid PatternLogEventPolicy: ${(err as Error).message}`);
  }
}

/**
 * Builds the sinks and contexts from the configuration document, with the command line's file path
 * and console policy in it. The demo's summary reads two of its sinks: `consoleFiltered` (a filter)
 * and `file` (a file sink).
 */
async function configureLogging(config: DemoConfig, policy: PatternLogEventPolicyConfig): Promise<{ logging: MvxSystem; consoleSink: FilteringSink; fileSink: FileSink }> {
  let document: { sinks?: Record<string, Record<string, unknown>> };
  try {
    document = (await readConfigFile(config.configFile)) as typeof document;
  } catch (err) {
    throw new DemoError(`${(err as Error).message} (choose one with --config)`);
  }
  const sinks = document?.sinks;
  if (sinks?.['file']?.['type'] !== 'file' || sinks['consoleFiltered']?.['type'] !== 'filter') {
    throw new DemoError(`the logging configuration ${config.configFile} needs a sink "file" of type file and a sink "consoleFiltered" of type filter (the summary reads them)`);
  }
  sinks['file'] = { ...sinks['file'], path: join(config.logDir, 'demo.log') };
  sinks['consoleFiltered'] = { ...sinks['consoleFiltered'], policy };
  let logging: MvxSystem;
  try {
    logging = await configure(document, { file: config.configFile });
  } catch (err) {
    throw new DemoError(`the logging configuration is not valid: ${(err as Error).message}`);
  }
  return { logging, consoleSink: logging.sink('consoleFiltered') as FilteringSink, fileSink: logging.sink('file') as FileSink };
}

/** Listens, or fails with a message that names the option to change. */
async function listen(server: Server, port: number, host: string, what: string, option: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new DemoError(portMessage(what, host, port, option, err.code, err.message));
  });
}

function portMessage(what: string, host: string, port: number, option: string, code: unknown, message: string): string {
  if (code === 'EADDRINUSE') return `${what} cannot listen on ${host}:${port}: the port is taken. Stop the other process, or choose another port: npm run demo -- ${option} ${port + 1} (0 picks a free one)`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `${what} cannot listen on ${host}:${port}: no such local address (check --host)`;
  return `${what} cannot listen on ${host}:${port}: ${message}`;
}

/** Where the load client reaches a server bound to `host`. */
function clientHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function run(config: DemoConfig, resources: Resources, stop: ReturnType<typeof onStopSignals>): Promise<number> {
  // --- logging: one context tree, two widths -------------------------------------------------
  const { logging, consoleSink, fileSink } = await configureLogging(config, loadPolicy(config.policyFile));
  resources.add('logging', () => logging.shutdown({ timeoutMs: CLOSE_TIMEOUT_MS }));
  // An unwritable directory is a clear error now, not a crash later. Bounded: Node's recursive
  // mkdir never returns on some paths (e.g. under /proc). The sink's own diagnostic is muted
  // meanwhile: the rejection is reported below, once, with the option to change.
  configureDiagnostics({ stderr: 'off' });
  const started = fileSink.start().finally(() => configureDiagnostics({ stderr: 'throttled' }));
  if (!(await bounded(started, CLOSE_TIMEOUT_MS))) {
    configureDiagnostics({ stderr: 'throttled' });
    throw new DemoError(`cannot create the log file in ${config.logDir} (no answer within ${CLOSE_TIMEOUT_MS} ms; choose a directory with --log-dir)`);
  }
  await started.catch((err: Error) => {
    throw new DemoError(`cannot write the log file in ${config.logDir}: ${err.message} (choose a directory with --log-dir)`);
  });

  const metrics = createDemoMetrics();
  resources.add('metrics recorder', () => metrics.stop({ timeoutMs: CLOSE_TIMEOUT_MS }));
  const extra = await startOptionalExports(config, metrics);
  const closeExports = resources.add('exports', () => extra.shutdown(config.otlpTimeoutMs + CLOSE_TIMEOUT_MS));
  if (extra.logSinks.length > 0) {
    // The OTLP log sink exists only when OTEL_EXPORTER_OTLP_ENDPOINT is set: added next to the document's sinks.
    const sinks: LogSink[] = [getLogContext('demo').sink, ...extra.logSinks];
    configureLogContext('demo', { sink: new MultiSink(sinks) });
  }
  const log = getLogContext('demo');

  // --- metrics: recorder -> Prometheus endpoint ---------------------------------------------
  const registry = new Registry();
  createPrometheusBridge(metrics, { registry });
  const metricsServer = await startMetricsServer({ registry, host: config.host, port: config.metricsPort }).catch((err: Error & { cause?: NodeJS.ErrnoException }) => {
    throw new DemoError(portMessage('the Prometheus endpoint', config.host, config.metricsPort, '--metrics-port', err.cause?.code, err.message));
  });
  const closeMetricsServer = resources.add('Prometheus endpoint', () => metricsServer.shutdown());
  const metricsUrl = `http://${clientHost(config.host)}:${metricsServer.port}/metrics`;
  const scrapes: ExternalScrape[] = [];
  metricsServer.server.on('request', (req, res) => {
    const userAgent = req.headers['user-agent'] ?? '';
    if (userAgent !== 'mvx-demo') res.once('finish', () => scrapes.push({ at: Date.now(), userAgent: userAgent.split(' ')[0]! }));
  });

  // --- the service ----------------------------------------------------------------------------
  const { server, storage } = createDemoServer({ log, metrics });
  await listen(server, config.servicePort, config.host, 'the service', '--port');
  const closeService = resources.add('service', () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const baseUrl = `http://${clientHost(config.host)}:${(server.address() as AddressInfo).port}`;
  log.info('started', { service: baseUrl, metrics: metricsUrl, logFile: join(config.logDir, 'demo.log'), ...extra.describe });

  const loadStarted = Date.now();
  const tally = await runLoad({
    baseUrl,
    durationMs: config.durationS * 1000,
    rate: config.rate,
    concurrency: config.concurrency,
    abortRatio: config.abortRatio,
    abortAfterMs: 4,
    signal: stop.signal,
    onProgress: config.progress
      ? (t, elapsed) => {
          const statuses = Object.entries(t.byStatus)
            .map(([s, n]) => `${s}:${n}`)
            .join(' ');
          process.stdout.write(`[demo] ${(elapsed / 1000).toFixed(1)}s  sent ${t.sent}  ${statuses}  client gave up ${t.aborted}\n`);
        }
      : undefined,
  });
  const loadS = (Date.now() - loadStarted) / 1000;
  log.info('load.finished', { sent: tally.sent, aborted: tally.aborted, documents: storage.size });

  // --- stop: service, then the final totals, linger, exports, summary ---------------------------
  await closeService();
  await metrics.flush({ timeoutMs: CLOSE_TIMEOUT_MS });
  const finalSince = Date.now();
  const finalScrape = await fetch(metricsUrl, { headers: { 'user-agent': 'mvx-demo' }, signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) }).then((r) => r.text());
  if (config.lingerS > 0 && !stop.signal.aborted) {
    if (config.progress) {
      process.stdout.write(`[demo] load over; ${metricsUrl} stays up ${config.lingerS} s more so that scrapers see the final totals (--linger to change)\n`);
    }
    await sleep(config.lingerS * 1000, stop.signal);
  }
  const lingeredS = (Date.now() - finalSince) / 1000;
  log.info('stopped');

  if (extra.logSinks.length > 0 || Object.keys(extra.describe).length > 0) {
    const boundS = (config.otlpTimeoutMs + CLOSE_TIMEOUT_MS) / 1000;
    process.stdout.write(`[demo] flushing the exports (${Object.keys(extra.describe).join(', ')}), at most ${boundS.toFixed(0)} s\n`);
  }
  await closeExports(); // bounded inside; the last push and export happen here
  await closeMetricsServer();

  const result = await printSummary({
    tally,
    metrics,
    endpoint: { url: metricsUrl, finalScrape, finalSince, lingeredS, lingerCut: stop.signal.aborted && config.lingerS > lingeredS + 0.05, external: scrapes },
    consoleSink,
    policyFile: config.policyFile,
    fileSink,
    delivery: extra.delivery(),
    ...(stop.received() ? { interrupted: { signal: stop.received()!, afterS: loadS } } : {}),
  });
  const signal = stop.received();
  if (signal !== undefined) return SIGNAL_EXIT[signal as keyof typeof SIGNAL_EXIT] ?? 1;
  return result.ok ? 0 : 1;
}

async function main(): Promise<number> {
  let config: DemoConfig | 'help';
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`demo: ${err.message} (npm run demo -- --help lists the options)\n`);
    return 1;
  }
  if (config === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  const resources = new Resources();
  const stop = onStopSignals((sig) => {
    process.stderr.write(`\n[demo] ${sig}: stopping the load, then flushing and printing the summary (again to quit at once)\n`);
  });
  try {
    return await run(config, resources, stop);
  } catch (err) {
    const message = err instanceof DemoError ? err.message : ((err as Error)?.stack ?? String(err));
    process.stderr.write(`\ndemo failed: ${message}\n`);
    return 1;
  } finally {
    const late = await resources.closeAll(CLOSE_TIMEOUT_MS);
    if (late.length > 0) process.stderr.write(`[demo] not closed within ${CLOSE_TIMEOUT_MS} ms: ${late.join(', ')}\n`);
    stop.remove();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // Everything is closed; if something still holds the process (an export retrying, a socket),
    // end it after a grace period rather than leave the terminal hanging. Unref'ed: a clean
    // process ends before it fires.
    setTimeout(() => {
      const held = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
      process.stderr.write(`[demo] still running ${EXIT_GRACE_MS / 1000} s after the end (held by: ${held.join(', ') || 'unknown'}); exiting\n`);
      process.exit(code);
    }, EXIT_GRACE_MS).unref();
  },
  (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);

