/**
 * Runs the demo as a user would (Node 24, the built package) in a child process, for the demo's
 * tests: collects its output, lets a test react to a stdout line (send a signal, scrape the
 * endpoint) and kills it if it outlives `killAfterMs` (then `code` is null: a hang fails the test).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The run's log directory. */
  logDir: string;
}

export interface DemoRunOptions {
  env?: Record<string, string>;
  /** Called once for every line of stdout, with the child. */
  onLine?: (line: string, child: ChildProcess) => void;
  killAfterMs?: number;
}

/** Runs `examples/demo/main.ts` with `args` (plus `--log-dir` to a fresh temporary directory). */
export function runDemo(args: string[], options: DemoRunOptions = {}): Promise<DemoRun> {
  const logDir = mkdtempSync(join(tmpdir(), 'mvx-demo-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'examples/demo/main.ts'), '--log-dir', logDir, ...args], {
      cwd: root,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', STATSD_HOST: '', OTEL_SERVICE_NAME: '', OTEL_RESOURCE_ATTRIBUTES: '', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) options.onLine?.(line, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr, logDir });
    });
  });
}

/** A free TCP port on 127.0.0.1 (free when returned): the e2e helpers' one. */
export { freePort } from '../e2e/prometheus-server.ts';

/** The summary's `name  text` line of a delivery path, e.g. `otlp logs`. */
export function deliveryLine(stdout: string, name: string): string | undefined {
  return stdout.split('\n').find((l) => l.startsWith(`  ${name.padEnd(14)}`));
}

/** Lines the library's diagnostic channel printed (`[mvx-common] ...`). */
export function diagnostics(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('[mvx-common]'));
}
