/**
 * OtelLogSink vs a direct `logger.emit()` of the same record, both into the same SDK pipeline
 * (LoggerProvider → BatchLogRecordProcessor → a no-op exporter), sustained mode. Issue 6 target:
 * a LogEvent through `OtelLogSink` costs at most 1.2× the direct emit.
 *
 * Cases:
 * - `sink.log(event)`: a pre-built LogEvent (payload `{a:1, b:'x', nested:{c:[1,2,3]}}`, namespace,
 *   name) mapped and emitted: severity, HrTime timestamp, attributes (payload + `mvx.namespace`),
 *   body, eventName, active context, `enabled()` check.
 * - peer: `logger.emit({...})` with the same eventName, severity, body and attributes written as an
 *   object literal at the call site (timestamp left to the SDK), as an appender would.
 * - `ctx.info('event', payload)` on a LogContext whose sink is the OtelLogSink (payload
 *   normalisation and event building included) against the same direct emit: issue 16 target 1.1x.
 *   The sanity check below asserts that this path and the direct emit give the same record
 *   (eventName, severity, body, attributes): the same OTel line on both sides.
 * Wall time and CPU time per call (see `Timing`).
 * The backlog (records emitted, not yet exported) is kept under 1024, below the 2048 queue, so no
 * record is dropped (checked at the end).
 */
import { ExportResultCode } from '@opentelemetry/core';
import { BatchLogRecordProcessor, LoggerProvider, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { CountingLogRecordExporter, OtelLogSink } from '../../src/adapters/otel-logs/index.ts';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import type { LogEvent } from '../../src/core/logger/event.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { emitComparison, sustainedTiming } from '../harness.ts';
import type { Timing } from '../harness.ts';

const exporter = new CountingLogRecordExporter<ReadableLogRecord>({
  export(_records, cb) {
    cb({ code: ExportResultCode.SUCCESS });
  },
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
});
const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter })] });
const sink = new OtelLogSink({ loggerProvider: provider });
const logger = provider.getLogger('mvx-common');
let direct = 0;
const backlog = (): number => sink.stats().emitted + direct - exporter.stats().exported - exporter.stats().failed;
const options = { backlog, maxBacklog: 1024 };

const event: LogEvent = Object.freeze({
  level: 20,
  meta: Object.freeze({ namespace: 'bench', name: 'event' }),
  timestamp: performance.timeOrigin + performance.now(),
  payload: Object.freeze({ a: 1, b: 'x', nested: { c: [1, 2, 3] } }),
});

const ctx = new LogContext({ namespace: 'bench', sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });

// Sanity: both paths produce the same record content.
const seen: ReadableLogRecord[] = [];
const probeProvider = new LoggerProvider({
  processors: [new BatchLogRecordProcessor({ exporter: { export: (r: ReadableLogRecord[], cb) => (seen.push(...r), cb({ code: 0 })), shutdown: async () => {}, forceFlush: async () => {} } })],
});
new OtelLogSink({ loggerProvider: probeProvider, body: 'summary' }).log(event);
probeProvider.getLogger('mvx-common').emit({
  eventName: 'bench.event',
  severityNumber: 9,
  severityText: 'INFO',
  body: 'bench.event',
  attributes: { a: 1, b: 'x', nested: { c: [1, 2, 3] }, 'mvx.namespace': 'bench' },
});
new LogContext({ namespace: 'bench', sink: new OtelLogSink({ loggerProvider: probeProvider }), payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' }).info('event', {
  a: 1,
  b: 'x',
  nested: { c: [1, 2, 3] },
});
await probeProvider.forceFlush();
const [viaSink, viaEmit, viaContext] = seen;
for (const other of [viaSink, viaContext]) {
  for (const key of ['eventName', 'severityNumber', 'severityText', 'body'] as const) {
    if (other![key] !== viaEmit![key]) throw new Error(`records differ in ${key}: ${String(other![key])} vs ${String(viaEmit![key])}`);
  }
  if (JSON.stringify(other!.attributes) !== JSON.stringify(viaEmit!.attributes)) {
    throw new Error(`records differ in attributes: ${JSON.stringify(other!.attributes)} vs ${JSON.stringify(viaEmit!.attributes)}`);
  }
}
await probeProvider.shutdown();

const emitDirect = (): void => {
  direct++;
  logger.emit({
    eventName: 'bench.event',
    severityNumber: 9,
    severityText: 'INFO',
    body: 'bench.event',
    attributes: { a: 1, b: 'x', nested: { c: [1, 2, 3] }, 'mvx.namespace': 'bench' },
  });
};

const best = (a: Timing, b: Timing): Timing => (a.ns <= b.ns ? a : b);
const info = (): void => ctx.info('event', { a: 1, b: 'x', nested: { c: [1, 2, 3] } });
const peer1 = await sustainedTiming(emitDirect, options);
const mvxSink1 = await sustainedTiming(() => sink.log(event), options);
const mvxContext1 = await sustainedTiming(info, options);
const peer = best(peer1, await sustainedTiming(emitDirect, options));
const mvxSink = best(mvxSink1, await sustainedTiming(() => sink.log(event), options));
const mvxContext = best(mvxContext1, await sustainedTiming(info, options));

await provider.forceFlush();
const s = exporter.stats();
const emitted = sink.stats().emitted + direct;
if (s.exported !== emitted || s.failed !== 0) throw new Error(`accounting: emitted ${emitted}, exported ${s.exported}, failed ${s.failed} (records dropped?)`);
process.stderr.write(`otel-logs: ${emitted} records exported, none dropped\n`);

const row = (c: string, subject: string, t: Timing) => ({ scenario: 'otel-logs', case: c, subject, mode: 'sustained' as const, value: t.ns, cpuNs: t.cpuNs });
const peerRow = row('logger.emit({...}) same record → BatchLogRecordProcessor → no-op exporter', '@opentelemetry/sdk-logs', peer);
emitComparison({
  scenario: 'otel-logs',
  case: 'LogEvent through OtelLogSink',
  mvx: row('sink.log(prebuilt LogEvent) → same pipeline', 'mvx-common', mvxSink),
  peer: peerRow,
  maxRatio: 1.2,
  target: 'at most 1.2x a direct logger.emit() of the same record (issue 6)',
});
emitComparison({
  scenario: 'otel-logs',
  case: "the application's path: ctx.info(...) through OtelLogSink",
  mvx: row("ctx.info('event', payload) → LogContext → OtelLogSink → same pipeline (normalisation included)", 'mvx-common', mvxContext),
  peer: peerRow,
  maxRatio: 1.1,
  target: 'at most 1.1x a direct logger.emit() of the equivalent record built by hand (issue 16)',
});
await provider.shutdown();
