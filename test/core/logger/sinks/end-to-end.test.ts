// Through the real pipeline: LogContext (payload processor, event build) → MultiSink → FileSink and
// MemorySink. 100,000 events, then shutdown(): nothing lost, nothing duplicated, in order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { FileSink } from '../../../../src/core/logger/sinks/file-sink.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { MultiSink } from '../../../../src/core/logger/sinks/multi-sink.ts';
import { checkInvariant } from './helpers.ts';
import { captureDiagnostics } from '../../../support/diagnostics.ts';

const dir = mkdtempSync(join(tmpdir(), 'mvx-e2e-sinks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LogContext → FileSink + MemorySink', () => {
  it('100,000 events then shutdown(): every event in the file and in memory, once, in order', async () => {
    const path = join(dir, 'app.log');
    const file = new FileSink({ path, maxQueueSize: 100_000 });
    const memory = new MemorySink();
    const multi = new MultiSink([file, memory]);
    const root = new LogContext({ sink: multi, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
    const ctx = root.child('app').child('worker');
    for (let i = 0; i < 100_000; i++) ctx.info('tick', { seq: i, user: { id: i % 7 } });
    checkInvariant(file.stats());
    await multi.shutdown({ timeoutMs: 60_000 });
    const s = file.stats();
    expect(s).toMatchObject({ state: 'stopped', accepted: 100_000, delivered: 100_000, dropped: 0, failed: 0, pending: 0 });
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(100_000);
    for (let i = 0; i < lines.length; i++) {
      const o = JSON.parse(lines[i]!) as { namespace: string; event: string; payload: { seq: number } };
      if (o.payload.seq !== i || o.namespace !== 'app.worker' || o.event !== 'tick') throw new Error(`line ${i}: ${lines[i]}`);
    }
    const kept = memory.find();
    expect(kept).toHaveLength(100_000);
    expect(kept.every((e, i) => e.payload.seq === i)).toBe(true);
  });

  it('a full disk behind a context: the application goes on, failures are counted and reported', async () => {
    const capture = captureDiagnostics();
    const file = new FileSink({ path: '/dev/full', maxRetries: 0, batchIntervalMs: 0 });
    const root = new LogContext({ sink: file, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
    for (let i = 0; i < 500; i++) expect(() => root.info('tick', { seq: i })).not.toThrow();
    const r = await file.shutdown();
    capture.stop();
    expect(r.accepted).toBe(500);
    expect(r.failed + r.dropped).toBe(500);
    expect(r.failed).toBeGreaterThan(0);
    expect(capture.keys()).toContain('FileSink:sink.batch_failed');
    // The sink never threw into the context: its failures live in the sink's own accounting.
    expect(root.stats().sinkFailures).toBe(0);
  });
});
