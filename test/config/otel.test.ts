import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemoryMetricExporter, AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { configure } from '../../src/config/index.ts';
import type { MvxSystem } from '../../src/config/index.ts';
import { getLogContext, resetLogger } from '../../src/index.ts';

let system: MvxSystem | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await system?.shutdown({ timeoutMs: 2000 });
  system = undefined;
  for (const c of cleanups.splice(0)) await c();
  await resetLogger({ timeoutMs: 1000 });
});

describe('OpenTelemetry parts of a document', () => {
  it('an otel-logs sink sends the contexts it serves to the given LoggerProvider', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    cleanups.push(() => loggerProvider.shutdown());
    system = await configure(
      { version: 1, sinks: { otel: { type: 'otel-logs', loggerName: 'orders', body: 'summary' }, quiet: { type: 'null' } }, contexts: { '': { sink: 'quiet' }, orders: { sink: 'otel' } } },
      { loggerProvider },
    );
    getLogContext('orders').warning('payment.declined', { orderId: 7 });
    getLogContext('other').warning('not.exported');
    await system.flush();
    const records = exporter.getFinishedLogRecords();
    expect(records.map((r) => [r.instrumentationScope.name, r.eventName ?? r.body, r.severityText])).toEqual([['orders', 'orders.payment.declined', 'WARNING']]);
    expect(records[0]!.attributes['orderId']).toBe(7);
  });

  it('adapters.otelMetrics exports the recorders through a Meter of the given MeterProvider, with service.name as the runtime namespace', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    cleanups.push(() => meterProvider.shutdown());
    system = await configure(
      {
        version: 1,
        metrics: { recorders: { jobs: { metrics: [{ type: 'counter', name: 'jobs.done', eventTypes: ['job.done'], attributes: ['queue'] }] } } },
        adapters: { otelMetrics: {} },
      },
      { meterProvider, env: { OTEL_SERVICE_NAME: 'worker' } },
    );
    expect(system.runtime!.namespace).toBe('worker');
    const jobs = system.recorder<{ type: string; queue: string }>('jobs')!;
    for (let i = 0; i < 3; i++) jobs.emit({ type: 'job.done', queue: 'fast' });
    await jobs.flush();
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const done = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'jobs.done');
    expect(done?.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ queue: 'fast' }, 3]]);
    expect(Object.keys(system.stats().adapters)).toEqual(['otelMetrics.jobs']);
  });
});
