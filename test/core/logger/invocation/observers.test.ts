import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { MvxConfigError } from '../../../../src/core/errors.ts';
import { logInvocation } from '../../../../src/core/logger/invocation/log-invocation.ts';
import { addInvocationObserver } from '../../../../src/core/logger/invocation/observers.ts';
import type { InvocationEnd, InvocationObserver, InvocationStart } from '../../../../src/core/logger/invocation/observers.ts';
import { FnPolicy, harness, settle } from './helpers.ts';
import type { Harness } from './helpers.ts';

let h: Harness;
const removers: (() => void)[] = [];
afterEach(() => {
  for (const r of removers.splice(0)) r();
  h?.dispose();
});

/** An observer that records starts/ends and makes a "span" active with AsyncLocalStorage, as the OTel adapter does. */
function recorder(name = 'rec') {
  const als = new AsyncLocalStorage<string>();
  const log: string[] = [];
  const starts: InvocationStart[] = [];
  const ends: InvocationEnd[] = [];
  const observer: InvocationObserver = {
    start(start) {
      starts.push(start);
      log.push(`${name}:start:${start.meta.name}`);
      return {
        run: (fn) => als.run(`${name}-span:${start.meta.name}`, fn),
        end: (end) => {
          ends.push(end);
          log.push(`${name}:end:${start.meta.name}:${end.outcome}`);
        },
      };
    },
  };
  return { observer, als, log, starts, ends };
}

describe('invocation observers', () => {
  it('see start (with meta, context, enabled, invoke payload, start time) and end (outcome, duration, payload), in order', () => {
    h = harness();
    const rec = recorder();
    removers.push(addInvocationObserver(rec.observer));
    const fn = logInvocation({ event: 'op', context: h.root, args: ['0'], result: true })((x: number) => x * 2);
    expect(fn(21)).toBe(42);
    expect(rec.log).toEqual(['rec:start:op', 'rec:end:op:success']);
    const s = rec.starts[0]!;
    expect(s.meta).toMatchObject({ namespace: 'test', name: 'op' });
    expect(s.context).toBe(h.root);
    expect(s.enabled).toBe(true);
    expect(s.invokePayload).toEqual({ args: { arg0: 21 } });
    expect(typeof s.startTime).toBe('number');
    const e = rec.ends[0]!;
    expect(e.durationMs).toBeGreaterThanOrEqual(0);
    expect(e.payload).toMatchObject({ result: 42 });
  });

  it('run() wraps the call: the observer context is active inside the function, also across awaits', async () => {
    h = harness();
    const rec = recorder();
    removers.push(addInvocationObserver(rec.observer));
    const seen: (string | undefined)[] = [];
    const fn = logInvocation({ event: 'op', context: h.root })(async () => {
      seen.push(rec.als.getStore());
      await settle();
      seen.push(rec.als.getStore());
    });
    await fn();
    await settle();
    expect(seen).toEqual(['rec-span:op', 'rec-span:op']);
    expect(rec.log).toEqual(['rec:start:op', 'rec:end:op:success']);
  });

  it('see calls disabled by policy (enabled: false, no payloads) and their failures with the error', () => {
    h = harness({ policy: new FnPolicy(() => false) });
    const rec = recorder();
    removers.push(addInvocationObserver(rec.observer));
    const ok = logInvocation({ event: 'ok', context: h.root })(() => 1);
    const bad = logInvocation({ event: 'bad', context: h.root })(() => {
      throw new Error('x');
    });
    ok();
    expect(() => bad()).toThrow('x');
    expect(rec.starts.map((s) => [s.meta.name, s.enabled, s.invokePayload])).toEqual([
      ['ok', false, undefined],
      ['bad', false, undefined],
    ]);
    expect(rec.ends[0]).toEqual({ outcome: 'success', durationMs: expect.any(Number) });
    expect(rec.ends[1]).toMatchObject({ outcome: 'failed', error: expect.objectContaining({ message: 'x' }) });
    expect(rec.ends[1]!.payload).toMatchObject({ error: { message: 'x' } });
    expect(h.sink.outcomes()).toEqual(['failed']);
  });

  it('end comes when a returned promise settles; cancelled is reported as such', async () => {
    h = harness();
    const rec = recorder();
    removers.push(addInvocationObserver(rec.observer));
    const c = new AbortController();
    const fn = logInvocation({ event: 'wait', context: h.root })(
      (signal: AbortSignal) =>
        new Promise((_ok, bad) => {
          signal.addEventListener('abort', () => bad(signal.reason));
        }),
    );
    const p = fn(c.signal);
    expect(rec.log).toEqual(['rec:start:wait']);
    c.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await settle();
    expect(rec.log).toEqual(['rec:start:wait', 'rec:end:wait:cancelled']);
  });

  it('nest scopes in registration order and end them innermost first', () => {
    h = harness();
    const a = recorder('a');
    const b = recorder('b');
    removers.push(addInvocationObserver(a.observer), addInvocationObserver(b.observer));
    const order: string[] = [];
    const fn = logInvocation({ event: 'op', context: h.root })(() => {
      order.push(`${a.als.getStore()}|${b.als.getStore()}`);
    });
    fn();
    expect(order).toEqual(['a-span:op|b-span:op']);
    expect([...a.log, ...b.log]).toEqual(['a:start:op', 'a:end:op:success', 'b:start:op', 'b:end:op:success']);
  });

  it('a throwing observer is isolated and reported once; the call runs exactly once', () => {
    h = harness();
    let calls = 0;
    const throwingStart: InvocationObserver = {
      start() {
        throw new Error('start bug');
      },
    };
    const throwingRun: InvocationObserver = {
      start: () => ({
        run() {
          throw new Error('run bug');
        },
        end() {
          throw new Error('end bug');
        },
      }),
    };
    const rec = recorder();
    removers.push(addInvocationObserver(throwingStart), addInvocationObserver(throwingRun), addInvocationObserver(rec.observer));
    const fn = logInvocation({ event: 'op', context: h.root })(() => ++calls);
    expect(fn()).toBe(1);
    expect(fn()).toBe(2);
    expect(calls).toBe(2);
    expect(rec.log).toEqual(['rec:start:op', 'rec:end:op:success', 'rec:start:op', 'rec:end:op:success']);
    expect(h.diagnostics.filter((d) => d.code === 'observer.failed').map((d) => (d.error as Error).message)).toEqual([
      'start bug',
      'run bug',
    ]);
    expect(h.lifecycle()).toHaveLength(4);
  });

  it('a run() that throws after calling, never calls, or calls twice still gives the caller the one real call', () => {
    h = harness();
    const after: InvocationObserver = {
      start: () => ({
        run(fn) {
          fn();
          throw new Error('after');
        },
        end() {},
      }),
    };
    const never: InvocationObserver = { start: () => ({ run: () => undefined as never, end() {} }) };
    const twice: InvocationObserver = { start: () => ({ run: (fn) => (fn(), fn()), end() {} }) };
    removers.push(addInvocationObserver(after));
    let calls = 0;
    const fn = logInvocation({ event: 'op', context: h.root })(() => ++calls);
    expect(fn()).toBe(1);
    removers.pop()!();
    removers.push(addInvocationObserver(never));
    expect(fn()).toBe(2);
    removers.pop()!();
    removers.push(addInvocationObserver(twice));
    expect(fn()).toBe(3);
    expect(calls).toBe(3);
  });

  it('an observer registered for a context sees only that subtree (by namespace)', () => {
    h = harness();
    const db = h.root.child('db');
    const dbx = h.root.child('dbx');
    const rec = recorder();
    removers.push(addInvocationObserver(rec.observer, { context: db }));
    logInvocation({ event: 'a', context: db })(() => 1)();
    logInvocation({ event: 'b', context: db.child('pool') })(() => 1)();
    logInvocation({ event: 'c', context: dbx })(() => 1)();
    logInvocation({ event: 'd', context: h.root })(() => 1)();
    expect(rec.starts.map((s) => s.meta.name)).toEqual(['a', 'b']);
  });

  it('a disabled call outside every observed subtree stays on the quiet path (no clock read: no durationMs)', () => {
    h = harness({ policy: new FnPolicy(() => false) });
    const rec = recorder();
    removers.push(addInvocationObserver(rec.observer, { context: h.root.child('db') }));
    const outside = logInvocation({ event: 'x', context: h.root.child('http') })(() => {
      throw new Error('x');
    });
    const inside = logInvocation({ event: 'y', context: h.root.child('db') })(() => {
      throw new Error('y');
    });
    expect(() => outside()).toThrow();
    expect(() => inside()).toThrow();
    expect(h.sink.events.map((e) => [e.meta.name, 'durationMs' in e.payload])).toEqual([
      ['x', false],
      ['y', true],
    ]);
    expect(rec.starts.map((s) => s.meta.name)).toEqual(['y']);
  });

  it('returning undefined from start skips the call; the remover is idempotent; bad observers are rejected', () => {
    h = harness();
    let starts = 0;
    const remove = addInvocationObserver({ start: () => (starts++, undefined) });
    const fn = logInvocation({ event: 'op', context: h.root })(() => 1);
    fn();
    remove();
    remove();
    fn();
    expect(starts).toBe(1);
    expect(() => addInvocationObserver({} as InvocationObserver)).toThrow(MvxConfigError);
  });
});

describe('observer correlation', () => {
  it("puts the innermost scope's correlation on the call's own invoke and outcome events, not on events outside the call", async () => {
    h = harness({ minLevel: 0 });
    let n = 0;
    const spanIds = (): InvocationObserver => ({
      start() {
        const id = `span-${++n}`;
        return { correlation: { trace_id: 't', span_id: id }, run: (fn) => fn(), end: () => undefined };
      },
    });
    removers.push(addInvocationObserver(spanIds()));
    const inner = logInvocation({ event: 'inner', context: h.root })(async () => 'x');
    const outer = logInvocation({ event: 'outer', context: h.root })(async () => inner());
    await outer();
    await expect(logInvocation({ event: 'boom', context: h.root })(() => Promise.reject(new Error('no')))()).rejects.toThrow('no');
    h.root.info('after');
    const ids = h.sink.events.map((e) => `${e.meta.name}:${e.outcome ?? ''}:${e.correlation?.span_id ?? '-'}`);
    expect(ids).toEqual([
      'outer:invoke:span-1',
      'inner:invoke:span-2',
      'inner:success:span-2',
      'outer:success:span-1',
      'boom:invoke:span-3',
      'boom:failed:span-3',
      'after::-',
    ]);
  });

  it('ignores a scope whose correlation getter throws, and keeps logging', () => {
    h = harness({ minLevel: 0 });
    removers.push(
      addInvocationObserver({
        start: () => ({
          get correlation(): Readonly<Record<string, string>> {
            throw new Error('hostile');
          },
          run: (fn) => fn(),
          end: () => undefined,
        }),
      }),
    );
    expect(logInvocation({ event: 'op', context: h.root })(() => 2)()).toBe(2);
    expect(h.sink.events.map((e) => [e.outcome, e.correlation])).toEqual([
      ['invoke', undefined],
      ['success', undefined],
    ]);
  });
});
