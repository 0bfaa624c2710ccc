import { afterEach, describe, expect, it } from 'vitest';
import { formatJsonLine } from '../../../../src/core/logger/format/json-line.ts';
import { formatReadable } from '../../../../src/core/logger/format/readable.ts';
import { buildLogEvent, preciseNow } from '../../../../src/core/logger/build-event.ts';
import { setLogCorrelationProvider } from '../../../../src/core/logger/correlation.ts';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import type { JsonObject } from '../../../../src/core/logger/json.ts';
import { captureDiagnostics } from '../../../support/diagnostics.ts';

afterEach(() => setLogCorrelationProvider(undefined));

describe('buildLogEvent', () => {
  it('stamps a sub-millisecond epoch-ms timestamp and freezes event, meta, source and payload', () => {
    const before = Date.now();
    const e = buildLogEvent({ level: 20, meta: { namespace: 'a', name: 'b', source: { line: 1 } }, payload: { x: 1 } });
    // Within half a millisecond of the system clock, whose Date.now() truncates (see clock.test.ts).
    expect(e.timestamp).toBeGreaterThanOrEqual(before - 0.5);
    expect(e.timestamp).toBeLessThan(Date.now() + 1.5);
    // Sub-ms precision: consecutive stamps differ without rounding to whole ms (checked over a few).
    const stamps = Array.from({ length: 5 }, () => preciseNow());
    expect(stamps.some((t) => !Number.isInteger(t))).toBe(true);
    expect(Object.isFrozen(e) && Object.isFrozen(e.meta) && Object.isFrozen(e.meta.source) && Object.isFrozen(e.payload)).toBe(true);
    expect('outcome' in e).toBe(false);
    expect(buildLogEvent({ level: 20, meta: { namespace: '', name: 'x' }, payload: {}, timestamp: 42 }).timestamp).toBe(42);
  });

  it('attaches correlation ids from the provider; a throwing provider is reported once and ignored', () => {
    setLogCorrelationProvider(() => ({ trace_id: 't1', span_id: 's1' }));
    expect(buildLogEvent({ level: 20, meta: { namespace: '', name: 'x' }, payload: {} }).correlation).toEqual({ trace_id: 't1', span_id: 's1' });
    setLogCorrelationProvider(() => undefined);
    expect(buildLogEvent({ level: 20, meta: { namespace: '', name: 'x' }, payload: {} }).correlation).toBeUndefined();
    const { list: seen, stop: off } = captureDiagnostics();
    setLogCorrelationProvider(() => {
      throw new Error('no context');
    });
    for (let i = 0; i < 3; i++) expect(buildLogEvent({ level: 20, meta: { namespace: '', name: 'x' }, payload: {} }).correlation).toBeUndefined();
    off();
    expect(seen.filter((d) => d.component === 'LogCorrelation')).toHaveLength(1);
  });
});

describe('formatJsonLine', () => {
  const event = (over: Partial<LogEvent> = {}): LogEvent => ({
    level: 25,
    meta: { namespace: 'app', name: 'done', entityId: 'e1', source: { filePath: 'a.ts', line: 3 } },
    outcome: 'success',
    timestamp: Date.UTC(2026, 0, 2, 3, 4, 5, 6) + 0.25,
    payload: { ok: true },
    correlation: { trace_id: 'abc', span_id: 'def', level: 'clash' },
    ...over,
  });

  it('writes the documented fields in order, correlation flattened (clashing keys skipped)', () => {
    const line = formatJsonLine(event());
    expect(line).not.toContain('\n');
    const obj = JSON.parse(line);
    expect(Object.keys(obj)).toEqual(['time', 'ts', 'level', 'levelName', 'namespace', 'event', 'entityId', 'outcome', 'source', 'trace_id', 'span_id', 'payload']);
    expect(obj).toMatchObject({ time: '2026-01-02T03:04:05.006Z', level: 25, levelName: 'INFO+5', trace_id: 'abc', payload: { ok: true } });
    expect(obj.ts).toBeCloseTo(Date.UTC(2026, 0, 2, 3, 4, 5, 6) + 0.25, 5);
  });

  it('never throws: an unserialisable payload gives a diagnostic line', () => {
    const line = formatJsonLine(event({ payload: { big: 1n } as unknown as JsonObject }));
    const obj = JSON.parse(line);
    expect(obj).toMatchObject({ level: 25, namespace: 'app', event: 'done' });
    expect(obj.formatError).toContain('BigInt');
    expect(() => JSON.parse(formatJsonLine({} as LogEvent))).not.toThrow();
  });
});

describe('formatReadable', () => {
  it('shows time, level, namespace.event, entity, outcome, payload, trace and source', () => {
    const line = formatReadable({
      level: 40,
      meta: { namespace: 'app', name: 'fail', entityId: 'e', source: { filePath: 'x.ts', line: 9, functionName: 'run' } },
      outcome: 'failed',
      timestamp: 0,
      payload: { a: 1 },
      correlation: { trace_id: 't' },
    });
    expect(line).toBe('1970-01-01T00:00:00.000Z ERROR    app.fail entity=e [failed] {"a":1} trace=t (x.ts:9 run)');
  });

  it('colours only when asked, and omits an empty payload', () => {
    const e: LogEvent = { level: 10, meta: { namespace: '', name: 'x' }, timestamp: 0, payload: {} };
    expect(formatReadable(e)).toBe('1970-01-01T00:00:00.000Z DEBUG    x');
    expect(formatReadable(e, { colors: true })).toContain('\x1b[90m');
  });
});

describe('formatReadable keeps one event on one line', () => {
  it('escapes control characters in entity id, name, outcome and source, so input cannot forge log lines', () => {
    const forged = '\n2026-01-01T00:00:00.000Z INFO     admin.login [success]';
    const e = buildLogEvent({
      level: 20,
      meta: { namespace: 'app', name: 'login\r', entityId: `user${forged}`, source: { filePath: 'a\u2028b.ts', functionName: 'f\tg' } },
      outcome: 'failed\u0000',
      payload: { note: 'payload newlines\nare JSON-escaped' },
    });
    const line = formatReadable(e);
    expect(line.split(/[\n\r\u2028\u2029]/)).toHaveLength(1);
    expect(line).toContain('entity=user\\n2026-01-01T00:00:00.000Z INFO     admin.login [success]');
    expect(line).toContain('app.login\\r');
    expect(line).toContain('[failed\\u0000]');
    expect(line).toContain('(a\\u2028b.ts f\\tg)');
    expect(line).toContain('"payload newlines\\nare JSON-escaped"');
  });
});
