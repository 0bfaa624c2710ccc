/**
 * The log bridge over process IPC (JSON): forked children log into the parent's sinks, with the
 * parent's configuration, RegExp redaction entries included.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogHub } from '../../../../src/core/logger/bridge/log-hub.ts';
import { configureLogContext, resetLogContexts } from '../../../../src/core/logger/context/facade.ts';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';

afterEach(() => resetLogContexts({ root: true }));

function run(count: number): { child: ChildProcess; result: Promise<{ code: number | null; out: string }> } {
  const child = fork(join(import.meta.dirname, 'fixtures', 'log-child.ts'), [], { env: { ...process.env, COUNT: String(count) }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const result = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return { child, result };
}

describe('LogHub over process IPC', () => {
  it('two forked children log into one sink of the parent, with its levels and redaction, and end by themselves', async () => {
    const sink = new MemorySink();
    configureLogContext('', { sink, minLevel: LogLevel.INFO });
    configureLogContext('app', { minLevel: LogLevel.DEBUG, payloadProcessor: new LogPayloadProcessor({ redact: { keys: [/^ss/i] } }) });
    const hub = new LogHub();
    const children = [run(500), run(300)];
    for (const c of children) hub.attach(c.child);
    const results = await Promise.all(children.map((c) => c.result));
    for (const [i, r] of results.entries()) {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ ready: true, report: { accepted: [500, 300][i], delivered: [500, 300][i], dropped: 0, failed: 0, pending: 0, timedOut: false } });
    }
    expect(sink.events).toHaveLength(800);
    const byPid = new Map<number, number[]>();
    for (const e of sink.events as LogEvent[]) {
      const p = e.payload as { i: number; pid: number; ssn: string; apiKey: string };
      expect([p.ssn, p.apiKey]).toEqual(['[REDACTED]', '[REDACTED]']); // the RegExp entry crossed JSON
      expect(e.level).toBe(LogLevel.DEBUG); // enabled by the parent's level for 'app'
      byPid.set(p.pid, [...(byPid.get(p.pid) ?? []), p.i]);
    }
    expect([...byPid.values()].map((l) => l.length).sort()).toEqual([300, 500]);
    for (const list of byPid.values()) expect(list).toEqual(list.map((_, i) => i)); // in order
    expect(await hub.shutdown()).toMatchObject({ accepted: 800, delivered: 800, dropped: 0, failed: 0, pending: 0 });
  }, 60_000);
});
