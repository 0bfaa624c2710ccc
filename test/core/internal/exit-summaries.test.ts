// Throttled stderr reports (the diagnostics channel and the `print-stderr` error handling) print the
// first failure at once and summarise the rest every 5 s on an unref'ed timer. A process that ends
// sooner must still print the count it was holding: synchronously, in its `exit` event.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, 'fixtures', 'exit-summary-child.ts');

function run(source: string, ending: string): { status: number | null; stderr: string } {
  const res = spawnSync(process.execPath, [child, source, ending], { encoding: 'utf8', timeout: 20_000 });
  return { status: res.status, stderr: res.stderr };
}

const mvxLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('[mvx-common]'));

describe('pending failure summaries at exit', () => {
  for (const ending of ['end', 'exit', 'throw']) {
    it(`diagnostics: five reports, then the process ends (${ending}): the first at once, the other four counted`, () => {
      const r = run('diagnostics', ending);
      expect(r.status).toBe(ending === 'end' ? 0 : ending === 'exit' ? 3 : 1);
      const lines = mvxLines(r.stderr);
      expect(lines, r.stderr).toHaveLength(2);
      expect(lines[0]).toBe('[mvx-common] Child child.failed: failure 1');
      expect(lines[1]).toBe('[mvx-common] Child child.failed: 4 more since the last report | last: failure 5');
    });

    it(`print-stderr: five sink failures, then the process ends (${ending}): the first at once, the other four counted`, () => {
      const r = run('print-stderr', ending);
      expect(r.status).toBe(ending === 'end' ? 0 : ending === 'exit' ? 3 : 1);
      const lines = mvxLines(r.stderr);
      expect(lines, r.stderr).toHaveLength(2);
      expect(lines[0]).toBe("[mvx-common] LogContext 'child': sink failed to log event 'child.step' | Error: disk on fire");
      expect(lines[1]).toBe("[mvx-common] LogContext 'child': 4 more sink failures since the last report | last: Error: disk on fire");
    });
  }
});
