/**
 * Issue 10, shutdown: 100,000 events through one LogContext into a file sink, an OTLP log sink
 * (BatchLogRecordProcessor → OTLP/HTTP exporter → a receiver on 127.0.0.1) and a memory sink,
 * then shutdown(): every event arrives at every destination exactly once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingLogRecordExporter, OtelLogSink } from '../../src/adapters/otel-logs/index.ts';
import { FileSink, LogContext, LogPayloadProcessor, MemorySink, MultiSink, configureDiagnostics } from '../../src/index.ts';
import { logRecords } from './otlp-json.ts';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

const N = 100_000;
let receiver: OtlpReceiver;
const dir = mkdtempSync(join(tmpdir(), 'mvx-no-loss-'));

beforeAll(async () => {
  configureDiagnostics({ stderr: 'off' });
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
  configureDiagnostics({ stderr: 'throttled' });
});

describe('shutdown without loss', () => {
  it(`${N.toLocaleString('en')} events across file, OTLP and memory sinks, then shutdown(): nothing lost or duplicated`, async () => {
    const path = join(dir, 'app.log');
    const file = new FileSink({ path, maxQueueSize: N });
    const memory = new MemorySink();
    const exporter = new CountingLogRecordExporter(new OTLPLogExporter({ url: `${receiver.url}/v1/logs` }));
    // The SDK's queue is bounded and has no backpressure: size it for the burst (see docs/otel.md).
    const loggerProvider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: N, maxExportBatchSize: 2000, scheduledDelayMillis: 50 })],
    });
    const otel = new OtelLogSink({ loggerProvider, shutdownProvider: true, timeoutMs: 120_000 });
    const multi = new MultiSink([file, otel, memory]);
    const ctx = new LogContext({ namespace: 'app', sink: multi, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });

    for (let i = 0; i < N; i++) ctx.info('tick', { seq: i });
    await multi.shutdown({ timeoutMs: 120_000 });

    // File: every line, once, in order.
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(N);
    lines.forEach((l, i) => {
      if ((JSON.parse(l) as { payload: { seq: number } }).payload.seq !== i) throw new Error(`file line ${i}: ${l}`);
    });
    expect(file.stats()).toMatchObject({ accepted: N, delivered: N, dropped: 0, failed: 0, pending: 0 });

    // Memory: every event.
    expect(memory.events).toHaveLength(N);

    // OTLP: every record exported and received once.
    expect(otel.stats().emitted).toBe(N);
    expect(exporter.stats()).toMatchObject({ exported: N, failed: 0 });
    const seqs = new Set<number>();
    for (const r of logRecords(receiver.bodies.logs)) {
      const seq = r.attributes?.find((a) => a.key === 'seq')?.value;
      const n = Number((seq as { intValue?: string | number; doubleValue?: number })?.intValue ?? (seq as { doubleValue?: number })?.doubleValue);
      if (seqs.has(n)) throw new Error(`record ${n} received twice`);
      seqs.add(n);
    }
    expect(seqs.size).toBe(N);
    expect(Math.min(...seqs)).toBe(0);
    expect(Math.max(...seqs)).toBe(N - 1);
  });
});
