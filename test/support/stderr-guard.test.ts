/**
 * The guard that keeps `npm test` free of `[mvx-common]` lines: a child Vitest runs a fixture
 * whose tests print such lines, captured or not, and only the uncaptured one fails.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('stderr guard (vitest setup file)', () => {
  it('fails the test that leaves a [mvx-common] line on stderr, and only that test', async () => {
    const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
    const config = join(import.meta.dirname, 'fixtures', 'noisy.vitest.config.ts');
    const dir = mkdtempSync(join(tmpdir(), 'mvx-guard-'));
    const report = join(dir, 'report.json');
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const args = [vitest, 'run', '--config', config, '--reporter', 'json', '--outputFile', report];
      execFile(process.execPath, args, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out: `${stdout}\n${stderr}` }),
      );
    });
    expect(result.code, result.out).toBe(1);
    const text = readFileSync(report, 'utf8');
    rmSync(dir, { recursive: true, force: true });
    const json = JSON.parse(text) as {
      testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
    };
    const tests = json.testResults.flatMap((f) => f.assertionResults);
    expect(tests.map((t) => [t.title, t.status])).toEqual([
      ['uncaptured', 'failed'],
      ['captured', 'passed'],
      ['ordinary', 'passed'],
    ]);
    expect(tests[0]!.failureMessages.join('\n')).toContain('[mvx-common] Fixture some.code: left on stderr');
    // The captured line is not printed; the uncaptured one and ordinary output are.
    expect(result.out).not.toContain('claimed by the test\n');
    expect(result.out).toContain('plain stderr output');
  }, 60_000);
});
