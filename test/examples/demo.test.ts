import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Runs the demo as a user would (Node 24, the built package), with a short load. */
function runDemo(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'examples/demo/main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', STATSD_HOST: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run demo', () => {
  it('serves real traffic, writes every event to the log file, and its summary adds up', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'mvx-demo-'));
    const { code, stdout, stderr } = await runDemo(['--duration', '2', '--rate', '80', '--metrics-port', '0', '--log-dir', logDir]);
    expect(stderr).not.toMatch(/demo failed/);
    expect(code).toBe(0);

    // The summary: requests counted by the metric equal what Prometheus served.
    expect(stdout).toMatch(/=== mvx-common demo: summary ===/);
    const served = Number(/server counted (\d+)/.exec(stdout)?.[1]);
    expect(served).toBeGreaterThan(50);
    expect(stdout).toMatch(new RegExp(`http_server_requests_total = ${served} \\(matches\\)`));
    expect(stdout).toMatch(/latency \(http\.server\.duration, from the histogram\): p50 [\d.]+ ms/);

    // The file holds exactly what the file sink says it delivered, every line a JSON event.
    const m = /file\s+accepted (\d+), delivered (\d+), dropped (\d+), failed (\d+), pending (\d+)/.exec(stdout);
    expect(m).not.toBeNull();
    const [accepted, delivered, dropped, failed, pending] = m!.slice(1).map(Number) as [number, number, number, number, number];
    expect(accepted).toBe(delivered + dropped + failed + pending);
    expect(dropped + failed + pending).toBe(0);
    const lines = readdirSync(logDir)
      .filter((f) => f.startsWith('demo.log'))
      .flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean));
    expect(lines.length).toBe(delivered);
    const events = lines.map((l) => JSON.parse(l) as { event: string; outcome?: string; namespace: string });
    const names = new Set(events.map((e) => `${e.namespace}.${e.event}:${e.outcome ?? ''}`));
    expect(names).toContain('demo.http.documents.create:invoke');
    expect(names).toContain('demo.http.documents.create:success');
    expect(names).toContain('demo.storage.storage.put:success');
    expect(names).toContain('demo.started:');
    expect(names).toContain('demo.stopped:');
  });

  it('exits non-zero with a clear message when the metrics port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const logDir = mkdtempSync(join(tmpdir(), 'mvx-demo-'));
      const { code, stderr } = await runDemo(['--duration', '1', '--metrics-port', String(port), '--log-dir', logDir]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/demo failed: .*port/i);
    } finally {
      blocker.close();
    }
  });
});
