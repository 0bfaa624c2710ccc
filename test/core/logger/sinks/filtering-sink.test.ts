import { describe, expect, it } from 'vitest';
import { FilteringSink } from '../../../../src/core/logger/sinks/filtering-sink.ts';
import type { LogEvent, LogEventMeta, LogSink } from '../../../../src/index.ts';
import { MvxConfigError } from '../../../../src/index.ts';

function event(name: string, level: number, outcome?: string): LogEvent {
  return { level, meta: { namespace: 'app', name }, outcome, timestamp: Date.now(), payload: {} };
}

class Capture implements LogSink {
  events: LogEvent[] = [];
  flushed = 0;
  log(e: LogEvent): void {
    this.events.push(e);
  }
  async flush(): Promise<void> {
    this.flushed++;
  }
}

describe('FilteringSink', () => {
  it('forwards only what the policy and the minimum level accept, and counts the rest', () => {
    const target = new Capture();
    const policy = { isEnabled: (meta: LogEventMeta, _level: number, outcome?: string) => meta.name !== 'noisy' && outcome !== 'invoke' };
    const sink = new FilteringSink({ target, policy, minLevel: 20 });
    sink.log(event('started', 20));
    sink.log(event('noisy', 40));
    sink.log(event('debugged', 10));
    sink.log(event('op', 20, 'invoke'));
    sink.log(event('op', 40, 'failed'));
    expect(target.events.map((e) => `${e.meta.name}:${e.outcome ?? ''}`)).toEqual(['started:', 'op:failed']);
    expect(sink.stats()).toMatchObject({ forwarded: 2, filtered: 3 });
    expect(sink.stats()).toMatchObject({ accepted: 5, delivered: 2, dropped: 3, droppedByReason: { filtered: 3, shutdown: 0 }, failed: 0, pending: 0 });
  });

  it('passes flush through to the target', async () => {
    const target = new Capture();
    await new FilteringSink({ target }).flush();
    expect(target.flushed).toBe(1);
  });

  it('rejects a target that is not a sink, naming the option', () => {
    expect(() => new FilteringSink({ target: {} as LogSink })).toThrow(MvxConfigError);
    expect(() => new FilteringSink({ target: {} as LogSink })).toThrow(/'target'/);
    expect(() => new FilteringSink({ target: new Capture(), minLevel: Number.NaN })).toThrow(/'minLevel'/);
  });
});
