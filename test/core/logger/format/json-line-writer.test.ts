import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import { referenceJsonLine } from '../../../../src/core/logger/format/json-line-reference.ts';
import { createJsonLineFormatter } from '../../../../src/core/logger/format/json-line-writer.ts';
import { formatJsonLine } from '../../../../src/core/logger/format/json-line.ts';

const json = fc.jsonValue({ maxDepth: 3 });
const event = fc.record(
  {
    level: fc.oneof(fc.constantFrom(10, 20, 30, 40, 50), fc.integer({ min: -5, max: 80 }), fc.double()),
    meta: fc.record(
      {
        namespace: fc.oneof(fc.constant(''), fc.string()),
        name: fc.string({ minLength: 1 }),
        entityId: fc.string(),
        source: fc.record({ filePath: fc.string(), line: fc.nat() }, { requiredKeys: [] }),
      },
      { requiredKeys: ['namespace', 'name'] },
    ),
    outcome: fc.constantFrom('invoke', 'success', 'failed', 'cancelled', 'custom "x"'),
    timestamp: fc.oneof(fc.double({ min: -1e13, max: 1e13 }), fc.constant(1_700_000_000_000.25), fc.constant(Number.NaN), fc.constant(8.64e15 + 1)),
    payload: fc.dictionary(fc.string(), json),
    correlation: fc.oneof(
      fc.record({ trace_id: fc.string(), span_id: fc.string(), level: fc.string() }),
      // keys JSON.stringify orders first (array indexes), `__proto__`, reserved names, values that are not strings
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('0', '17', '__proto__', 'payload', 'trace_flags')), fc.oneof(fc.string(), json), { maxKeys: 4 }),
    ),
  },
  { requiredKeys: ['level', 'meta', 'timestamp', 'payload'] },
) as fc.Arbitrary<LogEvent>;

describe('the JSON-lines writer of every sink (formatJsonLine, FileSink)', () => {
  it('produces exactly the reference line for arbitrary events, including runs sharing a millisecond', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 20 }), (events) => {
        const format = createJsonLineFormatter();
        for (const e of events) {
          expect(format(e)).toBe(referenceJsonLine(e));
          expect(formatJsonLine(e)).toBe(referenceJsonLine(e));
          const sameMs = { ...e, timestamp: e.timestamp + 0.125 };
          expect(format(sameMs)).toBe(referenceJsonLine(sameMs));
          expect(formatJsonLine(sameMs)).toBe(referenceJsonLine(sameMs));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives the reference fallback line for unserialisable and malformed events', () => {
    const format = createJsonLineFormatter();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad = [
      { level: 20, meta: { namespace: 'a', name: 'b' }, timestamp: 1, payload: { n: 10n } },
      { level: 20, meta: { namespace: 'a', name: 'b' }, timestamp: 1, payload: cyclic },
      { level: 20, meta: { name: 'b' }, timestamp: 1, payload: {} },
      { level: '20', meta: { namespace: 'a', name: 'b' }, timestamp: '1', payload: {} },
      { level: 20, meta: { namespace: 'a', name: 'b', entityId: 7 }, timestamp: 1, payload: {} },
      { level: 20, meta: { namespace: 'a', name: 'b', source: { line: 1n } }, timestamp: 1, payload: {} },
      { level: 20, meta: { namespace: 'a', name: 'b' }, timestamp: 1, payload: {}, correlation: null },
      { level: 20, meta: { namespace: 'a', name: 'b' }, timestamp: 1, payload: {}, correlation: 'abc' },
      { level: 20, meta: { namespace: 'a', name: 'b' }, timestamp: 1, payload: {}, correlation: { t: 1n } },
    ] as unknown as LogEvent[];
    for (const e of bad) {
      expect(format(e)).toBe(referenceJsonLine(e));
      expect(formatJsonLine(e)).toBe(referenceJsonLine(e));
      expect(() => JSON.parse(format(e))).not.toThrow();
    }
  });
});
