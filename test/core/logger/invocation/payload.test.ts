import { afterEach, describe, expect, it } from 'vitest';
import { logInvocation } from '../../../../src/core/logger/invocation/log-invocation.ts';
import { harness } from './helpers.ts';
import type { Harness } from './helpers.ts';

let h: Harness;
afterEach(() => h?.dispose());

describe('arguments on invoke', () => {
  it('selects declared parameters by name, by index, with aliases, paths, Maps and len()', () => {
    h = harness();
    const fn = logInvocation({
      event: 'op',
      context: h.root,
      params: ['user', 'items', 'opts'],
      args: ['name=user.name', 'items.len()', 'n=items.len()', '2.timeoutMs', 'tag=opts.tags.primary', '1.0'],
    })((_user: { name: string }, _items: number[], _opts: { timeoutMs: number; tags: Map<string, string> }) => 0);
    fn({ name: 'ann' }, [7, 8, 9], { timeoutMs: 500, tags: new Map([['primary', 'blue']]) });
    expect(h.byOutcome('invoke').payload.args).toEqual({ name: 'ann', itemsLen: 3, n: 3, timeoutMs: 500, tag: 'blue', arg1_0: 7 });
  });

  it('without params, a named spec reads the key of the options-object argument', () => {
    h = harness();
    const bind = logInvocation({ event: 'bind', context: h.root, args: ['userDn', 'attempt'] })(
      (_opts: { userDn: string; attempt: number; password: string }) => true,
    );
    bind({ userDn: 'cn=ann', attempt: 2, password: 'pw' });
    expect(h.byOutcome('invoke').payload.args).toEqual({ userDn: 'cn=ann', attempt: 2 });
  });

  it('values go through the payload processor: redaction by key applies', () => {
    h = harness();
    const bind = logInvocation({ event: 'bind', context: h.root, params: ['userDn', 'password'], args: ['userDn', 'password'] })(
      (_dn: string, _pw: string) => true,
    );
    bind('cn=ann', 'hunter2');
    expect(h.byOutcome('invoke').payload.args).toEqual({ userDn: 'cn=ann', password: '[REDACTED]' });
    expect(JSON.stringify(h.sink.events)).not.toContain('hunter2');
  });

  it('a trailing ! lifts the item limits for that field only', () => {
    h = harness({ processor: { maxItems: 2 } });
    const fn = logInvocation({ event: 'op', context: h.root, args: ['short=0', 'full=0!'] })((_xs: number[]) => 0);
    fn([1, 2, 3, 4]);
    const args = h.byOutcome('invoke').payload.args as Record<string, unknown[]>;
    expect(args.full).toEqual([1, 2, 3, 4]);
    expect(args.short!.slice(0, 2)).toEqual([1, 2]);
    expect(args.short!.length).toBeLessThan(4);
  });

  it('an unresolvable spec is omitted and reported once per spec (not silently skipped)', () => {
    h = harness();
    const fn = logInvocation({ event: 'op', context: h.root, args: ['0.missing', 'ok=0.present', '3.x'] })(
      (_o: { present: number }) => 0,
    );
    fn({ present: 1 });
    fn({ present: 2 });
    expect(h.sink.find({ outcome: 'invoke' }).map((e) => e.payload.args)).toEqual([{ ok: 1 }, { ok: 2 }]);
    const reports = h.diagnostics.filter((d) => d.code === 'spec.unresolved');
    expect(reports.map((d) => d.details?.spec)).toEqual(['0.missing', '3.x']);
  });

  it('an optional parameter not passed is undefined, as in the function: no field, no report', () => {
    h = harness();
    const fn = logInvocation({ event: 'op', context: h.root, params: ['id', 'opts'], args: ['id', 'opts'] })(
      (_id: number, _opts?: object) => 0,
    );
    fn(1);
    fn(2, { retry: true });
    expect(h.sink.find({ outcome: 'invoke' }).map((e) => e.payload.args)).toEqual([{ id: 1 }, { id: 2, opts: { retry: true } }]);
    expect(h.diagnostics.filter((d) => d.code === 'spec.unresolved')).toHaveLength(0);
  });

  it('a throwing getter on the path is reported and the field omitted; the call goes on', () => {
    h = harness();
    const fn = logInvocation({ event: 'op', context: h.root, args: ['0.bad'] })((_o: unknown) => 'done');
    const o = {
      get bad(): never {
        throw new Error('getter');
      },
    };
    expect(fn(o)).toBe('done');
    expect('args' in h.byOutcome('invoke').payload).toBe(false);
    expect(h.diagnostics.find((d) => d.code === 'spec.unresolved')?.error).toMatchObject({ message: 'getter' });
  });
});

describe('hostile values', () => {
  it('an argument whose every proxy trap throws does not break the call (reported, field omitted)', async () => {
    h = harness();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
        getPrototypeOf: () => {
          throw new Error('trap');
        },
        has: () => {
          throw new Error('trap');
        },
      },
    );
    const fn = logInvocation({ event: 'op', context: h.root, args: ['name', '0.x'], result: true })(async (_o: unknown) => 'ok');
    await expect(fn(hostile)).resolves.toBe('ok');
    await new Promise((r) => setImmediate(r));
    expect(h.sink.outcomes()).toEqual(['invoke', 'success']);
    expect(h.diagnostics.some((d) => d.code === 'spec.unresolved')).toBe(true);
    const fail = logInvocation({ event: 'fail', context: h.root })((_o: unknown) => {
      throw new Error('own');
    });
    expect(() => fail(hostile)).toThrow('own');
    expect(h.sink.find({ name: 'fail', outcome: 'failed' })).toHaveLength(1);
  });
});

describe('verbosity gates', () => {
  const make = (verbosity: 'MINIMAL' | 'NORMAL' | 'MAXIMUM') => {
    h = harness({ processor: { verbosity } });
    const fn = logInvocation({
      event: 'op',
      context: h.root,
      params: ['id', 'requestId', 'payload'],
      args: ['id', 'NORMAL,MAXIMUM:requestId', 'MAXIMUM:payload'],
    })((_id: number, _r: string, _p: object) => 0);
    fn(1, 'r-1', { big: true });
    return Object.keys(h.byOutcome('invoke').payload.args as object);
  };

  it.each([
    ['MINIMAL', ['id']],
    ['NORMAL', ['id', 'requestId']],
    ['MAXIMUM', ['id', 'requestId', 'payload']],
  ] as const)('at %s logs %j', (verbosity, keys) => {
    expect(make(verbosity)).toEqual(keys);
    h.dispose();
  });
});

describe('result on success', () => {
  it('logs the whole result with result: true', () => {
    h = harness();
    logInvocation({ event: 'op', context: h.root, result: true })(() => ({ ok: true, rows: [1, 2] }))();
    expect(h.byOutcome('success').payload.result).toEqual({ ok: true, rows: [1, 2] });
  });

  it('logs selected fields, paths relative to the result, index specs for arrays', () => {
    h = harness();
    logInvocation({ event: 'op', context: h.root, result: ['ok', 'count=rows.len()', 'rows.0.id'] })(() => ({
      ok: true,
      rows: [{ id: 'a' }, { id: 'b' }],
    }))();
    expect(h.byOutcome('success').payload.result).toEqual({ ok: true, count: 2, id: 'a' });
    h.sink.clear();
    logInvocation({ event: 'op', context: h.root, result: ['0', 'second=1', 'len()'] })(() => ['x', 'y'])();
    expect(h.byOutcome('success').payload.result).toEqual({ item0: 'x', second: 'y', len: 2 });
  });

  it('does not log the result by default; a resolved promise value is logged as the result', async () => {
    h = harness();
    logInvocation({ event: 'a', context: h.root })(() => 5)();
    expect('result' in h.byOutcome('success').payload).toBe(false);
    h.sink.clear();
    await logInvocation({ event: 'b', context: h.root, result: ['id'] })(async () => ({ id: 9 }))();
    await new Promise((r) => setImmediate(r));
    expect(h.byOutcome('success').payload.result).toEqual({ id: 9 });
  });
});

describe('context fields', () => {
  it('reads spec fields and getters from this, again for every outcome', () => {
    h = harness();
    class Conn {
      state = 'closed';
      pool = { name: 'main' };
      open = logInvocation({ event: 'open', context: h.root, fields: ['state', 'pool=pool.name'] })(function (this: Conn) {
        this.state = 'opened';
      });
      close = logInvocation({ event: 'close', context: h.root, fields: { state: (self: Conn) => self.state } })(function (
        this: Conn,
      ) {
        this.state = 'closed';
      });
    }
    const c = new Conn();
    c.open();
    c.close();
    expect(h.sink.events.map((e) => [e.meta.name, e.outcome, e.payload.state])).toEqual([
      ['open', 'invoke', 'closed'],
      ['open', 'success', 'opened'],
      ['close', 'invoke', 'opened'],
      ['close', 'success', 'closed'],
    ]);
    expect(h.sink.events[0]!.payload.pool).toBe('main');
  });

  it('adds fields to failed and cancelled payloads next to error', () => {
    h = harness();
    const fn = logInvocation({ event: 'op', context: h.root, fields: { attempt: () => 3 } })(() => {
      throw new Error('x');
    });
    expect(() => fn()).toThrow();
    expect(h.byOutcome('failed').payload).toMatchObject({ attempt: 3, error: { message: 'x' } });
  });
});

describe('custom payload builder', () => {
  it('gets the outcome and raw values; its output is normalised (redaction applies) and durationMs added', () => {
    h = harness();
    const seen: unknown[] = [];
    const fn = logInvocation({
      event: 'op',
      context: h.root,
      fields: { mode: () => 'fast' },
      payload: (outcome, raw) => {
        seen.push({ outcome, args: raw.args, result: raw.result, fields: raw.fields });
        return { outcome, first: raw.args[0], token: 'secret-token' };
      },
    })((_x: number) => 'r');
    fn(1);
    expect(seen).toEqual([
      { outcome: 'invoke', args: [1], result: undefined, fields: { mode: 'fast' } },
      { outcome: 'success', args: [1], result: 'r', fields: { mode: 'fast' } },
    ]);
    expect(h.byOutcome('invoke').payload).toEqual({ outcome: 'invoke', first: 1, token: '[REDACTED]' });
    expect(h.byOutcome('success').payload).toMatchObject({ outcome: 'success', first: 1 });
    expect(typeof h.byOutcome('success').payload.durationMs).toBe('number');
  });

  it('undefined keeps the default payload; a throwing builder is reported once and falls back', () => {
    h = harness();
    let getterCalls = 0;
    const fn = logInvocation({
      event: 'op',
      context: h.root,
      result: true,
      fields: { n: () => ++getterCalls },
      payload: (outcome) => {
        if (outcome === 'success') throw new Error('builder bug');
        return undefined;
      },
    })(() => 4);
    fn();
    fn();
    expect(h.sink.find({ outcome: 'success' }).map((e) => e.payload.result)).toEqual([4, 4]);
    expect(getterCalls).toBe(4); // once per outcome, not again for the fallback
    expect(h.sink.events.map((e) => e.payload.n)).toEqual([1, 2, 3, 4]);
    expect(h.diagnostics.filter((d) => d.code === 'payload.failed')).toHaveLength(1);
  });
});
