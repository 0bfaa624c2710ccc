/**
 * `npm run bench:service`: the cost of instrumentation to a real service. The demo's document
 * service runs at its maximum throughput (no simulated storage latency, so it is CPU-bound) in a
 * process of its own, five ways, against the same closed-loop load client (`load.ts`):
 *
 * - `plain`: uninstrumented;
 * - `mvx`: the demo service as it is (logInvocation on handlers and storage, metric events), JSON
 *   lines to a `FileSink`, a Prometheus endpoint scraped once a second;
 * - `pino-prom`: the same information by hand, pino to a file + prom-client, scraped once a second;
 * - `mvx-otlp`: the demo service exporting logs, metrics and spans over OTLP/HTTP to a local receiver;
 * - `otel-sdk`: the same information through the OpenTelemetry SDK by hand, same exporters.
 *
 * Per variant: requests/s, p50/p99 latency (client side), CPU time of the service process per
 * request, and checks that the counts agree (client responses = requests the service received;
 * log lines = 6 per request, Prometheus `http_server_requests_total` = requests; OTLP log records =
 * 6 and spans = 3 per request: the request, its handler and its storage call). Rounds run the variants in turn; each figure is the median of the
 * rounds. A full run writes its table into bench/results.md (between the `bench:service` markers).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, runLoad, scrapeEverySecond, startReceiver } from './load.ts';
import type { VariantCounts } from './server.ts';

const VARIANTS = {
  plain: 'uninstrumented',
  mvx: 'mvx-common: logInvocation (handlers + storage, DEBUG) -> FileSink JSON; metric events -> AsyncMetricsRecorder -> Prometheus bridge, scraped 1/s',
  'pino-prom': 'by hand: pino 10 (level debug) -> pino.destination(file, sync: false); prom-client 15 Counter + Histogram, scraped 1/s',
  'mvx-otlp': 'mvx-common: OtelLogSink + OtelMetricsBridge + registerOtelTracing -> OTLP/HTTP exporters',
  'otel-sdk': 'by hand: @opentelemetry/sdk-* logger.emit + meter instruments + startActiveSpan -> same OTLP/HTTP exporters',
} as const;
type Variant = keyof typeof VARIANTS;

export interface VariantResult {
  variant: Variant;
  configuration: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
  /** Responses the client received in the measured window and requests the service received in it. */
  clientCompleted: number;
  serverHandled: number;
  /** Over the whole run (warm-up included): responses, requests received, non-2xx/404 statuses and network errors. */
  totalResponses: number;
  totalHandled: number;
  unexpected: number;
  scrapes?: { ok: number; failed: number };
  counts: VariantCounts;
}

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '1.5' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(
    'usage: npm run bench:service [-- options]\n' +
      '  --duration S     measured seconds per variant and round (default 4)\n' +
      '  --warmup S       warm-up seconds before each measurement (default 1.5)\n' +
      '  --connections N  concurrent keep-alive connections of the load client (default 16)\n' +
      '  --rounds N       rounds over the variants; figures are medians (default 2)\n' +
      `  --only a,b       variants to run (${Object.keys(VARIANTS).join(', ')})\n` +
      '  --json           print the results as one JSON line (BENCH_SERVICE ...) too\n' +
      '  --no-write       do not write bench/results.md (a partial run never does)\n',
  );
  process.exit(0);
}
const num = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!(n > 0)) {
    process.stderr.write(`bench:service: --${name} must be a positive number, got ${v}\n`);
    process.exit(2);
  }
  return n;
};
const durationMs = num('duration', opts.duration) * 1000;
const warmupMs = Number(opts.warmup) * 1000;
const connections = Math.round(num('connections', opts.connections));
const rounds = Math.round(num('rounds', opts.rounds));
const chosen = (opts.only?.split(',') ?? Object.keys(VARIANTS)) as Variant[];
for (const v of chosen) {
  if (!(v in VARIANTS)) {
    process.stderr.write(`bench:service: unknown variant ${v} (${Object.keys(VARIANTS).join(', ')})\n`);
    process.exit(2);
  }
}

function ask<T>(child: ChildProcess, message: object, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }): void => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null): void => reject(new Error(`the service process exited (${code}) before answering ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (type !== 'ready') child.send(message);
  });
}

async function runVariant(variant: Variant, dir: string, otlpUrl: string): Promise<VariantResult> {
  const child = fork(join(import.meta.dirname, 'server.ts'), [variant, dir, otlpUrl], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), durationMs + warmupMs + 60_000);
  try {
    const ready = await ask<{ port: number; metricsPort?: number }>(child, {}, 'ready');
    const scraper = ready.metricsPort === undefined ? undefined : scrapeEverySecond(ready.metricsPort);
    const warm = await runLoad(ready.port, connections, warmupMs, false);
    const before = await ask<{ cpuUs: number; handled: number }>(child, { type: 'mark' }, 'mark');
    const load = await runLoad(ready.port, connections, durationMs, true);
    const after = await ask<{ cpuUs: number; handled: number }>(child, { type: 'mark' }, 'mark');
    const scrapes = await scraper?.stop();
    const stopped = await ask<{ handled: number; counts: VariantCounts }>(child, { type: 'stop' }, 'stopped');
    const unexpected = [warm, load].reduce((n, r) => n + r.networkErrors + Object.entries(r.byStatus).filter(([s]) => !['200', '201', '204', '404'].includes(s)).reduce((a, [, c]) => a + c, 0), 0);
    const handled = after.handled - before.handled;
    return {
      variant,
      configuration: VARIANTS[variant],
      rps: load.completed / (durationMs / 1000),
      p50Ms: percentile(load.latencies, 50),
      p99Ms: percentile(load.latencies, 99),
      cpuUsPerRequest: (after.cpuUs - before.cpuUs) / handled,
      clientCompleted: load.completed,
      serverHandled: handled,
      totalResponses: warm.completed + load.completed,
      totalHandled: stopped.handled,
      unexpected,
      ...(scrapes ? { scrapes } : {}),
      counts: stopped.counts,
    };
  } finally {
    clearTimeout(killer);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'mvx-bench-service-'));
const receiver = await startReceiver();
const perRound: VariantResult[][] = [];
try {
  for (let r = 0; r < rounds; r++) {
    const results: VariantResult[] = [];
    for (const v of chosen) {
      process.stderr.write(`bench:service: round ${r + 1}/${rounds} ${v} ...\n`);
      results.push(await runVariant(v, join(dir, `round${r + 1}`), receiver.url));
    }
    perRound.push(results);
  }
} finally {
  receiver.server.close();
  rmSync(dir, { recursive: true, force: true });
}

/** One row per variant: medians over the rounds, counts of the last round (each round is checked). */
const results: VariantResult[] = chosen.map((v, i) => {
  const all = perRound.map((rs) => rs[i]!);
  return { ...all[all.length - 1]!, rps: median(all.map((x) => x.rps)), p50Ms: median(all.map((x) => x.p50Ms)), p99Ms: median(all.map((x) => x.p99Ms)), cpuUsPerRequest: median(all.map((x) => x.cpuUsPerRequest)) };
});
const { table, problems } = await import('./table.ts').then((t) => t.renderTable(results, perRound.flat(), { durationMs, warmupMs, connections, rounds }));
process.stdout.write(table);
if (opts.json) process.stdout.write(`BENCH_SERVICE ${JSON.stringify({ results, rounds: perRound, problems })}\n`);
const full = opts.only === undefined && !opts['no-write'];
if (full) {
  const file = join(import.meta.dirname, '..', 'results.md');
  const text = readFileSync(file, 'utf8');
  const section = `<!-- bench:service -->\n${table}<!-- /bench:service -->\n`;
  const re = /<!-- bench:service -->[\s\S]*<!-- \/bench:service -->\n?/;
  writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text}\n${section}`);
}
if (problems.length > 0) {
  process.stderr.write(`bench:service: inconsistent counts:\n${problems.map((p) => `  ${p}\n`).join('')}`);
  process.exitCode = 1;
}
