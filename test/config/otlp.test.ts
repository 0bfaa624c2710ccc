/**
 * `adapters.otlp` against a real OTLP/HTTP receiver on 127.0.0.1: logs and metrics (histograms
 * included) with the system's resource, and the exporters honouring OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configure } from '../../src/config/index.ts';
import type { MvxConfigDocument, MvxSystem } from '../../src/config/index.ts';
import { getLogContext, resetLogger } from '../../src/index.ts';
import { startOtlpReceiver } from '../e2e/otlp-receiver.ts';
import type { OtlpReceiver } from '../e2e/otlp-receiver.ts';

let system: MvxSystem | undefined;
let receiver: OtlpReceiver | undefined;
const savedEnv = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
afterEach(async () => {
  await system?.shutdown({ timeoutMs: 3000 });
  system = undefined;
  await receiver?.close();
  receiver = undefined;
  if (savedEnv === undefined) delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  else process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = savedEnv;
  await resetLogger({ timeoutMs: 1000 });
});

function doc(endpoint: string): MvxConfigDocument {
  return {
    version: 1,
    service: { name: 'orders', resourceAttributes: { 'deployment.environment.name': 'test' } },
    sinks: { otel: { type: 'otel-logs' }, quiet: { type: 'null' } },
    contexts: { '': { sink: 'quiet' }, orders: { sink: 'otel' } },
    metrics: {
      recorders: {
        http: {
          metrics: [
            { type: 'counter', name: 'http.requests', eventTypes: ['http.request'], attributes: ['route'] },
            { type: 'histogram', name: 'http.duration', unit: 's', eventTypes: ['http.request'], valueField: 'seconds' },
          ],
        },
      },
    },
    adapters: { otlp: { endpoint, intervalMs: 3_600_000 } },
  };
}

const text = (bodies: unknown[]): string => JSON.stringify(bodies);

async function exercise(sys: MvxSystem, r: OtlpReceiver): Promise<void> {
  getLogContext('orders').info('order.placed', { orderId: 7 });
  const http = sys.recorder<{ type: string; route: string; seconds: number }>('http')!;
  http.emit({ type: 'http.request', route: '/orders', seconds: 0.2 });
  http.emit({ type: 'http.request', route: '/orders', seconds: 0.4 });
  const report = await sys.flush({ timeoutMs: 3000 });
  expect(report.failures).toEqual({});
  await r.waitFor(() => r.bodies.logs.length > 0 && r.bodies.metrics.length > 0, 5000);
  const logs = text(r.bodies.logs);
  expect(logs).toContain('orders.order.placed');
  expect(logs).toContain('"stringValue":"orders"'); // service.name in the resource
  const metrics = text(r.bodies.metrics);
  expect(metrics).toContain('"name":"http.requests"');
  expect(metrics).toContain('"name":"http.duration"');
  expect(metrics).toContain('deployment.environment.name');
}

describe('adapters.otlp', () => {
  it('exports logs through otel-logs sinks and the recorders (histograms too) to the endpoint, with the resource', async () => {
    delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    receiver = await startOtlpReceiver();
    system = await configure(doc(receiver.url));
    expect(Object.keys(system.stats().adapters).sort()).toEqual(['otlp.logs', 'otlp.metrics']);
    await exercise(system, receiver);
  });

  it('the exporters honour OTEL_EXPORTER_OTLP_ENDPOINT over the document', async () => {
    receiver = await startOtlpReceiver();
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = receiver.url;
    // The document's endpoint is a port nobody listens on: only the variable can make this pass.
    system = await configure(doc('http://127.0.0.1:1'));
    await exercise(system, receiver);
  });

  it('shutdown exports what is pending: logs after their sink closes', async () => {
    delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    receiver = await startOtlpReceiver();
    const sys = await configure(doc(receiver.url));
    getLogContext('orders').info('last.words');
    const report = await sys.shutdown({ timeoutMs: 3000 });
    expect(report.failures).toEqual({});
    await receiver.waitFor(() => text(receiver!.bodies.logs).includes('last.words'), 5000);
  });
});
