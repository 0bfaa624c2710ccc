/**
 * Run by `npm run test:otel-compat` only: proves the run really resolves the previous OTel line
 * (a mis-set alias would silently test the current one twice). Each SDK stamps what it exports
 * with `telemetry.sdk.version` (its @opentelemetry/core version), and api 1.9 has no logs API.
 */
import * as api from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { OTEL_LINE } from '../../adapters/otel-support.ts';
import compat from './package.json' with { type: 'json' };

const core = compat.dependencies['@opentelemetry/core'];

describe('the previous OpenTelemetry JS line', () => {
  it('api 1.9 (no logs API) is what the sources and tests import', () => {
    expect((api as { logs?: unknown }).logs).toBeUndefined();
    expect(OTEL_LINE).toBe('previous');
  });

  it('the logs, metrics and trace SDKs are the pinned 2.x line', async () => {
    const logs = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
    loggerProvider.getLogger('t').emit({ body: 'x' });
    expect(logs.getFinishedLogRecords()[0]!.resource.attributes['telemetry.sdk.version']).toBe(core);

    const spans = new InMemorySpanExporter();
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }).getTracer('t').startSpan('s').end();
    expect(spans.getFinishedSpans()[0]!.resource.attributes['telemetry.sdk.version']).toBe(core);

    const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    meterProvider.getMeter('t').createCounter('c').add(1);
    await reader.forceFlush();
    expect(metrics.getMetrics()[0]!.resource.attributes['telemetry.sdk.version']).toBe(core);
    await Promise.all([loggerProvider.shutdown(), meterProvider.shutdown()]);
  });
});
