/**
 * Context rows (no issue target): what a span per `logInvocation` call costs.
 *
 * - mvx: a sync function wrapped by `logInvocation` (invoke/success at DEBUG, context minimum INFO,
 *   so no log event is built) with `registerOtelTracing` on: one span per call with the trace log
 *   correlation provider registered.
 * - peer: `tracer.startActiveSpan(name, { kind: INTERNAL, attributes }, (span) => { fn();
 *   span.setAttribute('mvx.outcome', 'success'); span.end(); })`, the hand-written equivalent
 *   with the same attributes.
 * - baseline: the same wrapped function with no observer registered.
 * Both span paths go to the same `BatchSpanProcessor` → no-op exporter; sustained mode with the
 * spans not yet exported as backlog (kept under the 2048 queue, checked at the end).
 */
import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { registerOtelTracing } from '../../src/adapters/otel-trace/index.ts';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import { logInvocation } from '../../src/core/logger/invocation/log-invocation.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { NullSink } from '../../src/core/logger/sinks/null-sink.ts';
import { emitRow, sustainedNs } from '../harness.ts';

let exported = 0;
const provider = new TracerProvider({
  spanProcessors: [
    new BatchSpanProcessor({
      exporter: {
        export(spans: ReadableSpan[], cb) {
          exported += spans.length;
          cb({ code: ExportResultCode.SUCCESS });
        },
        shutdown: () => Promise.resolve(),
        forceFlush: () => Promise.resolve(),
      },
    }),
  ],
});
const tracer = provider.getTracer('bench');
const root = new LogContext({ namespace: 'bench', sink: new NullSink(), payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
const work = (n: number): number => n + 1;
const traced = logInvocation({ event: 'work', context: root })(work);

let started = 0;
const backlog = (): number => started - exported;
const options = { backlog, maxBacklog: 1024 };

const baseline = await sustainedNs((i) => traced(i));
const stop = registerOtelTracing({ tracerProvider: provider });
const mvx = await sustainedNs((i) => {
  started++;
  traced(i);
}, options);
const peer = await sustainedNs((i) => {
  started++;
  tracer.startActiveSpan('bench.work', { kind: SpanKind.INTERNAL, attributes: { 'mvx.namespace': 'bench' } }, (span) => {
    work(i);
    span.setAttribute('mvx.outcome', 'success');
    span.end();
  });
}, options);
stop();
await provider.forceFlush();
if (exported !== started) throw new Error(`spans: started ${started}, exported ${exported} (dropped?)`);
process.stderr.write(`otel-trace: ${exported} spans exported, none dropped; logInvocation + span = ${(mvx / peer).toFixed(2)}x startActiveSpan\n`);

emitRow({ scenario: 'otel-trace', case: 'logInvocation call (events disabled) + span via registerOtelTracing', subject: 'mvx-common', mode: 'sustained', value: mvx });
emitRow({ scenario: 'otel-trace', case: 'tracer.startActiveSpan(name, { kind: INTERNAL, same attributes }, fn) by hand', subject: '@opentelemetry/sdk-trace', mode: 'sustained', value: peer });
emitRow({ scenario: 'otel-trace', case: 'logInvocation call (events disabled), no observer', subject: 'mvx-common', mode: 'sustained', value: baseline });
await provider.shutdown();
