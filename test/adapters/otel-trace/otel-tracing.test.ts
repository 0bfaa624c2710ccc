import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import type { InMemorySpanExporter, ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtelLogSink } from '../../../src/adapters/otel-logs/index.ts';
import { OtelSpanAttribute, registerOtelTracing } from '../../../src/adapters/otel-trace/index.ts';
import { flattenPayload } from '../../../src/adapters/otel-trace/span-attributes.ts';
import { LogContext } from '../../../src/core/logger/context/log-context.ts';
import { getLogCorrelationProvider, setLogCorrelationProvider } from '../../../src/core/logger/correlation.ts';
import { logInvocation } from '../../../src/core/logger/invocation/log-invocation.ts';
import { LogPayloadProcessor } from '../../../src/core/logger/payload/log-payload-processor.ts';
import { MemorySink } from '../../../src/core/logger/sinks/memory-sink.ts';
import { MultiSink } from '../../../src/core/logger/sinks/multi-sink.ts';
import { isMvxError, MvxErrorCode } from '../../../src/index.ts';
import { inMemoryOtel, useOtelAsyncContext } from '../otel-support.ts';

useOtelAsyncContext();

interface World {
  spans: InMemorySpanExporter;
  logs: InMemoryLogRecordExporter;
  tracerProvider: TracerProvider;
  memory: MemorySink;
  root: LogContext;
  stop: () => void;
  finished(): ReadableSpan[];
  span(name: string): ReadableSpan;
}

let world: World;
beforeEach(() => {
  const { spans, tracerProvider, logs, loggerProvider } = inMemoryOtel();
  const memory = new MemorySink();
  const root = new LogContext({
    namespace: 'app',
    sink: new MultiSink([memory, new OtelLogSink({ loggerProvider })]),
    payloadProcessor: new LogPayloadProcessor(),
    minLevel: 'DEBUG',
  });
  const stop = registerOtelTracing({ tracerProvider });
  world = {
    spans,
    logs,
    tracerProvider,
    memory,
    root,
    stop,
    finished: () => spans.getFinishedSpans(),
    span(name) {
      const found = spans.getFinishedSpans().filter((s) => s.name === name);
      expect(found.map((s) => s.name)).toEqual([name]);
      return found[0]!;
    },
  };
});
afterEach(async () => {
  world.stop();
  await world.tracerProvider.shutdown();
});

describe('registerOtelTracing: spans from logInvocation', () => {
  it('opens one INTERNAL span per call, named after the composed event, with the invoke payload flattened', () => {
    const save = logInvocation({
      event: 'document.save',
      context: world.root.child('storage'),
      params: ['doc', 'options'],
      args: ['id=doc.id', 'doc', 'options'],
      entityId: (_self, args) => (args[0] as { id: string }).id,
    })((doc: { id: string; tags: string[]; meta: object }, options: { retries: number }) => `${doc.id}:${options.retries}`);

    expect(save({ id: 'd1', tags: ['a', 'b'], meta: { owner: { name: 'ann' }, mixed: [1, 'x'], none: null } }, { retries: 2 })).toBe('d1:2');
    const span = world.span('app.storage.document.save');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.ended).toBe(true);
    expect(span.attributes).toMatchObject({
      'args.id': 'd1',
      'args.doc.id': 'd1',
      'args.doc.tags': ['a', 'b'],
      'args.doc.meta.owner.name': 'ann',
      'args.doc.meta.mixed': '[1,"x"]',
      'args.options.retries': 2,
      [OtelSpanAttribute.NAMESPACE]: 'app.storage',
      [OtelSpanAttribute.ENTITY_ID]: 'd1',
      [OtelSpanAttribute.OUTCOME]: 'success',
    });
    expect(span.attributes['args.doc.meta.none']).toBeUndefined();
    for (const value of Object.values(span.attributes)) {
      const ok = ['string', 'number', 'boolean'].includes(typeof value) || (Array.isArray(value) && value.every((v) => typeof v === typeof value[0]));
      expect(ok, JSON.stringify(value)).toBe(true);
    }
  });

  it('marks a failed call ERROR with error.type and exception.*, ends the span, and rethrows the error untouched', async () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    const failing = logInvocation({ event: 'upload', context: world.root })(async () => {
      await new Promise((r) => setImmediate(r));
      throw new QuotaError('quota exceeded');
    });
    await expect(failing()).rejects.toBeInstanceOf(QuotaError);
    const span = world.span('app.upload');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'quota exceeded' });
    expect(span.attributes).toMatchObject({
      [OtelSpanAttribute.OUTCOME]: 'failed',
      [OtelSpanAttribute.ERROR_TYPE]: 'QuotaError',
      [OtelSpanAttribute.EXCEPTION_TYPE]: 'QuotaError',
      [OtelSpanAttribute.EXCEPTION_MESSAGE]: 'quota exceeded',
    });
    expect(span.events).toEqual([]); // no span event by default (log-based exceptions instead)
    // The failed log record carries the exception with its stack trace.
    const failedRecord = world.logs.getFinishedLogRecords().find((r) => r.attributes['mvx.outcome'] === 'failed');
    expect(failedRecord?.attributes['exception.type']).toBe('QuotaError');
    expect(String(failedRecord?.attributes['exception.stacktrace'])).toContain('quota exceeded');
  });

  it('records the exception as a span event too when asked', () => {
    world.stop();
    world.stop = registerOtelTracing({ tracer: world.tracerProvider.getTracer('x'), recordException: true });
    const failing = logInvocation({ event: 'boom', context: world.root })(() => {
      throw new TypeError('bad input');
    });
    expect(() => failing()).toThrow(TypeError);
    const span = world.span('app.boom');
    expect(span.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([
      ['exception', 'TypeError', 'bad input'],
    ]);
  });

  it('leaves a cancelled call UNSET with mvx.outcome=cancelled, and ends it', async () => {
    const controller = new AbortController();
    const slow = logInvocation({ event: 'fetch', context: world.root })(
      (signal: AbortSignal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const pending = slow(controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow('aborted');
    const span = world.span('app.fetch');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes[OtelSpanAttribute.OUTCOME]).toBe('cancelled');
    expect(span.attributes[OtelSpanAttribute.ERROR_TYPE]).toBeUndefined();
  });

  it('makes nested calls parent and child, across awaits', async () => {
    const ctx = world.root;
    const inner = logInvocation({ event: 'inner', context: ctx })(async (n: number) => {
      await new Promise((r) => setImmediate(r));
      return n * 2;
    });
    const outer = logInvocation({ event: 'outer', context: ctx })(async () => {
      const a = await inner(1);
      const b = await inner(2);
      return a + b;
    });
    expect(await outer()).toBe(6);
    const parent = world.span('app.outer');
    const children = world.finished().filter((s) => s.name === 'app.inner');
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    }
    expect(parent.parentSpanContext).toBeUndefined();
  });

  it('puts the span ids on log events emitted during the call: LogEvent.correlation for other sinks, the record context for OtelLogSink', async () => {
    const ctx = world.root;
    const work = logInvocation({ event: 'work', context: ctx })(async () => {
      ctx.info('step', { n: 1 });
      await new Promise((r) => setImmediate(r));
      ctx.info('step', { n: 2 });
      return 'done';
    });
    const outer = logInvocation({ event: 'outer', context: ctx })(() => work());
    await outer();
    ctx.info('after');
    const { traceId, spanId } = world.span('app.work').spanContext();
    const outerIds = world.span('app.outer').spanContext();
    const records = world.logs.getFinishedLogRecords();
    const steps = world.memory.events.filter((e) => e.meta.name === 'step');
    expect(steps).toHaveLength(2);
    for (const e of steps) expect(e.correlation).toEqual({ trace_id: traceId, span_id: spanId, trace_flags: '01' });
    // The call's own lifecycle events carry its own span's ids (the scope's correlation), not the
    // enclosing span's, although invoke is built before the span is active and success after.
    const workLifecycle = world.memory.events.filter((e) => e.meta.name === 'work');
    expect(workLifecycle.map((e) => e.outcome)).toEqual(['invoke', 'success']);
    for (const e of workLifecycle) expect(e.correlation).toEqual({ trace_id: traceId, span_id: spanId, trace_flags: '01' });
    const outerLifecycle = world.memory.events.filter((e) => e.meta.name === 'outer');
    expect(outerLifecycle.map((e) => e.outcome)).toEqual(['invoke', 'success']);
    for (const e of outerLifecycle) expect(e.correlation?.span_id).toBe(outerIds.spanId);
    expect(records.filter((r) => r.eventName === 'app.work').every((r) => r.spanContext?.spanId === spanId)).toBe(true);
    expect(world.memory.events.find((e) => e.meta.name === 'after')?.correlation).toBeUndefined();
    expect(records.filter((r) => r.spanContext?.spanId === spanId).map((r) => r.eventName)).toEqual(['app.work', 'app.step', 'app.step', 'app.work']);
    expect(records.filter((r) => r.eventName === 'app.step').every((r) => r.spanContext?.traceId === traceId)).toBe(true);
    expect(records.find((r) => r.eventName === 'app.after')?.spanContext).toBeUndefined();
  });

  it('traces a call whose invoke/success events the log policy disables (no payload attributes then)', () => {
    const quiet = world.root.child('quiet');
    quiet.setMinLevel('INFO'); // invoke and success are DEBUG by default
    logInvocation({ event: 'tick', context: quiet, params: ['n'], args: ['n'] })((n: number) => n + 1)(1);
    const span = world.span('app.quiet.tick');
    expect(span.attributes).toEqual({ 'mvx.namespace': 'app.quiet', 'mvx.outcome': 'success' });
    expect(world.memory.events.filter((e) => e.meta.name === 'tick')).toEqual([]);
  });

  it('observes only the given context subtree when asked', () => {
    world.stop();
    world.stop = registerOtelTracing({ tracerProvider: world.tracerProvider, context: world.root.child('db') });
    logInvocation({ event: 'query', context: world.root.child('db') })(() => 1)();
    logInvocation({ event: 'render', context: world.root.child('web') })(() => 1)();
    expect(world.finished().map((s) => s.name)).toEqual(['app.db.query']);
  });

  it('bounds the attributes taken from the payload and counts the rest', () => {
    world.stop();
    world.stop = registerOtelTracing({ tracerProvider: world.tracerProvider, maxAttributes: 3, maxAttributeDepth: 3, maxJsonLength: 10 });
    const f = logInvocation({ event: 'wide', context: world.root, params: ['o'], args: ['o'] })((o: object) => o);
    f({ a: 1, b: 2, c: { deep: { deeper: 'a long string value' } }, d: 4, e: 5 });
    const span = world.span('app.wide');
    expect(Object.keys(span.attributes).filter((k) => k.startsWith('args.'))).toEqual(['args.o.a', 'args.o.b', 'args.o.c']);
    expect(span.attributes[OtelSpanAttribute.ATTRIBUTES_DROPPED]).toBe(2);
    expect(span.attributes['args.o.c']).toBe('{"deep":{…'); // depth 3 reached: JSON text, bounded
  });

  it('cuts bounded JSON text without splitting a surrogate pair (no lone surrogate in the attribute)', () => {
    for (let max = 2; max <= 12; max++) {
      const out: Record<string, unknown> = {};
      flattenPayload({ o: ['😀😀😀😀😀', 1] }, out as never, { maxAttributes: 10, maxDepth: 6, maxJsonLength: max });
      const text = out['o'] as string;
      expect(text.length).toBeLessThanOrEqual(max);
      expect(text.endsWith('…')).toBe(true);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)).toBe(false); // no lone surrogate
    }
  });

  it('shutdown(): idempotent, no spans afterwards, the previous correlation provider restored, spans counted (started = ended + running)', async () => {
    world.stop();
    const mine = (): Record<string, string> => ({ request_id: 'r1' });
    setLogCorrelationProvider(mine);
    const tracing = registerOtelTracing({ tracerProvider: world.tracerProvider });
    let release!: () => void;
    const running = logInvocation({ event: 'slow', context: world.root })(() => new Promise<void>((r) => (release = r)))();
    logInvocation({ event: 'quick', context: world.root })(() => 1)();
    expect(tracing.stats()).toEqual({ accepted: 2, delivered: 1, dropped: 0, failed: 0, pending: 1 });
    const first = tracing.shutdown();
    expect(tracing.shutdown()).toBe(first);
    expect(await first).toEqual({ accepted: 2, delivered: 1, dropped: 0, failed: 0, pending: 1, timedOut: false });
    expect(getLogCorrelationProvider()).toBe(mine);
    logInvocation({ event: 'after', context: world.root })(() => 1)();
    release();
    await running;
    // The span of the call still running at shutdown is ended when the call ends.
    expect(world.finished().map((s) => s.name)).toEqual(['app.quick', 'app.slow']);
    expect(tracing.stats()).toMatchObject({ accepted: 2, delivered: 2, pending: 0 });
    setLogCorrelationProvider(undefined);
  });

  it('unregisters (the deprecated call form of the handle): no spans afterwards, and the previous correlation provider is restored', () => {
    world.stop();
    const mine = (): Record<string, string> => ({ request_id: 'r1' });
    setLogCorrelationProvider(mine);
    const stop = registerOtelTracing({ tracerProvider: world.tracerProvider });
    expect(getLogCorrelationProvider()).not.toBe(mine);
    stop();
    stop();
    expect(getLogCorrelationProvider()).toBe(mine);
    setLogCorrelationProvider(undefined);
    logInvocation({ event: 'quiet', context: world.root })(() => 1)();
    expect(world.finished()).toEqual([]);
  });

  it('does not correlate when asked not to, and uses the global tracer provider by default', () => {
    world.stop();
    setLogCorrelationProvider(undefined);
    expect(trace.setGlobalTracerProvider(world.tracerProvider)).toBe(true);
    try {
      world.stop = registerOtelTracing({ correlation: false });
      expect(getLogCorrelationProvider()).toBeUndefined();
      logInvocation({ event: 'global', context: world.root })(() => 1)();
      expect(world.finished().map((s) => s.name)).toEqual(['app.global']);
      expect(world.memory.events.every((e) => e.correlation === undefined)).toBe(true);
    } finally {
      trace.disable();
    }
  });

  it('rejects invalid configuration at once, naming the option', () => {
    const cases: [unknown, string][] = [
      [{ tracer: {} }, 'tracer'],
      [{ tracerProvider: { getTracer: 1 } }, 'tracerProvider'],
      [{ maxAttributes: 0 }, 'maxAttributes'],
      [{ maxAttributeDepth: 1.5 }, 'maxAttributeDepth'],
      [{ maxJsonLength: -1 }, 'maxJsonLength'],
      [{ recordException: 'yes' }, 'recordException'],
      [{ correlation: 1 }, 'correlation'],
    ];
    for (const [options, option] of cases) {
      let thrown: unknown;
      try {
        registerOtelTracing(options as never)();
      } catch (error) {
        thrown = error;
      }
      expect(isMvxError(thrown, MvxErrorCode.CONFIG), option).toBe(true);
      expect((thrown as { option: string }).option).toBe(option);
    }
  });
});
