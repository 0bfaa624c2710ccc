/**
 * Issue 13: the logging call never throws and its metadata is bounded and never leaks.
 *
 * - Options whose getters or Proxy traps throw: the call returns normally, the event is dropped,
 *   counted in `invalidCalls` and reported (`call.invalid`); `isEnabled` answers `false`.
 * - A custom processor returning a Proxy (or no object): the event carries `{ payloadError }`.
 * - Metadata values are validated and cut: `outcome` and `source` objects are never copied whole,
 *   a BigInt outcome becomes its digits, and a 10 MB name, namespace, entity id, outcome or file
 *   path is cut to `LOG_METADATA_MAX_LENGTH` with the `…[+N chars]` marker.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LogContext,
  LogLevel,
  LogPayloadProcessor,
  MemorySink,
  PatternLogEventPolicy,
  formatJsonLine,
  logInvocation,
} from '../../../../src/index.ts';
import type { Diagnostic, LogEventOptions, LogPayloadProcessorLike } from '../../../../src/index.ts';
import { LOG_METADATA_MAX_LENGTH } from '../../../../src/core/logger/context/event-options.ts';
import { captureDiagnostics, type DiagnosticsCapture } from '../../../support/diagnostics.ts';

const SECRET = 'S3CR3T-in-metadata';
const boom = (): never => {
  throw new Error('hostile');
};

let diagnostics: Diagnostic[] = [];
let capture: DiagnosticsCapture | undefined;
beforeEach(() => {
  capture = captureDiagnostics();
  diagnostics = capture.list;
});
afterEach(() => {
  capture?.stop();
});

/** Contexts in each decision mode: no policy, a policy deciding per name, a policy per entity id. */
function contexts(): { ctx: LogContext; sink: MemorySink }[] {
  return [
    undefined,
    new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['quiet'] }] }),
    new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow', entityIds: ['*'] }, { action: 'allow', names: ['*'] }] }),
  ].map((policy) => {
    const sink = new MemorySink();
    const ctx = new LogContext({ namespace: 'app', sink, payloadProcessor: new LogPayloadProcessor(), ...(policy ? { policy } : {}) });
    return { ctx, sink };
  });
}

function hostileOptions(): [string, LogEventOptions][] {
  const getter = (key: string): LogEventOptions => Object.defineProperty({}, key, { enumerable: true, get: boom }) as LogEventOptions;
  const allTraps: ProxyHandler<object> = { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom };
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  return [
    ['entityId getter', getter('entityId')],
    ['namespace getter', getter('namespace')],
    ['outcome getter', getter('outcome')],
    ['source getter', getter('source')],
    ['options Proxy', new Proxy({}, allTraps) as LogEventOptions],
    ['revoked options Proxy', revoked as LogEventOptions],
    ['source Proxy', { source: new Proxy({}, allTraps) } as LogEventOptions],
    ['source.filePath getter', { source: Object.defineProperty({}, 'filePath', { enumerable: true, get: boom }) } as LogEventOptions],
  ];
}

describe('the logging call never throws', () => {
  it('options with a throwing getter or a throwing Proxy: dropped, counted, reported; isEnabled is false', () => {
    for (const { ctx, sink } of contexts()) {
      const cases = hostileOptions();
      for (const [label, options] of cases) {
        expect(() => ctx.info('x', { a: 1 }, options), label).not.toThrow();
        expect(() => ctx.logEvent('x', LogLevel.ERROR, { a: 1 }, options), label).not.toThrow();
        expect(() => ctx.debug('quiet', undefined, options), label).not.toThrow();
        expect(ctx.isEnabled('x', LogLevel.INFO, options), label).toBe(false);
      }
      expect(sink.events).toHaveLength(0);
      expect(ctx.stats().invalidCalls).toBe(cases.length * 2 + (ctx.minLevel <= LogLevel.DEBUG ? cases.length : 0));
      expect(diagnostics.filter((d) => d.code === 'call.invalid').length).toBeGreaterThanOrEqual(cases.length * 2);
      // The context still works afterwards.
      ctx.info('after');
      expect(sink.names()).toEqual(['after']);
      diagnostics.length = 0;
    }
  });

  it('isEventEnabled with metadata whose getters throw answers false', () => {
    for (const { ctx } of contexts()) {
      const meta = new Proxy({ namespace: 'app', name: 'x' }, { get: boom });
      expect(() => ctx.isEventEnabled(meta, LogLevel.INFO)).not.toThrow();
      if (ctx.policy !== undefined) expect(ctx.isEventEnabled(meta, LogLevel.INFO)).toBe(false);
    }
  });

  it('a custom processor returning a Proxy whose traps throw, or no object: the event carries payloadError', () => {
    const allTraps: ProxyHandler<object> = {
      get: boom,
      has: boom,
      ownKeys: boom,
      getOwnPropertyDescriptor: boom,
      getPrototypeOf: boom,
      isExtensible: boom,
      preventExtensions: boom,
      defineProperty: boom,
    };
    const results: unknown[] = [new Proxy({}, allTraps), new Proxy({ a: 1 }, {}), 'text', null, [1, 2], 42];
    for (const result of results) {
      const processor: LogPayloadProcessorLike = {
        normalizePayload: () => result as never,
        normalizeValueForLog: () => null,
        getPlainVerbosityLevel: () => 'NORMAL',
      };
      const sink = new MemorySink();
      const ctx = new LogContext({ sink, payloadProcessor: processor });
      expect(() => ctx.info('x', { a: 1 })).not.toThrow();
      expect(sink.events).toHaveLength(1);
      expect(sink.events[0]!.payload).toEqual({ payloadError: { type: 'TypeError', message: expect.stringContaining('payload processor') } });
      expect(() => formatJsonLine(sink.events[0]!)).not.toThrow();
      expect(ctx.stats().payloadFailures).toBe(1);
    }
  });
});

describe('metadata is validated, bounded and never leaks', () => {
  it('outcome and source objects are never copied whole: only source.filePath/line/functionName are kept', () => {
    const sink = new MemorySink();
    const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor() });
    const source = { filePath: 'src/a.ts', line: 3, functionName: 'f', password: SECRET };
    ctx.info('a', {}, { outcome: { password: SECRET } as unknown as string, source });
    const event = sink.events[0]!;
    expect(event.outcome).toBeUndefined();
    expect(event.meta.source).toEqual({ filePath: 'src/a.ts', line: 3, functionName: 'f' });
    expect(formatJsonLine(event)).not.toContain(SECRET);
    expect(diagnostics.some((d) => d.code === 'call.metadata')).toBe(true);
    // Wrong types inside source are dropped; a source that is not an object is dropped.
    ctx.info('b', {}, { source: { filePath: { password: SECRET }, line: Number.NaN, functionName: 7 } as never });
    ctx.info('c', {}, { source: SECRET as never });
    expect(sink.events[1]!.meta.source).toEqual({});
    expect(sink.events[2]!.meta.source).toBeUndefined();
    expect(JSON.stringify(sink.events)).not.toContain(SECRET);
  });

  it('a BigInt, number or boolean outcome becomes its text (no formatError stub)', () => {
    const sink = new MemorySink();
    const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor() });
    ctx.info('a', {}, { outcome: 5n as unknown as string });
    ctx.info('b', {}, { outcome: 404 as unknown as string });
    expect(sink.events.map((e) => e.outcome)).toEqual(['5', '404']);
    const line = JSON.parse(formatJsonLine(sink.events[0]!)) as Record<string, unknown>;
    expect(line.formatError).toBeUndefined();
    expect(line.outcome).toBe('5');
  });

  it('a 10 MB event name, namespace, entity id, outcome or file path is cut to LOG_METADATA_MAX_LENGTH', () => {
    expect(LOG_METADATA_MAX_LENGTH).toBe(256);
    const huge = 'm'.repeat(10 * 1024 * 1024);
    const sink = new MemorySink();
    const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor() });
    ctx.info(huge, {}, { namespace: huge, entityId: huge, outcome: huge, source: { filePath: huge, functionName: huge } });
    const event = sink.events[0]!;
    const cut = `${'m'.repeat(LOG_METADATA_MAX_LENGTH)}…[+${huge.length - LOG_METADATA_MAX_LENGTH} chars]`;
    expect(event.meta.name).toBe(cut);
    expect(event.meta.namespace).toBe(cut);
    expect(event.meta.entityId).toBe(cut);
    expect(event.outcome).toBe(cut);
    expect(event.meta.source).toEqual({ filePath: cut, functionName: cut });
    expect(formatJsonLine(event).length).toBeLessThan(4096);
    // logInvocation's entity ids are cut the same way.
    const wrapped = logInvocation({ event: 'op', context: ctx, entityId: () => huge })(() => 1);
    wrapped();
    expect(sink.events.at(-1)!.meta.entityId).toBe(cut);
  });
});
