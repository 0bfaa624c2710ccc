/**
 * Issue 13: every part of the output is charged to the budgets. Errors (message, stack, code, own
 * fields, cause chain) cost nodes like any value; an error met again in the same call is shown once
 * and then referred to; the whole output is bounded in bytes (`maxBytes`); collections are cut while
 * they are iterated, so `unbounded: true` never copies a huge Map first. Asserted on node counts,
 * output bytes and entries visited, never on time.
 */
import { describe, expect, it } from 'vitest';
import { LogContext, LogPayloadProcessor, MemorySink, MvxConfigError, formatJsonLine } from '../../../../src/index.ts';

const MARKER = /^\[(… \d+ more items|Circular|Repeated: [^\]]+|[^\]:]+: depth limit|… cause chain limit)\]$/;

/** Values of the output (array items and object values, at every depth), markers apart. */
function countNodes(v: unknown): { nodes: number; markers: number } {
  let nodes = 0;
  let markers = 0;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const item of x) visit(item, undefined);
    } else if (x !== null && typeof x === 'object') {
      for (const [k, item] of Object.entries(x)) visit(item, k);
    }
  };
  const visit = (x: unknown, key: string | undefined): void => {
    if (key === '__more__' || (typeof x === 'string' && MARKER.test(x))) markers++;
    else nodes++;
    walk(x);
  };
  walk(v);
  return { nodes, markers };
}

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

describe('errors are charged to the budgets', () => {
  it('the parts of distinct errors (message, code, stack, own fields, cause) count against maxNodes', () => {
    // A byte room large enough that the node budget is what cuts.
    const p = new LogPayloadProcessor({ maxItems: 10_000, maxBytes: 2 ** 30 });
    const errors = Array.from({ length: 5000 }, (_, i) =>
      Object.assign(new Error(`failure ${i}`, { cause: new Error(`cause ${i}`) }), { code: `E${i}`, status: 500 }),
    );
    const out = p.normalizeValueForLog(errors);
    const { nodes } = countNodes(out);
    // Each error is 1 + type, message, code, stack, status, cause (1 + type, message, stack) = 10 values.
    expect(nodes).toBeGreaterThan(9_000);
    // `type` is kept even when the budget ran out on the error's own slot: at most one over.
    expect(nodes).toBeLessThanOrEqual(p.maxNodes + 1);
    expect((out as unknown[]).at(-1)).toMatch(/^\[… \d+ more items\]$/);
  });

  it('an error whose parts run past the budget ends with __more__ naming how many parts were dropped', () => {
    const p = new LogPayloadProcessor({ maxNodes: 3 });
    const out = p.normalizeError(Object.assign(new Error('m'), { code: 'E', a: 1, b: 2 }));
    expect(out).toMatchObject({ type: 'Error', message: 'm', code: 'E' });
    // stack, a and b did not fit.
    expect(out.__more__).toBe('3 more keys');
  });

  it('one error referenced 100 × 100 times is shown once, then referred to; the output stays within maxNodes and maxBytes', () => {
    const err = new Error('x'.repeat(16 * 1024));
    const payload = { grid: Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => err)) };
    const p = new LogPayloadProcessor();
    const out = p.normalizePayload(payload);
    const text = JSON.stringify(out);
    expect(text.match(/"type":"Error"/g)).toHaveLength(1);
    expect(text).toContain('"[Repeated: Error]"');
    const { nodes } = countNodes(out);
    expect(nodes).toBeLessThanOrEqual(p.maxNodes);
    expect(bytes(out)).toBeLessThanOrEqual(p.maxBytes);
  });

  it('a chain of six such errors, referenced 100 × 100 times, gives a bounded, parseable line (not a formatError stub)', () => {
    let err: Error | undefined;
    for (let i = 0; i < 6; i++) err = new Error(`${i}:${'y'.repeat(16 * 1024)}`, err === undefined ? undefined : { cause: err });
    const sink = new MemorySink();
    const p = new LogPayloadProcessor();
    const ctx = new LogContext({ sink, payloadProcessor: p });
    ctx.error('failed', { grid: Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => err)) });
    const line = formatJsonLine(sink.events[0]!);
    const parsed = JSON.parse(line) as { payload: unknown; formatError?: string };
    expect(parsed.formatError).toBeUndefined();
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(p.maxBytes + 1024);
    // The chain is shown once, up to maxErrorCauses links.
    expect(line.match(/"type":"Error"/g)).toHaveLength(6);
  });
});

describe('maxBytes: the whole output is bounded in bytes', () => {
  it('10,000 strings of 1 KB at default limits (10 MB before) give at most maxBytes, cut with markers', () => {
    const p = new LogPayloadProcessor();
    expect(p.maxBytes).toBe(262_144);
    const payload: Record<string, string[]> = {};
    for (let i = 0; i < 100; i++) payload[`k${i}`] = Array.from({ length: 100 }, (_, j) => `${i}.${j}:${'z'.repeat(1000)}`);
    const out = p.normalizePayload(payload);
    expect(bytes(out)).toBeLessThanOrEqual(p.maxBytes);
    expect(bytes(out)).toBeGreaterThan(p.maxBytes * 0.9);
    expect(out.__more__).toMatch(/^\d+ more keys$/);
    const last = Object.values(out).filter(Array.isArray).at(-1)!;
    expect(last.at(-1)).toMatch(/^\[… \d+ more items\]$|…\[\+\d+ chars\]$/);
  });

  it('a string longer than the room left is cut to fit, with the usual marker', () => {
    const p = new LogPayloadProcessor({ maxBytes: 1024, maxStringLength: 100_000 });
    const out = p.normalizePayload({ a: 'a'.repeat(600), b: 'b'.repeat(600) });
    expect(out.a).toBe('a'.repeat(600));
    expect(out.b).toMatch(/^b+…\[\+\d+ chars\]$/);
    expect(bytes(out)).toBeLessThanOrEqual(1024);
  });

  it('also bounds unbounded calls, error stacks and binary values', () => {
    const p = new LogPayloadProcessor({ maxBytes: 4096, maxStackLength: 100_000, maxStringLength: 100_000 });
    expect(bytes(p.normalizeValueForLog(Array.from({ length: 5000 }, () => 'w'.repeat(50)), { unbounded: true }))).toBeLessThanOrEqual(4096);
    const e = new Error('s');
    e.stack = `Error: s\n${'    at f (file.js:1:1)\n'.repeat(5000)}`;
    // A stack's line breaks (written `\n` in JSON) are charged twice.
    expect(bytes(p.normalizeValueForLog([e, e, new Error('t', { cause: e })]))).toBeLessThanOrEqual(4096);
    expect(bytes(new LogPayloadProcessor({ maxBytes: 4096, maxStackLength: 100_000, verbosity: 'MAXIMUM' }).normalizeError(e))).toBeLessThanOrEqual(4096);
    expect(bytes(p.normalizeValueForLog([Buffer.alloc(100_000), new Uint8Array(100_000)]))).toBeLessThanOrEqual(4096);
  });

  it('is validated like the other limits', () => {
    for (const bad of [0, -1, 1.5, '1', Number.NaN, 2 ** 31]) {
      expect(() => new LogPayloadProcessor({ maxBytes: bad as number })).toThrow(MvxConfigError);
    }
    expect(new LogPayloadProcessor({ maxBytes: 1 << 20 }).maxBytes).toBe(1 << 20);
  });
});

describe('collections are cut while they are iterated', () => {
  /** Counts calls of the built-in iterator `next` of Maps or Sets while `fn` runs. */
  function countNext(proto: { next: (...a: unknown[]) => unknown }, fn: () => void): number {
    const original = proto.next;
    let calls = 0;
    proto.next = function next(this: unknown, ...args: unknown[]) {
      calls++;
      return original.apply(this, args);
    };
    try {
      fn();
    } finally {
      proto.next = original;
    }
    return calls;
  }
  const mapIteratorProto = Object.getPrototypeOf(new Map().entries()) as { next: () => unknown };
  const setIteratorProto = Object.getPrototypeOf(new Set().values()) as { next: () => unknown };

  it('unbounded: true on a 1,000,000-entry Map reads at most maxNodes entries (not all of them first)', () => {
    const map = new Map<string, number>();
    for (let i = 0; i < 1_000_000; i++) map.set(`k${i}`, i);
    const p = new LogPayloadProcessor();
    let out: unknown;
    const calls = countNext(mapIteratorProto, () => {
      out = p.normalizeValueForLog(map, { unbounded: true });
    });
    expect(calls).toBeLessThanOrEqual(p.maxNodes + 1);
    expect((out as Record<string, unknown>).__more__).toMatch(/^\d+ more keys$/);
    // Entries form (object keys) too.
    const objectKeyed = new Map<unknown, number>([[{}, 0]]);
    for (let i = 0; i < 200_000; i++) objectKeyed.set({ i }, i);
    const calls2 = countNext(mapIteratorProto, () => p.normalizeValueForLog(objectKeyed, { unbounded: true }));
    expect(calls2).toBeLessThanOrEqual(p.maxNodes + 1);
  });

  it('a Set, an array and an object read at most maxNodes items under unbounded: true', () => {
    const p = new LogPayloadProcessor({ maxNodes: 500 });
    const set = new Set<number>();
    for (let i = 0; i < 100_000; i++) set.add(i);
    expect(countNext(setIteratorProto, () => p.normalizeValueForLog(set, { unbounded: true }))).toBeLessThanOrEqual(501);
    let reads = 0;
    const array = new Proxy(
      Array.from({ length: 100_000 }, (_, i) => i),
      {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
          return Reflect.get(target, key, receiver);
        },
      },
    );
    p.normalizeValueForLog(array, { unbounded: true });
    expect(reads).toBeLessThanOrEqual(500);
    reads = 0;
    const wide = new Proxy(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`f${i}`, i])), {
      get(target, key, receiver) {
        if (typeof key === 'string' && key.startsWith('f')) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    p.normalizeValueForLog(wide, { unbounded: true });
    expect(reads).toBeLessThanOrEqual(500);
  });
});
