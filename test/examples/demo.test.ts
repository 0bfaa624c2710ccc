import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scrapedRequestTotal } from '../../examples/demo/summary.ts';
import { diagnostics, freePort, runDemo } from './demo-run.ts';

/** Every line of the demo's JSON-lines log files, parsed. */
function logEvents(logDir: string): { event: string; outcome?: string; namespace: string; payload?: Record<string, any> }[] {
  return readdirSync(logDir)
    .filter((f) => f.startsWith('demo.log'))
    .flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l));
}

function fileCounts(stdout: string): number[] {
  const m = /file\s+accepted (\d+), delivered (\d+), dropped (\d+), failed (\d+), pending (\d+)/.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return m!.slice(1).map(Number);
}

describe('npm run demo', () => {
  it('serves real traffic, writes every event to the log file, and its summary adds up', async () => {
    // A scraper that fetches the endpoint once the load is over, as Prometheus would during the linger.
    const metricsPort = await freePort();
    let lateScrape: Promise<string> | undefined;
    const run = await runDemo(['--duration', '2', '--rate', '80', '--metrics-port', String(metricsPort), '--linger', '1.5'], {
      onLine: (line) => {
        if (line.includes('stays up')) {
          lateScrape = fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { 'user-agent': 'test-scraper/1.0' } }).then((r) => r.text());
        }
      },
    });
    const { code, stdout, stderr, logDir } = run;
    expect(stderr).not.toMatch(/demo failed/);
    expect(code, stdout + stderr).toBe(0);
    // No library diagnostic in a normal run (it used to print spec.unresolved 'title=body.title').
    expect(diagnostics(stderr)).toEqual([]);

    // The summary: requests counted by the metric equal what the endpoint served, and what a
    // scraper fetching it after the load saw.
    expect(stdout).toMatch(/=== mvx-common demo: summary ===/);
    const served = Number(/the server counted (\d+)/.exec(stdout)?.[1]);
    expect(served).toBeGreaterThan(50);
    expect(stdout).toMatch(new RegExp(`http_server_requests_total = ${served} \\(matches the recorder\\)`));
    expect(lateScrape).toBeDefined();
    expect(scrapedRequestTotal(await lateScrape!)).toBe(served);
    expect(stdout).toMatch(/kept up 1\.\d s after the load; 1 scrapes by others served the final totals, the last by test-scraper\/1\.0/);
    expect(stdout).toMatch(/latency \(http\.server\.duration, from its \d+ buckets\): p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms/);
    expect(stdout).toMatch(/^result: every request counted, everything delivered$/m);

    // Document contents are split into writes and reads, and add up to the log file's events.
    const events = logEvents(logDir);
    const written = Number(/(\d+) written/.exec(stdout)?.[1]);
    const read = Number(/(\d+) read \(/.exec(stdout)?.[1]);
    const puts = events.filter((e) => e.event === 'storage.put' && e.outcome === 'success').length;
    expect(written).toBe(puts);
    expect(read).toBeGreaterThan(0);

    // The file holds exactly what the file sink says it delivered, every line a JSON event.
    const [accepted, delivered, dropped, failed, pending] = fileCounts(stdout) as [number, number, number, number, number];
    expect(accepted).toBe(delivered + dropped + failed + pending);
    expect(dropped + failed + pending).toBe(0);
    expect(events.length).toBe(delivered);
    const names = new Set(events.map((e) => `${e.namespace}.${e.event}:${e.outcome ?? ''}`));
    expect(names).toContain('demo.http.documents.create:invoke');
    expect(names).toContain('demo.http.documents.create:success');
    expect(names).toContain('demo.storage.storage.put:success');
    expect(names).toContain('demo.started:');
    expect(names).toContain('demo.stopped:');
    // The title of a created document comes with the result (validated), the size with the invoke.
    const created = events.find((e) => e.event === 'documents.create' && e.outcome === 'success');
    expect(created?.payload?.result).toEqual({ id: expect.stringMatching(/^doc-\d+$/), title: expect.stringMatching(/^doc \d+$/) });
    const invoked = events.find((e) => e.event === 'documents.create' && e.outcome === 'invoke');
    expect(invoked?.payload?.args).toEqual({ size: expect.any(Number) });
  });

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} stops the load, flushes, prints the summary so far and exits ${status}`, async () => {
      let sent = false;
      const { code, stdout, stderr, logDir } = await runDemo(['--duration', '60', '--rate', '80', '--metrics-port', '0'], {
        onLine: (line, child) => {
          if (!sent && line.startsWith('[demo] 1.')) {
            sent = true;
            child.kill(signal);
          }
        },
      });
      expect(sent).toBe(true);
      expect(code, stderr).toBe(status);
      expect(stderr).toContain(`[demo] ${signal}: stopping the load`);
      expect(stdout).toMatch(new RegExp(`interrupted by ${signal} after \\d+\\.\\d s of load`));
      // Nothing lost: every event accepted by the file sink is in the file (it used to drop one).
      const [accepted, delivered, dropped, failed, pending] = fileCounts(stdout) as [number, number, number, number, number];
      expect({ dropped, failed, pending }).toEqual({ dropped: 0, failed: 0, pending: 0 });
      expect(logEvents(logDir).length).toBe(accepted);
      expect(delivered).toBe(accepted);
      const served = Number(/the server counted (\d+)/.exec(stdout)?.[1]);
      expect(stdout).toMatch(new RegExp(`http_server_requests_total = ${served} \\(matches the recorder\\)`));
      expect(stdout).toMatch(/kept up 0\.\d s after the load/);
    });
  }
});
