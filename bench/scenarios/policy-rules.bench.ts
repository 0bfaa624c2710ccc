/**
 * Decision cost against the number of policy rules (issue 16 scale rows: 1, 10, 100, 1000 rules of
 * a `PatternLogEventPolicy`). No peer (pino has no per-event policy); rows only.
 *
 * Rules: `{ action: 'deny', names: ['op<i>.*'] }` for i < N (one glob each), so an event matches
 * only the last rule (`op<N-1>.x`) or none (`other.x`): the worst case, every rule tried.
 * - `policy.isEnabled(meta, DEBUG)`: what a context pays for a decision it has not cached (a new
 *   name, or after a configuration change), for the event the last rule denies and for one no rule
 *   matches;
 * - `ctx.debug(name, { a: 1 })`: the same denied name again (the decision cached: the cost must not
 *   grow with N);
 * - `handle.debug({ a: 1 })`: an event handle of that name (the no-op).
 * Median per call with CPU time (see `opTiming`).
 */
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import { LogLevel } from '../../src/core/logger/level.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../src/core/logger/policy/pattern-log-event-policy.ts';
import { NullSink } from '../../src/core/logger/sinks/null-sink.ts';
import { emitRow, opTiming } from '../harness.ts';
import type { Timing } from '../harness.ts';

const SCENARIO = 'policy-rules';
const sink = new NullSink();
const root = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'DEBUG' });

const row = (c: string, t: Timing): void =>
  emitRow({ scenario: SCENARIO, case: c, subject: 'mvx-common', mode: 'op', value: t.ns, cpuNs: t.cpuNs });

let sink0 = 0;
for (const n of [1, 10, 100, 1000]) {
  const policy = new PatternLogEventPolicy({ rules: Array.from({ length: n }, (_, i) => ({ action: 'deny' as const, names: [`op${i}.*`] })) });
  const ctx = root.child(`n${n}`);
  ctx.setPolicy(policy);
  const last = `op${n - 1}.x`;
  const deniedMeta = Object.freeze({ namespace: ctx.namespace, name: last });
  const noneMeta = Object.freeze({ namespace: ctx.namespace, name: 'other.x' });
  // Sanity: the last rule denies, nothing else matches.
  if (policy.isEnabled(deniedMeta, LogLevel.DEBUG) || !policy.isEnabled(noneMeta, LogLevel.DEBUG)) throw new Error('rules do not decide as intended');
  ctx.debug(last, { a: 1 });
  ctx.debug('other.x', { a: 1 });
  if (sink.received !== sink0 + 1) throw new Error('the denied event reached the sink, or the allowed one did not');
  sink0 = sink.received;
  const handle = ctx.event(last);
  // Warm both forms first: mitata sizes its batches from the first calls, and a first call that
  // resolves the decision (microseconds) would make it time single calls at the clock's resolution.
  for (let i = 0; i < 10_000; i++) {
    handle.debug({ a: i });
    ctx.debug(last, { a: i });
    policy.isEnabled(i & 1 ? deniedMeta : noneMeta, LogLevel.DEBUG);
  }
  row(`${n} rule(s): policy.isEnabled, denied by the last rule (uncached decision)`, await opTiming(() => policy.isEnabled(deniedMeta, LogLevel.DEBUG)));
  row(`${n} rule(s): policy.isEnabled, no rule matches (uncached decision)`, await opTiming(() => policy.isEnabled(noneMeta, LogLevel.DEBUG)));
  row(`${n} rule(s): ctx.debug(name, { a: 1 }), denied (cached decision)`, await opTiming(() => ctx.debug(last, { a: 1 })));
  row(`${n} rule(s): handle.debug({ a: 1 }), denied (event handle)`, await opTiming(() => handle.debug({ a: 1 })));
}
