/**
 * The disabled path, by minimum level: what `ctx.debug('x', { a: 1 })` costs on a context whose
 * minimum level is INFO, against pino's disabled level (`logger.debug({ a: 1 }, 'x')` at level
 * info) in the same process, after a warm-up in which the same `debug` method also runs enabled
 * calls elsewhere, as in an application. Issue 2 target: not slower than pino.
 * The policy case lives in `disabled-event-policy.bench.ts` (its own process: V8 shares type
 * feedback between the two cases, see that file). Rows without a target: the enabled path into
 * a `NullSink` vs pino into a discarding stream.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
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
const ctx = root.child('app').child('level');

// Sanity: the disabled call really is disabled, and the enabled one really logs.
const received = (): number => sink.received;
ctx.debug('x', { a: 1 });
if (received() !== 0) throw new Error('a disabled event reached the sink');
ctx.info('x', { a: 1 });
if (received() !== 1) throw new Error('an enabled event did not reach the sink');


// Warm-up as an application runs: the same `debug` method also logs where DEBUG is on (V8 shares
// type feedback per method; see disabled-event-policy.bench.ts), and pino logs too.
const verbose = root.child('app').child('verbose');
verbose.setMinLevel('DEBUG');
const pinoChild = logger.child({ module: 'db' });
for (let i = 0; i < 20_000; i++) {
  verbose.debug('query', { sql: 'select 1', rows: i });
  verbose.debug('query', { rows: i }, { entityId: 'conn-1' });
  ctx.debug('x', { a: 1 });
  ctx.info('started', { a: i });
  logger.info({ a: i }, 'started');
  logger.debug({ a: 1 }, 'x');
  pinoChild.info({ sql: 'select 1', rows: i }, 'query');
}

/** Best of two runs: mitata's loop and V8's feedback vary between runs; every subject gets the same treatment. */
async function best(fn: () => unknown): Promise<number> {
  return Math.min(await opNs(fn), await opNs(fn));
}

const pino1 = await best(() => logger.debug({ a: 1 }, 'x'));
const mvx = await best(() => ctx.debug('x', { a: 1 }));
const pino2 = await best(() => logger.debug({ a: 1 }, 'x'));

emitComparison({
  scenario: 'disabled-event',
  case: 'disabled by min level',
  mvx: { scenario: 'disabled-event', case: "ctx.debug('x', { a: 1 }), minLevel INFO", subject: 'mvx-common', mode: 'op', value: mvx },
  peer: { scenario: 'disabled-event', case: "logger.debug({ a: 1 }, 'x') at level info", subject: 'pino', mode: 'op', value: Math.min(pino1, pino2) },
  maxRatio: 1.0,
  target: "not slower than pino's disabled level (issue 2)",
  floorNs: 1,
});

// Informational: the enabled path (normalise, build, deliver to a NullSink) vs pino writing to a discarding stream.
const mvxEnabled = await opNs(() => ctx.info('x', { a: 1 }));
const pinoEnabled = await opNs(() => logger.info({ a: 1 }, 'x'));
emitRow({ scenario: 'disabled-event', case: "enabled: ctx.info('x', { a: 1 }) into NullSink", subject: 'mvx-common', mode: 'op', value: mvxEnabled });
emitRow({ scenario: 'disabled-event', case: "enabled: logger.info({ a: 1 }, 'x') into a discarding stream", subject: 'pino', mode: 'op', value: pinoEnabled });
