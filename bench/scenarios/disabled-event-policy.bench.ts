/**
 * The disabled path, by event policy: `ctx.debug('x', { a: 1 })` on a context at minimum level
 * DEBUG whose `PatternLogEventPolicy` denies the event, against pino's disabled level
 * (`logger.debug({ a: 1 }, 'x')` at level info) in the same process. Issue 2 target: not slower.
 *
 * - `repeated name`: one denied name in a loop.
 * - `8 names in turn`: eight denied names in turn (the figure for mixed code); pino's row calls
 *   with the same rotation of names, so both pay the same loop overhead.
 * - `namespace off by policy`: a rule turns DEBUG off for a whole namespace
 *   (`{ action: 'deny', namespaces: [...], maxLevel: 'DEBUG' }`): resolved ahead of time from
 *   `PatternLogEventPolicy.plainDecision`: the context's `debug` is replaced by a function doing
 *   nothing (pino's trick), so both sides compile to nothing and the ratio is ~1.00 by noise.
 *
 * Realistic feedback first: before anything is measured, the same `debug` method runs enabled
 * calls (other names, with options, in other contexts), as in an application where DEBUG is on in
 * some places. V8 shares type feedback per method, so a benchmark that only ever saw disabled
 * calls would measure a method no application runs (about 1.5x faster than this one). pino gets the
 * same kind of warm-up (enabled and disabled calls, a child logger).
 *
 * Kept apart from `disabled-event.bench.ts` (each scenario runs in its own process).
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
const app = root.child('app');
app.setMinLevel('DEBUG');
app.setPolicy(
  PatternLogEventPolicy.fromConfig({
    rules: [
      { action: 'deny', names: ['x', 'x?'] },
      { action: 'deny', namespaces: ['app.quiet'], maxLevel: 'DEBUG' },
    ],
  }),
);
const ctx = app.child('policy');
const quiet = app.child('quiet');
const other = root.child('other'); // DEBUG off by the root's minimum level
const NAMES = ['x', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7'];

// Sanity: the denied events really are disabled, and other names really log.
const received = (): number => sink.received;
for (const n of NAMES) ctx.debug(n, { a: 1 });
quiet.debug('x', { a: 1 });
quiet.debug('anything', { a: 1 });
if (received() !== 0) throw new Error('a denied event reached the sink');
ctx.debug('allowed', { a: 1 });
quiet.info('started', { a: 1 });
if (received() !== 2) throw new Error('an allowed event did not reach the sink');

// Warm-up as an application runs: the same helpers, enabled and disabled, several contexts.
const child = logger.child({ module: 'db' });
for (let i = 0; i < 20_000; i++) {
  ctx.debug('allowed', { a: i });
  ctx.debug('query', { sql: 'select 1', rows: i }, { entityId: 'conn-1' });
  ctx.debug(NAMES[i & 7]!, { a: 1 });
  quiet.debug('poll', { a: 1 });
  quiet.info('started', { a: i });
  other.debug('x', { a: 1 });
  logger.info({ a: i }, 'allowed');
  logger.debug({ a: 1 }, NAMES[i & 7]!);
  child.info({ sql: 'select 1', rows: i }, 'query');
  child.debug({ a: 1 }, 'x');
}

/** Best of two runs: mitata's loop and V8's feedback vary between runs; every subject gets the same treatment. */
async function best(fn: () => unknown): Promise<number> {
  return Math.min(await opNs(fn), await opNs(fn));
}

let turn = 0;
const pino1 = await best(() => logger.debug({ a: 1 }, 'x'));
const repeated = await best(() => ctx.debug('x', { a: 1 }));
const mixed = await best(() => ctx.debug(NAMES[turn++ & 7]!, { a: 1 }));
const namespaceOff = await best(() => quiet.debug('x', { a: 1 }));
const pinoMixed = await best(() => logger.debug({ a: 1 }, NAMES[turn++ & 7]!));
const pino2 = await best(() => logger.debug({ a: 1 }, 'x'));
const peer = { scenario: 'disabled-event-policy', case: "logger.debug({ a: 1 }, 'x') at level info", subject: 'pino', mode: 'op' as const, value: Math.min(pino1, pino2) };
const target = "not slower than pino's disabled level (issue 2)";

emitComparison({
  scenario: 'disabled-event-policy',
  case: 'disabled by PatternLogEventPolicy, repeated name',
  mvx: { scenario: 'disabled-event-policy', case: "ctx.debug('x', { a: 1 }), policy denies x", subject: 'mvx-common', mode: 'op', value: repeated },
  peer,
  maxRatio: 1.0,
  target,
  floorNs: 1,
});
emitComparison({
  scenario: 'disabled-event-policy',
  case: 'disabled by PatternLogEventPolicy, 8 names in turn',
  mvx: { scenario: 'disabled-event-policy', case: 'ctx.debug(names[i % 8], { a: 1 }), policy denies all 8', subject: 'mvx-common', mode: 'op', value: mixed },
  peer: { scenario: 'disabled-event-policy', case: 'logger.debug({ a: 1 }, names[i % 8]) at level info', subject: 'pino', mode: 'op', value: pinoMixed },
  maxRatio: 1.0,
  target,
  floorNs: 1,
});
emitComparison({
  scenario: 'disabled-event-policy',
  case: 'disabled by PatternLogEventPolicy for the whole namespace at DEBUG',
  mvx: { scenario: 'disabled-event-policy', case: "ctx.debug('x', { a: 1 }), policy denies DEBUG in the namespace", subject: 'mvx-common', mode: 'op', value: namespaceOff },
  peer,
  maxRatio: 1.0,
  target,
  floorNs: 1,
});
