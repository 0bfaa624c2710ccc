/**
 * examples/statsd-push.ts through `npm run example -- statsd-push`: once against its stand-in UDP
 * socket (the lines it prints), once against the real Etsy StatsD daemon (what the daemon holds).
 * Its comments claim exact counts per bucket and an exact sum, values inside their (narrowed)
 * buckets, and the representative values 22.07 ms and 101.38 ms for true values 20 ms and 120 ms:
 * each claim is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStatsdDaemon, type StatsdDaemon } from '../e2e/statsd-daemon.ts';
import { runExample } from './run-example.ts';

/** What the example's histogram (buckets 10, 50, 100, 500 ms; 900 × 20 ms, 100 × 120 ms) must become. */
function expectReplayedDurations(values: readonly number[]): void {
  expect(values).toHaveLength(1000); // the count is exact
  const fast = values.filter((v) => v > 10 && v <= 50);
  const slow = values.filter((v) => v > 100 && v <= 500);
  expect([fast.length, slow.length]).toEqual([900, 100]); // exact per bucket
  expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(900 * 20 + 100 * 120, 6); // the sum is exact
  // Inside each bucket narrowed to the histogram's [min, max] = [20, 120]...
  for (const v of fast) expect(v).toBeGreaterThanOrEqual(20);
  for (const v of slow) expect(v).toBeLessThanOrEqual(120);
  // ...but representatives, not the observations: the figures the example's comment gives.
  expect(new Set(fast.map((v) => v.toFixed(2)))).toEqual(new Set(['22.07']));
  expect(new Set(slow.map((v) => v.toFixed(2)))).toEqual(new Set(['101.38']));
}

describe('examples/statsd-push.ts', () => {
  it('on its own: prints the aggregated lines a StatsD daemon would receive', async () => {
    const res = await runExample('statsd-push', { env: { STATSD_HOST: '', STATSD_PORT: '' } });
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.split('\n').filter((l) => l.startsWith('statsd <- ')).map((l) => l.slice(10));
    // 1,000 events become one increment per series and one timing per observation.
    expect(lines.filter((l) => l.includes('|c')).sort()).toEqual([
      'myapp.jobs.done:100|c|#queue:slow',
      'myapp.jobs.done:900|c|#queue:fast',
    ]);
    const timings = lines.filter((l) => l.startsWith('myapp.jobs.duration:'));
    expect(timings.every((l) => l.endsWith('|ms'))).toBe(true);
    expectReplayedDurations(timings.map((l) => Number(l.slice(l.indexOf(':') + 1, l.indexOf('|')))));
    expect(res.stdout).toContain('exporter: lines sent 1002, send errors 0, observations not sent 0');
  });

  describe('against the Etsy StatsD daemon', () => {
    let daemon: StatsdDaemon;
    beforeAll(async () => {
      daemon = await startStatsdDaemon();
    });
    afterAll(async () => {
      await daemon?.stop();
    });

    it('the daemon holds exact counters and the replayed timings the comments describe', async () => {
      const res = await runExample('statsd-push', { env: { STATSD_HOST: '127.0.0.1', STATSD_PORT: String(daemon.port) } });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).not.toContain('statsd <- '); // no stand-in
      expect(res.stdout).toContain('exporter: lines sent 1002, send errors 0, observations not sent 0');
      const counters = await daemon.waitFor<Record<string, number>>('counters', (c) => Object.keys(c).some((k) => k.startsWith('myapp.jobs.done')));
      expect(Object.fromEntries(Object.entries(counters).filter(([k]) => k.startsWith('myapp.')))).toEqual({
        'myapp.jobs.done;queue=fast': 900,
        'myapp.jobs.done;queue=slow': 100,
      });
      const timers = await daemon.waitFor<Record<string, number[]>>('timers', (t) => (t['myapp.jobs.duration']?.length ?? 0) >= 1000);
      expectReplayedDurations(timers['myapp.jobs.duration'] ?? []);
    });
  });
});
