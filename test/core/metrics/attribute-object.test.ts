/** The series store's attribute objects (issue 16): exactly sized, yet plain frozen objects. */
import { describe, expect, it } from 'vitest';
import { frozenAttributes } from '../../../src/core/metrics/series/attribute-object.ts';

describe('frozenAttributes', () => {
  it('makes plain frozen objects with the entries in order', () => {
    const a = frozenAttributes([['route', '/a'], ['status', 200], ['ok', true]]);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.keys(a)).toEqual(['route', 'status', 'ok']);
    expect(a).toStrictEqual({ route: '/a', status: 200, ok: true });
    expect(JSON.stringify(a)).toBe('{"route":"/a","status":200,"ok":true}');
    expect(Object.hasOwn(a, 'constructor')).toBe(false);
    expect({ ...a }).toStrictEqual({ route: '/a', status: 200, ok: true });
  });

  it('gives objects of one key list the same shape, and other key lists their own', () => {
    const x = frozenAttributes([['a', 1], ['b', 'x']]);
    const y = frozenAttributes([['a', 2], ['b', 'y']]);
    const z = frozenAttributes([['b', 'y'], ['a', 2]]);
    expect(x).toStrictEqual({ a: 1, b: 'x' });
    expect(y).toStrictEqual({ a: 2, b: 'y' });
    expect(Object.keys(z)).toEqual(['b', 'a']);
  });

  it('keeps an own __proto__ key an attribute instead of setting the prototype', () => {
    const a = frozenAttributes([['__proto__', 'x'], ['b', 1]]);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(Object.hasOwn(a, '__proto__')).toBe(true);
    expect(Object.keys(a)).toEqual(['__proto__', 'b']);
  });

  it('builds objects with keys Object.prototype has (toString, constructor) from entries, as own attributes', () => {
    const a = frozenAttributes([['toString', 'x'], ['constructor', 'y']]);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(Object.keys(a)).toEqual(['toString', 'constructor']);
    expect(a['toString']).toBe('x');
    expect(a['constructor']).toBe('y');
  });

  it('still builds objects once the shape cache is full or for very long key lists', () => {
    for (let i = 0; i < 1100; i++) expect(frozenAttributes([[`k${i}`, i]])).toStrictEqual({ [`k${i}`]: i });
    const long = 'k'.repeat(2000);
    expect(frozenAttributes([[long, 'v']])).toStrictEqual({ [long]: 'v' });
  });
});
