/**
 * The compose stack's Prometheus path, with a real Prometheus (Debian's `prometheus` package, as
 * in CI) instead of Docker: it scrapes the demo every second, the demo listening on 0.0.0.0
 * (`--host`) and scraped through 127.0.0.2, an address other than the 127.0.0.1 it listens on by
 * default, as the containers reach the host through the Docker bridge. Then:
 *
 * - what Prometheus stored last is the summary's final total (the linger keeps the endpoint up);
 * - every query of every panel of the Grafana dashboard is evaluated through the HTTP API, with
 *   the template variables as Grafana sets them when the dashboard opens, and returns data;
 * - with both jobs of the stack up (a second job scrapes the same endpoint, standing in for the
 *   collector's copy), the request panel does not count anything twice;
 * - with tracing on (the demo exports to an OTLP receiver on 127.0.0.1) and Prometheus's exemplar
 *   storage on, as in the stack, the latency panel's exemplar query returns exemplars whose trace
 *   ids are those of exported spans, and the summary's example trace for the slowest bucket is one
 *   of them.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, root, runDemo } from '../examples/demo-run.ts';
import type { DemoRun } from '../examples/demo-run.ts';
import { startOtlpReceiver } from '../e2e/otlp-receiver.ts';
import type { OtlpReceiver } from '../e2e/otlp-receiver.ts';
import { spansOf } from '../e2e/otlp-json.ts';

const available = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;
const SKIP_REASON = 'prometheus not found on PATH (install the Debian package `prometheus`; .ci/run does)';
if (!available && process.env.CI) throw new Error(`The dashboard test must run in CI, but ${SKIP_REASON}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Panel {
  id: number;
  title: string;
  targets: { expr: string; refId: string; exemplar?: boolean }[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; includeAll?: boolean; multi?: boolean; allValue?: string; current: { value: string | string[] } }[] };
}
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/otel/grafana/dashboards/mvx-demo.json'), 'utf8')) as Dashboard;

/** A variable's value when the dashboard opens, as Grafana puts it in a query. */
function initialValue(v: Dashboard['templating']['list'][number]): string {
  const values = ([] as string[]).concat(v.current.value);
  if (values.includes('$__all')) return v.allValue ?? '.*';
  return values.length > 1 ? `(${values.join('|')})` : values[0]!;
}

/** Replaces `$name` / `${name}` with the dashboard's values and `$__rate_interval` with `rateInterval`. */
function substitute(expr: string, rateInterval: string): string {
  let out = expr.replaceAll('$__rate_interval', rateInterval);
  for (const v of dashboard.templating.list) out = out.replaceAll(`\${${v.name}}`, initialValue(v)).replaceAll(`$${v.name}`, initialValue(v));
  expect(out, 'a template variable was left in the query').not.toMatch(/\$\w/);
  return out;
}

describe.skipIf(!available)(`the dashboard against a real Prometheus${available ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let prom: ChildProcess | undefined;
  let promUrl = '';
  let dir = '';
  let demo: DemoRun;
  let receiver: OtlpReceiver;
  let loadOverAt = 0;
  let loadStartAt = 0;
  /**
   * The rate window the checks use: the whole load (from the demo's start to its end), not
   * Grafana's 4 s. On a loaded 2-core machine Prometheus can miss scrapes (1 s time-out), and a
   * short window at the end of the load may then hold fewer than the two samples `rate()` needs.
   */
  const window = (): string => `${Math.max(5, Math.ceil((loadOverAt - loadStartAt) / 1000) + 1)}s`;

  async function query(q: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const params = new URLSearchParams({ query: q, ...(time === undefined ? {} : { time: String(time / 1000) }) });
    const res = await fetch(`${promUrl}/api/v1/query?${params}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${q} failed: ${body.error}`);
    return body.data.result;
  }

  async function scrapedOnce(): Promise<boolean> {
    const res = await fetch(`${promUrl}/api/v1/targets?state=active`);
    const body = (await res.json()) as { data: { activeTargets: { health: string }[] } };
    const targets = body.data.activeTargets;
    return targets.length === 2 && targets.every((t) => t.health !== 'unknown');
  }

  beforeAll(async () => {
    const metricsPort = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'mvx-dashboard-'));
    const target = `['127.0.0.2:${metricsPort}']`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: mvx-demo', `    static_configs: [{ targets: ${target} }]`, '  - job_name: otel-collector', `    static_configs: [{ targets: ${target} }]`, ''].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    receiver = await startOtlpReceiver();
    // As in docker-compose.otel.yml: exemplar storage on.
    prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--log.level=warn', '--enable-feature=exemplar-storage'], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline) throw new Error('Prometheus did not get ready within 30 s');
      await sleep(200);
    }
    // Prometheus applies new targets at most every 5 s after it starts: wait for its first scrape
    // attempt of both jobs (the demo is not up yet, so they are `down`), so that the demo's whole
    // load is scraped every second instead of its first seconds being missed.
    while (!(await scrapedOnce())) {
      if (Date.now() > deadline) throw new Error('Prometheus did not try its targets within 30 s');
      await sleep(200);
    }
    loadStartAt = Date.now();
    demo = await runDemo(['--host', '0.0.0.0', '--metrics-port', String(metricsPort), '--duration', '6', '--rate', '60', '--linger', '3'], {
      // Tracing on (the demo registers it with the OTLP export), as in the stack.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      onLine: (line) => {
        if (line.includes('stays up')) loadOverAt = Date.now();
      },
    });
  }, 90_000);

  afterAll(async () => {
    if (prom !== undefined && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (prom.exitCode === null) prom.kill('SIGKILL');
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    await receiver?.close();
  });

  it('Prometheus scraped the demo through a non-default address and stored its final total', async () => {
    expect(demo.code, demo.stdout + demo.stderr).toBe(0);
    expect(loadOverAt).toBeGreaterThan(0);
    const served = Number(/the server counted (\d+)/.exec(demo.stdout)?.[1]);
    expect(served).toBeGreaterThan(100);
    const stored = await query('sum(last_over_time(http_server_requests_total{job="mvx-demo"}[1m]))');
    expect(Number(stored[0]?.value[1])).toBe(served);
    expect(demo.stdout).toMatch(/scrapes by others served the final totals, the last by Prometheus\//);
  });

  it('every panel query returns data, with the variables as the dashboard opens', async () => {
    const at = loadOverAt; // the end of the load: the windows below hold load samples
    let checked = 0;
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets) {
        const result = await query(substitute(t.expr, window()), at);
        expect(result.length, `${panel.title} ${t.refId}: ${t.expr} over ${window()}`).toBeGreaterThan(0);
        expect(result.some((r) => Number.isFinite(Number(r.value[1]))), `${panel.title} ${t.refId}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(13);
  });

  it('with both jobs up, the request panel counts each request once', async () => {
    const panel = dashboard.panels.find((p) => p.targets.some((t) => t.expr.startsWith('sum by (route, outcome)')))!;
    const byPanel = (await query(substitute(panel.targets[0]!.expr, window()), loadOverAt)).reduce((a, r) => a + Number(r.value[1]), 0);
    const oneJob = Number((await query(`sum(rate(http_server_requests_total{job="mvx-demo"}[${window()}]))`, loadOverAt))[0]?.value[1]);
    expect(oneJob).toBeGreaterThan(0);
    // The two jobs really hold the same series (their totals, read after the run, are equal).
    const totals = await query('sum by (job) (last_over_time(http_server_requests_total[1m]))');
    expect(totals).toHaveLength(2);
    expect(totals[0]!.value[1]).toBe(totals[1]!.value[1]);
    expect(byPanel).toBeCloseTo(oneJob, 6);
  });

  it('the latency panel shows exemplars of exported traces, the summary one of its slowest bucket', async () => {
    const traces = new Set(spansOf(receiver.bodies.traces).map((s) => (s as { traceId: string }).traceId));
    expect(traces.size).toBeGreaterThan(100);
    const targets = dashboard.panels.flatMap((p) => p.targets.filter((t) => t.exemplar === true).map((t) => ({ panel: p.title, t })));
    expect(targets.map((x) => x.panel)).toEqual(['Latency percentiles by route']);
    const seen = new Set<string>();
    for (const { t } of targets) {
      // What Grafana asks for an `exemplar: true` query: the exemplars of the series it selects.
      const params = new URLSearchParams({ query: substitute(t.expr, window()), start: String(loadStartAt / 1000 - 60), end: String(Date.now() / 1000 + 60) });
      const body = (await (await fetch(`${promUrl}/api/v1/query_exemplars?${params}`)).json()) as {
        status: string;
        data: { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string }[] }[];
      };
      expect(body.status).toBe('success');
      const exemplars = body.data.flatMap((d) => d.exemplars);
      expect(exemplars.length, t.expr).toBeGreaterThan(0);
      for (const e of exemplars) {
        expect(traces.has(e.labels['trace_id']!), `exemplar trace ${e.labels['trace_id']} was exported`).toBe(true);
        seen.add(e.labels['trace_id']!);
      }
    }
    const example = /slowest bucket \([^)]*\): \d+ requests?, e\.g\. trace ([0-9a-f]{32})/.exec(demo.stdout)?.[1];
    expect(example, demo.stdout).toBeDefined();
    expect(traces.has(example!)).toBe(true);
    expect(seen.has(example!), 'the summary example is among the exemplars Prometheus stored').toBe(true);
  });

  it('the job variable selects one source at a time', () => {
    const job = dashboard.templating.list.find((v) => v.name === 'job')!;
    expect(job.includeAll).toBe(false);
    expect(job.multi).toBe(false);
  });
});
