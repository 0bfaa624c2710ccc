import { afterEach, describe, expect, it } from 'vitest';
import { MvxConfigError } from '../../../../src/core/errors.ts';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import { logInvocation } from '../../../../src/core/logger/invocation/log-invocation.ts';
import { FnPolicy, harness, settle } from './helpers.ts';
import type { Harness } from './helpers.ts';

const { DEBUG, INFO, WARNING, ERROR } = LogLevel;
let h: Harness;
afterEach(() => h?.dispose());

describe('sync functions', () => {
  it('logs invoke then success at DEBUG, returns the value, success carries durationMs', () => {
    h = harness();
    const add = logInvocation({ event: 'math.add', context: h.root, params: ['a', 'b'], args: ['a', 'b'], result: true })(
      (a: number, b: number) => a + b,
    );
    expect(add(2, 3)).toBe(5);
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`, `success@${DEBUG}`]);
    const invoke = h.byOutcome('invoke');
    expect(invoke.meta).toMatchObject({ namespace: 'test', name: 'math.add' });
    expect(invoke.payload).toEqual({ args: { a: 2, b: 3 } });
    const success = h.byOutcome('success');
    expect(success.payload.result).toBe(5);
    expect(typeof success.payload.durationMs).toBe('number');
    expect(success.payload.durationMs as number).toBeGreaterThanOrEqual(0);
    expect('durationMs' in invoke.payload).toBe(false);
  });

  it('event timestamps are epoch ms from the same clock reads as durationMs', () => {
    h = harness();
    const before = Date.now();
    logInvocation({ event: 'op', context: h.root })(() => 1)();
    const invoke = h.byOutcome('invoke');
    const success = h.byOutcome('success');
    expect(invoke.timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(invoke.timestamp).toBeLessThan(Date.now() + 1.5); // Date.now() truncates; the clock is within 0.5 ms (clock.test.ts)
    expect(Math.abs(success.timestamp - invoke.timestamp - (success.payload.durationMs as number))).toBeLessThan(1e-3);
  });

  it('keeps this, the function name and length', () => {
    h = harness();
    const obj = {
      factor: 3,
      times: logInvocation({ event: 'times', context: h.root })(function times(this: { factor: number }, x: number, _y?: number) {
        return this.factor * x;
      }),
    };
    expect(obj.times(2)).toBe(6);
    expect(obj.times.name).toBe('times');
    expect(obj.times.length).toBe(2);
    expect(h.byOutcome('invoke').meta.source).toEqual({ functionName: 'times' });
    h.sink.clear();
    logInvocation({ event: 'anon', context: h.root })(
      // An arrow function created inline in an argument position has no name.
      [() => 1][0]!,
    )();
    expect(h.byOutcome('invoke').meta.source).toBeUndefined();
  });

  it('logs failed at ERROR with the structured error and rethrows the same error', () => {
    h = harness();
    const boom = new TypeError('bad input');
    const fail = logInvocation({ event: 'op', context: h.root })(() => {
      throw boom;
    });
    let caught: unknown;
    try {
      fail();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(boom);
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`, `failed@${ERROR}`]);
    const failed = h.byOutcome('failed');
    expect(failed.payload.error).toMatchObject({ type: 'TypeError', message: 'bad input' });
    expect(typeof failed.payload.durationMs).toBe('number');
  });

  it('logs a thrown primitive in full every time (it cannot be tracked)', () => {
    h = harness();
    const inner = logInvocation({ event: 'inner', context: h.root })(() => {
      throw 'plain string';
    });
    const outer = logInvocation({ event: 'outer', context: h.root })(() => inner());
    expect(() => outer()).toThrow();
    const failed = h.sink.find({ outcome: 'failed' });
    expect(failed.map((e) => e.level)).toEqual([ERROR, ERROR]);
    expect(failed.every((e) => e.payload.error !== undefined)).toBe(true);
  });
});

describe('promises and thenables', () => {
  it('returns the same promise object and logs success when it resolves', async () => {
    h = harness();
    let resolve!: (v: number) => void;
    const p = new Promise<number>((r) => (resolve = r));
    const fn = logInvocation({ event: 'wait', context: h.root, result: true })(() => p);
    const returned = fn();
    expect(returned).toBe(p);
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`]);
    resolve(42);
    expect(await returned).toBe(42);
    await settle();
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`, `success@${DEBUG}`]);
    expect(h.byOutcome('success').payload.result).toBe(42);
  });

  it('logs failed when an async function rejects; the caller still sees the rejection', async () => {
    h = harness();
    const fn = logInvocation({ event: 'async.op', context: h.root })(async (x: number) => {
      await settle();
      if (x > 0) throw new RangeError('too big');
      return x;
    });
    await expect(fn(1)).rejects.toThrow('too big');
    await settle();
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`, `failed@${ERROR}`]);
    expect(h.byOutcome('failed').payload.error).toMatchObject({ type: 'RangeError' });
    expect(await fn(0)).toBe(0);
  });

  it('by default completes a foreign thenable on return without calling then (lazy thenables run per then)', () => {
    h = harness();
    let thenCalls = 0;
    const lazy = { then: (ok: (v: string) => void) => (thenCalls++, ok('ran')) };
    const fn = logInvocation({ event: 'query', context: h.root })(() => lazy);
    expect(fn()).toBe(lazy);
    expect(thenCalls).toBe(0);
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`, `success@${DEBUG}`]);
  });

  it("with thenables: 'observe' subscribes once and logs the settled outcome", async () => {
    h = harness();
    let thenCalls = 0;
    let reject!: (e: unknown) => void;
    const thenable = {
      then(_ok: (v: unknown) => void, bad: (e: unknown) => void) {
        thenCalls++;
        reject = bad;
      },
    };
    const fn = logInvocation({ event: 'query', context: h.root, thenables: 'observe' })(() => thenable);
    expect(fn()).toBe(thenable);
    expect(thenCalls).toBe(1);
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`]);
    reject(new Error('late'));
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`, `failed@${ERROR}`]);
  });
});

describe('more return shapes', () => {
  it('a sync function returning a rejected promise: same object, failed after it settles', async () => {
    h = harness();
    const err = new Error('later');
    const p = Promise.reject(err);
    const fn = logInvocation({ event: 'op', context: h.root })(() => p);
    expect(fn()).toBe(p);
    await expect(p).rejects.toBe(err);
    await settle();
    expect(h.sink.outcomes()).toEqual(['invoke', 'failed']);
  });

  it("a thenable whose then() throws under thenables: 'observe' is logged as returned and reported", () => {
    h = harness();
    const broken = {
      then() {
        throw new Error('then bug');
      },
    };
    const fn = logInvocation({ event: 'op', context: h.root, thenables: 'observe' })(() => broken);
    expect(fn()).toBe(broken);
    expect(h.sink.outcomes()).toEqual(['invoke', 'success']);
    expect(h.diagnostics.some((d) => d.code === 'thenable.failed')).toBe(true);
  });

  it('a Promise subclass whose then() throws is returned untouched; the call is logged as returned', () => {
    h = harness();
    class Odd extends Promise<number> {
      override then(): never {
        throw new Error('odd then');
      }
    }
    const odd = new Odd((resolve) => resolve(1));
    const fn = logInvocation({ event: 'op', context: h.root })(() => odd);
    expect(fn()).toBe(odd);
    expect(h.sink.outcomes()).toEqual(['invoke', 'success']);
    expect(h.diagnostics.some((d) => d.code === 'thenable.failed')).toBe(true);
  });

  it('one decorator value applied to several functions logs each under its own name', () => {
    h = harness();
    const logged = logInvocation({ event: 'op', context: h.root });
    const a = logged(function alpha() {
      return 'a';
    });
    const b = logged(function beta() {
      return 'b';
    });
    expect([a(), b()]).toEqual(['a', 'b']);
    expect(h.sink.find({ outcome: 'success' }).map((e) => e.meta.source?.functionName)).toEqual(['alpha', 'beta']);
  });

  it('a field spec on this for a plain function (no this) is reported once, the events still go out', () => {
    h = harness();
    const fn = logInvocation({ event: 'op', context: h.root, fields: ['state'] })(() => 1);
    fn();
    fn();
    expect(h.sink.events).toHaveLength(4);
    expect(h.diagnostics.filter((d) => d.code === 'spec.unresolved')).toHaveLength(1);
  });
});

describe('cancellation', () => {
  it('an AbortError is cancelled at INFO with cancelled: true, the error and durationMs', async () => {
    h = harness();
    const controller = new AbortController();
    const fn = logInvocation({ event: 'fetch', context: h.root })(async () => {
      controller.abort();
      controller.signal.throwIfAborted();
    });
    await expect(fn()).rejects.toMatchObject({ name: 'AbortError' });
    await settle();
    expect(h.lifecycle()).toEqual([`invoke@${DEBUG}`, `cancelled@${INFO}`]);
    const cancelled = h.byOutcome('cancelled');
    expect(cancelled.payload.cancelled).toBe(true);
    expect(cancelled.payload.error).toMatchObject({ message: expect.stringContaining('abort') });
    expect(typeof cancelled.payload.durationMs).toBe('number');
  });

  it('any error named AbortError counts, DOMException or not', () => {
    h = harness();
    const err = Object.assign(new Error('stopped'), { name: 'AbortError' });
    const fn = logInvocation({ event: 'op', context: h.root })(() => {
      throw err;
    });
    expect(() => fn()).toThrow('stopped');
    expect(h.sink.outcomes()).toEqual(['invoke', 'cancelled']);
  });

  it('the reason of an aborted signal passed as an argument, or as { signal }, is a cancellation', async () => {
    h = harness();
    class Shutdown extends Error {}
    const work = async (signal: AbortSignal): Promise<void> => {
      await settle();
      throw signal.reason;
    };
    const direct = logInvocation({ event: 'direct', context: h.root })(work);
    const viaOptions = logInvocation({ event: 'options', context: h.root })((o: { signal: AbortSignal }) => work(o.signal));
    const c1 = new AbortController();
    const p1 = direct(c1.signal);
    c1.abort(new Shutdown('bye'));
    await expect(p1).rejects.toBeInstanceOf(Shutdown);
    const c2 = new AbortController();
    const p2 = viaOptions({ signal: c2.signal });
    c2.abort('primitive reason');
    await expect(p2).rejects.toBe('primitive reason');
    await settle();
    expect(h.sink.find({ outcome: 'cancelled' }).map((e) => e.meta.name)).toEqual(['direct', 'options']);
  });

  it('an error that is not the reason of an aborted signal is a failure', () => {
    h = harness();
    const c = new AbortController();
    const fn = logInvocation({ event: 'op', context: h.root })((_s: AbortSignal) => {
      throw new Error('unrelated');
    });
    expect(() => fn(c.signal)).toThrow('unrelated');
    expect(h.sink.outcomes()).toEqual(['invoke', 'failed']);
  });

  it('nested: the inner call logs the cancellation error, the outer one its cancelled event without it', () => {
    h = harness();
    const inner = logInvocation({ event: 'inner', context: h.root })(() => {
      throw new DOMException('aborted', 'AbortError');
    });
    const outer = logInvocation({ event: 'outer', context: h.root })(() => inner());
    expect(() => outer()).toThrow('aborted');
    const cancelled = h.sink.find({ outcome: 'cancelled' });
    expect(cancelled.map((e) => [e.meta.name, e.payload.error !== undefined])).toEqual([
      ['inner', true],
      ['outer', false],
    ]);
  });
});

describe('nested decorated calls and the error policy', () => {
  it('an error logged in full by the inner call is suppressed (DEBUG, no error) in the outer one, without touching the error', () => {
    h = harness();
    const err = Object.freeze(new Error('db down'));
    const inner = logInvocation({ event: 'inner', context: h.root })(() => {
      throw err;
    });
    const outer = logInvocation({ event: 'outer', context: h.root })(() => inner());
    expect(() => outer()).toThrow('db down');
    const failed = h.sink.find({ outcome: 'failed' });
    expect(failed.map((e) => [e.meta.name, e.level, 'error' in e.payload])).toEqual([
      ['inner', ERROR, true],
      ['outer', DEBUG, false],
    ]);
    expect(Reflect.ownKeys(err).sort()).toEqual(['message', 'stack'].sort());
  });

  it("a 'full' rule logs in full even when an inner call already did", () => {
    h = harness();
    const inner = logInvocation({ event: 'inner', context: h.root })(() => {
      throw new Error('x');
    });
    const outer = logInvocation({ event: 'outer', context: h.root, errors: [{ error: Error, log: 'full' }] })(() => inner());
    expect(() => outer()).toThrow();
    expect(h.sink.find({ outcome: 'failed' }).map((e) => e.level)).toEqual([ERROR, ERROR]);
  });

  it("a 'suppressed' rule logs at failedSuppressed without error; the first matching rule wins", () => {
    h = harness();
    class InvalidCredentials extends Error {}
    const bind = logInvocation({
      event: 'bind',
      context: h.root,
      levels: { failedSuppressed: 'INFO' },
      errors: [
        { error: InvalidCredentials, log: 'suppressed' },
        { error: Error, log: 'full' },
      ],
    })((ok: boolean) => {
      throw ok ? new Error('io') : new InvalidCredentials('nope');
    });
    expect(() => bind(false)).toThrow('nope');
    expect(() => bind(true)).toThrow('io');
    const failed = h.sink.find({ outcome: 'failed' });
    expect(failed.map((e) => [e.level, 'error' in e.payload])).toEqual([
      [INFO, false],
      [ERROR, true],
    ]);
  });

  it('a test predicate selects errors; a throwing predicate does not match and is reported once', () => {
    h = harness();
    const fn = logInvocation({
      event: 'op',
      context: h.root,
      errors: [
        {
          test: (e) => {
            if ((e as Error).message === 'weird') throw new Error('predicate bug');
            return (e as { code?: string }).code === 'ENOENT';
          },
          log: 'suppressed',
        },
      ],
    })((e: Error) => {
      throw e;
    });
    expect(() => fn(Object.assign(new Error('missing'), { code: 'ENOENT' }))).toThrow();
    expect(() => fn(new Error('weird'))).toThrow();
    expect(() => fn(new Error('weird'))).toThrow();
    expect(h.sink.find({ outcome: 'failed' }).map((e) => e.level)).toEqual([DEBUG, ERROR, ERROR]);
    expect(h.diagnostics.filter((d) => d.code === 'error-rule.failed')).toHaveLength(1);
  });
});

describe('levels', () => {
  it('takes levels per outcome by name or number', async () => {
    h = harness();
    const levels = { invoke: 'INFO', success: 25, failed: 'CRITICAL', cancelled: WARNING } as const;
    const ok = logInvocation({ event: 'ok', context: h.root, levels })(() => 1);
    const bad = logInvocation({ event: 'bad', context: h.root, levels })(() => {
      throw new Error('x');
    });
    const cancel = logInvocation({ event: 'cancel', context: h.root, levels })(() => {
      throw new DOMException('a', 'AbortError');
    });
    ok();
    expect(() => bad()).toThrow();
    expect(() => cancel()).toThrow();
    expect(h.lifecycle()).toEqual(['invoke@20', 'success@25', 'invoke@20', 'failed@50', 'invoke@20', 'cancelled@30']);
  });

  it('rejects an invalid level when decorating', () => {
    expect(() => logInvocation({ event: 'x', levels: { invoke: 'LOUD' as 'INFO' } })).toThrow(MvxConfigError);
    expect(() => logInvocation({ event: 'x', levels: { failed: 1.5 } })).toThrow(/levels.failed/);
  });

  it('each outcome also needs its level at or above the context minimum level', () => {
    h = harness({ minLevel: INFO });
    const inner = logInvocation({ event: 'inner', context: h.root })(() => {
      throw new Error('x');
    });
    const outer = logInvocation({ event: 'outer', context: h.root, levels: { invoke: INFO } })(() => inner());
    expect(() => outer()).toThrow();
    // outer invoke INFO passes; success DEBUG never happens; inner failed ERROR passes; outer suppressed DEBUG dropped.
    expect(h.lifecycle()).toEqual([`invoke@${INFO}`, `failed@${ERROR}`]);
  });
});

describe('policy gating', () => {
  it('one decision per call gates invoke and success; failed and cancelled are emitted regardless', async () => {
    const policy = new FnPolicy(() => false);
    h = harness({ policy });
    const fail = logInvocation({ event: 'op', context: h.root, args: ['0'] })((mode: string) => {
      if (mode === 'fail') throw new Error('f');
      if (mode === 'cancel') throw new DOMException('c', 'AbortError');
      return mode;
    });
    expect(fail('ok')).toBe('ok');
    expect(h.sink.events).toHaveLength(0);
    expect(() => fail('fail')).toThrow('f');
    expect(() => fail('cancel')).toThrow('c');
    expect(h.sink.outcomes()).toEqual(['failed', 'cancelled']);
    // The quiet path reads no clock: no durationMs.
    expect(h.sink.events.every((e) => !('durationMs' in e.payload))).toBe(true);
    expect(h.byOutcome('failed').payload.error).toMatchObject({ message: 'f' });
  });

  it('does no payload work when disabled', () => {
    h = harness({ policy: new FnPolicy(() => false) });
    let reads = 0;
    const arg = {
      get id(): number {
        reads++;
        return 1;
      },
    };
    const fn = logInvocation({ event: 'op', context: h.root, args: ['0.id'], result: true, fields: { f: () => reads++ } })(
      (_a: typeof arg) => 1,
    );
    for (let i = 0; i < 5; i++) fn(arg);
    expect(reads).toBe(0);
  });

  it('asks the policy with the invocation metadata, outcome invoke, once per call (decision cached until the policy changes)', () => {
    const policy = new FnPolicy((meta, _level, outcome) => meta.name === 'allowed' && outcome === 'invoke');
    h = harness({ policy });
    const allowed = logInvocation({ event: 'allowed', context: h.root })(() => 1);
    const denied = logInvocation({ event: 'denied', context: h.root })(() => 1);
    for (let i = 0; i < 3; i++) {
      allowed();
      denied();
    }
    expect(h.sink.find({ name: 'allowed' })).toHaveLength(6);
    expect(h.sink.find({ name: 'denied' })).toHaveLength(0);
    const asked = policy.calls;
    expect(asked).toBeLessThanOrEqual(2);
    policy.decide = () => true;
    policy.version++;
    denied();
    expect(h.sink.find({ name: 'denied' })).toHaveLength(2);
  });
});

describe('validation when decorating', () => {
  it.each([[''], ['op:test'], ['op test'], ['a..b'], ['.a']])('rejects the event name %j', (event) => {
    expect(() => logInvocation({ event })).toThrow(MvxConfigError);
  });

  it('accepts digits, hyphens and underscores in event names (the namespace grammar)', () => {
    for (const event of ['op1', 'ldap.bind', 'http-client.get', 'v2.op_x']) expect(() => logInvocation({ event })).not.toThrow();
  });

  it('rejects an args spec naming an undeclared parameter, unknown options and reserved field names', () => {
    expect(() => logInvocation({ event: 'x', params: ['userDn'], args: ['userDN'] })).toThrow(/not a declared parameter/);
    expect(() => logInvocation({ event: 'x', arg: ['a'] } as never)).toThrow(/unknown option/);
    expect(() => logInvocation({ event: 'x', fields: ['result'] })).toThrow(/reserved/);
    expect(() => logInvocation({ event: 'x', fields: { error: () => 1 } })).toThrow(/reserved/);
    expect(() => logInvocation({ event: 'x', args: ['a..b'] })).toThrow(MvxConfigError);
  });

  it('rejects being applied to something that is not a function, or to a non-method decorator target', () => {
    const deco = logInvocation({ event: 'x' });
    expect(() => deco({} as never)).toThrow(/standard TC39 decorators/);
    expect(() => deco((() => 1) as never, { kind: 'getter', name: 'g' } as never)).toThrow(/decorates methods, not getter/);
    // Legacy decorators call (target, key, descriptor): the target is a prototype or a constructor.
    expect(() => (deco as (...a: unknown[]) => unknown)(class {}, 'm', {})).toThrow(/legacy \(experimentalDecorators\)/);
  });
});

describe('delivery failures', () => {
  it("a sink failing under 'raise' error handling does not break the call (reported instead)", () => {
    h = harness({ errorHandling: 'raise' });
    h.root.setSink({
      log() {
        throw new Error('disk full');
      },
    });
    const fn = logInvocation({ event: 'op', context: h.root })(() => 7);
    expect(fn()).toBe(7);
    expect(h.diagnostics.some((d) => d.component === 'logInvocation' && d.code === 'emit.failed')).toBe(true);
  });
});

describe('hostile return values (regression: found by test/fuzz/log-invocation.fuzz.test.ts)', () => {
  it('a returned Proxy whose getPrototypeOf trap throws is returned as is, enabled or disabled, instead of throwing from the wrapper', async () => {
    const { LogContext, LogPayloadProcessor, MemorySink, logInvocation: wrap } = await import('../../../../src/index.ts');
    const hostile = new Proxy(
      { a: 1 },
      {
        getPrototypeOf() {
          throw new Error('hostile getPrototypeOf');
        },
      },
    );
    for (const minLevel of [0, 50]) {
      const sink = new MemorySink();
      const ctx = new LogContext({ namespace: 'h', sink, payloadProcessor: new LogPayloadProcessor(), minLevel });
      const fn = wrap({ event: 'op', context: ctx, result: true })(() => hostile);
      expect(fn()).toBe(hostile);
      expect(sink.events.map((e) => e.outcome)).toEqual(minLevel === 0 ? ['invoke', 'success'] : []);
    }
  });
});
