/**
 * The disabled path: what a log call costs when its event is not logged. Issue 2 target: a
 * disabled event costs no more than pino's disabled level (`logger.debug(obj, msg)` at level info),
 * measured in the same process.
 *
 * Cases:
 * - `min level`: `ctx.debug('x', { a: 1 })` on a context whose minimum level is INFO.
 * - `policy`: `ctx.debug('x', { a: 1 })` with minimum level DEBUG and a `PatternLogEventPolicy`
 *   that denies `x` (a cached decision per name and level; a repeated name hits a one-entry memo).
 * - `policy, 8 names in turn`: the same with eight denied names called in turn (the memo misses,
 *   the per-name Map answers): the honest figure for mixed code.
 * Rows without a target: the enabled path into a `NullSink` vs pino into a discarding stream.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../src/core/logger/policy/pattern-log-event-policy.ts';
import { NullSink } from '../../src/core/logger/sinks/null-sink.ts';
import { emitComparison, emitRow, opNs } from '../harness.ts';

const discard = new Writable({
  write(_chunk, _enc, cb) {
    cb();
  },
});
const logger = pino({ level: 'info' }, discard);
const sink = new NullSink();
const root = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
const byLevel = root.child('app').child('level');
const byPolicy = root.child('app').child('policy');
byPolicy.setMinLevel('DEBUG');
byPolicy.setPolicy(PatternLogEventPolicy.fromConfig({ rules: [{ action: 'deny', names: ['x', 'x?'] }] }));

// Sanity: both paths really are disabled, and the enabled one really logs.
byLevel.debug('x', { a: 1 });
byPolicy.debug('x', { a: 1 });
const received = (): number => sink.received;
if (received() !== 0) throw new Error('a disabled event reached the sink');
byLevel.info('x', { a: 1 });
if (received() !== 1) throw new Error('an enabled event did not reach the sink');

async function peerNs(): Promise<number> {
  const a = await opNs(() => logger.debug({ a: 1 }, 'x'));
  const b = await opNs(() => logger.debug({ a: 1 }, 'x'));
  return Math.min(a, b);
}

const pinoDisabled = await peerNs();
const mvxLevel = await opNs(() => byLevel.debug('x', { a: 1 }));
const mvxPolicy = await opNs(() => byPolicy.debug('x', { a: 1 }));
// Eight different denied names in turn: the one-entry memo misses, the per-name cache answers.
const NAMES = ['x', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7'];
let turn = 0;
const mvxPolicyMixed = await opNs(() => byPolicy.debug(NAMES[turn++ & 7]!, { a: 1 }));
const pinoDisabled2 = await peerNs();
const peer = Math.min(pinoDisabled, pinoDisabled2);

const peerRow = { scenario: 'disabled-event', case: "logger.debug({ a: 1 }, 'x') at level info", subject: 'pino', mode: 'op' as const, value: peer };
emitComparison({
  scenario: 'disabled-event',
  case: 'disabled by min level',
  mvx: { scenario: 'disabled-event', case: "ctx.debug('x', { a: 1 }), minLevel INFO", subject: 'mvx-common', mode: 'op', value: mvxLevel },
  peer: peerRow,
  maxRatio: 1.0,
  target: "not slower than pino's disabled level (issue 2)",
});
emitComparison({
  scenario: 'disabled-event',
  case: 'disabled by PatternLogEventPolicy',
  mvx: { scenario: 'disabled-event', case: "ctx.debug('x', { a: 1 }), policy denies x (cached)", subject: 'mvx-common', mode: 'op', value: mvxPolicy },
  peer: peerRow,
  maxRatio: 1.0,
  target: "not slower than pino's disabled level (issue 2)",
});
emitComparison({
  scenario: 'disabled-event',
  case: 'disabled by PatternLogEventPolicy, 8 names in turn',
  mvx: { scenario: 'disabled-event', case: "ctx.debug(names[i % 8], { a: 1 }), policy denies all 8 (cached)", subject: 'mvx-common', mode: 'op', value: mvxPolicyMixed },
  peer: peerRow,
  maxRatio: 1.0,
  target: "not slower than pino's disabled level (issue 2)",
});

// Informational: the enabled path (normalise, build, deliver to a NullSink) vs pino writing to a discarding stream.
const mvxEnabled = await opNs(() => byLevel.info('x', { a: 1 }));
const pinoEnabled = await opNs(() => logger.info({ a: 1 }, 'x'));
emitRow({ scenario: 'disabled-event', case: "enabled: ctx.info('x', { a: 1 }) into NullSink", subject: 'mvx-common', mode: 'op', value: mvxEnabled });
emitRow({ scenario: 'disabled-event', case: "enabled: logger.info({ a: 1 }, 'x') into a discarding stream", subject: 'pino', mode: 'op', value: pinoEnabled });
