/**
 * Issue 13: property-based fuzzing of the logging call itself. Arbitrary names (huge ones too),
 * levels, payloads (hostile recipes), options whose fields are arbitrary values, throwing getters
 * or Proxies, and custom payload processors returning hostile results.
 *
 * Properties: `logEvent`, the level helpers and `isEnabled` never throw; every delivered event
 * formats to one parseable JSON line (never a `formatError` stub) whose metadata strings are within
 * `LOG_METADATA_MAX_LENGTH` plus the cut marker; no secret placed in `outcome` or `source` reaches
 * the line; `accepted = delivered + invalidCalls` (nothing lost silently). `npm run test:fuzz`
 * runs 100,000 cases.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LogContext,
  MemorySink,
  PatternLogEventPolicy,
  configureDiagnostics,
  formatJsonLine,
} from '../../src/index.ts';
import type { LogEventOptions, LogPayloadProcessorLike } from '../../src/index.ts';
import { LOG_METADATA_MAX_LENGTH } from '../../src/core/logger/context/event-options.ts';
import { SECRET, anyRecipe, build, fuzzRuns, fuzzTimeout, processorFor } from '../core/logger/payload/fuzz-support.ts';

const runs = fuzzRuns(200);
const boom = (): never => {
  throw new Error('hostile');
};

/** A recipe for one option field's value: plain data, a secret holder, or a hostile value. */
type FieldRecipe =
  | { k: 'absent' }
  | { k: 'value'; v: unknown }
  | { k: 'huge'; n: number }
  | { k: 'secretObject' }
  | { k: 'bigint' }
  | { k: 'throwingGetter' }
  | { k: 'proxy' };
const field: fc.Arbitrary<FieldRecipe> = fc.oneof(
  fc.constant<FieldRecipe>({ k: 'absent' }),
  fc.anything({ maxDepth: 1 }).map((v): FieldRecipe => ({ k: 'value', v })),
  fc.string({ maxLength: 12 }).map((v): FieldRecipe => ({ k: 'value', v })),
  fc.integer({ min: 257, max: 100_000 }).map((n): FieldRecipe => ({ k: 'huge', n })),
  fc.constant<FieldRecipe>({ k: 'secretObject' }),
  fc.constant<FieldRecipe>({ k: 'bigint' }),
  fc.constant<FieldRecipe>({ k: 'throwingGetter' }),
  fc.constant<FieldRecipe>({ k: 'proxy' }),
);
const optionsRecipe = fc.oneof(
  { arbitrary: fc.record({ outcome: field, entityId: field, namespace: field, source: field, sourceFields: fc.tuple(field, field, field) }), weight: 6 },
  { arbitrary: fc.constantFrom('none', 'null', 'proxy', 'revoked'), weight: 1 },
);

/** Builds the options object from its recipe (a fresh value: fast-check never sees a hostile one). */
function buildOptions(r: unknown): LogEventOptions | null | undefined {
  if (r === 'none') return undefined;
  if (r === 'null') return null;
  if (r === 'proxy') return new Proxy({}, { get: boom, has: boom, ownKeys: boom }) as LogEventOptions;
  if (r === 'revoked') {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy as LogEventOptions;
  }
  const rec = r as { outcome: FieldRecipe; entityId: FieldRecipe; namespace: FieldRecipe; source: FieldRecipe; sourceFields: FieldRecipe[] };
  const set = (target: Record<string, unknown>, key: string, f: FieldRecipe): void => {
    switch (f.k) {
      case 'absent':
        return;
      case 'value':
        target[key] = f.v;
        return;
      case 'huge':
        target[key] = 'h'.repeat(f.n);
        return;
      case 'secretObject':
        target[key] = { password: SECRET, nested: { token: SECRET } };
        return;
      case 'bigint':
        target[key] = 12345678901234567890n;
        return;
      case 'throwingGetter':
        Object.defineProperty(target, key, { enumerable: true, get: boom });
        return;
      case 'proxy':
        target[key] = new Proxy({}, { get: boom, ownKeys: boom, getPrototypeOf: boom });
    }
  };
  const o: Record<string, unknown> = {};
  set(o, 'outcome', rec.outcome);
  set(o, 'entityId', rec.entityId);
  set(o, 'namespace', rec.namespace);
  if (rec.source.k === 'value' || rec.source.k === 'absent') {
    // A source object with a secret beside the three fields that are read.
    const src: Record<string, unknown> = { password: SECRET };
    set(src, 'filePath', rec.sourceFields[0]!);
    set(src, 'line', rec.sourceFields[1]!);
    set(src, 'functionName', rec.sourceFields[2]!);
    o.source = src;
  } else {
    set(o, 'source', rec.source);
  }
  return o as LogEventOptions;
}

const resultKind = fc.constantFrom('normal', 'proxy', 'string', 'array', 'throws');
function processor(kind: string, inner: LogPayloadProcessorLike): LogPayloadProcessorLike {
  if (kind === 'normal') return inner;
  return {
    normalizePayload: () => {
      if (kind === 'throws') throw new Error('processor');
      if (kind === 'proxy') return new Proxy({}, { get: boom, ownKeys: boom, isExtensible: boom, preventExtensions: boom, getOwnPropertyDescriptor: boom }) as never;
      return (kind === 'string' ? 'text' : [1, 2]) as never;
    },
    normalizeValueForLog: (v) => inner.normalizeValueForLog(v),
    getPlainVerbosityLevel: () => 'NORMAL',
  };
}

const CUT = /^[^]*…\[\+\d+ chars\]$/;
function checkMetaString(s: unknown): void {
  if (s === undefined) return;
  if (typeof s !== 'string') throw new Error(`metadata of type ${typeof s}`);
  if (s.length > LOG_METADATA_MAX_LENGTH && !(CUT.test(s) && s.indexOf('…[+') <= LOG_METADATA_MAX_LENGTH)) {
    throw new Error(`metadata string of ${s.length} characters`);
  }
}

describe('the logging call under fuzzing', () => {
  beforeAll(() => configureDiagnostics({ stderr: 'off' }));
  afterAll(() => configureDiagnostics({ stderr: 'throttled' }));

  it('never throws; delivered events format to bounded, parseable, secret-free lines; drops are counted', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 10 }), fc.integer({ min: 257, max: 50_000 }).map((n) => 'n'.repeat(n))),
        fc.constantFrom(10, 20, 30, 40, 50, 25),
        anyRecipe,
        optionsRecipe,
        resultKind,
        fc.boolean(),
        (name, level, payloadRecipe, optionsR, kind, withPolicy) => {
          const sink = new MemorySink();
          const ctx = new LogContext({
            namespace: 'fuzz',
            sink,
            payloadProcessor: processor(kind, processorFor({ maxNodes: 500 })),
            ...(withPolicy ? { policy: new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['nope'] }, { action: 'allow', entityIds: ['*'] }] }) } : {}),
          });
          const options = buildOptions(optionsR);
          const payload = build(payloadRecipe);
          let calls = 0;
          for (const call of [
            () => ctx.logEvent(name, level, payload, options ?? undefined),
            () => ctx.info(name, payload, options ?? undefined),
            () => ctx.error(name, () => payload, options ?? undefined),
          ]) {
            calls++;
            expect(call).not.toThrow();
          }
          expect(() => ctx.isEnabled(name, level, options ?? undefined)).not.toThrow();
          const stats = ctx.stats();
          // Every call was delivered or counted as invalid (the policy denies nothing these names hit,
          // except the empty name, which is invalid).
          if (!withPolicy || name !== 'nope') expect(sink.events.length + stats.invalidCalls).toBe(calls);
          for (const event of sink.events) {
            checkMetaString(event.meta.name);
            checkMetaString(event.meta.namespace);
            checkMetaString(event.meta.entityId);
            checkMetaString(event.outcome);
            checkMetaString(event.meta.source?.filePath);
            checkMetaString(event.meta.source?.functionName);
            const line = formatJsonLine(event);
            const parsed = JSON.parse(line) as Record<string, unknown>;
            if (parsed.formatError !== undefined) throw new Error(`formatError: ${String(parsed.formatError)}`);
            if (line.includes(SECRET)) throw new Error('secret leaked');
          }
        },
      ),
      { numRuns: runs },
    );
  }, fuzzTimeout(runs));
});
