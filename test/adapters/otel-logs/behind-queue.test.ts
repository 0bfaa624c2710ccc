/**
 * OtelLogSink behind an asynchronous queue (an `AsyncLogSink` subclass forwarding its batches):
 * records are emitted later, outside the span the events were logged in, and still carry that
 * span's trace and span ids (rebuilt from `LogEvent.correlation`).
 */
import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { OtelLogSink } from '../../../src/adapters/otel-logs/index.ts';
import { registerOtelTracing } from '../../../src/adapters/otel-trace/index.ts';
import { AsyncLogSink, LogContext, logInvocation, LogPayloadProcessor } from '../../../src/index.ts';
import type { LogEvent } from '../../../src/index.ts';
import { inMemoryOtel, useOtelAsyncContext } from '../otel-support.ts';

class ForwardingSink extends AsyncLogSink {
  readonly target: OtelLogSink;
  deliveredOutsideSpan = 0;
  constructor(target: OtelLogSink) {
    // Deliver only when flushed (after both calls ended, from outside any span): a timer or an
    // immediate scheduled while a span is active would run inside that span's async context, and
    // which events that catches depends on scheduling, not on the code under test.
    super({ batchIntervalMs: 60_000 });
    this.target = target;
  }
  protected override deliver(batch: readonly LogEvent[]): Promise<void> {
    for (const event of batch) {
      if (trace.getSpan(context.active()) === undefined) this.deliveredOutsideSpan++;
      this.target.log(event);
    }
    return Promise.resolve();
  }
}

useOtelAsyncContext();

describe('OtelLogSink behind an AsyncLogSink queue', () => {
  it('keeps the trace correlation of events delivered after their span ended', async () => {
    const otel = inMemoryOtel();
    const { logs, loggerProvider, spans, tracerProvider } = otel;
    const stop = registerOtelTracing({ tracerProvider });
    const queue = new ForwardingSink(new OtelLogSink({ loggerProvider }));
    const root = new LogContext({ namespace: 'q', sink: queue, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
    try {
      const job = logInvocation({ event: 'job', context: root })(async (n: number) => {
        root.info('step', { n });
        await new Promise((r) => setImmediate(r));
        root.info('step', { n: n + 1 });
      });
      await job(1);
      await job(10);
      await queue.flush({ timeoutMs: 5_000 });

      const jobSpans = spans.getFinishedSpans().filter((s) => s.name === 'q.job');
      expect(jobSpans).toHaveLength(2);
      const records = logs.getFinishedLogRecords().filter((r) => r.eventName === 'q.step');
      expect(records).toHaveLength(4);
      expect(queue.deliveredOutsideSpan).toBe(4);
      for (const r of records) {
        const n = r.attributes['n'] as number;
        const span = jobSpans[n < 10 ? 0 : 1]!;
        expect(r.spanContext?.spanId).toBe(span.spanContext().spanId);
        expect(r.spanContext?.traceId).toBe(span.spanContext().traceId);
      }
    } finally {
      stop();
      await queue.shutdown({ timeoutMs: 5_000 });
      await otel.shutdown();
    }
  });
});
