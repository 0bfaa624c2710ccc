/**
 * OTLP endpoint faults (issue 10): down, answering 500, hanging, slow. For each: the caller's
 * `log()` never throws, the SDK queue stays bounded, every accepted record is accounted for
 * exactly (emitted = exported + failed + dropped at the full queue), and delivery resumes when
 * the endpoint is back. Metrics: a pull-based bridge loses nothing while the endpoint is away
 * (cumulative totals are delivered when it returns).
 */
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CountingLogRecordExporter, OtelLogSink } from '../../src/adapters/otel-logs/index.ts';
import { OtelMetricsBridge } from '../../src/adapters/otel-metrics/index.ts';
import { configureDiagnostics, CounterMetric, LogLevel, SyncMetricsRecorder } from '../../src/index.ts';
import type { LogEvent } from '../../src/index.ts';
import { logRecords, metricsOf, pointValue } from './otlp-json.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceiverMode } from './otlp-receiver.ts';

const MAX_QUEUE = 64;
const BATCH = 16;

beforeAll(() => {
  configureDiagnostics({ stderr: 'off' });
});

interface LogPipeline {
  sink: OtelLogSink;
  exporter: CountingLogRecordExporter;
  provider: LoggerProvider;
  /** Records the SDK's batch processor dropped at its full queue (its own self-observability counter). */
  queueDrops(): Promise<number>;
  /** The largest queue size seen by the SDK's queue-size instrument at each sample. */
  queueSize(): Promise<number>;
  close(): Promise<void>;
}

/**
 * `exporterTimeoutMs` is the OTLP request's time-out: short where the test wants time-outs (a hanging
 * endpoint), well above the delay where it wants none (a slow one). A request that times out is
 * retried, and the receiver may then get its records twice: at-least-once, not the exactly-once a
 * slow-but-answering endpoint is expected to show.
 */
function logPipeline(url: string, exporterTimeoutMs = 300): LogPipeline {
  const selfObsReader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const selfObs = new MeterProvider({ readers: [selfObsReader] });
  const exporter = new CountingLogRecordExporter(new OTLPLogExporter({ url: `${url}/v1/logs`, timeoutMillis: exporterTimeoutMs }));
  const provider = new LoggerProvider({
    processors: [
      new BatchLogRecordProcessor({
        exporter,
        maxQueueSize: MAX_QUEUE,
        maxExportBatchSize: BATCH,
        scheduledDelayMillis: 10,
        exportTimeoutMillis: Math.max(1_000, 2 * exporterTimeoutMs),
        selfObsMeterProvider: selfObs,
      }),
    ],
  });
  const sink = new OtelLogSink({ loggerProvider: provider, timeoutMs: 3_000 });
  const read = async (name: string, pick: (attrs: Record<string, unknown>) => boolean): Promise<number> => {
    const { resourceMetrics } = await selfObsReader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name) as SumMetricData | undefined;
    return (metric?.dataPoints ?? []).filter((p) => pick(p.attributes)).reduce((n, p) => n + p.value, 0);
  };
  return {
    sink,
    exporter,
    provider,
    queueDrops: () => read('otel.sdk.processor.log.processed', (a) => a['error.type'] === 'queue_full'),
    queueSize: () => read('otel.sdk.processor.log.queue.size', () => true),
    close: async () => {
      await sink.shutdown({ timeoutMs: 3_000 });
      await selfObs.shutdown();
    },
  };
}

let seq = 0;
function event(): LogEvent {
  return { level: LogLevel.INFO, meta: { namespace: 'faults', name: 'tick' }, timestamp: Date.now(), payload: { seq: seq++ } };
}

/** Logs `n` events from the caller's side, yielding between bursts of `burst`, sampling the queue. */
async function produce(p: LogPipeline, n: number, burst: number): Promise<number> {
  let maxQueue = 0;
  for (let i = 0; i < n; i += burst) {
    for (let j = 0; j < burst && i + j < n; j++) expect(() => p.sink.log(event())).not.toThrow();
    maxQueue = Math.max(maxQueue, await p.queueSize());
    await new Promise((r) => setImmediate(r));
  }
  return maxQueue;
}

/** After a flush: nothing in flight, and every emitted record exported, failed or dropped. */
async function expectExactAccounting(p: LogPipeline, receiver: OtlpReceiver | undefined): Promise<{ exported: number; failed: number; dropped: number }> {
  await p.sink.flush({ timeoutMs: 5_000 });
  await waitFor(() => p.exporter.stats().inFlight === 0);
  const { exported, failed } = p.exporter.stats();
  const dropped = await p.queueDrops();
  expect(exported + failed + dropped).toBe(p.sink.stats().emitted);
  if (receiver !== undefined) expect(logRecords(receiver.bodies.logs)).toHaveLength(exported);
  return { exported, failed, dropped };
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function withReceiver(mode: ReceiverMode, exporterTimeoutMs?: number): Promise<{ receiver: OtlpReceiver; p: LogPipeline }> {
  const receiver = await startOtlpReceiver();
  receiver.mode = mode;
  const p = logPipeline(receiver.url, exporterTimeoutMs);
  cleanups.push(() => receiver.close(), () => p.close());
  return { receiver, p };
}

describe('OTLP log export under endpoint faults', () => {
  it('endpoint down: log() never throws, the queue stays bounded, every record is counted, delivery resumes when it comes back', async () => {
    const probe = await startOtlpReceiver();
    const port = probe.port;
    await probe.close(); // nothing listens on this port now: connections are refused
    const p = logPipeline(`http://127.0.0.1:${port}`);
    cleanups.push(() => p.close());

    const maxQueue = await produce(p, 400, 100);
    expect(maxQueue).toBeLessThanOrEqual(MAX_QUEUE);
    const down = await expectExactAccounting(p, undefined);
    expect(down.exported).toBe(0);
    expect(down.failed).toBeGreaterThan(0);
    expect(down.dropped).toBeGreaterThan(0);
    expect(p.exporter.stats().lastError).toBeDefined();

    const back = await startOtlpReceiver(port);
    cleanups.push(() => back.close());
    await produce(p, 40, 10);
    const after = await expectExactAccounting(p, back);
    expect(after.exported).toBe(40);
    expect(after.failed).toBe(down.failed);
  });

  it('endpoint answering 500: failures counted per record, nothing retried forever, delivery resumes on 200', async () => {
    const { receiver, p } = await withReceiver({ kind: 'status', status: 500 });
    await produce(p, 50, 10);
    const failing = await expectExactAccounting(p, receiver);
    expect(failing.failed).toBe(50);
    expect(failing.exported).toBe(0);
    expect(receiver.requests.logs).toBeGreaterThan(0);

    receiver.mode = { kind: 'ok' };
    await produce(p, 30, 10);
    const ok = await expectExactAccounting(p, receiver);
    expect(ok.exported).toBe(30);
    expect(ok.failed).toBe(50);
    expect(logRecords(receiver.bodies.logs).map((r) => r.eventName)).toEqual(Array(30).fill('faults.tick'));
  });

  it('endpoint hanging: exports time out, the queue stays bounded and drops are counted; delivery resumes when it answers again', async () => {
    const { receiver, p } = await withReceiver({ kind: 'hang' });
    const maxQueue = await produce(p, 600, 100);
    expect(maxQueue).toBeGreaterThan(BATCH); // the queue did fill up behind the hanging export...
    expect(maxQueue).toBeLessThanOrEqual(MAX_QUEUE); // ...and never past its bound
    const hung = await expectExactAccounting(p, receiver);
    expect(hung.exported).toBe(0);
    expect(hung.dropped).toBeGreaterThan(0);
    expect(p.sink.stats()).toMatchObject({ emitted: 600, failed: 0 });

    receiver.mode = { kind: 'ok' };
    await produce(p, 20, 10);
    const ok = await expectExactAccounting(p, receiver);
    expect(ok.exported).toBe(20);
  });

  it('endpoint slow: every record not dropped at the full queue is delivered, and the counts add up', async () => {
    const { receiver, p } = await withReceiver({ kind: 'slow', delayMs: 100 }, 5_000); // slow, never timed out: on a loaded machine 300 ms is not enough
    const maxQueue = await produce(p, 300, 100);
    expect(maxQueue).toBeLessThanOrEqual(MAX_QUEUE);
    const slow = await expectExactAccounting(p, receiver);
    expect(slow.failed).toBe(0);
    expect(slow.exported).toBeGreaterThan(0);
    expect(slow.exported + slow.dropped).toBe(300);
  });
});

describe('OTLP metric export under endpoint faults', () => {
  it('loses nothing while the endpoint is down: the cumulative totals arrive when it is back', async () => {
    const probe = await startOtlpReceiver();
    const port = probe.port;
    await probe.close();
    const recorder = new SyncMetricsRecorder<{ type: 'job.done'; kind: string }>();
    recorder.registerMetric(new CounterMetric({ name: 'jobs.done', eventTypes: 'job.done', attributes: ['kind'] }));
    const bridge = new OtelMetricsBridge({ source: recorder });
    const provider = new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${port}/v1/metrics`, timeoutMillis: 300 }),
          exportIntervalMillis: 3_600_000,
          exportTimeoutMillis: 1_000,
          metricProducers: [bridge],
        }),
      ],
    });
    cleanups.push(() => provider.shutdown().catch(() => undefined));
    bridge.bindMeter(provider.getMeter('mvx-common'));

    for (let i = 0; i < 25; i++) expect(() => recorder.emit({ type: 'job.done', kind: i % 2 === 0 ? 'even' : 'odd' })).not.toThrow();
    await provider.forceFlush().catch(() => undefined); // the export fails: nothing listens

    const back = await startOtlpReceiver(port);
    cleanups.push(() => back.close());
    for (let i = 0; i < 5; i++) recorder.emit({ type: 'job.done', kind: 'even' });
    await provider.forceFlush();
    const jobs = metricsOf(back.bodies.metrics).filter((m) => m.name === 'jobs.done').at(-1)!;
    const totals = Object.fromEntries(jobs.sum!.dataPoints.map((pt) => [pt.attributes?.[0]?.value.stringValue, pointValue(pt)]));
    expect(totals).toEqual({ even: 18, odd: 12 });
  });
});
