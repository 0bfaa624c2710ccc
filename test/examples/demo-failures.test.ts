/**
 * Every way the demo cannot run ends the same way: exit status 1, one message on stderr that
 * names the cause and the option to change, and nothing left open (the process ends by itself,
 * well before the test would kill it, and the ports it opened are free again).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runDemo } from './demo-run.ts';

/** stderr without the readable log lines of the console sink. */
function messages(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !/^\d{4}-\d\d-\d\dT/.test(l));
}

async function expectFailure(args: string[], message: RegExp): Promise<void> {
  const run = await runDemo(['--duration', '1', '--quiet', ...args], { killAfterMs: 20_000 });
  expect(run.signal, 'the demo hung and was killed').toBeNull();
  expect(run.code, run.stderr).toBe(1);
  const lines = messages(run.stderr);
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(run.stdout).not.toContain('summary');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('the demo when it cannot run', () => {
  let blocker: Server;
  let taken = 0;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    taken = (blocker.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it('a taken service port: exits 1, suggests --port, and closes the metrics endpoint it had opened', async () => {
    const metricsPort = await freePort();
    await expectFailure(['--port', String(taken), '--metrics-port', String(metricsPort)], new RegExp(`^demo failed: the service cannot listen on 127\\.0\\.0\\.1:${taken}: the port is taken\\..*--port`));
    expect(await portIsFree(metricsPort)).toBe(true);
  });

  it('a taken metrics port: exits 1 and suggests --metrics-port', async () => {
    await expectFailure(['--metrics-port', String(taken)], /^demo failed: the Prometheus endpoint cannot listen on 127\.0\.0\.1:\d+: the port is taken\..*npm run demo -- --metrics-port \d+/);
  });

  it('invalid values are refused, naming the option', async () => {
    await expectFailure(['--concurrency', '1.5'], /^demo: --concurrency must be an integer from 1 to 512, got '1\.5' \(npm run demo -- --help lists the options\)$/);
    await expectFailure(['--rate', 'fast'], /^demo: --rate must be a number/);
    await expectFailure(['--bogus'], /^demo: Unknown option '--bogus'/);
  });

  it('a policy file with a JSON error, or with an invalid rule, is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvx-demo-policy-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "defaultEnabled": false, "rules": [ { "action": "allow", } ] }');
    await expectFailure(['--policy', broken, '--metrics-port', '0'], new RegExp(`^demo failed: the console policy ${broken.replace(/[.\\/]/g, '\\$&')} is not valid JSON: `));
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ rules: [{ action: 'allow', events: [''] }] }));
    await expectFailure(['--policy', invalid, '--metrics-port', '0'], /^demo failed: the console policy .*invalid\.json is not a valid PatternLogEventPolicy: .*rules\[0\]\.events\[0\]/);
  });

  it('an unwritable log directory: exits 1 naming the directory and --log-dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvx-demo-logdir-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const run = await runDemo(['--duration', '1', '--quiet', '--metrics-port', '0', '--log-dir', join(file, 'logs')], { killAfterMs: 20_000 });
    expect(run.code).toBe(1);
    const lines = messages(run.stderr);
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^demo failed: cannot write the log file in .*a-file\/logs: .*--log-dir/);
  });
});
