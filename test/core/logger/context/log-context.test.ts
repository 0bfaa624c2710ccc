import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogContext, DECISION_CACHE_LIMIT, SILENCED_CONTEXT_LIMIT, silencedContextCount } from '../../../../src/core/logger/context/log-context.ts';
import type { LogEventOptions } from '../../../../src/core/logger/context/log-context.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import type { LogEventMeta, LogOutcome } from '../../../../src/core/logger/event.ts';
import type { LogEventPolicy } from '../../../../src/core/logger/policy/log-event-policy.ts';
import type { LogSink } from '../../../../src/core/logger/sinks/log-sink.ts';
import { MvxConfigError, MvxErrorCode, isMvxError } from '../../../../src/core/errors.ts';
import { resetDiagnostics } from '../../../../src/core/diagnostics.ts';
import type { Diagnostic } from '../../../../src/core/diagnostics.ts';
import { RecordingProcessor } from './test-processor.ts';
import { captureDiagnostics, type DiagnosticsCapture } from '../../../support/diagnostics.ts';

/** A real policy: decides by a predicate and records every question it is asked. */
class RecordingPolicy implements LogEventPolicy {
  readonly asked: { meta: LogEventMeta; level: number; outcome: LogOutcome | undefined }[] = [];
  version = 0;
  decide: (meta: LogEventMeta, level: number, outcome?: LogOutcome) => boolean;
  constructor(decide: (meta: LogEventMeta, level: number, outcome?: LogOutcome) => boolean) {
    this.decide = decide;
  }
  isEnabled(meta: LogEventMeta, level: number, outcome?: LogOutcome): boolean {
    this.asked.push({ meta, level, outcome });
    return this.decide(meta, level, outcome);
  }
}

class FailingSink implements LogSink {
  calls = 0;
  log(): void {
    this.calls++;
    throw new Error('disk full');
  }
}

function makeRoot(extra: Partial<ConstructorParameters<typeof LogContext>[0]> = {}) {
  const sink = new MemorySink();
  const processor = new RecordingProcessor();
  const root = new LogContext({ sink, payloadProcessor: processor, ...extra });
  return { root, sink, processor };
}

function expectConfigError(fn: () => unknown, option: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MvxConfigError);
    expect((err as MvxConfigError).option).toBe(option);
    return;
  }
  throw new Error(`expected MvxConfigError for ${option}`);
}

let diagnostics: Diagnostic[] = [];
let capture: DiagnosticsCapture | undefined;
beforeEach(() => {
  resetDiagnostics();
  capture = captureDiagnostics();
  diagnostics = capture.list;
});
afterEach(() => {
  capture?.stop();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('LogContext construction (3.1 a, b)', () => {
  it('a01/a02: a root without sink or processor is rejected, naming the option', () => {
    expectConfigError(() => new LogContext({ payloadProcessor: new RecordingProcessor() }), 'sink');
    expectConfigError(() => new LogContext({ sink: new MemorySink() }), 'payloadProcessor');
  });

  it('a03: a root defaults to print-stderr and minimum level 0', () => {
    const { root } = makeRoot();
    expect(root.errorHandling).toBe('print-stderr');
    expect(root.minLevel).toBe(0);
    expect(root.policy).toBeUndefined();
  });

  it('a04: a custom processor and policy are kept', () => {
    const policy = new RecordingPolicy(() => true);
    const { root, processor } = makeRoot({ policy });
    expect(root.payloadProcessor).toBe(processor);
    expect(root.policy).toBe(policy);
  });

  it('a05/a06: the namespace is trimmed; a root defaults to "" and a child to its parent\'s', () => {
    const { root } = makeRoot({ namespace: '  app.core ' });
    expect(root.namespace).toBe('app.core');
    expect(makeRoot().root.namespace).toBe('');
    expect(new LogContext({ parent: root }).namespace).toBe('app.core');
  });

  it('a07: a non-string or malformed namespace is rejected', () => {
    expectConfigError(() => makeRoot({ namespace: 42 as unknown as string }), 'namespace');
    expectConfigError(() => makeRoot({ namespace: 'a..b' }), 'namespace');
    expectConfigError(() => makeRoot({ namespace: 'a.b c' }), 'namespace');
  });

  it('a08: a parent that is not a LogContext is rejected', () => {
    expectConfigError(() => new LogContext({ parent: {} as LogContext }), 'parent');
  });

  it('a09/a10: isRoot and parent', () => {
    const { root } = makeRoot();
    const child = root.child('a');
    expect(root.isRoot).toBe(true);
    expect(root.parent).toBeUndefined();
    expect(child.isRoot).toBe(false);
    expect(child.parent).toBe(root);
    expect(child.namespace).toBe('a');
    expect(child.child('b').namespace).toBe('a.b');
    expect(root.child('a')).toBe(child);
  });

  it('b01-b05: wrong types for every setting are rejected with the option name', () => {
    const { root } = makeRoot();
    expectConfigError(() => new LogContext({ parent: root, sink: {} as LogSink }), 'sink');
    expectConfigError(() => new LogContext({ parent: root, policy: { isEnabled: 1 } as unknown as LogEventPolicy }), 'policy');
    expectConfigError(() => new LogContext({ parent: root, payloadProcessor: {} as RecordingProcessor }), 'payloadProcessor');
    expectConfigError(() => new LogContext({ parent: root, errorHandling: 'loud' as 'raise' }), 'errorHandling');
    expectConfigError(() => new LogContext({ parent: root, minLevel: 'LOUD' }), 'minLevel');
    expectConfigError(() => new LogContext({ parent: root, minLevel: 1.5 }), 'minLevel');
  });
});

describe('inheritance and resets (3.1 c, k)', () => {
  it('c01-c04: the sink is inherited, overridden and reset; the root cannot reset', () => {
    const { root, sink } = makeRoot();
    const child = root.child('a');
    expect(child.sink).toBe(sink);
    const own = new MemorySink();
    child.setSink(own);
    expect(child.sink).toBe(own);
    child.info('x');
    expect(own.events).toHaveLength(1);
    expect(sink.events).toHaveLength(0);
    child.resetSink();
    expect(child.sink).toBe(sink);
    expect(() => root.resetSink()).toThrow(expect.objectContaining({ code: MvxErrorCode.RESET_NOT_ALLOWED_FOR_ROOT }));
  });

  it('c05-c08: the processor is inherited, overridden and reset; the root cannot reset', () => {
    const { root, processor } = makeRoot();
    const child = root.child('a');
    const own = new RecordingProcessor('MAXIMUM', 'own');
    child.setPayloadProcessor(own);
    expect(child.payloadProcessor).toBe(own);
    expect(child.getPlainVerbosityLevel()).toBe('MAXIMUM');
    child.resetPayloadProcessor();
    expect(child.payloadProcessor).toBe(processor);
    expect(() => root.resetPayloadProcessor()).toThrow(expect.objectContaining({ code: MvxErrorCode.RESET_NOT_ALLOWED_FOR_ROOT }));
  });

  it('c09/c10: a grandchild uses the nearest override, else the root', () => {
    const { root, sink } = makeRoot();
    const a = root.child('a');
    const ab = a.child('b');
    const abc = ab.child('c');
    const aSink = new MemorySink();
    a.setSink(aSink);
    expect(abc.sink).toBe(aSink);
    const abSink = new MemorySink();
    ab.setSink(abSink);
    expect(abc.sink).toBe(abSink);
    ab.resetSink();
    a.resetSink();
    expect(abc.sink).toBe(sink);
  });

  it('c11-c14: error handling is inherited, overridden and reset; the root cannot reset', () => {
    const { root } = makeRoot({ errorHandling: 'ignore' });
    const child = root.child('a');
    expect(child.errorHandling).toBe('ignore');
    child.setErrorHandling('raise');
    expect(child.errorHandling).toBe('raise');
    child.resetErrorHandling();
    expect(child.errorHandling).toBe('ignore');
    expect(() => root.resetErrorHandling()).toThrow(expect.objectContaining({ code: MvxErrorCode.RESET_NOT_ALLOWED_FOR_ROOT }));
  });

  it('the minimum level is inherited, overridden (number or name) and reset', () => {
    const { root, sink } = makeRoot({ minLevel: 'INFO' });
    const child = root.child('a');
    child.debug('hidden');
    expect(sink.events).toHaveLength(0);
    child.setMinLevel('debug');
    child.debug('shown');
    expect(sink.names()).toEqual(['shown']);
    child.resetMinLevel();
    expect(child.minLevel).toBe(LogLevel.INFO);
    child.debug('hidden again');
    expect(sink.names()).toEqual(['shown']);
    expect(() => root.resetMinLevel()).toThrow(expect.objectContaining({ code: MvxErrorCode.RESET_NOT_ALLOWED_FOR_ROOT }));
  });

  it('k01-k10: setters reject undefined and wrong types and apply valid values', () => {
    const { root } = makeRoot();
    expectConfigError(() => root.setSink(undefined as unknown as LogSink), 'sink');
    expectConfigError(() => root.setPolicy(null as unknown as LogEventPolicy), 'policy');
    expectConfigError(() => root.setPayloadProcessor(undefined as unknown as RecordingProcessor), 'payloadProcessor');
    expectConfigError(() => root.setErrorHandling(undefined as unknown as 'raise'), 'errorHandling');
    expectConfigError(() => root.setMinLevel(undefined as unknown as number), 'minLevel');
    root.setMinLevel(25);
    expect(root.minLevel).toBe(25);
    expect(root.localSettings().minLevel).toBe(25);
  });
});

describe('policy (3.1 d)', () => {
  it('d01: without a policy every event is enabled', () => {
    const { root, sink } = makeRoot();
    root.debug('a');
    expect(sink.names()).toEqual(['a']);
    expect(root.isEnabled('anything', LogLevel.DEBUG)).toBe(true);
  });

  it('d02/d03/d04: a policy given in the constructor or a setter is consulted; reset enables again', () => {
    const deny = new RecordingPolicy(() => false);
    const { root, sink } = makeRoot({ policy: deny });
    root.info('a');
    expect(sink.events).toHaveLength(0);
    expect(deny.asked).toHaveLength(1);
    const allowB = new RecordingPolicy((m) => m.name === 'b');
    root.setPolicy(allowB);
    root.info('a');
    root.info('b');
    expect(sink.names()).toEqual(['b']);
    root.resetPolicy();
    root.info('a');
    expect(sink.names()).toEqual(['b', 'a']);
  });

  it('d05 (reference weakness 4 fixed): a child inherits its parent\'s policy, and can override it', () => {
    const { root, sink } = makeRoot({ policy: new RecordingPolicy((m) => m.name !== 'noisy') });
    const child = root.child('lib');
    child.info('noisy');
    child.info('useful');
    expect(sink.names()).toEqual(['useful']);
    child.setPolicy(new RecordingPolicy(() => true));
    child.info('noisy');
    expect(sink.names()).toEqual(['useful', 'noisy']);
  });

  it('d08: the policy sees the full metadata (with overrides) before normalisation; the event carries outcome and payload', () => {
    const policy = new RecordingPolicy(() => true);
    const { root, sink, processor } = makeRoot({ policy, namespace: 'app' });
    const source = { filePath: 'src/x.ts', line: 3, functionName: 'run' };
    root.logEvent('bind', LogLevel.WARNING, { user: 'u' }, { outcome: 'success', entityId: 'conn-1', source, namespace: 'app.ldap' });
    expect(policy.asked).toHaveLength(1);
    const asked = policy.asked[0]!;
    expect(asked.meta).toEqual({ namespace: 'app.ldap', name: 'bind', entityId: 'conn-1', source });
    expect(asked.level).toBe(LogLevel.WARNING);
    expect(asked.outcome).toBe('success');
    const event = sink.events[0]!;
    expect(event.outcome).toBe('success');
    expect(event.payload).toEqual({ user: 'u', __by: 'p' });
    expect(processor.calls.filter((c) => c.method === 'normalizePayload')).toHaveLength(1);
    // e06: the same meta object goes to the policy and into the event.
    expect(event.meta).toBe(asked.meta);
  });

  it('d09: a disabled event never touches its payload (object or function)', () => {
    const { root, sink, processor } = makeRoot({ policy: new RecordingPolicy(() => false) });
    const fn = vi.fn(() => ({ heavy: true }));
    root.info('x', fn);
    root.info('x', { a: 1 }, { entityId: 'e' });
    expect(fn).not.toHaveBeenCalled();
    expect(processor.calls).toHaveLength(0);
    expect(sink.events).toHaveLength(0);
  });

  it('a payload function is called once, and only when the event is enabled by level', () => {
    const { root, sink } = makeRoot({ minLevel: 'INFO' });
    const fn = vi.fn(() => ({ n: 1 }));
    root.debug('x', fn);
    expect(fn).not.toHaveBeenCalled();
    root.info('x', fn);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(sink.events[0]!.payload).toEqual({ n: 1, __by: 'p' });
  });

  it('the minimum level is checked before the policy (a policy is not asked about a level-disabled event)', () => {
    const policy = new RecordingPolicy(() => true);
    const { root } = makeRoot({ policy, minLevel: 'WARNING' });
    root.info('x');
    expect(policy.asked).toHaveLength(0);
    expect(root.isEnabled('x', LogLevel.INFO)).toBe(false);
  });

  it('a policy can select on level and outcome', () => {
    const policy = new RecordingPolicy((_m, level, outcome) => level >= LogLevel.ERROR || outcome === 'failed');
    const { root, sink } = makeRoot({ policy });
    root.info('a');
    root.info('b', {}, { outcome: 'failed' });
    root.error('c');
    expect(sink.names()).toEqual(['b', 'c']);
  });
});

describe('decision cache', () => {
  it('asks the policy once per (name, level) and answers repeats from the cache', () => {
    const policy = new RecordingPolicy((m) => m.name === 'on');
    const { root, sink } = makeRoot({ policy });
    for (let i = 0; i < 5; i++) {
      root.debug('off', { i });
      root.debug('on', { i });
    }
    expect(policy.asked).toHaveLength(2);
    expect(sink.events).toHaveLength(5);
    root.info('off');
    expect(policy.asked).toHaveLength(3);
    for (let i = 0; i < 3; i++) root.info('x', {}, { entityId: 'e1', outcome: 'success' });
    expect(policy.asked).toHaveLength(4);
    root.info('x', {}, { entityId: 'e2', outcome: 'success' });
    expect(policy.asked).toHaveLength(5);
  });

  it('caches decisions per outcome (logInvocation asks with outcome invoke); many outcomes stay correct', () => {
    const policy = new RecordingPolicy((_m, _l, outcome) => outcome !== 'failed' && outcome !== 'o17');
    const { root } = makeRoot({ policy, namespace: 'svc' });
    const meta = Object.freeze({ namespace: 'svc', name: 'op' });
    for (let i = 0; i < 4; i++) expect(root.isEventEnabled(meta, 10, 'invoke')).toBe(true);
    for (let i = 0; i < 4; i++) expect(root.isEventEnabled(meta, 10, 'failed')).toBe(false);
    expect(policy.asked).toHaveLength(2);
    for (let round = 0; round < 2; round++) {
      for (let o = 0; o < 20; o++) expect(root.isEventEnabled(meta, 10, `o${o}`)).toBe(o !== 17);
    }
    expect(policy.asked).toHaveLength(22);
  });

  it('names sharing a slot of the denial table are decided separately', () => {
    // 200 names over 64 slots per level: many share a slot; every other one is denied.
    const names = Array.from({ length: 200 }, (_, i) => `n${i}.${String.fromCharCode(97 + (i % 26))}`);
    const denied = new Set(names.filter((_, i) => i % 2 === 0));
    const policy = new RecordingPolicy((m) => !denied.has(m.name));
    const { root, sink } = makeRoot({ policy });
    for (let round = 0; round < 3; round++) {
      for (const n of names) {
        root.debug(n);
        root.info(n);
      }
    }
    const expected = names.filter((n) => !denied.has(n));
    expect(sink.names()).toEqual([0, 1, 2].flatMap(() => expected.flatMap((n) => [n, n])));
  });

  it('an empty or non-string name in a level helper is reported as an invalid call, never taken for a cached denial', () => {
    const { root, sink } = makeRoot({ policy: new RecordingPolicy((m) => m.name !== 'x') });
    root.debug('x');
    root.debug('x');
    root.debug('');
    root.debug(42 as unknown as string);
    expect(sink.events).toHaveLength(0);
    expect(root.stats().invalidCalls).toBe(2);
  });

  it("a level the policy's plainDecision turns off is answered without asking per name; calls with options still ask", () => {
    const policy = new RecordingPolicy((m, level) => !(m.namespace === 'svc' && level <= LogLevel.DEBUG));
    const plain: [string, number][] = [];
    Object.assign(policy, {
      plainDecision: (ns: string, level: number) => {
        plain.push([ns, level]);
        return ns === 'svc' && level <= LogLevel.DEBUG ? false : undefined;
      },
    });
    const { root, sink } = makeRoot({ policy, namespace: 'svc' });
    // The first call resolves the settings (and asks, through logEvent); later names are never asked.
    for (let i = 0; i < 4; i++) root.debug(`n${i}`, { v: i });
    expect(policy.asked.map((a) => a.meta.name)).toEqual(['n0']);
    expect(plain).toEqual([['svc', 10], ['svc', 20], ['svc', 30], ['svc', 40], ['svc', 50]]);
    root.debug('n1', { v: 1 }, { entityId: 'e' }); // not plain: asked, and denied by isEnabled itself
    expect(policy.asked).toHaveLength(2);
    root.info('n0');
    expect(sink.names()).toEqual(['n0']);
  });

  it('a throwing plainDecision is reported and counted; decisions are then taken per event', () => {
    const policy = new RecordingPolicy((m) => m.name !== 'x');
    Object.assign(policy, {
      plainDecision: () => {
        throw new Error('boom');
      },
    });
    const { root, sink } = makeRoot({ policy });
    root.debug('x');
    root.debug('y');
    expect(sink.names()).toEqual(['y']);
    expect(root.stats().policyFailures).toBe(5); // once per helper level, when the settings were resolved
  });

  it('a level found off is silenced on that context, and logs again right after any ancestor enables it', () => {
    const { root, sink } = makeRoot({ minLevel: 'INFO' });
    const built = new LogContext({ parent: root.child('a'), namespace: 'a.hand' }); // not in the tree's children
    const leaf = root.child('a').child('b');
    for (let i = 0; i < 3; i++) {
      leaf.debug('x');
      built.debug('x');
    }
    expect(sink.events).toHaveLength(0);
    expect(Object.keys(leaf)).not.toContain('debug'); // the helper slots are not enumerable
    root.child('a').setMinLevel('DEBUG');
    leaf.debug('x');
    built.debug('y');
    expect(sink.names()).toEqual(['x', 'y']);
    root.child('a').resetMinLevel();
    leaf.debug('x');
    built.debug('y');
    expect(sink.events).toHaveLength(2);
  });

  it('a plain call to a level the policy turns off is silenced; a call with options still asks the policy', () => {
    const policy = new PatternLogEventPolicy({
      rules: [
        { action: 'allow', namespaces: ['svc'], entityIds: ['vip'] },
        { action: 'deny', namespaces: ['svc'], maxLevel: 'DEBUG' },
      ],
    });
    const { root, sink } = makeRoot({ policy });
    const svc = root.child('svc');
    for (let i = 0; i < 3; i++) svc.debug('x', { i });
    svc.debug('x', { i: 9 }, { entityId: 'vip' });
    svc.info('y');
    expect(sink.names()).toEqual(['x', 'y']);
    expect(sink.events[0]!.meta.entityId).toBe('vip');
  });

  it('plain events of one name in a row share one frozen meta; another name or options get their own', () => {
    const { root, sink } = makeRoot({ namespace: 'svc' });
    root.info('a');
    root.warning('a', { n: 1 });
    root.info('b');
    root.info('a', {}, { entityId: 'e' });
    root.child('c').info('a');
    const m = sink.events.map((e) => e.meta);
    expect(m[0]).toBe(m[1]);
    expect(Object.isFrozen(m[0])).toBe(true);
    expect(m.map((x) => [x.namespace, x.name, x.entityId])).toEqual([
      ['svc', 'a', undefined],
      ['svc', 'a', undefined],
      ['svc', 'b', undefined],
      ['svc', 'a', 'e'],
      ['svc.c', 'a', undefined],
    ]);
  });

  it('a level decided per name gets a helper that reads only the denial table, and follows every policy change', () => {
    const { root, sink } = makeRoot({ policy: new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['x', 'y'] }] }) });
    for (const n of ['x', 'y', 'z', 'x']) root.debug(n, { n });
    expect(root.debug).not.toBe(LogContext.prototype.debug); // swapped for the per-name helper
    root.debug(42 as unknown as string); // still validated: counted, never thrown
    root.debug('');
    expect(root.stats().invalidCalls).toBe(2);
    root.setPolicy(new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['z'] }] }));
    expect(root.debug).toBe(LogContext.prototype.debug); // put back by the change
    for (const n of ['x', 'y', 'z']) root.debug(n, { n });
    root.debug('x', { n: 'vip' }, { entityId: 'e' });
    expect(sink.events.map((e) => e.payload['n'])).toEqual(['z', 'x', 'y', 'vip']);
  });

  it('short-lived hand-built contexts do not grow the registry of silenced contexts without bound', () => {
    const { root, sink } = makeRoot({ minLevel: 'INFO' });
    root.setMinLevel('INFO'); // a configuration change empties the registry
    expect(silencedContextCount()).toBe(0);
    // A request-scoped context per call, dropped right after: each one has DEBUG off.
    for (let i = 0; i < 3 * SILENCED_CONTEXT_LIMIT; i++) new LogContext({ parent: root, namespace: 'req' }).debug('x');
    expect(silencedContextCount()).toBeLessThanOrEqual(SILENCED_CONTEXT_LIMIT);
    // Contexts past the bound keep the class's helpers: still correct, just not shortcut.
    const kept = Array.from({ length: SILENCED_CONTEXT_LIMIT + 10 }, () => new LogContext({ parent: root, namespace: 'kept' }));
    for (const c of kept) c.debug('x');
    expect(silencedContextCount()).toBeLessThanOrEqual(SILENCED_CONTEXT_LIMIT);
    expect(sink.events).toHaveLength(0);
    root.setMinLevel('DEBUG');
    kept[0]!.debug('first');
    kept.at(-1)!.debug('last');
    expect(sink.names()).toEqual(['first', 'last']);
  });

  it('options null (from JavaScript) or an entity id whose toString throws does not throw into the caller', () => {
    for (const policy of [undefined, new RecordingPolicy(() => true)]) {
      const { root, sink } = makeRoot(policy === undefined ? {} : { policy });
      const nul = null as unknown as LogEventOptions;
      root.info('a', { n: 1 }, nul);
      root.logEvent('b', LogLevel.WARNING, undefined, nul);
      expect(root.isEnabled('c', LogLevel.INFO, nul)).toBe(true);
      const hostile = { toString: () => { throw new Error('toString'); } } as unknown as string;
      root.info('d', {}, { entityId: hostile });
      expect(sink.names()).toEqual(['a', 'b', 'd']);
      expect(sink.events[2]!.meta.entityId).toBeUndefined();
    }
  });

  it('a subclass overriding a level helper keeps its override (never silenced)', () => {
    const seen: string[] = [];
    class Counting extends LogContext {
      override debug(name: string, payload?: unknown, options?: LogEventOptions): void {
        seen.push(name);
        super.debug(name, payload, options);
      }
    }
    const root = new Counting({ sink: new MemorySink(), payloadProcessor: new RecordingProcessor(), minLevel: 'INFO' });
    for (let i = 0; i < 3; i++) root.debug(`n${i}`);
    expect(seen).toEqual(['n0', 'n1', 'n2']);
  });

  it('is invalidated when the policy version changes', () => {
    const policy = new RecordingPolicy(() => false);
    const { root, sink } = makeRoot({ policy });
    root.info('x');
    policy.decide = () => true;
    root.info('x');
    expect(sink.events).toHaveLength(0);
    policy.version++;
    root.info('x');
    expect(sink.events).toHaveLength(1);
  });

  it('a repeated denial (memoised) does not survive a policy change or a version change', () => {
    const deny = new RecordingPolicy((m) => m.name !== 'x');
    const { root, sink } = makeRoot({ policy: deny });
    for (let i = 0; i < 3; i++) root.debug('x');
    expect(sink.events).toHaveLength(0);
    root.setPolicy(new RecordingPolicy(() => true));
    root.debug('x');
    root.debug('x');
    expect(sink.events).toHaveLength(2);
    root.setPolicy(deny);
    for (let i = 0; i < 3; i++) root.debug('x');
    deny.decide = () => true;
    deny.version++;
    root.debug('x');
    root.debug('x');
    expect(sink.events).toHaveLength(4);
  });

  it('is invalidated when any setting in the chain changes (a parent gets a policy, a level)', () => {
    const { root, sink } = makeRoot();
    const leaf = root.child('a').child('b');
    leaf.info('x');
    expect(sink.events).toHaveLength(1);
    root.child('a').setPolicy(new RecordingPolicy(() => false));
    leaf.info('x');
    expect(sink.events).toHaveLength(1);
    root.child('a').resetPolicy();
    leaf.info('x');
    expect(sink.events).toHaveLength(2);
    root.setMinLevel('ERROR');
    leaf.info('x');
    expect(sink.events).toHaveLength(2);
    expect(leaf.isEnabled('x', LogLevel.ERROR)).toBe(true);
  });

  it('is bounded: the oldest entries are evicted and counted', () => {
    const policy = new RecordingPolicy(() => false);
    const { root } = makeRoot({ policy });
    for (let i = 0; i < DECISION_CACHE_LIMIT + 10; i++) root.info(`n${i}`);
    const s = root.stats();
    expect(s.decisionCacheSize).toBe(DECISION_CACHE_LIMIT);
    expect(s.decisionCacheEvictions).toBe(10);
    // n0 was evicted: asking again consults the policy.
    const before = policy.asked.length;
    root.info('n0');
    expect(policy.asked.length).toBe(before + 1);
  });

  it('a throwing policy drops the event, is reported and counted, and is not cached', () => {
    let calls = 0;
    const policy = new RecordingPolicy(() => {
      calls++;
      throw new Error('bad policy');
    });
    const { root, sink } = makeRoot({ policy });
    root.info('x');
    root.info('x');
    expect(sink.events).toHaveLength(0);
    expect(calls).toBe(2);
    expect(root.stats().policyFailures).toBe(2);
    expect(diagnostics.filter((d) => d.code === 'policy.failed')).toHaveLength(2);
  });
});

describe('emitting (3.1 e, f)', () => {
  it('e01: defaults: context namespace, no outcome, no entity, no source, timestamp within the call', () => {
    const { root, sink } = makeRoot({ namespace: 'svc' });
    const before = Date.now();
    root.info('started');
    const after = Date.now();
    const e = sink.events[0]!;
    expect(e.meta).toEqual({ namespace: 'svc', name: 'started' });
    expect(e.outcome).toBeUndefined();
    expect(e.level).toBe(LogLevel.INFO);
    expect(e.payload).toEqual({});
    expect(e.timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(e.timestamp).toBeLessThan(after + 1.5); // Date.now() truncates; the clock is within 0.5 ms (clock.test.ts)
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.meta)).toBe(true);
  });

  it('e04/e07: the payload is normalised by the effective processor', () => {
    const { root, sink } = makeRoot();
    const child = root.child('c');
    child.setPayloadProcessor(new RecordingProcessor('NORMAL', 'child'));
    child.info('x', { n: 1 });
    root.info('y', { n: 2 });
    expect(sink.events.map((e) => e.payload.__by)).toEqual(['child', 'p']);
  });

  it('e08/e09: emitLogEvent bypasses level, policy and normalisation', () => {
    const { root, sink, processor } = makeRoot({ policy: new RecordingPolicy(() => false), minLevel: 'CRITICAL' });
    const event = Object.freeze({ level: 10, meta: { namespace: '', name: 'raw' }, timestamp: 1, payload: { keep: 1 } });
    root.emitLogEvent(event);
    expect(sink.events[0]).toBe(event);
    expect(processor.calls).toHaveLength(0);
  });

  it('f01-f05: level helpers set the level and forward every option', () => {
    const { root, sink } = makeRoot();
    const opts = { outcome: 'invoke', entityId: 'e', source: { functionName: 'f' } };
    root.debug('d', {}, opts);
    root.info('i', {}, opts);
    root.warning('w', {}, opts);
    root.error('e', {}, opts);
    root.critical('c', {}, opts);
    expect(sink.events.map((e) => e.level)).toEqual([10, 20, 30, 40, 50]);
    for (const e of sink.events) {
      expect(e.outcome).toBe('invoke');
      expect(e.meta.entityId).toBe('e');
      expect(e.meta.source).toEqual({ functionName: 'f' });
    }
  });

  it('invalid calls (empty name, non-numeric level) are dropped, reported and counted', () => {
    const { root, sink } = makeRoot();
    root.info('');
    root.logEvent('x', 'loud' as unknown as number);
    root.logEvent('x', Number.NaN);
    root.info(42 as unknown as string);
    expect(sink.events).toHaveLength(0);
    expect(root.stats().invalidCalls).toBe(4);
    expect(diagnostics.filter((d) => d.code === 'call.invalid')).toHaveLength(4);
  });

  it('a throwing payload function or processor does not lose the event', () => {
    const { root, sink } = makeRoot();
    root.info('x', () => {
      throw new TypeError('no payload');
    });
    expect(sink.events[0]!.payload).toEqual({ payloadError: { type: 'TypeError', message: 'no payload' } });
    root.setPayloadProcessor({
      normalizePayload: () => {
        throw new Error('proc');
      },
      normalizeValueForLog: () => null,
      getPlainVerbosityLevel: () => undefined,
    });
    root.info('y', { a: 1 });
    expect(sink.events[1]!.payload).toEqual({ payloadError: { type: 'Error', message: 'proc' } });
    expect(root.stats().payloadFailures).toBe(2);
  });

  it('a sink that logs re-entrantly through its context is bounded', () => {
    const { root } = makeRoot();
    let depth = 0;
    root.setSink({
      log: () => {
        depth++;
        root.info('again');
      },
    });
    root.info('first');
    expect(depth).toBe(8);
    expect(root.stats().recursionDrops).toBe(1);
  });
});

describe('sink failures (3.1 g)', () => {
  it('g01: raise throws MvxError UNABLE_TO_LOG with the cause', () => {
    const { root } = makeRoot({ errorHandling: 'raise' });
    root.setSink(new FailingSink());
    let caught: unknown;
    try {
      root.info('x');
    } catch (err) {
      caught = err;
    }
    expect(isMvxError(caught, MvxErrorCode.UNABLE_TO_LOG)).toBe(true);
    expect((caught as Error).cause).toBeInstanceOf(Error);
    expect(((caught as Error).cause as Error).message).toBe('disk full');
  });

  it('g02: ignore swallows the failure but counts it', () => {
    const { root } = makeRoot({ errorHandling: 'ignore' });
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    root.setSink(new FailingSink());
    root.info('x');
    root.info('y');
    expect(root.stats().sinkFailures).toBe(2);
    expect(write).not.toHaveBeenCalled();
  });

  it('g03/g04: print-stderr prints the first failure at once and summarises later ones with a count', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const { root } = makeRoot();
    root.setSink(new FailingSink());
    root.info('x');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("sink failed to log event 'x'");
    expect(lines[0]).toContain('disk full');
    root.info('y');
    root.info('z');
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('2 more sink failures');
    // Later failures after the interval are printed at once again.
    vi.advanceTimersByTime(5_000);
    root.info('w');
    expect(lines).toHaveLength(3);
    expect(root.stats().sinkFailures).toBe(4);
  });
});

describe('payload delegation (3.1 h, j)', () => {
  it('h: buildErrorPayload uses normalizeError when the processor has it', () => {
    const { root } = makeRoot();
    const proc = Object.assign(new RecordingProcessor(), {
      normalizeError: (e: unknown) => ({ type: 'X', message: String((e as Error).message), custom: true }),
    });
    root.setPayloadProcessor(proc);
    expect(root.buildErrorPayload(new Error('boom'))).toEqual({ type: 'X', message: 'boom', custom: true });
  });

  it('h: without normalizeError it uses normalizeValueForLog, wrapping non-objects', () => {
    const { root } = makeRoot();
    expect(root.buildErrorPayload(new RangeError('r'))).toEqual({ type: 'RangeError', message: 'r' });
    expect(root.buildErrorPayload('plain')).toEqual({ type: 'string', message: 'plain' });
  });

  it('h: a throwing processor gives a { type, message } fallback', () => {
    const { root } = makeRoot();
    root.setPayloadProcessor({
      normalizePayload: () => ({}),
      normalizeValueForLog: () => {
        throw new Error('nope');
      },
      getPlainVerbosityLevel: () => undefined,
    });
    expect(root.buildErrorPayload(new Error('boom'))).toEqual({ type: 'Error', message: 'boom' });
    expect(root.normalizeValueForLog(1)).toBe('<unloggable value>');
  });

  it('j: normalize calls go to the effective processor with options forwarded', () => {
    const { root, processor } = makeRoot();
    const child = root.child('c');
    child.normalizePayload({ a: 1 }, { unbounded: true });
    child.normalizeValueForLog('v', { unbounded: true });
    expect(processor.calls.map((c) => [c.method, c.options])).toEqual([
      ['normalizePayload', { unbounded: true }],
      ['normalizeValueForLog', { unbounded: true }],
      ['normalizeValueForLog', { unbounded: true }],
    ]);
    expect(child.getPlainVerbosityLevel()).toBe('NORMAL');
  });
});
