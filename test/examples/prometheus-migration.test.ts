import { describe, expect, it } from 'vitest';
import { runExample } from './run-example.ts';

describe('examples/prometheus-migration.ts', () => {
  it('serves hand-written prom-client counters and event-based metrics on one endpoint', async () => {
    const res = await runExample('prometheus-migration');
    expect(res.code, res.stderr).toBe(0);
    const samples = new Map<string, string>();
    for (const line of res.stdout.split('\n')) {
      const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (m) samples.set(m[1]!, m[2]!);
    }
    // The hand-written counters: 5 logins, one with a wrong password.
    expect(samples.get('login_attempts_total{result="success"}')).toBe('4');
    expect(samples.get('login_attempts_total{result="failure"}')).toBe('1');
    // Checkouts 1..30: every 10th fails; of the rest, multiples of 3 pay by invoice.
    expect(samples.get('checkout_failures_total{reason="card_declined"}')).toBe('3');
    expect(samples.get('checkout_orders_total{payment_method="invoice"}')).toBe('9');
    expect(samples.get('checkout_orders_total{payment_method="card"}')).toBe('18');
    expect(samples.get('checkout_duration_seconds_count')).toBe('27');
    expect(samples.get('checkout_duration_seconds_bucket{le="+Inf"}')).toBe('27');
    expect(res.stdout).toContain('# TYPE checkout_duration_seconds histogram');
  });
});
