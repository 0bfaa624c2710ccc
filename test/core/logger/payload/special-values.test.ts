/**
 * The representation of every special value, and the hostile and huge inputs of issue 10
 * ("Bad input"): each case asserts the documented output and that it survives a JSON round trip.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogPayloadProcessor } from '../../../../src/index.ts';
import type { Diagnostic } from '../../../../src/index.ts';
import { captureDiagnostics, type DiagnosticsCapture } from '../../../support/diagnostics.ts';

const p = new LogPayloadProcessor();
const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
function norm(v: unknown): unknown {
  const out = p.normalizeValueForLog(v);
  expect(roundTrip(out)).toEqual(out);
  return out;
}

let diagnostics: Diagnostic[] = [];
let capture: DiagnosticsCapture | undefined;
beforeEach(() => {
  capture = captureDiagnostics();
  diagnostics = capture.list;
});
afterEach(() => {
  capture?.stop();
});

describe('primitives', () => {
  it('numbers: -0 is 0, NaN and infinities are strings', () => {
    expect(Object.is(norm(-0), 0)).toBe(true);
    expect(norm([Number.NaN, Infinity, -Infinity, 1.5])).toEqual(['NaN', 'Infinity', '-Infinity', 1.5]);
  });
  it('BigInt is its decimal string; a huge one is a marker, not a slow conversion', () => {
    expect(norm(123n)).toBe('123');
    expect(norm(-(2n ** 70n))).toBe('-1180591620717411303424');
    expect(norm(10n ** 5000n)).toBe('[BigInt: over 4096 digits]');
  });
  it('Symbol values are their description string; Symbol keys are skipped', () => {
    expect(norm(Symbol('s'))).toBe('Symbol(s)');
    expect(norm({ [Symbol('k')]: 1, a: 2 })).toEqual({ a: 2 });
  });
  it('functions are named markers', () => {
    expect(norm(function named() {})).toBe('[Function: named]');
    expect(norm(class Klass {})).toBe('[Function: Klass]');
    const anon = [(): void => {}][0];
    expect(norm(anon)).toBe('[Function: anonymous]');
    expect(norm({ f: Math.max })).toEqual({ f: '[Function: max]' });
  });
  it('undefined is omitted from objects and null in arrays', () => {
    expect(norm({ a: undefined, b: 1 })).toEqual({ b: 1 });
    expect(norm([undefined])).toEqual([null]);
  });
  it('a 10 MB string is cut to maxStringLength plus a marker giving the dropped length', () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const out = norm(big) as string;
    expect(out).toBe(`${'x'.repeat(1024)}…[+${big.length - 1024} chars]`);
  });
  it('does not split a surrogate pair when cutting', () => {
    const q = new LogPayloadProcessor({ maxStringLength: 2 });
    expect(q.normalizeValueForLog('a😀b')).toBe('a…[+3 chars]');
  });
});

describe('built-in objects', () => {
  it('Dates are ISO strings; an invalid Date is a marker', () => {
    expect(norm(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(norm(new Date(Number.NaN))).toBe('[Invalid Date]');
  });
  it('RegExp, URL, boxed primitives, placeholders', () => {
    expect(norm(/a+b/gi)).toBe('/a+b/gi');
    expect(norm(new URL('https://example.com/a?b=1'))).toBe('https://example.com/a?b=1');
    expect(norm([new String('s'), new Number(2), new Boolean(false)])).toEqual(['s', 2, false]);
    expect(norm([Promise.resolve(1), new WeakMap(), new WeakSet(), new WeakRef({})])).toEqual([
      '[Promise]',
      '[WeakMap]',
      '[WeakSet]',
      '[WeakRef]',
    ]);
  });
  it('Map with primitive keys is an object; with object keys, an array of [key, value] entries', () => {
    expect(norm(new Map<unknown, unknown>([['a', 1], [2, new Set([3])]]))).toEqual({ a: 1, 2: [3] });
    expect(norm(new Map<unknown, unknown>([[{ id: 1 }, 'obj'], ['token', 'secret-value']]))).toEqual([
      [{ id: 1 }, 'obj'],
      ['token', '[REDACTED]'],
    ]);
  });
  it('Map and Set are bounded by maxItems', () => {
    const q = new LogPayloadProcessor({ maxItems: 2 });
    expect(q.normalizeValueForLog(new Set([1, 2, 3]))).toEqual([1, 2, '[… 1 more items]']);
    expect(q.normalizeValueForLog(new Map([['a', 1], ['b', 2], ['c', 3]]))).toEqual({ a: 1, b: 2, __more__: '1 more keys' });
    expect(q.normalizeValueForLog(new Map([[{}, 1], [{}, 2], [{}, 3]]))).toEqual([[{}, 1], [{}, 2], '[… 1 more items]']);
  });
  it('a Map subclass that overrides iteration is read through the real entries', () => {
    class Sneaky extends Map<string, number> {
      override entries(): never {
        throw new Error('no');
      }
    }
    expect(norm(new Sneaky([['a', 1]]))).toEqual({ a: 1 });
  });
  it('sparse arrays: holes are null; a huge sparse length reads only maxItems', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(norm([1, , 3])).toEqual([1, null, 3]);
    const huge = new Array(2 ** 32 - 1);
    const out = norm(huge) as unknown[];
    expect(out).toHaveLength(101);
    expect(out[100]).toBe(`[… ${2 ** 32 - 1 - 100} more items]`);
  });
  it('typed arrays, DataView, ArrayBuffer, SharedArrayBuffer', () => {
    expect(norm(new Int16Array([1, -2]))).toEqual({ type: 'Int16Array', length: 2, values: [1, -2] });
    expect(norm(new Float32Array([Number.NaN, -0]))).toEqual({ type: 'Float32Array', length: 2, values: ['NaN', 0] });
    expect(norm(new BigInt64Array([5n]))).toEqual({ type: 'BigInt64Array', length: 1, values: ['5'] });
    expect(norm(new DataView(new Uint8Array([1, 2, 3]).buffer, 1))).toEqual({ type: 'DataView', byteLength: 2, base64: 'AgM=' });
    expect(norm(new Uint8Array([255]).buffer)).toEqual({ type: 'ArrayBuffer', byteLength: 1, base64: '/w==' });
    expect(norm(new SharedArrayBuffer(2))).toEqual({ type: 'SharedArrayBuffer', byteLength: 2, base64: 'AAA=' });
    const q = new LogPayloadProcessor({ maxItems: 2 });
    expect(q.normalizeValueForLog(new Float64Array(1000))).toEqual({ type: 'Float64Array', length: 1000, values: [0, 0, '[… 998 more items]'] });
  });
  it('a large Buffer shows a base64 preview within maxStringLength', () => {
    const out = norm(Buffer.alloc(10_000, 1)) as { base64: string; byteLength: number };
    expect(out.byteLength).toBe(10_000);
    expect(out.base64).toMatch(/^AQEB.*…\[\+9232 bytes\]$/);
    expect(out.base64.indexOf('…')).toBeLessThanOrEqual(1024);
  });
  it('class instances show own enumerable fields; private fields are invisible', () => {
    class Account {
      #pin = 1234;
      readonly owner = 'ann';
      get pin(): number {
        return this.#pin;
      }
    }
    expect(norm(new Account())).toEqual({ owner: 'ann' });
  });
  it('null-prototype objects and a "__proto__" own key are kept as plain data', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.a = 1;
    expect(norm(o)).toEqual({ a: 1 });
    const withProto = JSON.parse('{"__proto__": {"x": 1}, "b": 2}') as object;
    const out = p.normalizeValueForLog(withProto) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1},"b":2}');
  });
  it('toJSON is honoured and its result normalised; a throwing toJSON falls back to own fields', () => {
    expect(norm({ toJSON: () => ({ password: 'p', n: 1 }) })).toEqual({ password: '[REDACTED]', n: 1 });
    class Money {
      readonly cents: number;
      constructor(cents: number) {
        this.cents = cents;
      }
      toJSON(): string {
        return `${this.cents / 100} EUR`;
      }
    }
    expect(norm(new Money(150))).toBe('1.5 EUR');
    const bad = {
      a: 1,
      toJSON(): never {
        throw new Error('toJSON');
      },
    };
    expect(norm(bad)).toEqual({ a: 1, toJSON: '[Function: toJSON]' });
    expect(diagnostics.map((d) => d.code)).toContain('payload.tojson_failed');
  });
});

describe('hostile values', () => {
  it('a throwing getter spoils only its own key', () => {
    const o = {
      ok: 1,
      get bad(): never {
        throw new TypeError('getter');
      },
    };
    expect(norm(o)).toEqual({ ok: 1, bad: '[Unreadable: TypeError]' });
  });
  it('Proxies whose traps throw give markers, never a throw', () => {
    const throwing = new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
        ownKeys() {
          throw new RangeError('ownKeys');
        },
        getPrototypeOf() {
          throw new SyntaxError('proto');
        },
        has() {
          throw new Error('has');
        },
        getOwnPropertyDescriptor() {
          throw new Error('gopd');
        },
      },
    );
    expect(norm({ throwing })).toEqual({ throwing: expect.stringMatching(/^\[Unreadable: \w+\]$/) });
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    expect(norm([proxy])).toEqual([expect.stringMatching(/^\[Unreadable: TypeError\]$/)]);
    const getOnly = new Proxy({ a: 1, b: 2 }, {
      get(_t, k) {
        if (k === 'b') throw new Error('b');
        return 1;
      },
    });
    expect(norm(getOnly)).toEqual({ a: 1, b: '[Unreadable: Error]' });
  });
  it('a Proxy with an endless fake prototype chain does not hang the adapter lookup', () => {
    class A {}
    const q = new LogPayloadProcessor({ adapters: [[A, () => 'a']] });
    const endless: object = new Proxy({}, { getPrototypeOf: () => new Proxy({}, { getPrototypeOf: () => ({ deeper: true }) }) });
    expect(q.normalizeValueForLog(endless)).toEqual({});
  });
  it('throwing toLogPayload falls back and is reported', () => {
    const o = {
      a: 1,
      toLogPayload(): never {
        throw new Error('provider');
      },
    };
    expect(norm(o)).toEqual({ a: 1, toLogPayload: '[Function: toLogPayload]' });
    expect(diagnostics.map((d) => d.code)).toEqual(['payload.provider_failed']);
  });
  it('cycles become [Circular]: objects, arrays, Maps, Sets and through toLogPayload', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    o.list = [o];
    o.map = new Map([['back', o]]);
    o.set = new Set([o]);
    expect(norm(o)).toEqual({ a: 1, self: '[Circular]', list: ['[Circular]'], map: { back: '[Circular]' }, set: ['[Circular]'] });
    const selfish = {
      id: 1,
      toLogPayload(): unknown {
        return { me: this, id: this.id };
      },
    };
    expect(norm(selfish)).toEqual({ me: '[Circular]', id: 1 });
    const itself = {
      id: 2,
      toLogPayload(): unknown {
        return this;
      },
    };
    expect(norm(itself)).toEqual({ id: 2, toLogPayload: '[Function: toLogPayload]' });
  });
  it('providers returning providers stop after a few hops', () => {
    let made = 0;
    const chain = (): unknown => ({ toLogPayload: () => (made++, chain()) });
    const out = norm(chain());
    expect(made).toBeLessThanOrEqual(4);
    // Past the limit the provider's object is a marker, not its raw fields (see chain-limit.test.ts).
    expect(out).toBe('[Object: provider chain limit]');
  });
  it('a shared (not cyclic) object is shown at each place', () => {
    const shared = { s: 1 };
    expect(norm({ a: shared, b: shared })).toEqual({ a: { s: 1 }, b: { s: 1 } });
  });
});

describe('size and depth bounds', () => {
  it('an object with 1,000,000 keys: maxKeys kept, the rest counted, their values never read', () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 1_000_000; i++) big[`k${i}`] = i;
    let reads = 0;
    Object.defineProperty(big, 'k999999', {
      enumerable: true,
      get: () => {
        reads++;
        return 0;
      },
    });
    const out = norm(big) as Record<string, unknown>;
    expect(Object.keys(out)).toHaveLength(101);
    expect(out.k0).toBe(0);
    expect(out.k99).toBe(99);
    expect(out.__more__).toBe('999900 more keys');
    expect(reads).toBe(0);
  });
  it('10,000-deep nesting is normalised to maxDepth without a stack overflow', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    let deepArr: unknown[] = [];
    const rootArr = deepArr;
    for (let i = 0; i < 10_000; i++) {
      const next = {};
      deep.x = next;
      deep = next;
      const nextArr: unknown[] = [];
      deepArr.push(nextArr);
      deepArr = nextArr;
    }
    const q = new LogPayloadProcessor({ maxDepth: 3 });
    expect(q.normalizePayload(root)).toEqual({ x: { x: { x: '[Object: depth limit]' } } });
    expect(q.normalizeValueForLog(rootArr)).toEqual([[['[Array: depth limit]']]]);
    expect(roundTrip(p.normalizePayload(root))).toBeTruthy();
  });
  it('a small graph sharing one object many times is bounded by maxNodes', () => {
    let level: unknown = 'leaf';
    for (let i = 0; i < 9; i++) level = new Array(100).fill(level);
    const q = new LogPayloadProcessor({ maxNodes: 1000 });
    const out = q.normalizeValueForLog(level);
    let count = 0;
    const walk = (v: unknown): void => {
      count++;
      if (Array.isArray(v)) v.forEach(walk);
    };
    walk(out);
    // 1000 budgeted values plus at most one "more" marker per container on the path.
    expect(count).toBeLessThan(1000 + 2 * 10 + 10);
    expect(JSON.stringify(out)).toContain('more items]');
  });
  it('unbounded lifts item limits but not the maxNodes budget', () => {
    const q = new LogPayloadProcessor({ maxNodes: 50, maxItems: 2 });
    const out = q.normalizeValueForLog(Array.from({ length: 100 }, (_, i) => i), { unbounded: true }) as unknown[];
    expect(out).toHaveLength(51);
    expect(out[50]).toBe('[… 50 more items]');
  });
});

describe('values from another realm (node:vm, Jest environments)', () => {
  it('recognises errors, Dates, Maps, Sets, RegExps and plain objects of another realm', async () => {
    const vm = await import('node:vm');
    const foreign = vm.runInNewContext(`({
      err: new TypeError('foreign', { cause: new Error('inner') }),
      date: new Date(0),
      map: new Map([['a', 1], ['token', 't']]),
      set: new Set([1, 2]),
      re: /x/g,
      plain: { password: 'p', n: [1] },
      boxed: new String('s'),
    })`) as Record<string, unknown>;
    const q = new LogPayloadProcessor({ verbosity: 'MINIMAL' });
    expect(q.normalizePayload(foreign)).toEqual({
      err: { type: 'TypeError', message: 'foreign', cause: { type: 'Error', message: 'inner' } },
      date: '1970-01-01T00:00:00.000Z',
      map: { a: 1, token: '[REDACTED]' },
      set: [1, 2],
      re: '/x/g',
      plain: { password: '[REDACTED]', n: [1] },
      boxed: 's',
    });
    expect(q.normalizeError(foreign.err)).toMatchObject({ type: 'TypeError', message: 'foreign' });
  });
});

describe('work per call is bounded by the limits, not by the input', () => {
  it('reads at most maxItems elements of a huge array (counted through a Proxy)', () => {
    let reads = 0;
    const huge = new Proxy(new Array(1_000_000).fill(1), {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const q = new LogPayloadProcessor({ maxItems: 10 });
    const out = q.normalizeValueForLog(huge) as unknown[];
    expect(out).toHaveLength(11);
    // 10 elements plus a constant few lookups (length, toLogPayload, toJSON, ...).
    expect(reads).toBeLessThan(10 + 8);
  });

  it('visits at most maxNodes values of a graph that shares nodes exponentially', () => {
    let visits = 0;
    const counted = (inner: unknown[]): unknown[] =>
      new Proxy(inner, {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) visits++;
          return Reflect.get(target, key, receiver);
        },
      });
    let level: unknown[] = counted(['leaf', 'leaf']);
    for (let i = 0; i < 30; i++) level = counted([level, level]); // 2^31 paths
    const q = new LogPayloadProcessor({ maxDepth: 40, maxNodes: 500 });
    q.normalizeValueForLog(level);
    expect(visits).toBeLessThanOrEqual(500);
  });
});
