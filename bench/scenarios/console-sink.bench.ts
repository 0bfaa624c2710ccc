/**
 * JSON lines to the console, delivery included (issue 16 target: `ctx.info` through the JSON
 * `ConsoleSink` at most 0.8x pino writing the same event to the same destination).
 *
 * The destination is the process's real standard output redirected to `/dev/null`, as
 * `node app.js > /dev/null` gives it: each case runs in a child process (this file with `--child
 * <case>`) whose fd 1 is `/dev/null`, and reports its timing on stderr. Both sides read the clock
 * (our `ts`/`time`, pino's `time`) and serialise the same payload. Sustained mode (see
 * `bench/harness.ts`): K calls, then yield until what is pending is written.
 * - mvx-common: `ctx.info('msg', { a: 1, b: 'x', nested: { c: [1, 2, 3] } })` on a `LogContext` →
 *   `ConsoleSink({ stream: 'stdout', format: 'json', coalesce: true })` (the lines of one tick in
 *   one write, as pino's default destination buffers); backlog = `stats().pending`; the run must
 *   deliver every line (accepted = delivered, nothing dropped: checked). A row without a target
 *   gives the default (`coalesce: false`: one write per line, as pino's `sync: true`).
 * - pino `pino()` default: sonic-boom on fd 1, `sync: false` (buffered); backlog = pending bytes.
 * - pino `pino.destination({ fd: 1, sync: true })`: one write per line.
 * The target row compares with the faster pino variant.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import pino from 'pino';
import { LogContext } from '../../src/core/logger/context/log-context.ts';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { ConsoleSink } from '../../src/core/logger/sinks/console-sink.ts';
import { emitComparison, emitRow, sustainedTiming } from '../harness.ts';
import type { Timing } from '../harness.ts';

const SCENARIO = 'console-sink';
const payload = (): Record<string, unknown> => ({ a: 1, b: 'x', nested: { c: [1, 2, 3] } });

async function runChild(which: string): Promise<Timing> {
  if (which === 'mvx' || which === 'mvx-immediate') {
    const sink = new ConsoleSink({ stream: 'stdout', format: 'json', coalesce: which === 'mvx' });
    const ctx = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'INFO' });
    const t = await sustainedTiming(() => ctx.info('msg', payload()), { backlog: () => sink.stats().pending, maxBacklog: 4096 });
    const report = await sink.shutdown({ timeoutMs: 60_000 });
    if (report.dropped !== 0 || report.failed !== 0 || report.pending !== 0 || report.delivered !== report.accepted) {
      throw new Error(`mvx run was not loss-free: ${JSON.stringify(report)}`);
    }
    process.stderr.write(`${which} console: ${report.delivered} lines delivered\n`);
    return t;
  }
  const sync = which === 'pino-sync';
  const stream = sync ? pino.destination({ fd: 1, sync: true }) : undefined;
  const logger = stream === undefined ? pino() : pino({}, stream);
  const boom = (stream ?? (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym]) as { _len: number; flushSync(): void };
  const t = await sustainedTiming(() => logger.info(payload(), 'msg'), sync ? {} : { backlog: () => boom._len, maxBacklog: 1 << 20 });
  boom.flushSync();
  return t;
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const t = await runChild(process.argv[childAt + 1]!);
  process.stderr.write(`TIMING ${JSON.stringify(t)}\n`);
} else {
  const measureIn = (which: string): Timing => {
    const devNull = openSync('/dev/null', 'w');
    try {
      const res = spawnSync(process.execPath, [import.meta.filename, '--child', which], { stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8', timeout: 5 * 60_000 });
      const line = (res.stderr ?? '').split('\n').find((l) => l.startsWith('TIMING '));
      if (res.status !== 0 || line === undefined) throw new Error(`child ${which} failed (${res.status ?? res.signal}): ${(res.stderr ?? '').slice(-2000)}`);
      process.stderr.write(res.stderr.split('\n').filter((l) => !l.startsWith('TIMING ')).join('\n'));
      return JSON.parse(line.slice(7)) as Timing;
    } finally {
      closeSync(devNull);
    }
  };
  const bestOf = (a: Timing, b: Timing): Timing => (a.ns <= b.ns ? a : b);
  // Interleaved, best of two each: the machine is shared.
  const pinoAsync1 = measureIn('pino-async');
  const pinoSync1 = measureIn('pino-sync');
  const mvx1 = measureIn('mvx');
  const pinoAsync = bestOf(pinoAsync1, measureIn('pino-async'));
  const pinoSync = bestOf(pinoSync1, measureIn('pino-sync'));
  const mvx = bestOf(mvx1, measureIn('mvx'));
  const mvxImmediate = measureIn('mvx-immediate');
  const row = (c: string, subject: string, t: Timing) => ({ scenario: SCENARIO, case: c, subject, mode: 'sustained' as const, value: t.ns, cpuNs: t.cpuNs });
  emitRow(row("pino() default (sonic-boom on fd 1, sync:false): info(obj,'msg') -> stdout = /dev/null", 'pino', pinoAsync));
  emitRow(row("pino.destination({ fd: 1, sync: true }): info(obj,'msg') -> stdout = /dev/null", 'pino', pinoSync));
  emitComparison({
    scenario: SCENARIO,
    case: 'enabled event, JSON -> stdout = /dev/null, one write per line on both sides',
    mvx: row("ctx.info('msg', obj) -> ConsoleSink({ stream: 'stdout', format: 'json' }) (default: each line written at once)", 'mvx-common', mvxImmediate),
    peer: row("pino.destination({ fd: 1, sync: true }): info(obj,'msg') -> stdout = /dev/null", 'pino', pinoSync),
    maxRatio: Number.MAX_VALUE, // no target: the figure of the default
    target: 'informational: the default, one system call per line (as pino sync:true)',
  });
  emitComparison({
    scenario: SCENARIO,
    case: 'enabled event, JSON -> stdout = /dev/null, delivery included',
    mvx: row("ctx.info('msg', obj) -> ConsoleSink({ stream: 'stdout', format: 'json', coalesce: true })", 'mvx-common', mvx),
    peer: row("pino info(obj,'msg') -> stdout = /dev/null, faster of pino() default / sync:true", 'pino', bestOf(pinoAsync, pinoSync)),
    maxRatio: 0.8,
    target: "at most 0.8x pino to the same destination (issue 16)",
  });
}
