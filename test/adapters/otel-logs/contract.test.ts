/**
 * OtelLogSink runs the log-sink contract against a real SDK LoggerProvider with an in-memory
 * exporter (records read back and mapped to the event's fields), and against a provider whose
 * flush and shutdown never finish.
 */
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { OtelLogSink, type OtelLoggerProviderLike } from '../../../src/adapters/otel-logs/index.ts';
import { parseLogLevel, type JsonObject, type LogOutcome } from '../../../src/index.ts';
import { CONTRACT_CORRELATION_KEYS, runLogSinkContract, type DeliveredRecord } from '../contract/log-sink.ts';

/** The level from the record's severity text: the level's own name (`INFO`, `INFO+5`, `DEBUG-5`). */
function levelOf(text: string): number {
  const m = /^([A-Z]+)([+-]\d+)?$/.exec(text);
  const base = m === null ? undefined : parseLogLevel(m[1]);
  if (base === undefined) throw new Error(`unexpected severity text ${text}`);
  return base + Number(m![2] ?? 0);
}

const OWN = /^(mvx|code|exception)\./;

function toDelivered(r: ReadableLogRecord): DeliveredRecord {
  const attributes = { ...(r.attributes as Record<string, unknown>) };
  const namespace = (attributes['mvx.namespace'] as string | undefined) ?? '';
  const outcome = attributes['mvx.outcome'] as LogOutcome | undefined;
  const correlation: Record<string, string> = {};
  const span = r.spanContext;
  if (span !== undefined) {
    correlation['trace_id'] = span.traceId;
    correlation['span_id'] = span.spanId;
    correlation['trace_flags'] = span.traceFlags.toString(16).padStart(2, '0');
  }
  const payload: JsonObject = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (OWN.test(k)) continue;
    if (CONTRACT_CORRELATION_KEYS.includes(k)) correlation[k] = v as string;
    else payload[k] = v as JsonObject[string];
  }
  const eventName = r.eventName ?? '';
  return {
    level: levelOf(r.severityText ?? ''),
    namespace,
    name: namespace === '' ? eventName : eventName.slice(namespace.length + 1),
    ...(outcome === undefined ? {} : { outcome }),
    payload,
    ...(Object.keys(correlation).length === 0 ? {} : { correlation }),
  };
}

runLogSinkContract({
  name: 'OtelLogSink (SDK LoggerProvider, in-memory exporter)',
  async create() {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    // Read before shutdown: the in-memory exporter forgets its records when shut down.
    const records: ReadableLogRecord[] = [];
    const sink = new OtelLogSink({ loggerProvider: provider, shutdownProvider: false });
    return {
      sink,
      async delivered() {
        records.push(...exporter.getFinishedLogRecords().slice(records.length));
        return records.map(toDelivered);
      },
      dispose: () => provider.shutdown(),
    };
  },
  async createHanging() {
    const hanging: OtelLoggerProviderLike = {
      getLogger: () => ({ emit() {} }),
      forceFlush: () => new Promise(() => {}),
      shutdown: () => new Promise(() => {}),
    };
    return { sink: new OtelLogSink({ loggerProvider: hanging }), delivered: () => Promise.resolve([]), dispose: () => Promise.resolve() };
  },
});
