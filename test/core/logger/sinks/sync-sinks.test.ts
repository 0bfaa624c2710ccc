import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsoleSink } from '../../../../src/core/logger/sinks/console-sink.ts';
import type { ConsoleSinkStream } from '../../../../src/core/logger/sinks/console-sink.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { MultiSink } from '../../../../src/core/logger/sinks/multi-sink.ts';
import { NullSink } from '../../../../src/core/logger/sinks/null-sink.ts';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import { buildLogEvent } from '../../../../src/core/logger/build-event.ts';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import type { LogSink } from '../../../../src/core/logger/sinks/log-sink.ts';
import { MvxConfigError, MvxErrorCode, isMvxError } from '../../../../src/core/errors.ts';
import { resetDiagnostics } from '../../../../src/core/diagnostics.ts';
import type { Diagnostic } from '../../../../src/core/diagnostics.ts';
import { RecordingProcessor } from '../context/test-processor.ts';
import { captureDiagnostics, type DiagnosticsCapture } from '../../../support/diagnostics.ts';

/** A real Writable collecting what is written. */
class Collector extends Writable {
  chunks: string[] = [];
  isTTY: boolean;
  constructor(isTTY = false) {
    super({ decodeStrings: false });
    this.isTTY = isTTY;
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(String(chunk));
    cb();
  }
  lines(): string[] {
    return this.chunks.join('').split('\n').filter((l) => l !== '');
  }
}

const ev = (name: string, level = 20, extra: Partial<LogEvent> = {}): LogEvent =>
  buildLogEvent({ level, meta: { namespace: 'app', name, ...(extra.meta ?? {}) }, payload: { n: 1 }, outcome: extra.outcome });

let diagnostics: Diagnostic[] = [];
let capture: DiagnosticsCapture | undefined;
beforeEach(() => {
  resetDiagnostics();
  capture = captureDiagnostics();
  diagnostics = capture.list;
});
afterEach(() => {
  capture?.stop();
  vi.restoreAllMocks();
});

describe('ConsoleSink', () => {
  it('flush() that times out on a stalled stream leaves no drain listener behind', async () => {
    // A stream whose consumer never reads: it needs a drain that never comes.
    const stalled = new Writable({ highWaterMark: 1, write(_chunk, _enc, _cb) {} });
    const sink = new ConsoleSink({ stream: stalled, format: 'json' });
    sink.log(ev('x'));
    expect(stalled.writableNeedDrain).toBe(true);
    for (let i = 0; i < 20; i++) await sink.flush({ timeoutMs: 1 });
    expect(stalled.listenerCount('drain')).toBe(0);
  });

  it('coalesce: the lines of one synchronous run go out as one write when it ends, in order, all counted', async () => {
    const out = new Collector();
    const sink = new ConsoleSink({ stream: out, format: 'json', coalesce: true });
    const root = new LogContext({ sink, payloadProcessor: new RecordingProcessor(), namespace: 'svc' });
    for (let i = 0; i < 100; i++) root.info('tick', { i });
    expect(out.chunks).toHaveLength(0); // nothing written before the run ends
    expect(sink.stats()).toMatchObject({ accepted: 100, queued: 100, pending: 100, delivered: 0 });
    await Promise.resolve();
    expect(out.chunks).toHaveLength(1);
    expect(out.lines().map((l) => JSON.parse(l).payload.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(sink.stats()).toMatchObject({ accepted: 100, delivered: 100, pending: 0 });
    // A run larger than a chunk (64 KiB) goes out in chunks as it fills, never dropped for the wait.
    const big = new Collector();
    const bigSink = new ConsoleSink({ stream: big, format: 'json', coalesce: true, maxBufferedBytes: 100_000 });
    const pad = 'x'.repeat(500);
    for (let i = 0; i < 1000; i++) bigSink.log(buildLogEvent({ level: 20, meta: { namespace: 'a', name: 'b' }, payload: { i, pad } }));
    expect(big.chunks.length).toBeGreaterThan(5);
    await bigSink.flush({ timeoutMs: 1000 });
    expect(bigSink.stats()).toMatchObject({ accepted: 1000, delivered: 1000, dropped: 0 });
    expect(big.lines()).toHaveLength(1000);
    // On a TTY, and without the option, each line is written at once.
    const tty = new Collector(true);
    new ConsoleSink({ stream: tty, format: 'json', coalesce: true }).log(ev('x'));
    expect(tty.chunks).toHaveLength(1);
    expect(() => new ConsoleSink({ coalesce: 'yes' as unknown as boolean })).toThrow(/coalesce/);
  });

  it('coalesce: a stream whose write throws fails the chunk, counted and reported, never thrown into the logging call', async () => {
    class Broken extends Collector {
      override write(): boolean {
        throw new Error('EBADF');
      }
    }
    const sink = new ConsoleSink({ stream: new Broken(), format: 'json', coalesce: true });
    const root = new LogContext({ sink, payloadProcessor: new RecordingProcessor(), errorHandling: 'raise' });
    expect(() => {
      for (let i = 0; i < 3; i++) root.info('tick', { i });
    }).not.toThrow();
    await Promise.resolve();
    expect(sink.stats()).toMatchObject({ accepted: 3, failed: 3, pending: 0, delivered: 0 });
    expect(diagnostics.map((d) => d.code)).toContain('sink.write_failed');
  });

  it('writes one parseable JSON object per line', () => {
    const out = new Collector();
    const sink = new ConsoleSink({ stream: out, format: 'json' });
    const root = new LogContext({ sink, payloadProcessor: new RecordingProcessor(), namespace: 'svc' });
    root.info('started', { port: 1 });
    root.warning('slow', { ms: 900 }, { entityId: 'req-1', outcome: 'success' });
    const lines = out.lines();
    expect(lines).toHaveLength(2);
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({ level: 20, levelName: 'INFO', namespace: 'svc', event: 'started', payload: { port: 1 } });
    expect(typeof a.time).toBe('string');
    expect(new Date(a.time).getTime()).toBe(Math.floor(a.ts));
    expect(b).toMatchObject({ level: 30, levelName: 'WARNING', event: 'slow', entityId: 'req-1', outcome: 'success' });
    expect(sink.stats().written).toBe(2);
  });

  it('auto format: JSON on a non-TTY stream, readable with colours on a TTY', () => {
    const plain = new Collector(false);
    new ConsoleSink({ stream: plain }).log(ev('x'));
    expect(() => JSON.parse(plain.lines()[0]!)).not.toThrow();
    const tty = new Collector(true);
    new ConsoleSink({ stream: tty }).log(ev('x'));
    const line = tty.lines()[0]!;
    expect(line).toContain('\x1b[');
    expect(line).toContain('app.x');
  });

  it('readable format without colours has no ANSI codes', () => {
    const out = new Collector(true);
    new ConsoleSink({ stream: out, format: 'readable', colors: false }).log(ev('x', 40, { outcome: 'failed' }));
    const line = out.lines()[0]!;
    expect(line).not.toContain('\x1b[');
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT.*Z ERROR +app\.x \[failed\] \{"n":1\}$/);
  });

  it('filters below its own minLevel and counts it', () => {
    const out = new Collector();
    const sink = new ConsoleSink({ stream: out, format: 'json', minLevel: 'WARNING' });
    sink.log(ev('a', 20));
    sink.log(ev('b', 30));
    expect(out.lines().map((l) => JSON.parse(l).event)).toEqual(['b']);
    expect(sink.stats()).toMatchObject({ accepted: 1, delivered: 1, written: 1, filtered: 1, afterShutdown: 0, pending: 0 });
  });

  it("'stdout' writes to process.stdout; shutdown is idempotent and stops writing", async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      writes.push(String(c));
      return true;
    });
    const sink = new ConsoleSink({ stream: 'stdout', format: 'json' });
    sink.log(ev('a'));
    const p = sink.shutdown();
    expect(sink.shutdown()).toBe(p);
    await p;
    sink.log(ev('b'));
    expect(writes).toHaveLength(1);
    expect(sink.stats().afterShutdown).toBe(1);
  });

  it('rejects invalid options naming them', () => {
    expect(() => new ConsoleSink({ stream: 'stdlog' as 'stdout' })).toThrow(expect.objectContaining({ option: 'stream' }));
    expect(() => new ConsoleSink({ format: 'xml' as 'json' })).toThrow(expect.objectContaining({ option: 'format' }));
    expect(() => new ConsoleSink({ minLevel: 'LOUD' })).toThrow(MvxConfigError);
  });

  it('a throwing stream reaches the context error handling', () => {
    const broken: ConsoleSinkStream = {
      write() {
        throw new Error('EPIPE');
      },
    };
    const root = new LogContext({ sink: new ConsoleSink({ stream: broken }), payloadProcessor: new RecordingProcessor(), errorHandling: 'raise' });
    let caught: unknown;
    try {
      root.info('x');
    } catch (err) {
      caught = err;
    }
    expect(isMvxError(caught, MvxErrorCode.UNABLE_TO_LOG)).toBe(true);
  });
});

describe('MultiSink', () => {
  const failing: LogSink = {
    log() {
      throw new Error('target down');
    },
  };

  it('delivers to every target; one failing target does not stop the others; the failure is reported', () => {
    const a = new MemorySink();
    const b = new MemorySink();
    const multi = new MultiSink([a, failing, b]);
    multi.log(ev('x'));
    multi.log(ev('y'));
    expect(a.names()).toEqual(['x', 'y']);
    expect(b.names()).toEqual(['x', 'y']);
    expect(multi.stats().failuresByTarget).toEqual([0, 2, 0]);
    expect(diagnostics.filter((d) => d.component === 'MultiSink' && d.code === 'target.failed')).toHaveLength(2);
  });

  it("onTargetError 'throw' throws one AggregateError after every target had its turn", () => {
    const a = new MemorySink();
    const root = new LogContext({
      sink: new MultiSink([failing, a], { onTargetError: 'throw' }),
      payloadProcessor: new RecordingProcessor(),
      errorHandling: 'ignore',
    });
    root.info('x');
    expect(a.names()).toEqual(['x']);
    expect(root.stats().sinkFailures).toBe(1);
  });

  it('a target whose flush or shutdown throws synchronously: MultiSink still settles (never throws), idempotently', async () => {
    const calls: string[] = [];
    const broken: LogSink = {
      log() {},
      flush: () => {
        throw new Error('sync flush');
      },
      shutdown: () => {
        throw new Error('sync shutdown');
      },
    };
    const fine: LogSink = { log() {}, flush: async () => void calls.push('f'), shutdown: async () => void calls.push('s') };
    const multi = new MultiSink([broken, fine]);
    await multi.flush();
    const p = multi.shutdown();
    expect(multi.shutdown()).toBe(p);
    await p;
    expect(calls).toEqual(['f', 's']);
  });

  it('flush and shutdown fan out, settle despite failures, and shutdown is idempotent', async () => {
    const calls: string[] = [];
    const t1: LogSink = { log() {}, flush: async () => void calls.push('f1'), shutdown: async () => void calls.push('s1') };
    const t2: LogSink = {
      log() {},
      flush: () => Promise.reject(new Error('x')),
      shutdown: async () => {
        calls.push('s2');
      },
    };
    const multi = new MultiSink([t1, t2, new NullSink()]);
    await multi.flush();
    const p = multi.shutdown();
    expect(multi.shutdown()).toBe(p);
    await p;
    expect(calls.sort()).toEqual(['f1', 's1', 's2']);
  });

  it('rejects non-sink targets naming the index', () => {
    expect(() => new MultiSink([new MemorySink(), {} as LogSink])).toThrow(expect.objectContaining({ option: 'targets[1]' }));
  });
});

describe('MemorySink and NullSink', () => {
  it('MemorySink keeps events and answers queries', () => {
    const sink = new MemorySink();
    sink.log(ev('a', 20, { outcome: 'invoke' }));
    sink.log(ev('b', 40, { meta: { namespace: 'other', name: 'b', entityId: 'e1' } }));
    expect(sink.names()).toEqual(['a', 'b']);
    expect(sink.keys()).toEqual(['app.a', 'other.b']);
    expect(sink.find({ outcome: 'invoke' })).toHaveLength(1);
    expect(sink.find({ outcome: null })).toHaveLength(1);
    expect(sink.find({ namespace: 'other', level: 40, entityId: 'e1' })[0]!.meta.name).toBe('b');
    expect(sink.first({ event: 'app.a' })?.meta.name).toBe('a');
    expect(sink.last()?.meta.name).toBe('b');
    sink.clear();
    expect(sink.events).toHaveLength(0);
  });

  it('MemorySink with a capacity drops the oldest and counts drops', () => {
    const sink = new MemorySink({ capacity: 2 });
    for (const n of ['a', 'b', 'c', 'd']) sink.log(ev(n));
    expect(sink.names()).toEqual(['c', 'd']);
    expect(sink.dropped).toBe(2);
    expect(() => new MemorySink({ capacity: 0 })).toThrow(expect.objectContaining({ option: 'capacity' }));
  });

  it('NullSink discards and counts', () => {
    const sink = new NullSink();
    sink.log(ev('a'));
    sink.log(ev('b'));
    expect(sink.received).toBe(2);
  });
});
