/**
 * Issue 10: property-based fuzzing of `logInvocation` field specs. Arbitrary spec strings (from the
 * grammar's alphabet and from arbitrary text) over arbitrary argument and result values (fast-check's
 * `anything`, hostile Proxies and getters, cycles, providers, errors, secrets under sensitive keys).
 *
 * Properties: decorating either succeeds or throws MvxConfigError naming the option; a call never
 * throws anything but the function's own error and returns the function's own value; every event
 * is JSON-serialisable and carries no secret. `npm run test:fuzz` runs 100,000 cases per property.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogContext, MemorySink, MvxConfigError, configureDiagnostics, logInvocation } from '../../src/index.ts';
import { SECRET, anyRecipe, build, fuzzRuns, fuzzTimeout, processorFor } from '../core/logger/payload/fuzz-support.ts';

const runs = fuzzRuns(200);
const specChars = fc.constantFrom('a', 'b', 'x', '0', '1', '.', '=', ':', ',', '!', ' ', '(', ')', 'l', 'e', 'n', 'M', 'A', 'X', 'I', 'U', '_', '-', 'N', 'O', 'R');
const grammarish = fc.array(specChars, { maxLength: 24 }).map((cs) => cs.join(''));
const realistic = fc.constantFrom('a', 'a.b', 'x=a.b', 'a.len()', 'n=a.len()!', 'MAXIMUM:a', 'NORMAL,MAXIMUM:b.0', '0', '1.a', 'a!', 'b.x.y.z');
const spec = fc.oneof(realistic, grammarish, fc.string({ maxLength: 16 }));

function context(sink: MemorySink, verbosity: 'MINIMAL' | 'NORMAL' | 'MAXIMUM'): LogContext {
  // processorFor registers the adapter that marks SecretBox's content as sensitive.
  return new LogContext({ namespace: 'fuzz', sink, payloadProcessor: processorFor({ verbosity, maxNodes: 2000 }), minLevel: 0 });
}

/** Runs a call; awaits its result only for the async variant (awaiting reads `then`, which a hostile value may not allow). */
async function settle(call: () => unknown, wait: boolean): Promise<{ ok: boolean; value?: unknown; error?: unknown }> {
  try {
    const r = call();
    return { ok: true, value: wait ? await r : r };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('logInvocation field specs under fuzzing', () => {
  configureDiagnostics({ stderr: 'off' });

  it('decorating throws only MvxConfigError; calls never throw, keep their result, and log JSON-safe, secret-free events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { maxLength: 4 }),
        fc.array(spec, { maxLength: 3 }),
        fc.array(anyRecipe, { maxLength: 3 }),
        anyRecipe,
        fc.constantFrom('MINIMAL', 'NORMAL', 'MAXIMUM' as const),
        fc.boolean(),
        fc.boolean(),
        async (argSpecs, resultSpecs, argRecipes, resultRecipe, verbosity, fails, async) => {
          const sink = new MemorySink();
          const ctx = context(sink, verbosity);
          const result = build(resultRecipe);
          const boom = new Error('boom');
          const bare = (..._args: unknown[]): unknown => {
            if (async) return fails ? Promise.reject(boom) : Promise.resolve(result);
            if (fails) throw boom;
            return result;
          };
          let wrapped: (...args: unknown[]) => unknown;
          try {
            wrapped = logInvocation({ event: 'op', context: ctx, params: ['a', 'b', 'c'], args: argSpecs, result: resultSpecs.length ? resultSpecs : true })(bare);
          } catch (e) {
            expect(e).toBeInstanceOf(MvxConfigError);
            expect(String((e as MvxConfigError).option)).toMatch(/^(args|result|params)/);
            return;
          }
          const args = argRecipes.map(build);
          // The wrapped call behaves exactly like the bare one (a Promise resolved with a hostile
          // thenable rejects in plain JavaScript too, so compare with the bare call, not a constant).
          const expected = await settle(() => bare(...args), async);
          const actual = await settle(() => wrapped(...args), async);
          expect(actual.ok).toBe(expected.ok);
          if (expected.ok) expect(actual.value).toBe(expected.value);
          else if (expected.error === boom) expect(actual.error).toBe(boom);
          else expect(String(actual.error)).toBe(String(expected.error));
          const failed = !expected.ok;
          expect(sink.events.map((e) => e.outcome)).toEqual(['invoke', failed ? 'failed' : 'success']);
          const text = JSON.stringify(sink.events.map((e) => e.payload));
          expect(JSON.parse(text)).toEqual(sink.events.map((e) => e.payload));
          expect(text).not.toContain(SECRET);
        },
      ),
      { numRuns: runs },
    );
  }, fuzzTimeout(runs));
});
