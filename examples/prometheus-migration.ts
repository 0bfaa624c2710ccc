/**
 * Migrating from hand-written prom-client metrics to metric events, one component at a time:
 * `npm run example -- prometheus-migration`.
 *
 * The app below already has prom-client counters that its code `inc()`s directly (the login
 * component). The checkout component has been moved to events: its code emits facts, metrics in a
 * recorder interpret them, and the bridge exposes them in the same registry. Both appear on one
 * endpoint; the example scrapes it once and prints the exposition.
 */
import { request } from 'node:http';
import promClient from 'prom-client';
import { AsyncMetricsRecorder, CounterMetric, HistogramMetric } from 'mvx-common';
import { createPrometheusBridge, startMetricsServer } from 'mvx-common/prometheus';

// --- the registry the app already has ----------------------------------------------------------
const registry = new promClient.Registry();

// --- login: not migrated yet, hand-written prom-client counters --------------------------------
const loginAttempts = new promClient.Counter({
  name: 'login_attempts_total',
  help: 'Login attempts',
  labelNames: ['result'] as const,
  registers: [registry],
});
function login(user: string, password: string): boolean {
  const ok = password === `${user}-secret`;
  loginAttempts.inc({ result: ok ? 'success' : 'failure' });
  return ok;
}

// --- checkout: migrated, it emits facts ---------------------------------------------------------
type CheckoutEvent = { type: 'checkout.completed'; paymentMethod: 'card' | 'invoice'; durationMs: number } | { type: 'checkout.failed'; reason: string };

const recorder = new AsyncMetricsRecorder<CheckoutEvent>();
// Same name and labels as the hand-written counter it replaces (`checkout_orders_total`), so
// dashboards and alerts keep working after the switch.
recorder.registerMetric(
  new CounterMetric<CheckoutEvent>({
    name: 'checkout.orders',
    description: 'Completed checkouts',
    eventTypes: 'checkout.completed',
    // OpenTelemetry-style attribute names become Prometheus label names: payment_method.
    attributes: (e): Record<string, string> => (e.type === 'checkout.completed' ? { 'payment.method': e.paymentMethod } : {}),
  }),
);
recorder.registerMetric(new CounterMetric<CheckoutEvent>({ name: 'checkout.failures', description: 'Failed checkouts', eventTypes: 'checkout.failed', attributes: ['reason'] }));
recorder.registerMetric(
  new HistogramMetric<CheckoutEvent>({
    name: 'checkout.duration',
    description: 'Checkout duration',
    unit: 'ms', // exported in seconds: checkout_duration_seconds
    eventTypes: 'checkout.completed',
    buckets: [50, 100, 250, 500, 1000],
    value: (e) => (e.type === 'checkout.completed' ? e.durationMs : 0),
  }),
);
function checkout(orderNo: number): void {
  if (orderNo % 10 === 0) {
    recorder.emit({ type: 'checkout.failed', reason: 'card_declined' });
    return;
  }
  recorder.emit({ type: 'checkout.completed', paymentMethod: orderNo % 3 === 0 ? 'invoice' : 'card', durationMs: 40 + ((orderNo * 37) % 600) });
}

// --- one endpoint for both ----------------------------------------------------------------------
createPrometheusBridge(recorder, { registry });
const server = await startMetricsServer({ registry, port: 0 });

// Some traffic.
for (let i = 0; i < 5; i++) login('ada', i === 2 ? 'wrong' : 'ada-secret');
for (let i = 1; i <= 30; i++) checkout(i);

// Scrape once, as Prometheus would (text format), and print it.
const body = await new Promise<string>((resolve, reject) => {
  request(server.url, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => resolve(text));
  })
    .on('error', reject)
    .end();
});
console.log(`scraped ${server.url}:\n`);
console.log(body);

await server.shutdown();
