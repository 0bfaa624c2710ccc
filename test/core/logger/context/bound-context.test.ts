import { getCallSites } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import { BoundLogContext } from '../../../../src/core/logger/context/bound-context.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import { MvxConfigError } from '../../../../src/core/errors.ts';

function setup(minLevel: number = LogLevel.DEBUG): { sink: MemorySink; root: LogContext } {
  const sink = new MemorySink();
  const root = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel });
  return { sink, root };
}

describe('bind / unbind', () => {
  it('events of the view carry the bound fields; the call wins on a clash; the context is untouched', () => {
    const { sink, root } = setup();
    const ctx = root.child('orders.api');
    const log = ctx.bind({ requestId: 'r-1', tenant: 't' });
    expect(log).toBeInstanceOf(BoundLogContext);
    expect(log.namespace).toBe('orders.api');
    log.info('placed', { orderId: 7, tenant: 'call' });
    ctx.info('plain', { orderId: 8 });
    expect(sink.events.map((e) => e.payload)).toEqual([{ requestId: 'r-1', tenant: 'call', orderId: 7 }, { orderId: 8 }]);
    expect(sink.events[0]!.meta).toMatchObject({ namespace: 'orders.api', name: 'placed' });
  });

  it('bind adds, unbind removes (missing keys ignored); views are immutable', () => {
    const { sink, root } = setup();
    const a = root.bind({ requestId: 'r-1' });
    const b = a.bind({ userId: 'u-1', requestId: 'r-2' });
    const c = b.unbind('requestId', 'nope');
    a.info('a');
    b.info('b');
    c.info('c');
    expect(sink.events.map((e) => e.payload)).toEqual([{ requestId: 'r-1' }, { requestId: 'r-2', userId: 'u-1' }, { userId: 'u-1' }]);
    expect(Object.isFrozen(a.fields)).toBe(true);
  });

  it('every level helper, logEvent, payload functions, Maps, non-object payloads and child views', () => {
    const { sink, root } = setup();
    const log = root.bind({ r: 1 });
    log.debug('d');
    log.info('i', () => ({ x: 1 }));
    log.warning('w', new Map([['m', 2]]));
    log.error('e', 'text' as unknown as object);
    log.critical('c');
    log.logEvent('l', 25, { y: 3 }, { outcome: 'success', entityId: 'e-1' });
    log.child('db').info('q');
    expect(sink.events.map((e) => [e.level, e.meta.namespace, e.meta.name, e.payload])).toEqual([
      [10, '', 'd', { r: 1 }],
      [20, '', 'i', { r: 1, x: 1 }],
      [30, '', 'w', { r: 1, m: 2 }],
      [40, '', 'e', { r: 1, payload: 'text' }],
      [50, '', 'c', { r: 1 }],
      [25, '', 'l', { r: 1, y: 3 }],
      [20, 'db', 'q', { r: 1 }],
    ]);
    expect(sink.events[5]).toMatchObject({ outcome: 'success', meta: { entityId: 'e-1' } });
  });

  it('bound fields go through the processor (redaction applies)', () => {
    const { sink, root } = setup();
    root.bind({ password: 'hunter2', requestId: 'r' }).info('login');
    expect(sink.events[0]!.payload['password']).not.toBe('hunter2');
    expect(sink.events[0]!.payload['requestId']).toBe('r');
  });

  it('a disabled event touches neither payload nor fields; level and policy are the context\'s, read at each call', () => {
    const { sink, root } = setup(LogLevel.INFO);
    const log = root.bind({ r: 1 });
    let built = 0;
    log.debug('d', () => ({ n: ++built }));
    expect(built).toBe(0);
    root.setPolicy(PatternLogEventPolicy.fromConfig({ rules: [{ action: 'deny', names: ['noisy'] }] }));
    log.info('noisy', () => ({ n: ++built }));
    log.info('kept');
    expect(built).toBe(0);
    root.setMinLevel(LogLevel.DEBUG);
    log.debug('d');
    expect(sink.names()).toEqual(['kept', 'd']);
    expect(log.isEnabled('noisy')).toBe(false);
  });

  it('refuses fields that are not an object', () => {
    const { root } = setup();
    expect(() => root.bind(null as unknown as Record<string, unknown>)).toThrow(MvxConfigError);
    expect(() => root.bind([1] as unknown as Record<string, unknown>)).toThrow(/option 'fields'/);
  });
});

describe('callsite capture', () => {
  it('is off by default', () => {
    const { sink, root } = setup();
    root.bind({ r: 1 }).info('x');
    expect(sink.events[0]!.meta.source).toBeUndefined();
  });

  /** Logs, and returns the line of that call (as the running code sees it: vitest transforms the file). */
  function placeOrder(log: BoundLogContext): number {
    // One expression on one line, so the transform cannot put the two calls on different lines.
    return [getCallSites(1)[0]!.lineNumber, log.info('placed')][0]!;
  }

  it('on demand: the caller\'s function, file and line, from every method', () => {
    const { sink, root } = setup();
    const log = root.bind({ r: 1 }, { callsite: true });
    const line = placeOrder(log);
    const direct = [getCallSites(1)[0]!.lineNumber, log.logEvent('direct', 20)][0]!;
    const src = sink.events[0]!.meta.source!;
    expect(src).toEqual({ functionName: 'placeOrder', filePath: import.meta.filename, line });
    expect(sink.events[1]!.meta.source).toMatchObject({ filePath: import.meta.filename, line: direct });
    // Views made from it keep the setting; it can be switched off.
    log.bind({ u: 2 }).warning('w');
    log.bind({}, { callsite: false }).info('off');
    log.unbind('r').child('db').debug('child');
    expect(sink.events[2]!.meta.source?.filePath).toBe(import.meta.filename);
    expect(sink.events[3]!.meta.source).toBeUndefined();
    expect(sink.events[4]!.meta.source?.filePath).toBe(import.meta.filename);
  });

  it('keeps a source the call passes, and walks no stack for a disabled event', () => {
    const { sink, root } = setup(LogLevel.INFO);
    const log = root.bind({}, { callsite: true });
    log.info('given', undefined, { source: { functionName: 'mine', line: 3 } });
    expect(sink.events[0]!.meta.source).toEqual({ functionName: 'mine', line: 3 });
    const original = Error.prepareStackTrace;
    let walked = 0;
    Error.prepareStackTrace = (e, s) => {
      walked++;
      return original ? original(e, s) : String(e);
    };
    try {
      log.debug('disabled');
    } finally {
      Error.prepareStackTrace = original;
    }
    expect(walked).toBe(0);
    expect(sink.events).toHaveLength(1);
  });
});
