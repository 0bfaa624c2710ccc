/**
 * The reference's acceptance cases (spec section 3.2), adapted: nesting is normalised to `maxDepth`
 * instead of one level, provider and adapter output is normalised too, and non-object payloads
 * are wrapped as `{ value }`. Enum cases (G) have no TypeScript counterpart (a const object's
 * members are plain strings/numbers) and thread cases (L) become a re-entrancy case.
 */
import { describe, expect, it } from 'vitest';
import { LogPayloadProcessor, MvxConfigError } from '../../../../src/index.ts';
import { PAYLOAD_DEFAULTS } from '../../../../src/core/logger/payload/options.ts';
import type { LogAdapter, LogPayloadProcessorOptions } from '../../../../src/index.ts';
import { captureMvxStderr } from '../../../support/stderr-guard.ts';

class Unknown {
  readonly id: number;
  constructor(id = 7) {
    this.id = id;
  }
}
class Provided {
  readonly payload: unknown;
  constructor(payload: unknown) {
    this.payload = payload;
  }
  toLogPayload(): unknown {
    return this.payload;
  }
}
class Adapted {
  readonly secretInside: string = 's3cr3t';
}

describe('A: defaults and explicit values', () => {
  it('has documented defaults', () => {
    const p = new LogPayloadProcessor();
    expect(p.verbosity).toBe('NORMAL');
    expect(p.getPlainVerbosityLevel()).toBe('NORMAL');
    expect(p.maxStringLength).toBe(1024);
    expect(p.maxItems).toBe(100);
    expect(p.maxKeys).toBe(100);
    expect(p.maxDepth).toBe(10);
    expect(p.maxErrorCauses).toBe(5);
    expect(p.maxNodes).toBe(10_000);
    expect(p.maxStackLength).toBe(16_384);
    expect(p.redactedValue).toBe('[REDACTED]');
    expect(p.resolver).toBeUndefined();
    expect(PAYLOAD_DEFAULTS.maxItems).toBe(100);
  });

  it('takes explicit values', () => {
    const resolver = (): undefined => undefined;
    const p = new LogPayloadProcessor({
      verbosity: 'MAXIMUM',
      maxStringLength: 5,
      maxItems: 2,
      maxKeys: 3,
      maxDepth: 4,
      maxErrorCauses: 0,
      maxNodes: 50,
      maxStackLength: 100,
      redactedValue: '***',
      resolver,
    });
    expect([p.verbosity, p.maxStringLength, p.maxItems, p.maxKeys, p.maxDepth]).toEqual(['MAXIMUM', 5, 2, 3, 4]);
    expect([p.maxErrorCauses, p.maxNodes, p.maxStackLength, p.redactedValue]).toEqual([0, 50, 100, '***']);
    expect(p.resolver).toBe(resolver);
  });

  const invalid: [string, unknown][] = [
    ['verbosity', 'LOUD'],
    ['verbosity', 1],
    ['maxStringLength', 0],
    ['maxStringLength', 1.5],
    ['maxStringLength', '10'],
    ['maxItems', 0],
    ['maxItems', -1],
    ['maxItems', Number.NaN],
    ['maxKeys', 0],
    ['maxDepth', 0],
    ['maxDepth', 1001],
    ['maxErrorCauses', -1],
    ['maxNodes', 0],
    ['maxStackLength', Infinity],
    ['redactedValue', 5],
    ['resolver', 'fn'],
    ['adapters', 5],
    ['redact', 'password'],
    ['colour', true],
  ];
  it.each(invalid)('rejects %s = %s with an error naming the option', (option, value) => {
    let caught: unknown;
    try {
      new LogPayloadProcessor({ [option]: value } as LogPayloadProcessorOptions);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MvxConfigError);
    expect((caught as MvxConfigError).option).toBe(option);
  });

  it('options with a throwing getter or Proxy trap: MvxConfigError naming the option, never a plain Error', () => {
    const boom = (): never => {
      throw new Error('hostile');
    };
    const getter = (obj: object, key: string): object => Object.defineProperty(obj, key, { enumerable: true, get: boom });
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const cases: [unknown, string][] = [
      [getter({}, 'maxItems'), 'maxItems'],
      [new Proxy({}, { ownKeys: boom }), 'options'],
      [{ redact: getter({}, 'keys') }, 'redact'],
      [{ redact: new Proxy({}, { ownKeys: boom }) }, 'redact'],
      [{ redact: { keys: new Proxy([], { get: boom }) } }, 'redact'],
      [{ adapters: { [Symbol.iterator]: boom } }, 'adapters'],
      [{ maxItems: revoked }, 'maxItems'],
    ];
    for (const [options, option] of cases) {
      let caught: unknown;
      try {
        new LogPayloadProcessor(options as LogPayloadProcessorOptions);
      } catch (err) {
        caught = err;
      }
      expect(caught, option).toBeInstanceOf(MvxConfigError);
      expect((caught as MvxConfigError).option).toBe(option);
    }
  });

  it('names the path inside nested options', () => {
    expect(() => new LogPayloadProcessor({ redact: { keys: ['ok', 5 as unknown as string] } })).toThrow(/redact\.keys\[1\]/);
    expect(() => new LogPayloadProcessor({ redact: { mode: 'merge' as 'extend' } })).toThrow(/redact\.mode/);
    expect(() => new LogPayloadProcessor({ adapters: [[Unknown, 'x' as unknown as LogAdapter]] })).toThrow(/adapters\[0\]\[1\]/);
    expect(() => new LogPayloadProcessor({ adapters: [[{} as never, () => 1]] })).toThrow(/adapters\[0\]\[0\]/);
  });
});

describe('B: set and reset', () => {
  it('sets and resets each mutable setting, validating', () => {
    const p = new LogPayloadProcessor();
    p.setVerbosity('MINIMAL');
    expect(p.getPlainVerbosityLevel()).toBe('MINIMAL');
    p.resetVerbosity();
    expect(p.verbosity).toBe('NORMAL');
    p.setMaxStringLength(3);
    expect(p.normalizeValueForLog('abcdef')).toBe('abc…[+3 chars]');
    p.resetMaxStringLength();
    expect(p.normalizeValueForLog('abcdef')).toBe('abcdef');
    p.setMaxItems(1);
    expect(p.normalizeValueForLog([1, 2])).toEqual([1, '[… 1 more items]']);
    p.resetMaxItems();
    expect(p.maxItems).toBe(100);
    p.setMaxKeys(1);
    expect(p.normalizePayload({ a: 1, b: 2 })).toEqual({ a: 1, __more__: '1 more keys' });
    p.resetMaxKeys();
    p.setMaxDepth(1);
    expect(p.normalizePayload({ a: { b: 1 } })).toEqual({ a: '[Object: depth limit]' });
    p.resetMaxDepth();
    expect(p.maxDepth).toBe(10);
    expect(() => p.setVerbosity('x' as 'NORMAL')).toThrow(MvxConfigError);
    expect(() => p.setMaxItems(0)).toThrow(/maxItems/);
    expect(() => p.setMaxStringLength(-3)).toThrow(/maxStringLength/);
    expect(() => p.setResolver(undefined as never)).toThrow(/resolver/);
  });
});

describe('C: payloads', () => {
  const p = new LogPayloadProcessor({ maxStringLength: 3, maxKeys: 2 });
  it('accepts a Map and stringifies primitive keys', () => {
    expect(p.normalizePayload(new Map<unknown, unknown>([[1, 'a'], [2n, 'b']]))).toEqual({ 1: 'a', 2: 'b' });
  });
  it('gives {} for null/undefined and wraps other non-objects', () => {
    expect(p.normalizePayload(undefined)).toEqual({});
    expect(p.normalizePayload(null)).toEqual({});
    expect(p.normalizePayload(42)).toEqual({ value: 42 });
    expect(p.normalizePayload([1])).toEqual({ value: [1] });
  });
  it('cuts long keys and adds __more__ only when keys exceed the limit', () => {
    expect(p.normalizePayload({ abcdef: 1 })).toEqual({ 'abc…[+3 chars]': 1 });
    expect(p.normalizePayload({ a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
    expect(p.normalizePayload({ a: 1, b: 2, c: 3, d: 4 })).toEqual({ a: 1, b: 2, __more__: '2 more keys' });
  });
  it('unbounded lifts the key limit but still cuts keys', () => {
    expect(p.normalizePayload({ a: 1, b: 2, cdefg: 3 }, { unbounded: true })).toEqual({ a: 1, b: 2, 'cde…[+2 chars]': 3 });
  });
});

describe('D: leaves', () => {
  const p = new LogPayloadProcessor({ maxStringLength: 4 });
  it('keeps or cuts strings, also when unbounded', () => {
    expect(p.normalizeValueForLog('abcd')).toBe('abcd');
    expect(p.normalizeValueForLog('abcde')).toBe('abcd…[+1 chars]');
    expect(p.normalizeValueForLog('abcde', { unbounded: true })).toBe('abcd…[+1 chars]');
  });
  it('keeps numbers, booleans and null; undefined becomes null', () => {
    expect([1, 2.5, true, false, null, undefined].map((v) => p.normalizeValueForLog(v))).toEqual([1, 2.5, true, false, null, null]);
  });
  it('bytes become a bounded base64 shape (JSON has no bytes)', () => {
    expect(p.normalizeValueForLog(Buffer.from('hi'))).toEqual({ type: 'Buffer', byteLength: 2, base64: 'aGk=' });
    expect(p.normalizeValueForLog(new Uint8Array([1, 2, 3, 4, 5]))).toEqual({
      type: 'Uint8Array',
      byteLength: 5,
      base64: 'AQID…[+2 bytes]',
    });
  });
  it('an unknown class instance shows its own fields', () => {
    expect(p.normalizeValueForLog(new Unknown())).toEqual({ id: 7 });
  });
});

describe('E/F: collections, now normalised in depth', () => {
  const p = new LogPayloadProcessor({ maxItems: 2 });
  it('arrays end with a "more" marker only when cut', () => {
    expect(p.normalizeValueForLog([1, 2])).toEqual([1, 2]);
    expect(p.normalizeValueForLog([1, 2, 3, 4])).toEqual([1, 2, '[… 2 more items]']);
    expect(p.normalizeValueForLog([1, 2, 3, 4], { unbounded: true })).toEqual([1, 2, 3, 4]);
  });
  it('nested lists and objects are normalised, not replaced by placeholders', () => {
    expect(p.normalizePayload({ items: [1, [2, { x: [3] }]] })).toEqual({ items: [1, [2, { x: [3] }]] });
  });
  it('limits apply at every level', () => {
    expect(p.normalizeValueForLog([[1, 2, 3]])).toEqual([[1, 2, '[… 1 more items]']]);
  });
  it('providers and adapters are used for items and values; a throwing one falls back', () => {
    const stderr = captureMvxStderr();
    const thrower = {
      a: 1,
      toLogPayload(): never {
        throw new Error('no');
      },
    };
    expect(p.normalizeValueForLog([new Provided('p'), thrower])).toEqual(['p', { a: 1, toLogPayload: '[Function: toLogPayload]' }]);
    expect(stderr.lines).toEqual([expect.stringMatching(/^\[mvx-common\] LogPayloadProcessor payload\.provider_failed: .* \| Error: no$/)]);
    const q = new LogPayloadProcessor({ adapters: [[Adapted, () => ({ adapted: true })]] });
    expect(q.normalizePayload({ v: new Adapted(), list: [new Adapted()] })).toEqual({ v: { adapted: true }, list: [{ adapted: true }] });
  });
});

describe('H: providers', () => {
  const p = new LogPayloadProcessor({ maxItems: 2, maxStringLength: 5 });
  it('provider output is bounded and redacted (the reference passed it verbatim)', () => {
    expect(p.normalizeValueForLog(new Provided({ list: [1, 2, 3], text: 'abcdefgh', token: 't' }))).toEqual({
      list: [1, 2, '[… 1 more items]'],
      text: 'abcde…[+3 chars]',
      token: '[REDACTED]',
    });
  });
  it('a non-object result is normalised as a value', () => {
    expect(p.normalizeValueForLog(new Provided(12))).toBe(12);
    expect(p.normalizeValueForLog(new Provided(undefined))).toBeNull();
  });
  it('provider beats adapter at top level, in lists and in payloads', () => {
    class Both extends Adapted {
      toLogPayload(): string {
        return 'provider';
      }
    }
    const q = new LogPayloadProcessor({ adapters: [[Adapted, () => 'adapter']] });
    expect(q.normalizeValueForLog(new Both())).toBe('provider');
    expect(q.normalizeValueForLog([new Both()])).toEqual(['provider']);
    expect(q.normalizePayload({ b: new Both() })).toEqual({ b: 'provider' });
  });
  it('a provider inside a payload keeps key truncation', () => {
    expect(p.normalizePayload({ longkeyname: new Provided(1) })).toEqual({ 'longk…[+6 chars]': 1 });
  });
  it('a provider receives the verbosity', () => {
    const seen: unknown[] = [];
    const q = new LogPayloadProcessor({ verbosity: 'MAXIMUM' });
    q.normalizeValueForLog({ toLogPayload: (v: unknown) => seen.push(v) });
    expect(seen).toEqual(['MAXIMUM']);
  });
});

describe('I: adapters and resolver', () => {
  it('a resolver returning undefined or throwing leaves the built-in rules', () => {
    const stderr = captureMvxStderr();
    const none = new LogPayloadProcessor({ resolver: () => undefined });
    expect(none.normalizeValueForLog(new Unknown())).toEqual({ id: 7 });
    const throwing = new LogPayloadProcessor({
      resolver: () => {
        throw new Error('resolver');
      },
    });
    expect(throwing.normalizeValueForLog(new Unknown())).toEqual({ id: 7 });
    expect(stderr.lines).toEqual([expect.stringMatching(/^\[mvx-common\] LogPayloadProcessor payload\.resolver_failed: .* \| Error: resolver$/)]);
  });
  it('an adapter gets the current verbosity; throwing adapters fall back', () => {
    const stderr = captureMvxStderr();
    const seen: unknown[] = [];
    const p = new LogPayloadProcessor({
      verbosity: 'MINIMAL',
      resolver: (v) => (v instanceof Unknown ? (value: Unknown, verbosity) => (seen.push(verbosity), { u: value.id }) : undefined),
    });
    expect(p.normalizeValueForLog(new Unknown(3))).toEqual({ u: 3 });
    expect(seen).toEqual(['MINIMAL']);
    const q = new LogPayloadProcessor({
      adapters: [
        [
          Unknown,
          () => {
            throw new Error('adapter');
          },
        ],
      ],
    });
    expect(q.normalizeValueForLog(new Unknown(4))).toEqual({ id: 4 });
    expect(stderr.lines).toEqual([expect.stringMatching(/^\[mvx-common\] LogPayloadProcessor payload\.adapter_failed: .* \| Error: adapter$/)]);
  });
  it('changing and resetting the resolver takes effect', () => {
    const p = new LogPayloadProcessor();
    p.setResolver((v) => (v instanceof Unknown ? () => 'resolved' : undefined));
    expect(p.normalizePayload({ x: new Unknown(), y: [new Unknown()] })).toEqual({ x: 'resolved', y: ['resolved'] });
    p.resetResolver();
    expect(p.normalizeValueForLog(new Unknown())).toEqual({ id: 7 });
  });
  it('the most specific registered class wins; registry beats resolver', () => {
    class Base {}
    class Mid extends Base {}
    class Leaf extends Mid {}
    const p = new LogPayloadProcessor({
      adapters: new Map<abstract new (...a: any[]) => unknown, LogAdapter>([
        [Base, () => 'base'],
        [Mid, () => 'mid'],
      ]),
      resolver: () => () => 'resolver',
    });
    expect(p.normalizeValueForLog(new Leaf())).toBe('mid');
    expect(p.normalizeValueForLog(new Base())).toBe('base');
    expect(p.normalizeValueForLog(new Unknown())).toBe('resolver');
    p.setAdapter(Leaf, () => 'leaf');
    expect(p.normalizeValueForLog(new Leaf())).toBe('leaf');
    expect(p.removeAdapter(Leaf)).toBe(true);
    expect(p.removeAdapter(Leaf)).toBe(false);
    expect(p.normalizeValueForLog(new Leaf())).toBe('mid');
  });
  it('removeAdapter(null) from JavaScript returns false instead of throwing a TypeError', () => {
    // No method of the processor throws (configuration setters throw MvxConfigError only).
    const p = new LogPayloadProcessor();
    expect(p.removeAdapter(null as unknown as typeof Date)).toBe(false);
    expect(p.removeAdapter(undefined as unknown as typeof Date)).toBe(false);
  });
  it('adapter output is normalised: bounded and redacted', () => {
    const p = new LogPayloadProcessor({ maxItems: 1, adapters: [[Adapted, (a: Adapted) => ({ password: a.secretInside, n: [1, 2] })]] });
    expect(p.normalizeValueForLog(new Adapted())).toEqual({ password: '[REDACTED]', n: [1, '[… 1 more items]'] });
  });
});

describe('J: unbounded matrix', () => {
  const p = new LogPayloadProcessor({ maxItems: 1, maxKeys: 1, maxStringLength: 8, maxDepth: 2 });
  const value = { ab: [1, 2], cd: 'xyzxyzxyz', password: 'p', deep: { deeper: { deepest: 1 } } };
  it('lifts item and key limits only', () => {
    expect(p.normalizeValueForLog(value, { unbounded: true })).toEqual({
      ab: [1, 2],
      cd: 'xyzxyzxy…[+1 chars]',
      password: '[REDACTED]',
      deep: { deeper: '[Object: depth limit]' },
    });
    expect(p.normalizeValueForLog(value)).toEqual({ ab: [1, '[… 1 more items]'], __more__: '3 more keys' });
  });
});

describe('K: top-level values', () => {
  const p = new LogPayloadProcessor({ maxStringLength: 3 });
  it('normalises each kind at the top level', () => {
    expect(p.normalizeValueForLog([1, 'abcd'])).toEqual([1, 'abc…[+1 chars]']);
    expect(p.normalizeValueForLog(new Map([['k', 1]]))).toEqual({ k: 1 });
    expect(p.normalizeValueForLog(new Provided({ a: 1 }))).toEqual({ a: 1 });
    expect(p.normalizeValueForLog(7)).toBe(7);
  });
});

describe('re-entrancy (stands in for the reference thread cases)', () => {
  it('a provider that normalises with the same processor does not disturb the outer call', () => {
    const p = new LogPayloadProcessor({ maxItems: 2 });
    const inner = { toLogPayload: () => ({ innerResult: p.normalizeValueForLog([1, 2, 3]) }) };
    const outer = { a: [inner, 'x', 'y'], b: 2 };
    expect(p.normalizeValueForLog(outer)).toEqual({
      a: [{ innerResult: [1, 2, '[… 1 more items]'] }, 'x', '[… 1 more items]'],
      b: 2,
    });
  });
  it('a setting changed by a provider applies from the next call', () => {
    const p = new LogPayloadProcessor();
    const changer = {
      toLogPayload: () => {
        p.setMaxItems(1);
        return 'changed';
      },
    };
    expect(p.normalizeValueForLog([changer, 2, 3])).toEqual(['changed', 2, 3]);
    expect(p.normalizeValueForLog([1, 2, 3])).toEqual([1, '[… 2 more items]']);
  });
});
