import * as otelApi from '@opentelemetry/api';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { logs as apiLogs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  createLoggerConfigurator,
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CountingLogRecordExporter,
  OtelLogAttribute,
  OtelLogSink,
  severityNumberOf,
  severityTextOf,
  type OtelLoggerProviderLike,
} from '../../../src/adapters/otel-logs/index.ts';
import { diagnosticCounts, isMvxError, LogLevel, MvxErrorCode } from '../../../src/index.ts';
import { OTEL_LINE, SeverityNumber } from '../otel-support.ts';
import { captureMvxStderr } from '../../support/stderr-guard.ts';
import type { JsonObject, LogEvent } from '../../../src/index.ts';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

// 1_763_700_000_123.4567 ms (written as a sum: the literal itself is not exact in a double).
const TIMESTAMP_MS = 1_763_700_000_123 + 0.4567;

function event(overrides: Partial<LogEvent> = {}): LogEvent {
  return {
    level: LogLevel.INFO,
    meta: { namespace: 'storage', name: 'save', entityId: 'doc-42', source: { filePath: 'src/storage.ts', line: 17, functionName: 'Storage.save' } },
    outcome: 'success',
    timestamp: TIMESTAMP_MS,
    payload: { bytes: 1024, doc: { id: 'a', tags: ['x', 'y'] } },
    ...overrides,
  };
}

interface Pipe {
  exporter: InMemoryLogRecordExporter;
  provider: LoggerProvider;
  sink: OtelLogSink;
  records(): ReadableLogRecord[];
}

const providers: LoggerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

function pipe(options: ConstructorParameters<typeof LoggerProvider>[0] = {}): Pipe {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })], ...options });
  providers.push(provider);
  const sink = new OtelLogSink({ loggerProvider: provider });
  return { exporter, provider, sink, records: () => exporter.getFinishedLogRecords() };
}

function hrToMs([s, ns]: readonly [number, number]): number {
  return s * 1000 + ns / 1e6;
}

describe('OtelLogSink through the real logs SDK', () => {
  it('maps event name, severity, precise timestamp, body, payload and metadata attributes', () => {
    const { sink, records } = pipe();
    sink.log(event());
    const [r] = records();
    expect(r!.eventName).toBe('storage.save');
    expect(r!.severityNumber).toBe(SeverityNumber.INFO);
    expect(r!.severityText).toBe('INFO');
    expect(r!.body).toBe('storage.save success');
    // Sub-millisecond precision kept (an epoch-ms double resolves ~0.25 µs).
    expect(r!.hrTime[0]).toBe(1_763_700_000);
    expect(Math.abs(r!.hrTime[1] - 123_456_700)).toBeLessThan(1000);
    expect(hrToMs(r!.hrTime)).toBeCloseTo(TIMESTAMP_MS, 3);
    expect(r!.instrumentationScope.name).toBe('mvx-common');
    expect(r!.attributes).toEqual({
      bytes: 1024,
      doc: { id: 'a', tags: ['x', 'y'] },
      'mvx.namespace': 'storage',
      'mvx.outcome': 'success',
      'mvx.entity_id': 'doc-42',
      'code.function.name': 'Storage.save',
      'code.file.path': 'src/storage.ts',
      'code.line.number': 17,
    });
    expect(sink.stats()).toEqual({
      accepted: 1,
      delivered: 1,
      dropped: 0,
      droppedByReason: { disabled: 0, shutdown: 0 },
      failed: 0,
      pending: 0,
      notExportedAtExit: 0,
      emitted: 1,
      disabled: 0,
      afterShutdown: 0,
    });
  });

  it('names each record by its own namespace and name when consecutive events differ in either (the name memo)', () => {
    const { provider, records } = pipe();
    const sink = new OtelLogSink({ loggerProvider: provider });
    const at = (namespace: string, name: string): LogEvent => ({ level: LogLevel.INFO, meta: { namespace, name }, timestamp: Date.now(), payload: {} });
    for (const [ns, n] of [['a', 'x'], ['a', 'x'], ['b', 'x'], ['b', 'y'], ['', 'y'], ['a', 'x']] as const) sink.log(at(ns, n));
    expect(records().map((r) => r.eventName)).toEqual(['a.x', 'a.x', 'b.x', 'b.y', 'y', 'a.x']);
  });

  it('omits absent metadata; the root namespace gives the bare event name; body can be left empty', () => {
    const { provider, records } = pipe();
    const sink = new OtelLogSink({ loggerProvider: provider, body: 'none', loggerName: 'app', loggerVersion: '2.0.0' });
    sink.log({ level: LogLevel.WARNING, meta: { namespace: '', name: 'started' }, timestamp: Date.now(), payload: {} });
    const [r] = records();
    expect(r!.eventName).toBe('started');
    expect(r!.body).toBeUndefined();
    expect(r!.attributes).toEqual({});
    expect(r!.severityNumber).toBe(SeverityNumber.WARN);
    expect(r!.severityText).toBe('WARNING');
    expect(r!.instrumentationScope).toMatchObject({ name: 'app', version: '2.0.0' });
  });

  it('maps every standard level to the first number of its OTel range, and custom levels into the range', () => {
    const { sink, records } = pipe();
    const levels = [1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 99];
    for (const level of levels) sink.log(event({ level }));
    expect(records().map((r) => [r.severityNumber, r.severityText])).toEqual([
      [SeverityNumber.TRACE, 'DEBUG-9'],
      [SeverityNumber.TRACE3, 'DEBUG-5'],
      [SeverityNumber.DEBUG, 'DEBUG'],
      [SeverityNumber.DEBUG3, 'DEBUG+5'],
      [SeverityNumber.INFO, 'INFO'],
      [SeverityNumber.INFO3, 'INFO+5'],
      [SeverityNumber.WARN, 'WARNING'],
      [SeverityNumber.WARN3, 'WARNING+5'],
      [SeverityNumber.ERROR, 'ERROR'],
      [SeverityNumber.ERROR3, 'ERROR+5'],
      [SeverityNumber.FATAL, 'CRITICAL'],
      [SeverityNumber.FATAL3, 'CRITICAL+5'],
      [SeverityNumber.FATAL4, 'CRITICAL+10'],
      [SeverityNumber.FATAL4, 'CRITICAL+49'],
    ]);
  });

  it('severity mapping stays inside the OTel ranges for every level from -5 to 100', () => {
    let previous = 0;
    for (let level = -5; level <= 100; level++) {
      const n = severityNumberOf(level);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(24);
      expect(n).toBeGreaterThanOrEqual(previous); // monotonic
      previous = n;
      if (level >= 10 && level < 60 && level % 10 === 0) expect((n - 1) % 4).toBe(0); // first of its range
    }
    expect(severityNumberOf(Number.NaN)).toBe(SeverityNumber.UNSPECIFIED);
    expect(severityTextOf(LogLevel.ERROR)).toBe('ERROR');
  });

  it("turns the payload's error object into exception.type/message/stacktrace and keeps its other fields under error", () => {
    const { sink, records } = pipe();
    const error = { type: 'MvxConfigError', code: 'MVX_CONFIG', message: "invalid option 'x'", stack: 'MvxConfigError: ...\n    at f (a.ts:1:2)', details: { option: 'x' } };
    sink.log(event({ level: LogLevel.ERROR, outcome: 'failed', payload: { attempt: 2, error } }));
    sink.log(event({ level: LogLevel.ERROR, outcome: 'failed', payload: { error: 'plain text failure' } }));
    sink.log(event({ level: LogLevel.ERROR, outcome: 'failed', payload: { error: { code: 'ECONNRESET', message: 'socket hang up' } } }));
    const [a, b, c] = records();
    expect(a!.attributes).toMatchObject({
      attempt: 2,
      [OtelLogAttribute.EXCEPTION_TYPE]: 'MvxConfigError',
      [OtelLogAttribute.EXCEPTION_MESSAGE]: "invalid option 'x'",
      [OtelLogAttribute.EXCEPTION_STACKTRACE]: error.stack,
      error: { code: 'MVX_CONFIG', details: { option: 'x' } },
    });
    expect(b!.attributes[OtelLogAttribute.EXCEPTION_MESSAGE]).toBe('plain text failure');
    expect(b!.attributes['error']).toBeUndefined();
    expect(c!.attributes).toMatchObject({ 'exception.type': 'ECONNRESET', 'exception.message': 'socket hang up', error: { code: 'ECONNRESET' } });
  });

  it('asks logger.enabled() first and does no mapping work for a disabled event', () => {
    const { sink, records } = pipe({
      loggerConfigurator: createLoggerConfigurator([{ pattern: '*', config: { minimumSeverity: SeverityNumber.WARN } }]),
    });
    let touched = 0;
    const payload = new Proxy({ a: 1 } as JsonObject, {
      ownKeys(target) {
        touched++;
        return Reflect.ownKeys(target);
      },
      get(target, key) {
        touched++;
        return Reflect.get(target, key);
      },
    });
    sink.log(event({ level: LogLevel.DEBUG, payload }));
    expect(touched).toBe(0);
    expect(records()).toHaveLength(0);
    sink.log(event({ level: LogLevel.ERROR, payload }));
    expect(touched).toBeGreaterThan(0);
    expect(records()).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ emitted: 1, disabled: 1 });
  });

  it('takes trace correlation from the active span', () => {
    const { sink, records } = pipe();
    const spans = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
    const tracer = tracerProvider.getTracer('test');
    tracer.startActiveSpan('outer', (span) => {
      sink.log(event());
      span.end();
    });
    sink.log(event());
    const [inside, outside] = records();
    const spanContext = spans.getFinishedSpans()[0]!.spanContext();
    expect(inside!.spanContext?.traceId).toBe(spanContext.traceId);
    expect(inside!.spanContext?.spanId).toBe(spanContext.spanId);
    expect(outside!.spanContext).toBeUndefined();
  });

  it('rebuilds the trace context from event.correlation when the event is delivered outside its span (behind a queue)', () => {
    const { sink, records } = pipe();
    const correlation = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', trace_flags: '01' };
    context.with(ROOT_CONTEXT, () => sink.log(event({ correlation })));
    sink.log(event({ correlation: { trace_id: 'not-hex', span_id: 'nope' } }));
    const [r, invalid] = records();
    expect(r!.spanContext).toMatchObject({ traceId: correlation.trace_id, spanId: correlation.span_id, traceFlags: 1 });
    expect(invalid!.spanContext).toBeUndefined();
    expect(r!.attributes['trace_id']).toBeUndefined();
  });

  it('keeps the ids of a custom correlation provider as attributes', () => {
    const { sink, records } = pipe();
    sink.log(event({ correlation: { request_id: 'req-7', tenant: 'acme' } }));
    const [r] = records();
    expect(r!.attributes).toMatchObject({ request_id: 'req-7', tenant: 'acme' });
    expect(r!.spanContext).toBeUndefined();
  });

  it.runIf(OTEL_LINE === 'current')('uses the global LoggerProvider by default, also one registered after the sink was made', async () => {
    const logs = (otelApi as unknown as { logs: typeof apiLogs }).logs; // @opentelemetry/api >= 1.10
    const sink = new OtelLogSink();
    sink.log(event()); // no provider yet: the API's no-op logger says disabled
    expect(sink.stats()).toMatchObject({ emitted: 0, disabled: 1 });
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    expect(logs.setGlobalLoggerProvider(provider)).toBe(true);
    try {
      sink.log(event());
      expect(exporter.getFinishedLogRecords().map((r) => r.eventName)).toEqual(['storage.save']);
      expect((await sink.flush()).timedOut).toBe(false);
      await sink.shutdown(); // the global provider is not the sink's: flushed, not shut down
      expect(logs.getLogger('other').enabled()).toBe(true);
    } finally {
      logs.disable();
      await provider.shutdown();
    }
  });

  it.runIf(OTEL_LINE === 'previous')('with @opentelemetry/api 1.9 (no logs API) a provider is required, and the error says which', () => {
    let thrown: unknown;
    try {
      new OtelLogSink();
    } catch (error) {
      thrown = error;
    }
    expect(isMvxError(thrown, MvxErrorCode.CONFIG)).toBe(true);
    expect((thrown as { option: string; message: string }).option).toBe('loggerProvider');
    expect((thrown as Error).message).toContain('@opentelemetry/api-logs');
  });

  it("follows @opentelemetry/api-logs' global provider, also one registered later, given logs.getLoggerProvider() (the previous line's way)", async () => {
    const sink = new OtelLogSink({ loggerProvider: apiLogs.getLoggerProvider(), shutdownProvider: false });
    sink.log(event()); // no provider yet: the proxy's no-op logger
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    apiLogs.setGlobalLoggerProvider(provider);
    try {
      sink.log(event());
      expect(exporter.getFinishedLogRecords().map((r) => r.eventName)).toEqual(['storage.save']);
      expect(sink.stats().emitted + sink.stats().disabled).toBe(2);
      await sink.shutdown();
      expect(provider.getLogger('other').enabled()).toBe(true); // flushed, not shut down
    } finally {
      apiLogs.disable();
      await provider.shutdown();
    }
  });

  it('never throws: a failing logger is counted and reported, the caller goes on', () => {
    const broken: OtelLoggerProviderLike = {
      getLogger: () => ({
        emit() {
          throw new Error('exporter exploded');
        },
      }),
    };
    const before = diagnosticCounts().get('OtelLogSink:emit.failed') ?? 0;
    const stderr = captureMvxStderr();
    const sink = new OtelLogSink({ loggerProvider: broken });
    expect(() => sink.log(event())).not.toThrow();
    expect(() => sink.log({ level: 20 } as unknown as LogEvent)).not.toThrow();
    expect(sink.stats().failed).toBe(2);
    expect((diagnosticCounts().get('OtelLogSink:emit.failed') ?? 0) - before).toBe(2);
    // Printed once at once; the second failure of the same code waits for the periodic summary.
    expect(stderr.lines).toEqual([
      '[mvx-common] OtelLogSink emit.failed: an event could not be emitted as an OpenTelemetry log record; it was dropped | Error: exporter exploded',
    ]);
  });

  it('bounds flush and shutdown against a provider that never answers; shutdown is idempotent and later events are counted', async () => {
    let shutdowns = 0;
    const hanging: OtelLoggerProviderLike = {
      getLogger: () => ({ emit() {} }),
      forceFlush: () => new Promise(() => {}),
      shutdown: () => {
        shutdowns++;
        return new Promise(() => {});
      },
    };
    const stderr = captureMvxStderr();
    const sink = new OtelLogSink({ loggerProvider: hanging, timeoutMs: 50 });
    expect((await sink.flush()).timedOut).toBe(true);
    const first = sink.shutdown();
    expect(sink.shutdown()).toBe(first);
    await first;
    expect(shutdowns).toBe(1);
    expect(stderr.lines).toEqual([
      '[mvx-common] OtelLogSink flush.timeout: the LoggerProvider flush did not finish within 50 ms',
      '[mvx-common] OtelLogSink shutdown.timeout: the LoggerProvider shutdown did not finish within 50 ms',
    ]);
    sink.log(event());
    expect(sink.stats()).toMatchObject({ emitted: 0, afterShutdown: 1 });
  });

  it('shuts down a provider it was given (records flushed first)', async () => {
    const { sink, provider, exporter } = pipe();
    sink.log(event());
    await sink.shutdown();
    expect(exporter.getFinishedLogRecords()).toHaveLength(0); // the in-memory exporter resets on shutdown
    expect(provider.getLogger('x').enabled()).toBe(false);
  });

  it('rejects invalid configuration at once, naming the option', () => {
    const valid = pipe().provider;
    const cases: [unknown, string][] = [
      [{ loggerProvider: {} }, 'loggerProvider'],
      [{ loggerProvider: { getLogger: () => ({}) } }, 'loggerProvider'],
      [{ loggerProvider: valid, loggerName: '' }, 'loggerName'],
      [{ loggerProvider: valid, loggerVersion: 3 }, 'loggerVersion'],
      [{ loggerProvider: valid, body: 'message' }, 'body'],
      [{ loggerProvider: valid, timeoutMs: 0 }, 'timeoutMs'],
      [{ loggerProvider: valid, flushOnExit: 'yes' }, 'flushOnExit'],
    ];
    for (const [options, option] of cases) {
      let thrown: unknown;
      try {
        new OtelLogSink(options as never);
      } catch (error) {
        thrown = error;
      }
      expect(isMvxError(thrown, MvxErrorCode.CONFIG), option).toBe(true);
      expect((thrown as { option: string }).option).toBe(option);
    }
  });
});

describe('CountingLogRecordExporter', () => {
  it('counts exported and failed records, also an exporter that throws or calls back twice', async () => {
    let mode: 'ok' | 'fail' | 'throw' | 'twice' = 'ok';
    const inner = {
      export(records: unknown[], cb: (r: { code: number; error?: Error }) => void) {
        if (mode === 'throw') throw new Error('sync throw');
        if (mode === 'fail') return void setImmediate(() => cb({ code: 1, error: new Error('HTTP 500') }));
        cb({ code: 0 });
        if (mode === 'twice') cb({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
    };
    const exporter = new CountingLogRecordExporter(inner);
    const results: number[] = [];
    exporter.export([1, 2, 3], (r) => results.push(r.code));
    mode = 'fail';
    exporter.export([4, 5], (r) => results.push(r.code));
    expect(exporter.stats()).toMatchObject({ exported: 3, inFlight: 2, batches: 2 });
    await new Promise((r) => setImmediate(r));
    mode = 'throw';
    exporter.export([6], (r) => results.push(r.code));
    mode = 'twice';
    exporter.export([7], (r) => results.push(r.code));
    const stats = exporter.stats();
    expect(stats).toMatchObject({ exported: 4, failed: 3, inFlight: 0, batches: 4, failedBatches: 2 });
    expect(stats.lastError?.message).toBe('sync throw');
    expect(results).toEqual([0, 1, 1, 0]);
    expect(() => new CountingLogRecordExporter({} as never)).toThrow(/exporter/);
  });

  it('abandon(): answers the processor for exports in flight now, counts their late result, fails later exports at once, and stops waiting in forceFlush/shutdown (issue 13)', async () => {
    const pending: Array<(r: { code: number; error?: Error }) => void> = [];
    let innerExports = 0;
    const inner = {
      export(_records: unknown[], cb: (r: { code: number; error?: Error }) => void) {
        innerExports++;
        pending.push(cb);
      },
      forceFlush: () => new Promise<void>(() => {}),
      shutdown: () => new Promise<void>(() => {}),
    };
    const exporter = new CountingLogRecordExporter(inner);
    const results: number[] = [];
    exporter.export([1, 2], (r) => results.push(r.code));
    exporter.abandon();
    exporter.abandon();
    expect(results).toEqual([1]); // the processor is answered now
    expect(exporter.stats()).toMatchObject({ exported: 0, failed: 0, inFlight: 2 });
    exporter.export([3, 4, 5], (r) => results.push(r.code));
    expect(innerExports).toBe(1); // never reached the wrapped exporter
    expect(results).toEqual([1, 1]);
    expect(exporter.stats()).toMatchObject({ failed: 3, inFlight: 2, batches: 2, failedBatches: 1 });
    await exporter.forceFlush();
    await exporter.shutdown();
    pending[0]!({ code: 0 }); // the wrapped exporter's own result, late: counted, not passed on again
    expect(exporter.stats()).toMatchObject({ exported: 2, failed: 3, inFlight: 0 });
    expect(results).toEqual([1, 1]);
  });

  it('OtelLogSink abandons the exporter it was given when shutdown() reaches its bound, not when it finishes in time', async () => {
    let abandoned = 0;
    const exporter = { abandon: () => void abandoned++ };
    const hanging: OtelLoggerProviderLike = { getLogger: () => ({ emit() {} }), shutdown: () => new Promise(() => {}) };
    await new OtelLogSink({ loggerProvider: hanging, timeoutMs: 30, exporter }).shutdown();
    expect(abandoned).toBe(1);
    const quick: OtelLoggerProviderLike = { getLogger: () => ({ emit() {} }), shutdown: () => Promise.resolve() };
    await new OtelLogSink({ loggerProvider: quick, timeoutMs: 30, exporter }).shutdown();
    expect(abandoned).toBe(1);
    expect(() => new OtelLogSink({ loggerProvider: quick, exporter: {} as never })).toThrow(/exporter/);
  });
});
