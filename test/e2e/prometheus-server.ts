/**
 * A real Prometheus server for end-to-end tests (Debian's `prometheus` package, which `.ci/run`
 * installs): started on 127.0.0.1 with a free port and a 1 s scrape interval, queried over its
 * HTTP API, stopped (SIGTERM, then SIGKILL) at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether a binary runs (`<name> --version` exits 0). */
export function hasBinary(name: string): boolean {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One sample of an instant query. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A running Prometheus. */
export interface PrometheusServer {
  readonly url: string;
  /** An instant query (at `time`, epoch seconds, when given); throws when Prometheus refuses it. */
  query(q: string, time?: number): Promise<PromSample[]>;
  /** What Prometheus printed (bounded), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  /** Extra command-line flags, e.g. `['--enable-feature=exemplar-storage']`. */
  readonly flags?: readonly string[];
}

/**
 * Starts Prometheus scraping `jobs` (job name → `host:port` target) every second and waits
 * (bounded) until every target is up. A target still down after 10 s fails with Prometheus's reason.
 */
export async function startPrometheus(jobs: Readonly<Record<string, string>>, options: StartPrometheusOptions = {}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mvx-prom-e2e-'));
  const config = ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:'];
  for (const [job, target] of Object.entries(jobs)) config.push(`  - job_name: ${job}`, `    static_configs: [{ targets: ['${target}'] }]`);
  writeFileSync(join(dir, 'prometheus.yml'), `${config.join('\n')}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prom: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--log.level=warn', ...(options.flags ?? [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  prom.stderr!.on('data', (c: Buffer) => {
    if (log.length < 20_000) log += c.toString();
  });
  const server: PrometheusServer = {
    url,
    async query(q, time) {
      const at = time === undefined ? '' : `&time=${time}`;
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}${at}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: PromSample[] } };
      if (body.status !== 'success') throw new Error(`query ${q} failed: ${body.error}`);
      return body.data.result;
    },
    log: () => log,
    async stop() {
      if (prom.exitCode === null && prom.signalCode === null) {
        const exited = new Promise((r) => prom.once('exit', r));
        prom.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (prom.exitCode === null && prom.signalCode === null) prom.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const started = Date.now();
  const count = Object.keys(jobs).length;
  try {
    for (;;) {
      let targets: Array<{ health: string; lastError: string; labels: { job: string } }> = [];
      try {
        const res = await fetch(`${url}/api/v1/targets`);
        targets = ((await res.json()) as { data: { activeTargets: typeof targets } }).data.activeTargets;
      } catch {
        // Not listening yet.
      }
      if (targets.length === count && targets.every((t) => t.health === 'up')) return server;
      const down = targets.find((t) => t.health === 'down');
      if (down !== undefined && Date.now() - started > 10_000) throw new Error(`Prometheus reports target ${down.labels.job} down: ${down.lastError}`);
      if (Date.now() - started > 45_000) throw new Error(`Prometheus targets not up within 45 s; log:\n${log}`);
      await sleep(250);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}
