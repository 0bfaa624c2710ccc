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
 * - informational: `ctx.info('event', payload)` on a LogContext whose sink is the OtelLogSink (payload
 *   normalisation and event building included).
 * The backlog (records emitted, not yet exported) is kept under 1024, below the 2048 queue, so no
 * record is dropped (checked at the end).
 */
import { ExportResultCode } from '@opentelemetry/core';
import { BatchLogRecordProcessor, LoggerProvider, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { CountingLogRecordExporter, OtelLogSink } from '../../src/adapters/otel-logs/index.ts';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import type { LogEvent } from '../../src/core/logger/event.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { emitComparison, emitRow, sustainedNs } from '../harness.ts';

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
await probeProvider.forceFlush();
const [viaSink, viaEmit] = seen;
for (const key of ['eventName', 'severityNumber', 'severityText', 'body'] as const) {
  if (viaSink![key] !== viaEmit![key]) throw new Error(`records differ in ${key}: ${String(viaSink![key])} vs ${String(viaEmit![key])}`);
}
if (JSON.stringify(viaSink!.attributes) !== JSON.stringify(viaEmit!.attributes)) {
  throw new Error(`records differ in attributes: ${JSON.stringify(viaSink!.attributes)} vs ${JSON.stringify(viaEmit!.attributes)}`);
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

const peer1 = await sustainedNs(emitDirect, options);
const mvxSink = await sustainedNs(() => sink.log(event), options);
const mvxContext = await sustainedNs(() => ctx.info('event', { a: 1, b: 'x', nested: { c: [1, 2, 3] } }), options);
const peer2 = await sustainedNs(emitDirect, options);
const mvxSink2 = await sustainedNs(() => sink.log(event), options);
const peer = Math.min(peer1, peer2);

await provider.forceFlush();
const s = exporter.stats();
const emitted = sink.stats().emitted + direct;
if (s.exported !== emitted || s.failed !== 0) throw new Error(`accounting: emitted ${emitted}, exported ${s.exported}, failed ${s.failed} (records dropped?)`);
process.stderr.write(`otel-logs: ${emitted} records exported, none dropped\n`);

const peerRow = {
  scenario: 'otel-logs',
  case: 'logger.emit({...}) same record → BatchLogRecordProcessor → no-op exporter',
  subject: '@opentelemetry/sdk-logs',
  mode: 'sustained' as const,
  value: peer,
};
emitComparison({
  scenario: 'otel-logs',
  case: 'LogEvent through OtelLogSink',
  mvx: { scenario: 'otel-logs', case: 'sink.log(prebuilt LogEvent) → same pipeline', subject: 'mvx-common', mode: 'sustained', value: Math.min(mvxSink, mvxSink2) },
  peer: peerRow,
  maxRatio: 1.2,
  target: 'at most 1.2x a direct logger.emit() of the same record (issue 6)',
});
emitRow({
  scenario: 'otel-logs',
  case: "ctx.info('event', payload) → LogContext → OtelLogSink → same pipeline",
  subject: 'mvx-common',
  mode: 'sustained',
  value: mvxContext,
});
process.stderr.write(`otel-logs: ctx.info through OtelLogSink = ${(mvxContext / peer).toFixed(2)}x the direct emit\n`);
await provider.shutdown();
