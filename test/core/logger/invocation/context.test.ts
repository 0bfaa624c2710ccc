import { afterEach, describe, expect, it } from 'vitest';
import { getLogContext, getRootLogContext, resetLogContexts } from '../../../../src/core/logger/context/facade.ts';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import { logInvocation } from '../../../../src/core/logger/invocation/log-invocation.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { harness } from './helpers.ts';
import type { Harness } from './helpers.ts';

let h: Harness;
afterEach(() => h?.dispose());

describe('context resolution', () => {
  it('option context: a LogContext', () => {
    h = harness();
    const db = h.root.child('db');
    logInvocation({ event: 'q', context: db })(() => 1)();
    expect(h.sink.events.map((e) => e.meta.namespace)).toEqual(['test.db', 'test.db']);
  });

  it('option context: a function of this; returning undefined makes it a plain call', () => {
    h = harness();
    class Svc {
      enabled = true;
      run = logInvocation<Svc>({ event: 'run', context: (self) => (self.enabled ? h.root : undefined) })(function (this: Svc) {
        return 'ran';
      });
    }
    const s = new Svc();
    expect(s.run()).toBe('ran');
    s.enabled = false;
    expect(s.run()).toBe('ran');
    expect(h.sink.events).toHaveLength(2);
  });

  it('this.logContext, then this.getLogContext(); a provider giving nothing switches logging off', () => {
    h = harness();
    const withProp = { logContext: h.root.child('prop') as LogContext | undefined, f: logInvocation({ event: 'f' })(() => 1) };
    const withGetter = {
      ctx: h.root.child('getter') as LogContext | undefined,
      getLogContext() {
        return this.ctx;
      },
      f: logInvocation({ event: 'f' })(() => 2),
    };
    withProp.f();
    withGetter.f();
    expect(h.sink.events.map((e) => e.meta.namespace)).toEqual(['test.prop', 'test.prop', 'test.getter', 'test.getter']);
    h.sink.clear();
    withProp.logContext = undefined;
    withGetter.ctx = undefined;
    expect(withProp.f()).toBe(1);
    expect(withGetter.f()).toBe(2);
    expect(h.sink.events).toHaveLength(0);
  });

  it('a provider that throws or gives something else is reported once and the call runs unlogged', () => {
    h = harness();
    const bad = {
      getLogContext(): LogContext {
        throw new Error('no ctx');
      },
      f: logInvocation({ event: 'f' })(() => 'ok'),
    };
    const odd = { logContext: 'not a context' as unknown as LogContext, f: logInvocation({ event: 'g' })(() => 'ok') };
    expect(bad.f()).toBe('ok');
    expect(bad.f()).toBe('ok');
    expect(odd.f()).toBe('ok');
    expect(h.diagnostics.map((d) => d.code)).toEqual(['context.failed', 'context.invalid']);
  });

  it('falls back to the facade context of option namespace (string context too), else the facade root', () => {
    const sink = new MemorySink();
    const root = getRootLogContext();
    const saved = root.localSettings();
    root.setSink(sink);
    root.setMinLevel(0);
    try {
      resetLogContexts();
      logInvocation({ event: 'a', namespace: 'svc.api' })(() => 1)();
      logInvocation({ event: 'b', context: 'svc.db' })(() => 1)();
      logInvocation({ event: 'c' })(() => 1)();
      // A plain object without a provider falls back as well.
      const obj = { f: logInvocation({ event: 'd', namespace: 'svc' })(() => 1) };
      obj.f();
      expect(sink.events.filter((e) => e.outcome === 'invoke').map((e) => `${e.meta.namespace}/${e.meta.name}`)).toEqual([
        'svc.api/a',
        'svc.db/b',
        '/c',
        'svc/d',
      ]);
      // After a reset, the namespace resolves to the fresh facade context.
      resetLogContexts();
      const fresh = getLogContext('svc.api');
      fresh.setMinLevel('ERROR');
      sink.clear();
      logInvocation({ event: 'a', namespace: 'svc.api' })(() => 1)();
      expect(sink.events).toHaveLength(0);
    } finally {
      resetLogContexts();
      root.setSink(saved.sink!);
      root.setMinLevel(saved.minLevel!);
    }
  });

  it('uses this rather than the first argument (no duck typing on arguments)', () => {
    h = harness();
    const decoy = new LogContext({ sink: new MemorySink(), payloadProcessor: new LogPayloadProcessor() });
    const holder = { logContext: h.root, f: logInvocation({ event: 'f' })((_o: unknown) => 1) };
    holder.f({ logContext: decoy, entityId: 'decoy' });
    expect(h.sink.events).toHaveLength(2);
    expect(h.sink.events[0]!.meta.entityId).toBeUndefined();
  });
});

describe('entity id', () => {
  it('comes from this.entityId', () => {
    h = harness();
    class Conn {
      logContext = h.root;
      entityId: string;
      constructor(id: string) {
        this.entityId = id;
      }
      ping = logInvocation({ event: 'ping' })(function (this: Conn) {
        return this.entityId;
      });
    }
    new Conn('c-1').ping();
    new Conn('c-2').ping();
    expect(h.sink.events.map((e) => e.meta.entityId)).toEqual(['c-1', 'c-1', 'c-2', 'c-2']);
  });

  it('an option getter (self, args) wins; a throwing getter is reported and the event has none', () => {
    h = harness();
    const f = logInvocation({ event: 'f', context: h.root, entityId: (_self, args) => `tenant-${String(args[0])}` })(
      (_t: number) => 1,
    );
    f(7);
    expect(h.sink.events[0]!.meta.entityId).toBe('tenant-7');
    h.sink.clear();
    const g = logInvocation({
      event: 'g',
      context: h.root,
      entityId: () => {
        throw new Error('nope');
      },
    })(() => 'still runs');
    expect(g()).toBe('still runs');
    expect(h.sink.events[0]!.meta.entityId).toBeUndefined();
    expect(h.diagnostics.some((d) => d.code === 'entity-id.failed')).toBe(true);
  });

  it('a throwing this.entityId getter does not throw into the caller: reported once, the event has no entity id', () => {
    h = harness();
    class Conn {
      logContext = h.root;
      get entityId(): string {
        throw new Error('entity getter');
      }
      ping = logInvocation({ event: 'ping' })(() => 'pong');
    }
    const c = new Conn();
    expect(c.ping()).toBe('pong');
    expect(c.ping()).toBe('pong');
    expect(h.sink.events.map((e) => e.meta.entityId)).toEqual([undefined, undefined, undefined, undefined]);
    expect(h.diagnostics.filter((d) => d.code === 'entity-id.failed')).toHaveLength(1);
  });

  it('a throwing this.logContext getter does not throw into the caller: reported once, the call runs unlogged', () => {
    h = harness();
    class Svc {
      get logContext(): LogContext {
        throw new Error('ctx getter');
      }
      run = logInvocation({ event: 'run' })(() => 'ran');
    }
    const s = new Svc();
    expect(s.run()).toBe('ran');
    expect(s.run()).toBe('ran');
    expect(h.sink.events).toHaveLength(0);
    expect(h.diagnostics.filter((d) => d.code === 'context.failed')).toHaveLength(1);
  });

  it('the policy sees the entity id', () => {
    h = harness({ policy: { isEnabled: (meta) => meta.entityId !== 'noisy' } });
    const o = { logContext: h.root, entityId: 'quiet', f: logInvocation({ event: 'f' })(() => 1) };
    o.f();
    o.entityId = 'noisy';
    o.f();
    expect(h.sink.events.map((e) => e.meta.entityId)).toEqual(['quiet', 'quiet']);
  });
});
