/**
 * Bound contexts and callsite capture (issue 19): what an enabled event costs through
 * `ctx.bind({ requestId })` with callsite capture off (the default) and on, next to the same event
 * logged on the context itself, all into a `NullSink`; and a disabled event through a view with
 * capture on (no stack walk: the level gate comes first). Rows only: no peer captures callsites
 * this way (pino has no callsite option), so there is no ratio target; the issue asks for the cost.
 */
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { NullSink } from '../../src/core/logger/sinks/null-sink.ts';
import { emitRow, opNs } from '../harness.ts';

const SCENARIO = 'callsite';
const sink = new NullSink();
const root = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
const ctx = root.child('orders.api');
const bound = ctx.bind({ requestId: 'r-1' });
const traced = ctx.bind({ requestId: 'r-1' }, { callsite: true });

// Sanity: what is measured is what it says.
traced.info('placed', { orderId: 1 });
bound.info('placed', { orderId: 1 });
ctx.info('placed', { orderId: 1 });
traced.debug('disabled', { orderId: 1 });
if (sink.received !== 3) throw new Error(`expected 3 events, got ${sink.received}`);

for (let i = 0; i < 20_000; i++) {
  ctx.info('placed', { orderId: i });
  bound.info('placed', { orderId: i });
  traced.info('placed', { orderId: i });
  traced.debug('disabled', { orderId: i });
}

/** Best of two runs (mitata's loop and V8's feedback vary between runs). */
async function best(fn: () => unknown): Promise<number> {
  return Math.min(await opNs(fn), await opNs(fn));
}

const plain = await best(() => ctx.info('placed', { orderId: 7 }));
const off = await best(() => bound.info('placed', { orderId: 7 }));
const on = await best(() => traced.info('placed', { orderId: 7 }));
const disabled = await best(() => traced.debug('disabled', { orderId: 7 }));

const rows: [string, number, string?][] = [
  ["ctx.info('placed', { orderId }) into NullSink (no view)", plain],
  ["bound view, callsite off (default): bind({ requestId }).info('placed', { orderId })", off],
  ["bound view, callsite on: bind({ requestId }, { callsite: true }).info(...)", on],
  ['bound view with callsite on, disabled event (DEBUG under INFO)', disabled],
  ['cost of callsite capture per enabled event (on − off)', on - off, 'ns per event'],
  ['cost of binding per enabled event (off − no view)', off - plain, 'ns per event'],
];
for (const [label, value, unit] of rows) {
  emitRow({ scenario: SCENARIO, case: label, subject: 'mvx-common', mode: 'op', value, ...(unit === undefined ? {} : { unit }) });
}
