/**
 * The disabled path, by event policy: `ctx.debug('x', { a: 1 })` on a context at minimum level
 * DEBUG whose `PatternLogEventPolicy` denies `x`, against pino's disabled level
 * (`logger.debug({ a: 1 }, 'x')` at level info) in the same process. Issue 2 target: not slower.
 *
 * - `repeated name`: one denied name in a loop (the one-entry denial memo answers).
 * - `8 names in turn`: eight denied names in turn (the memo misses; the per-name cache answers):
 *   the figure for mixed code.
 *
 * Kept apart from `disabled-event.bench.ts`: measured after the min-level case in one process, the
 * policy case costs about twice as much (V8 type feedback of the shared `debug` method is polluted
 * by the other case); each scenario runs in its own process.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../src/core/logger/policy/pattern-log-event-policy.ts';
import { NullSink } from '../../src/core/logger/sinks/null-sink.ts';
import { emitComparison, opNs } from '../harness.ts';

const discard = new Writable({
  write(_chunk, _enc, cb) {
    cb();
  },
});
const logger = pino({ level: 'info' }, discard);
const sink = new NullSink();
const root = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
const ctx = root.child('app').child('policy');
ctx.setMinLevel('DEBUG');
ctx.setPolicy(PatternLogEventPolicy.fromConfig({ rules: [{ action: 'deny', names: ['x', 'x?'] }] }));
const NAMES = ['x', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7'];

// Sanity: the denied events really are disabled, and another name really logs.
const received = (): number => sink.received;
for (const n of NAMES) ctx.debug(n, { a: 1 });
if (received() !== 0) throw new Error('a denied event reached the sink');
ctx.debug('allowed', { a: 1 });
if (received() !== 1) throw new Error('an allowed event did not reach the sink');

/** Best of two runs: mitata's loop and V8's feedback vary between runs; every subject gets the same treatment. */
async function best(fn: () => unknown): Promise<number> {
  return Math.min(await opNs(fn), await opNs(fn));
}

const pino1 = await best(() => logger.debug({ a: 1 }, 'x'));
const repeated = await best(() => ctx.debug('x', { a: 1 }));
let turn = 0;
const mixed = await best(() => ctx.debug(NAMES[turn++ & 7]!, { a: 1 }));
const pino2 = await best(() => logger.debug({ a: 1 }, 'x'));
const peer = { scenario: 'disabled-event-policy', case: "logger.debug({ a: 1 }, 'x') at level info", subject: 'pino', mode: 'op' as const, value: Math.min(pino1, pino2) };

emitComparison({
  scenario: 'disabled-event-policy',
  case: 'disabled by PatternLogEventPolicy, repeated name',
  mvx: { scenario: 'disabled-event-policy', case: "ctx.debug('x', { a: 1 }), policy denies x", subject: 'mvx-common', mode: 'op', value: repeated },
  peer,
  maxRatio: 1.0,
  target: "not slower than pino's disabled level (issue 2)",
});
emitComparison({
  scenario: 'disabled-event-policy',
  case: 'disabled by PatternLogEventPolicy, 8 names in turn',
  mvx: { scenario: 'disabled-event-policy', case: 'ctx.debug(names[i % 8], { a: 1 }), policy denies all 8', subject: 'mvx-common', mode: 'op', value: mixed },
  peer,
  maxRatio: 1.0,
  target: "not slower than pino's disabled level (issue 2)",
});
