/**
 * `npm run bench:service` in a tiny mode (a fraction of a second per variant): the script runs
 * every variant, prints the table with all five rows, and the counts agree (every response the
 * client got is a request the service received; 4 log lines and, over OTLP, 4 log records and 2
 * spans per request; `http_server_requests_total` equals the requests). No timing is asserted.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBench(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bench/service/run.ts'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Result {
  variant: string;
  clientCompleted: number;
  serverHandled: number;
  totalResponses: number;
  totalHandled: number;
  unexpected: number;
  scrapes?: { ok: number; failed: number };
  counts: { logLines?: number; scrapedRequests?: number; otlpLogRecords?: number; otlpSpans?: number; otlpFailed?: number };
}

describe('npm run bench:service (tiny mode)', () => {
  it('measures the five variants and their counts agree', { timeout: 160_000 }, async () => {
    const run = await runBench(['--duration', '1.2', '--warmup', '0.2', '--connections', '2', '--rounds', '1', '--json', '--no-write']);
    expect(run.stderr).not.toContain('[mvx-common]');
    expect(run.stderr).not.toContain('inconsistent counts');
    expect(run.code).toBe(0);

    const rows = run.stdout.split('\n').filter((l) => /^\| (plain|mvx|pino-prom|mvx-otlp|otel-sdk) \|/.test(l));
    expect(rows.map((l) => l.split('|')[1]!.trim())).toEqual(['plain', 'mvx', 'pino-prom', 'mvx-otlp', 'otel-sdk']);
    expect(run.stdout).toContain('- **mvx**: throughput overhead');
    expect(run.stdout).toContain('- **mvx-otlp**: throughput overhead');

    const line = run.stdout.split('\n').find((l) => l.startsWith('BENCH_SERVICE '));
    const { results, problems } = JSON.parse(line!.slice('BENCH_SERVICE '.length)) as { results: Result[]; problems: string[] };
    expect(problems).toEqual([]);
    const by = new Map(results.map((r) => [r.variant, r]));
    for (const r of results) {
      expect(r.clientCompleted).toBeGreaterThan(0);
      expect(r.clientCompleted).toBe(r.serverHandled);
      expect(r.totalResponses).toBe(r.totalHandled);
      expect(r.unexpected).toBe(0);
    }
    for (const v of ['mvx', 'pino-prom']) {
      const r = by.get(v)!;
      expect(r.counts.logLines).toBe(6 * r.totalHandled); // invoke + outcome of the request, its handler, its storage call
      expect(r.counts.scrapedRequests).toBe(r.totalHandled);
      expect(r.scrapes?.failed).toBe(0);
      expect(r.scrapes?.ok).toBeGreaterThanOrEqual(1);
    }
    for (const v of ['mvx-otlp', 'otel-sdk']) {
      const r = by.get(v)!;
      expect(r.counts.otlpLogRecords).toBe(6 * r.totalHandled);
      expect(r.counts.otlpSpans).toBe(3 * r.totalHandled);
      expect(r.counts.otlpFailed).toBe(0);
    }
  });
});
