/**
 * Shared pieces of the payload-processor property tests (`properties.test.ts`, a slice run by
 * `npm test`) and of the fuzz suite (`test/fuzz/payload-processor.fuzz.test.ts`, run with
 * `MVX_FUZZ_RUNS=100000` by `npm run test:fuzz`): arbitrary hostile values, processor settings,
 * and a checker that walks an output and asserts every documented bound.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogPayloadProcessor, configureDiagnostics } from '../../../../src/index.ts';
import type { LogPayloadProcessorOptions } from '../../../../src/index.ts';

import { fuzzRuns, fuzzTimeout } from '../../../support/fuzz.ts';

export { fuzzRuns, fuzzTimeout };

/** A value that must never reach a sink: only ever placed under a sensitive key. */
export const SECRET = 'Qz-s3cr3t-\u2603-9f41';

const SENSITIVE_KEYS = [
  'password',
  'PASSWORD',
  'userPassword',
  'api_key',
  'X-API-KEY',
  'Authorization',
  'set-cookie',
  'clientSecret',
  'refresh_token',
  'private_key',
  'sessionId',
];

/** A class with an adapter in {@link processorFor}; the adapter returns the secret under a sensitive key. */
export class SecretBox {
  readonly note = 'box';
  readonly inner: unknown;
  constructor(inner: unknown) {
    this.inner = inner;
  }
}

class WithPrivate {
  #hidden = SECRET;
  readonly shown = 1;
  peek(): string {
    return this.#hidden;
  }
}

/** A value placing {@link SECRET} under a sensitive key, in every place a key can name a value. */
function secretHolder(key: string, kind: number): unknown {
  {
    const secretValue = kind % 2 === 0 ? SECRET : { deeper: [SECRET] };
    switch (kind) {
      case 0:
      case 1:
        return { [key]: secretValue };
      case 2:
        return new Map([[key, secretValue]]);
      case 3:
        return new Map<unknown, unknown>([[{ objectKey: true }, 1], [key, secretValue]]);
      case 4:
        return Object.assign(new Error('failed'), { [key]: secretValue });
      case 5:
        return { toLogPayload: () => ({ [key]: secretValue }) };
      case 6:
        return { toJSON: () => ({ [key]: secretValue }) };
      case 7:
        return new SecretBox(secretValue);
      case 8:
        return new URL(`https://u:${encodeURIComponent(SECRET)}@h.example/p?access_token=${encodeURIComponent(SECRET)}`);
      default:
        return new WithPrivate();
    }
  }
}

function throwing(kind: string): () => never {
  return () => {
    throw new Error(`hostile ${kind}`);
  };
}

const HOSTILE_KINDS = 18;

/** Hostile leaves: throwing getters, Proxies whose traps throw, throwing or cyclic providers, cycles. */
function hostile(kind: number): unknown {
  switch (kind) {
    case 0:
      return Object.defineProperty({ ok: 1 }, 'bad', { enumerable: true, get: throwing('getter') });
    case 1:
      return new Proxy({ a: 1 }, { get: throwing('get') });
    case 2:
      return new Proxy({ a: 1 }, { ownKeys: throwing('ownKeys') });
    case 3:
      return new Proxy({ a: 1 }, { getPrototypeOf: throwing('getPrototypeOf') });
    case 4:
      return new Proxy([1, 2], { get: throwing('get') });
    case 5: {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    case 6:
      return { toJSON: throwing('toJSON'), v: 1 };
    case 7:
      return { toLogPayload: throwing('toLogPayload'), v: 2 };
    case 8:
      return {
        toLogPayload(): unknown {
          return { self: this, list: [this] };
        },
      };
    case 9: {
      const o: Record<string, unknown> = { a: 1 };
      o.self = o;
      o.arr = [o, new Map([['m', o]]), new Set([o])];
      return o;
    }
    case 10: {
      const a = new Error('a');
      const b = new Error('b', { cause: a });
      (a as { cause?: unknown }).cause = b;
      return new AggregateError([a, b, 'str'], 'agg', { cause: b });
    }
    case 11:
      return { [Symbol('sym')]: 1, fn: function named() {}, arrow: (): void => {}, sym: Symbol.iterator };
    case 12:
      return [Number.NaN, Infinity, -Infinity, -0, 2n ** 80n, 10n ** 5000n];
    case 13:
      return 'long-'.repeat(2000);
    case 14:
      return [new Date(Number.NaN), new Date(0), /re/g, new WeakMap(), new WeakSet(), Promise.resolve(1), new URL('http://x/')];
    case 15:
      return [Buffer.from('buffer'), new Float64Array([1, Number.NaN]), new BigInt64Array([1n]), new DataView(new ArrayBuffer(3)), new ArrayBuffer(9)];
    case 16: {
      const deep: Record<string, unknown> = {};
      let cur = deep;
      for (let i = 0; i < 200; i++) {
        const next: Record<string, unknown> = {};
        cur.n = next;
        cur = next;
      }
      return deep;
    }
    default: {
      const sparse: unknown[] = [];
      sparse[50] = 1;
      return Object.assign(sparse, { extra: 'ignored' });
    }
  }
}

const anything = fc.anything({
  maxDepth: 3,
  maxKeys: 5,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

/**
 * A recipe for a value. fast-check only ever sees recipes (plain data), because it inspects and
 * prints generated values and a hostile value would break fast-check itself; {@link build} turns a
 * recipe into a fresh value inside the property.
 */
export type Recipe =
  | { k: 'any'; v: unknown }
  | { k: 'hostile'; n: number }
  | { k: 'secret'; key: string; n: number }
  | { k: 'array'; items: Recipe[] }
  | { k: 'dict'; entries: [string, Recipe][] }
  | { k: 'map'; entries: [Recipe, Recipe][] }
  | { k: 'set'; items: Recipe[] }
  | { k: 'provider'; inner: Recipe }
  | { k: 'error'; inner: Recipe }
  | { k: 'cycle'; inner: Recipe };

/** Recipes: fast-check's `anything`, hostile leaves and secret holders, nested in containers. */
export const anyRecipe: fc.Arbitrary<Recipe> = fc.letrec<{ r: Recipe }>((tie) => ({
  r: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: anything.map((v): Recipe => ({ k: 'any', v })), weight: 4 },
    { arbitrary: fc.integer({ min: 0, max: HOSTILE_KINDS - 1 }).map((n): Recipe => ({ k: 'hostile', n })), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...SENSITIVE_KEYS), fc.integer({ min: 0, max: 9 }))
        .map(([key, n]): Recipe => ({ k: 'secret', key, n })),
      weight: 2,
    },
    { arbitrary: fc.array(tie('r'), { maxLength: 6 }).map((items): Recipe => ({ k: 'array', items })), weight: 1 },
    {
      arbitrary: fc.array(fc.tuple(fc.string({ maxLength: 8 }), tie('r')), { maxLength: 6 }).map((entries): Recipe => ({ k: 'dict', entries })),
      weight: 1,
    },
    { arbitrary: fc.array(fc.tuple(tie('r'), tie('r')), { maxLength: 4 }).map((entries): Recipe => ({ k: 'map', entries })), weight: 1 },
    { arbitrary: fc.array(tie('r'), { maxLength: 4 }).map((items): Recipe => ({ k: 'set', items })), weight: 1 },
    { arbitrary: tie('r').map((inner): Recipe => ({ k: 'provider', inner })), weight: 1 },
    { arbitrary: tie('r').map((inner): Recipe => ({ k: 'error', inner })), weight: 1 },
    { arbitrary: tie('r').map((inner): Recipe => ({ k: 'cycle', inner })), weight: 1 },
  ),
})).r;


/** Builds a fresh value from a recipe. */
export function build(r: Recipe): unknown {
  switch (r.k) {
    case 'any':
      return r.v;
    case 'hostile':
      return hostile(r.n);
    case 'secret':
      return secretHolder(r.key, r.n);
    case 'array':
      return r.items.map(build);
    case 'dict': {
      const o: Record<string, unknown> = {};
      for (const [key, inner] of r.entries) {
        // A generated key that happens to be sensitive would redact a legitimate value: fine.
        Object.defineProperty(o, key, { value: build(inner), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    case 'map':
      return new Map(r.entries.map(([a, b]) => [build(a), build(b)]));
    case 'set':
      return new Set(r.items.map(build));
    case 'provider': {
      const v = build(r.inner);
      return { toLogPayload: () => v };
    }
    case 'error':
      return new Error('wrapped', { cause: build(r.inner) });
    case 'cycle': {
      const holder: Record<string, unknown> = { v: build(r.inner) };
      holder.back = [holder];
      return holder;
    }
  }
}

/** Processor settings small enough that every limit is hit often. */
export const settings: fc.Arbitrary<LogPayloadProcessorOptions & { unbounded: boolean }> = fc.record({
  verbosity: fc.constantFrom('MINIMAL', 'NORMAL', 'MAXIMUM') as fc.Arbitrary<'MINIMAL' | 'NORMAL' | 'MAXIMUM'>,
  maxStringLength: fc.integer({ min: 1, max: 40 }),
  maxItems: fc.integer({ min: 1, max: 6 }),
  maxKeys: fc.integer({ min: 1, max: 6 }),
  maxDepth: fc.integer({ min: 1, max: 6 }),
  maxErrorCauses: fc.integer({ min: 0, max: 3 }),
  maxNodes: fc.integer({ min: 1, max: 400 }),
  maxStackLength: fc.integer({ min: 1, max: 200 }),
  maxBytes: fc.integer({ min: 256, max: 4096 }),
  unbounded: fc.boolean(),
});

/** A processor for the settings, with the {@link SecretBox} adapter registered. */
export function processorFor(s: LogPayloadProcessorOptions & { unbounded?: boolean }): LogPayloadProcessor {
  const { unbounded: _unbounded, ...options } = s;
  return new LogPayloadProcessor({
    ...options,
    adapters: [[SecretBox, (b: SecretBox) => ({ note: b.note, password: b.inner })]],
  });
}

const MARKER = /^(\[[^\n]{0,100}\]|\d+ more keys|NaN|-?Infinity|[+-]?\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$/;
/** Keys of the processor's own shapes (not cut by maxStringLength). */
const FIXED_KEYS = new Set(['__more__', 'type', 'name', 'message', 'code', 'stack', 'cause', 'errors', 'fields', 'length', 'values', 'byteLength', 'base64', 'value']);
const CUT = /…\[\+\d+ (chars|bytes)\]$/;

/**
 * Asserts that `out` is strictly JSON data (plain objects, arrays, finite numbers other than -0,
 * strings, booleans, null) and within the limits. `extraDepth` is 1 for `normalizeValueForLog`
 * (typed-array `values` arrays) and 2 for `normalizePayload` (plus the `{ value }` wrapper).
 */
export function checkOutput(out: unknown, s: LogPayloadProcessorOptions & { unbounded: boolean }, extraDepth: number): void {
  const maxStr = s.maxStringLength ?? 1024;
  const maxStack = s.maxStackLength ?? 16_384;
  const maxDepth = (s.maxDepth ?? 10) + extraDepth;
  const walk = (v: unknown, level: number, key: string | undefined): void => {
    if (v === null || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || Object.is(v, -0)) throw new Error(`non-JSON number ${v}`);
      return;
    }
    if (typeof v === 'string') {
      // `type` holds a class name (at most 64 characters), never cut.
      checkString(v, key === 'stack' ? maxStack : key === 'type' ? Math.max(maxStr, 64) : maxStr);
      return;
    }
    if (typeof v !== 'object') throw new Error(`non-JSON value of type ${typeof v}`);
    if (level + 1 > maxDepth) throw new Error(`nesting ${level + 1} exceeds ${maxDepth}`);
    if (Array.isArray(v)) {
      if (!s.unbounded && v.length > (s.maxItems ?? 100) + 1) throw new Error(`array of ${v.length} items`);
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) throw new Error('hole in output array');
        walk(v[i], level + 1, undefined);
      }
      return;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) throw new Error('output object is not a plain object');
    const keys = Object.keys(v);
    // Fixed shapes (errors, binary values) add up to 8 keys of their own to `maxKeys` own fields.
    const fixed = typeof (v as { type?: unknown }).type === 'string' ? 8 : 0;
    // A Map in object form is bounded by maxItems, other objects by maxKeys.
    if (!s.unbounded && keys.length > Math.max(s.maxKeys ?? 100, s.maxItems ?? 100) + 1 + fixed) throw new Error(`object with ${keys.length} keys`);
    for (const k of keys) {
      if (!FIXED_KEYS.has(k)) checkString(k, maxStr);
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) throw new Error(`undefined under key ${k}`);
      walk(x, level + 1, k);
    }
  };
  walk(out, 0, undefined);
  const text = JSON.stringify(out);
  expect(JSON.parse(text)).toEqual(out);
  // maxBytes counts characters; JSON escapes take up to 6 (a control character as \u0001).
  const maxBytes = s.maxBytes ?? 262_144;
  if (text.length > 6 * maxBytes) throw new Error(`output of ${text.length} characters exceeds 6 × maxBytes ${maxBytes}`);
  // Every value costs a unit of maxNodes; a fixed shape in flight when it runs out can end a few over.
  const nodes = countValues(out);
  if (nodes > (s.maxNodes ?? 10_000) + 4) throw new Error(`${nodes} values exceed maxNodes ${s.maxNodes}`);
}

/** Values of an output (array items and object values at every depth), markers apart. */
function countValues(v: unknown): number {
  let n = 0;
  const walk = (x: unknown): void => {
    const children = Array.isArray(x) ? x : x !== null && typeof x === 'object' ? Object.entries(x).filter(([k]) => k !== '__more__').map(([, c]) => c as unknown) : [];
    for (const c of children) {
      if (!(typeof c === 'string' && MARKER.test(c))) n++;
      walk(c);
    }
  };
  walk(v);
  return n;
}

function checkString(v: string, max: number): void {
  if (v.length <= max || MARKER.test(v)) return;
  const m = CUT.exec(v);
  if (m === null || m.index > max) throw new Error(`string of ${v.length} chars exceeds ${max}: ${v.slice(0, 60)}`);
}

/**
 * The properties: never throws, output is JSON data within every limit, no value under a
 * sensitive key survives, for `normalizeValueForLog`, `normalizePayload` and `normalizeError`.
 */
export function describePayloadProperties(runs: number): void {
  const timeout = fuzzTimeout(runs);
  beforeAll(() => configureDiagnostics({ stderr: 'off' }));
  afterAll(() => configureDiagnostics({ stderr: 'throttled' }));

  describe(`payload processor properties (${runs} runs each)`, () => {
    it('normalizeValueForLog: never throws, JSON data, within the limits, no secret', () => {
      fc.assert(
        fc.property(settings, anyRecipe, (s, recipe) => {
          const value = build(recipe);
          const out = processorFor(s).normalizeValueForLog(value, { unbounded: s.unbounded });
          checkOutput(out, s, 1);
          if (JSON.stringify(out).includes(SECRET)) throw new Error('secret leaked');
        }),
        { numRuns: runs },
      );
    }, timeout);

    it('normalizePayload: always an object, JSON data, within the limits, no secret', () => {
      fc.assert(
        fc.property(settings, anyRecipe, (s, recipe) => {
          const value = build(recipe);
          const out = processorFor(s).normalizePayload(value, { unbounded: s.unbounded });
          if (out === null || typeof out !== 'object' || Array.isArray(out)) throw new Error('payload is not an object');
          checkOutput(out, s, 2);
          if (JSON.stringify(out).includes(SECRET)) throw new Error('secret leaked');
        }),
        { numRuns: runs },
      );
    }, timeout);

    it('normalizeError: always an object with a type, JSON data, no secret', () => {
      fc.assert(
        fc.property(settings, anyRecipe, (s, recipe) => {
          const value = build(recipe);
          const err = new Error('outer', { cause: value });
          const out = processorFor(s).normalizeError(Object.assign(err, { detail: value }));
          if (typeof out.type !== 'string') throw new Error('no type');
          checkOutput(out, { ...s, unbounded: false }, 2);
          if (JSON.stringify(out).includes(SECRET)) throw new Error('secret leaked');
        }),
        { numRuns: runs },
      );
    }, timeout);
  });
}
