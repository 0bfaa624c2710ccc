import { describe, expect, it } from 'vitest';
import { Once } from '../../../src/core/lifecycle/once.ts';

describe('Once', () => {
  it('runs the operation on the first call only and gives every call the same promise', async () => {
    const calls: number[] = [];
    const once = new Once((n: number) => {
      calls.push(n);
      return Promise.resolve(n * 2);
    });
    expect(once.called).toBe(false);
    expect(once.promise).toBeUndefined();
    const first = once.call(1);
    const second = once.call(2);
    expect(second).toBe(first);
    expect(once.promise).toBe(first);
    expect(once.called).toBe(true);
    expect(await first).toBe(2);
    expect(calls).toEqual([1]);
  });

  it('a synchronous throw becomes the rejection of the one promise', async () => {
    const once = new Once((): number => {
      throw new Error('boom');
    });
    const p = once.call();
    await expect(p).rejects.toThrow('boom');
    expect(once.call()).toBe(p);
  });
});
