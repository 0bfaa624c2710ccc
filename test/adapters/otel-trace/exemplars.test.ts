/**
 * Exemplars through the trace adapter (issue 20): a metric event emitted inside a `logInvocation`
 * call, with `registerOtelTracing` registered, leaves an exemplar pointing at the call's span.
 */
import { AlwaysOffSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { registerOtelTracing } from '../../../src/adapters/otel-trace/index.ts';
import { LogContext } from '../../../src/core/logger/context/log-context.ts';
import { logInvocation } from '../../../src/core/logger/invocation/log-invocation.ts';
import { NullSink } from '../../../src/core/logger/sinks/null-sink.ts';
import { LogPayloadProcessor } from '../../../src/core/logger/payload/log-payload-processor.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';
import { HistogramMetric } from '../../../src/core/metrics/instruments/histogram-metric.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import type { HistogramDimension, NumberDimension } from '../../../src/core/metrics/types.ts';
import { useOtelAsyncContext } from '../otel-support.ts';

useOtelAsyncContext();

interface Served {
  readonly type: 'served';
  readonly route: string;
  readonly seconds: number;
  readonly user: string;
}

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function world(tracerProvider: TracerProvider) {
  const tracing = registerOtelTracing({ tracerProvider });
  stops.push(() => tracing.shutdown(), () => tracerProvider.shutdown());
  const recorder = new AsyncMetricsRecorder<Served>();
  recorder.registerMetric(new HistogramMetric<Served>({ name: 'served.duration', unit: 's', eventTypes: 'served', attributes: ['route'], value: (e) => e.seconds }));
  recorder.registerMetric(new CounterMetric<Served>({ name: 'served.count', eventTypes: 'served', attributes: ['route'], exemplarAttributes: ['user'] }));
  const context = new LogContext({ namespace: 'svc', sink: new NullSink(), payloadProcessor: new LogPayloadProcessor() });
  const handle = logInvocation({ event: 'handle', context })(async (route: string, seconds: number) => {
    await new Promise((r) => setImmediate(r)); // the span stays active across awaits
    recorder.emit({ type: 'served', route, seconds, user: `u-${route}` });
  });
  return { recorder, handle };
}

describe('exemplars from logInvocation spans', () => {
  it('point at the span of the call that emitted the event', async () => {
    const spans = new InMemorySpanExporter();
    const { recorder, handle } = world(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
    await Promise.all([handle('/a', 0.003), handle('/a', 0.3), handle('/b', 2)]);
    await recorder.flush();
    expect(spans.getFinishedSpans()).toHaveLength(3);
    const hist = recorder.snapshots().find((s) => s.name === 'served.duration')!.dimensions[0] as HistogramDimension;
    const exemplars = hist.series.flatMap((s) => s.exemplars ?? []);
    expect(exemplars.map((e) => e.value).sort()).toEqual([0.003, 0.3, 2]);
    const ids = new Set(spans.getFinishedSpans().map((s) => `${s.spanContext().traceId}/${s.spanContext().spanId}`));
    for (const e of exemplars) expect(ids.has(`${e.traceId}/${e.spanId}`)).toBe(true);
    expect(new Set(exemplars.map((e) => e.spanId)).size).toBe(3);
    const counter = recorder.snapshots().find((s) => s.name === 'served.count')!.dimensions[0] as NumberDimension;
    expect(counter.series.map((s) => s.exemplars?.[0]?.attributes)).toEqual([{ user: 'u-/a' }, { user: 'u-/b' }]);
  });

  it('are not kept for traces the sampler dropped (trace_based filter)', async () => {
    const { recorder, handle } = world(new TracerProvider({ sampler: new AlwaysOffSampler() }));
    await handle('/a', 0.3);
    await recorder.flush();
    const hist = recorder.snapshots().find((s) => s.name === 'served.duration')!.dimensions[0] as HistogramDimension;
    expect(hist.series[0]!.count).toBe(1);
    expect(hist.series[0]).not.toHaveProperty('exemplars');
  });
});
