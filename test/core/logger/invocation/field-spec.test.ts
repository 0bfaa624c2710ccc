import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MvxConfigError } from '../../../../src/core/errors.ts';
import { UNRESOLVED, gateAllows, parseFieldSpec, resolvePath } from '../../../../src/core/logger/invocation/field-spec.ts';

describe('field spec grammar', () => {
  it.each([
    // text, root, alias, gate, unbounded, segments
    ['userDn', 'args', 'userDn', undefined, false, ['userDn']],
    ['  userDn  ', 'args', 'userDn', undefined, false, ['userDn']],
    ['dn=userDn', 'args', 'dn', undefined, false, ['userDn']],
    ['=userDn', 'args', 'userDn', undefined, false, ['userDn']],
    ['request.headers.host', 'args', 'host', undefined, false, ['request', 'headers', 'host']],
    ['items.len()', 'args', 'itemsLen', undefined, false, ['items', 'len()']],
    ['n=items.len()', 'args', 'n', undefined, false, ['items', 'len()']],
    ['0', 'args', 'arg0', undefined, false, ['0']],
    ['1.len()', 'args', 'arg1Len', undefined, false, ['1', 'len()']],
    ['0', 'result', 'item0', undefined, false, ['0']],
    ['rows.2', 'result', 'rows_2', undefined, false, ['rows', '2']],
    ['1.0', 'args', 'arg1_0', undefined, false, ['1', '0']],
    ['len()', 'result', 'len', undefined, false, ['len()']],
    ['payload!', 'args', 'payload', undefined, true, ['payload']],
    ['payload !', 'args', 'payload', undefined, true, ['payload']],
    ['MAXIMUM:payload', 'args', 'payload', ['MAXIMUM'], false, ['payload']],
    ['NORMAL, maximum : requestId', 'args', 'requestId', ['NORMAL', 'MAXIMUM'], false, ['requestId']],
    [':requestId', 'args', 'requestId', [], false, ['requestId']],
    ['MAXIMUM:body=payload!', 'args', 'body', ['MAXIMUM'], true, ['payload']],
    ['user-agent', 'self', 'user-agent', undefined, false, ['user-agent']],
  ] as const)('parses %j', (text, root, alias, gate, unbounded, segments) => {
    const spec = parseFieldSpec(text, 'args[0]', root);
    expect(spec.alias).toBe(alias);
    expect(spec.gate).toEqual(gate);
    expect(spec.unbounded).toBe(unbounded);
    expect(spec.segments.map((s) => (s.kind === 'len' ? 'len()' : s.key))).toEqual(segments);
    expect(spec.text).toBe(text);
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['MAXIMUM:', /nothing after the verbosity gate/],
    ['MAX IMUM:x', /bad verbosity gate/],
    ['NORMAL,,MAXIMUM:x', /bad verbosity gate/],
    ['a=', /empty path/],
    ['!', /empty path/],
    ['a..b', /bad path segment ''/],
    ['a.b()', /bad path segment 'b\(\)'/],
    ['len().x', /must be the last segment/],
    ['1x y=a', /bad alias/],
    ['a[0]', /bad path segment/],
  ])('rejects %j when decorating, naming the option', (text, message) => {
    let caught: unknown;
    try {
      parseFieldSpec(text, 'args[3]', 'args');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MvxConfigError);
    expect((caught as MvxConfigError).option).toBe('args[3]');
    expect((caught as Error).message).toMatch(message);
  });

  it('rejects a bare len() on arguments and this, where it measures nothing', () => {
    expect(() => parseFieldSpec('len()', 'args[0]', 'args')).toThrow(MvxConfigError);
    expect(() => parseFieldSpec('len()', 'fields[0]', 'self')).toThrow(MvxConfigError);
  });

  it('rejects a spec that is not a string', () => {
    expect(() => parseFieldSpec(42, 'args[0]', 'args')).toThrow(/must be a string/);
  });
});

describe('path resolution', () => {
  const path = (text: string) => parseFieldSpec(text, 'x', 'result').segments;

  it('reads properties, inherited properties and getters', () => {
    class User {
      readonly name: string;
      constructor(name: string) {
        this.name = name;
      }
      get upper(): string {
        return this.name.toUpperCase();
      }
    }
    expect(resolvePath({ user: new User('ann') }, path('user.name'), 0)).toBe('ann');
    expect(resolvePath({ user: new User('ann') }, path('user.upper'), 0)).toBe('ANN');
  });

  it('reads Map keys, by string or by number, and array indices', () => {
    const m = new Map<unknown, unknown>([['a', { b: 1 }], [2, 'two']]);
    expect(resolvePath({ m }, path('m.a.b'), 0)).toBe(1);
    expect(resolvePath({ m }, path('m.2'), 0)).toBe('two');
    expect(resolvePath([10, 20, 30], path('2'), 0)).toBe(30);
  });

  it('len() measures strings, arrays, typed arrays, Maps and Sets', () => {
    expect(resolvePath({ s: 'abcd' }, path('s.len()'), 0)).toBe(4);
    expect(resolvePath({ a: [1, 2] }, path('a.len()'), 0)).toBe(2);
    expect(resolvePath({ t: new Uint8Array(5) }, path('t.len()'), 0)).toBe(5);
    expect(resolvePath({ m: new Map([[1, 1]]) }, path('m.len()'), 0)).toBe(1);
    expect(resolvePath({ s: new Set([1, 2, 3]) }, path('s.len()'), 0)).toBe(3);
    expect(resolvePath({ n: 5 }, path('n.len()'), 0)).toBe(UNRESOLVED);
    expect(resolvePath({ o: {} }, path('o.len()'), 0)).toBe(UNRESOLVED);
  });

  it('gives UNRESOLVED for a missing key or a step through null/undefined, the value for a present undefined', () => {
    expect(resolvePath({ a: {} }, path('a.b'), 0)).toBe(UNRESOLVED);
    expect(resolvePath({ a: null }, path('a.b'), 0)).toBe(UNRESOLVED);
    expect(resolvePath({ a: { b: undefined } }, path('a.b'), 0)).toBeUndefined();
    expect(resolvePath(new Map(), path('a'), 0)).toBe(UNRESOLVED);
  });

  it('reads properties of primitives (string length by name)', () => {
    expect(resolvePath({ s: 'abc' }, path('s.length'), 0)).toBe(3);
  });

  it('lets a throwing getter throw (the caller reports it)', () => {
    const o = {
      get bad(): never {
        throw new Error('boom');
      },
    };
    expect(() => resolvePath(o, path('bad'), 0)).toThrow('boom');
  });
});

describe('verbosity gates', () => {
  it.each([
    ['x', undefined, true],
    ['x', 'MINIMAL', true],
    ['MAXIMUM:x', 'MAXIMUM', true],
    ['MAXIMUM:x', 'maximum', true],
    ['MAXIMUM:x', 'NORMAL', false],
    ['MAXIMUM:x', undefined, false],
    ['NORMAL,MAXIMUM:x', 'NORMAL', true],
    ['NORMAL,MAXIMUM:x', 'MINIMAL', false],
    [':x', 'MINIMAL', true],
    [':x', undefined, false],
  ] as const)('%j at verbosity %j → %j', (text, verbosity, allowed) => {
    expect(gateAllows(parseFieldSpec(text, 'x', 'args'), verbosity)).toBe(allowed);
  });
});

describe('properties', () => {
  const specChars = fc.constantFrom('a', 'b', '0', '1', '.', '=', ':', ',', '!', ' ', '(', ')', 'l', 'e', 'n', 'M', '_', '-');
  const specText = fc.array(specChars, { maxLength: 24 }).map((cs) => cs.join(''));

  it('parsing any string gives a spec or an MvxConfigError naming the option, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(specText, fc.string()), fc.constantFrom('args', 'self', 'result' as const), (text, root) => {
        try {
          const spec = parseFieldSpec(text, 'args[0]', root);
          expect(spec.segments.length).toBeGreaterThan(0);
          expect(spec.alias).not.toBe('');
        } catch (e) {
          expect(e).toBeInstanceOf(MvxConfigError);
          expect((e as MvxConfigError).option).toBe('args[0]');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('resolving a valid spec against any JSON-like value never throws', () => {
    fc.assert(
      fc.property(specText, fc.jsonValue(), (text, value) => {
        let spec;
        try {
          spec = parseFieldSpec(text, 'x', 'result');
        } catch {
          return;
        }
        resolvePath(value, spec.segments, 0);
      }),
      { numRuns: 500 },
    );
  });
});
