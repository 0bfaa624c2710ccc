import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('examples/statsd-push.ts', () => {
  it('runs and prints the aggregated lines a StatsD daemon would receive', () => {
    const root = join(import.meta.dirname, '..', '..');
    const res = spawnSync(process.execPath, [join(root, 'examples', 'statsd-push.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.split('\n').filter((l) => l.startsWith('statsd <- ')).map((l) => l.slice(10));
    // 1,000 events become one increment per series and one timing per observation.
    expect(lines.filter((l) => l.includes('|c')).sort()).toEqual([
      'myapp.jobs.done:100|c|#queue:slow',
      'myapp.jobs.done:900|c|#queue:fast',
    ]);
    const timings = lines.filter((l) => l.startsWith('myapp.jobs.duration:'));
    expect(timings).toHaveLength(1000);
    const values = timings.map((l) => Number(l.slice(l.indexOf(':') + 1, l.indexOf('|'))));
    // Exact count per bucket and exact total; values are known to the bucket.
    expect(values.filter((v) => v > 10 && v <= 50)).toHaveLength(900);
    expect(values.filter((v) => v > 100 && v <= 500)).toHaveLength(100);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(900 * 20 + 100 * 120, 3);
    expect(res.stdout).toContain('"linesSent":1002');
  });
});
