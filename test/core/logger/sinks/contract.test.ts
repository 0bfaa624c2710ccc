/**
 * Every sink of the core runs the log-sink contract (test/adapters/contract/log-sink.ts): the
 * asynchronous base class, the file sink (read back from the file), the console sink (a real
 * Writable), and the synchronous memory, fan-out, filtering and null sinks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import { AsyncLogSink, ConsoleSink, FileSink, FilteringSink, MemorySink, MultiSink, NullSink } from '../../../../src/index.ts';
import type { JsonObject, LogEvent, LogOutcome } from '../../../../src/index.ts';
import { recordOf, runLogSinkContract, type DeliveredRecord, type SinkUnderTest } from '../../../adapters/contract/log-sink.ts';

const JSON_LINE_FIELDS = new Set(['time', 'ts', 'level', 'levelName', 'namespace', 'event', 'entityId', 'outcome', 'source', 'payload']);

/** A JSON line (`formatJsonLine`) as the contract compares it: correlation ids are its other top-level keys. */
function fromJsonLine(line: string): DeliveredRecord {
  const o = JSON.parse(line) as Record<string, unknown>;
  const correlation: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (!JSON_LINE_FIELDS.has(k)) correlation[k] = v as string;
  return {
    level: o['level'] as number,
    namespace: o['namespace'] as string,
    name: o['event'] as string,
    ...(o['outcome'] === undefined ? {} : { outcome: o['outcome'] as LogOutcome }),
    payload: o['payload'] as JsonObject,
    ...(Object.keys(correlation).length === 0 ? {} : { correlation }),
  };
}

/** An asynchronous sink delivering into an array, or never finishing a delivery. */
class ArraySink extends AsyncLogSink {
  readonly received: LogEvent[] = [];
  readonly #hang: boolean;
  constructor(hang = false) {
    super({ batchIntervalMs: 0, maxRetries: 0 });
    this.#hang = hang;
  }
  protected override deliver(batch: readonly LogEvent[]): Promise<void> | void {
    if (this.#hang) return new Promise<void>(() => {});
    this.received.push(...batch);
  }
}

const memory = (sink: MemorySink | ArraySink): (() => Promise<DeliveredRecord[]>) => () =>
  Promise.resolve((sink instanceof MemorySink ? sink.events : sink.received).map(recordOf));
const none = (): Promise<void> => Promise.resolve();

runLogSinkContract({
  name: 'AsyncLogSink (a subclass delivering into an array)',
  async create() {
    const sink = new ArraySink();
    return { sink, delivered: memory(sink), dispose: none };
  },
  async createHanging() {
    return { sink: new ArraySink(true), dispose: none };
  },
});

const dir = mkdtempSync(join(tmpdir(), 'mvx-sink-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

runLogSinkContract({
  name: 'FileSink (JSON lines read back from the file)',
  async create(): Promise<SinkUnderTest> {
    const path = join(dir, `contract-${++files}.log`);
    const sink = new FileSink({ path, batchIntervalMs: 0 });
    const read = (): DeliveredRecord[] => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return []; // not created yet: nothing delivered
      }
      return text.split('\n').filter(Boolean).map(fromJsonLine);
    };
    return { sink, delivered: () => Promise.resolve(read()), dispose: none };
  },
});

/** A Writable that keeps what is written, or never finishes a write. */
function stream(hang: boolean): Writable & { text: string } {
  const w = new Writable({
    highWaterMark: 1,
    decodeStrings: false,
    write(chunk: string, _enc, cb) {
      if (hang) return;
      w.text += chunk;
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

runLogSinkContract({
  name: 'ConsoleSink (JSON lines into a real Writable)',
  async create() {
    const target = stream(false);
    const sink = new ConsoleSink({ stream: target, format: 'json' });
    return { sink, delivered: () => Promise.resolve(target.text.split('\n').filter(Boolean).map(fromJsonLine)), dispose: none };
  },
  async createHanging() {
    return { sink: new ConsoleSink({ stream: stream(true), format: 'json' }), dispose: none };
  },
});

runLogSinkContract({
  name: 'MemorySink',
  async create() {
    const sink = new MemorySink();
    return { sink, delivered: memory(sink), dispose: none };
  },
});

runLogSinkContract({
  name: 'MultiSink (two memory sinks; a hanging asynchronous target)',
  async create() {
    const first = new MemorySink();
    return { sink: new MultiSink([first, new MemorySink()]), delivered: memory(first), dispose: none };
  },
  async createHanging() {
    return { sink: new MultiSink([new MemorySink(), new ArraySink(true)]), dispose: none };
  },
});

runLogSinkContract({
  name: 'FilteringSink (no policy, into a memory sink; a hanging asynchronous target)',
  async create() {
    const target = new MemorySink();
    return { sink: new FilteringSink({ target }), delivered: memory(target), dispose: none };
  },
  async createHanging() {
    return { sink: new FilteringSink({ target: new ArraySink(true) }), dispose: none };
  },
});

runLogSinkContract({
  name: 'NullSink (discards: nothing to read back)',
  async create() {
    return { sink: new NullSink(), dispose: none };
  },
});
