/**
 * The log-sink contract: what every sink promises, whatever it delivers to (the core's sinks and
 * the adapters' ones). A sink's test file describes how to build it and how to read what it
 * delivered (a {@link LogSinkDriver}) and calls {@link runLogSinkContract}.
 *
 * The promises:
 * - hostile payloads (very deep, very wide, huge strings, lone surrogates, `__proto__` keys) never
 *   make `log()`, `flush()` or `shutdown()` throw;
 * - events logged after `shutdown()` are counted (as dropped), never thrown, never delivered;
 * - `flush()` and `shutdown()` are bounded against a backend that hangs;
 * - the accounting invariant: `accepted = delivered + dropped + failed + pending`, with every
 *   `log()` call accepted and what was delivered actually at the backend;
 * - records keep the event's level, name, namespace, outcome, payload and correlation ids;
 * - the lifecycle: `shutdown()` idempotent, its report adding up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildLogEvent } from '../../../src/adapter-kit/index.ts';
import type { DeliveryStats, LifecycleReport } from '../../../src/adapter-kit/index.ts';
import type { JsonObject, LogEvent, LogOutcome, LogSink } from '../../../src/index.ts';
import { useDiagnosticsCapture } from '../../support/diagnostics.ts';
import { expectAccounting, expectIdempotentShutdown } from './lifecycle.ts';

/** An event as the backend got it, mapped back to the event's fields. */
export interface DeliveredRecord {
  readonly level: number;
  readonly namespace: string;
  readonly name: string;
  readonly outcome?: LogOutcome;
  readonly payload: JsonObject;
  readonly correlation?: Readonly<Record<string, string>>;
}

/** The record a sink should deliver for `e`: its level, namespace, name, outcome, payload and correlation ids. */
export function recordOf(e: LogEvent): DeliveredRecord {
  return {
    level: e.level,
    namespace: e.meta.namespace,
    name: e.meta.name,
    ...(e.outcome === undefined ? {} : { outcome: e.outcome }),
    payload: e.payload,
    ...(e.correlation === undefined ? {} : { correlation: e.correlation }),
  };
}

/** A sink with the common lifecycle. */
export type ContractSink = Omit<LogSink, 'flush' | 'shutdown'> & {
  flush(options?: { timeoutMs?: number }): Promise<LifecycleReport>;
  shutdown(options?: { timeoutMs?: number }): Promise<LifecycleReport>;
  stats(): DeliveryStats;
};

/** One sink under test, built by a driver. */
export interface SinkUnderTest {
  readonly sink: ContractSink;
  /** The records the backend got so far, in order; absent for a sink that discards (`NullSink`). */
  delivered?: () => Promise<DeliveredRecord[]>;
  /** Releases what the test itself started. */
  dispose(): Promise<void>;
}

/** How the contract builds and reads one sink. */
export interface LogSinkDriver {
  readonly name: string;
  /** A sink over a backend the test can read. */
  create(): Promise<SinkUnderTest>;
  /**
   * A sink whose backend never finishes a delivery or a flush; `undefined` for a sink that never
   * waits on a backend (a synchronous sink: nothing can hang).
   */
  createHanging?: () => Promise<SinkUnderTest>;
}

/**
 * The custom correlation ids the contract's events carry (besides the trace ids), for drivers whose
 * backend flattens them among the payload's fields (OpenTelemetry log attributes).
 */
export const CONTRACT_CORRELATION_KEYS: readonly string[] = ['request_id'];

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function event(i: number, over: Partial<Parameters<typeof buildLogEvent>[0]> = {}): LogEvent {
  return buildLogEvent({
    level: 20,
    meta: { namespace: 'app.contract', name: `step${i % 3}` },
    payload: { i },
    correlation: { trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: '01', request_id: `r-${i}` },
    ...over,
  });
}

function nested(depth: number): JsonObject {
  let v: JsonObject = { leaf: true };
  for (let i = 0; i < depth; i++) v = { d: v };
  return v;
}

/** Payloads a sink meets from a faulty processor or a hostile caller. */
function hostilePayloads(): JsonObject[] {
  const wide: JsonObject = {};
  for (let i = 0; i < 10_000; i++) wide[`k${i}`] = i;
  return [
    nested(5_000),
    wide,
    { big: 'x'.repeat(1_000_000) },
    { lone: '\uD800', pair: '\uD83D\uDE00', nul: '\u0000', newline: 'a\nb' },
    JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}, "": "empty key"}') as JsonObject,
    { list: Array.from({ length: 10_000 }, (_, i) => i) },
    { error: { type: 'Error', message: 'm', stack: 'Error: m\n    at f (a.ts:1:1)', code: 'E_X', cause: { type: 'TypeError', message: 'c' } } },
  ];
}

/** Registers the contract's tests for one sink. */
export function runLogSinkContract(driver: LogSinkDriver): void {
  describe(`log-sink contract: ${driver.name}`, () => {
    const diagnostics = useDiagnosticsCapture();
    const open: SinkUnderTest[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) {
        await s.sink.shutdown({ timeoutMs: 2000 });
        await s.dispose();
      }
    });
    const start = async (hanging = false): Promise<SinkUnderTest> => {
      const s = hanging ? await driver.createHanging!() : await driver.create();
      open.push(s);
      return s;
    };

    it('records keep the level, name, namespace, outcome, payload and correlation ids', async (t) => {
      const { sink, delivered } = await start();
      if (delivered === undefined) return t.skip();
      const events = [
        event(1),
        event(2, { level: 40, outcome: 'failed', payload: { reason: 'disk full', attempt: 3, nested: { ok: false, list: [1, 'two', null] } } }),
        event(3, { level: 10, meta: { namespace: '', name: 'root.event' }, outcome: 'success', correlation: { request_id: 'only-mine' } }),
        event(4, { level: 25, payload: {} }),
      ];
      for (const e of events) sink.log(e);
      expectAccounting(await sink.flush({ timeoutMs: 2000 }));
      const records = await delivered();
      expect(records).toEqual(events.map(recordOf));
    });

    it('hostile payloads never make log(), flush() or shutdown() throw', async () => {
      const { sink } = await start();
      const payloads = hostilePayloads();
      for (const payload of payloads) expect(() => sink.log(event(0, { payload }))).not.toThrow();
      const flushed = await sink.flush({ timeoutMs: 5000 });
      expectAccounting(flushed);
      expect(flushed.accepted).toBe(payloads.length);
      expectAccounting(await sink.shutdown({ timeoutMs: 5000 }));
    });

    it('the accounting invariant: every log() accepted, accepted = delivered + dropped + failed + pending, the delivered ones at the backend', async () => {
      const { sink, delivered } = await start();
      for (let i = 0; i < 50; i++) {
        sink.log(event(i));
        expectAccounting(sink.stats());
      }
      const report = await sink.flush({ timeoutMs: 2000 });
      expectAccounting(report);
      expect(report.accepted).toBe(50);
      if (delivered !== undefined) expect((await delivered()).length).toBe(report.delivered);
    });

    it('events logged after shutdown() are counted as dropped, never thrown, never delivered; shutdown() is idempotent', async () => {
      const { sink, delivered } = await start();
      sink.log(event(1));
      const report = await expectIdempotentShutdown(sink);
      const before = delivered === undefined ? 0 : (await delivered()).length;
      for (let i = 0; i < 3; i++) expect(() => sink.log(event(i))).not.toThrow();
      const after = sink.stats();
      expectAccounting(after);
      expect(after.accepted).toBe(report.accepted + 3);
      expect(after.dropped).toBe(report.dropped + 3);
      if (delivered !== undefined) expect((await delivered()).length).toBe(before);
      expectAccounting(await sink.flush());
    });

    it.skipIf(driver.createHanging === undefined)('flush() and shutdown() are bounded against a backend that hangs', async () => {
      const { sink } = await start(true);
      for (let i = 0; i < 5; i++) sink.log(event(i));
      const flushed = await sink.flush({ timeoutMs: 100 });
      expect(flushed.timedOut).toBe(true);
      expectAccounting(flushed);
      const shut = await sink.shutdown({ timeoutMs: 100 });
      expect(shut.timedOut).toBe(true);
      expectAccounting(shut);
      expect(diagnostics().list.length).toBeGreaterThan(0);
    });
  });
}
