import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  configureLogContext,
  getLogContext,
  getLogContextNamespaces,
  getRegisteredLogSinks,
  getRootLogContext,
  hasLogContext,
  resetLogContexts,
} from '../../../../src/core/logger/context/facade.ts';
import { ConsoleSink } from '../../../../src/core/logger/sinks/console-sink.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import { MvxConfigError } from '../../../../src/core/errors.ts';

function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
    return true;
  });
  return lines;
}

let nonTty: PropertyDescriptor | undefined;
beforeEach(() => {
  // The bootstrap sink's `auto` format writes JSON when stderr is not a TTY: make that explicit.
  nonTty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true, writable: true });
});
afterEach(() => {
  if (nonTty) Object.defineProperty(process.stderr, 'isTTY', nonTty);
  else delete (process.stderr as { isTTY?: boolean }).isTTY;
  vi.restoreAllMocks();
  resetLogContexts({ root: true });
});

describe('bootstrap', () => {
  it('the root exists at import: ConsoleSink on stderr, INFO, default processor, print-stderr, no policy', () => {
    const root = getRootLogContext();
    expect(root.namespace).toBe('');
    expect(root.isRoot).toBe(true);
    expect(root.sink).toBeInstanceOf(ConsoleSink);
    expect(root.payloadProcessor).toBeInstanceOf(LogPayloadProcessor);
    expect(root.minLevel).toBe(LogLevel.INFO);
    expect(root.errorHandling).toBe('print-stderr');
    expect(root.policy).toBeUndefined();
  });

  it("getLogContext('app').info('started') writes one JSON line to stderr with no setup; debug is filtered", () => {
    const lines = captureStderr();
    getLogContext('app').info('started', { port: 8080 });
    getLogContext('app').debug('hidden');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!);
    expect(obj).toMatchObject({ level: 20, levelName: 'INFO', namespace: 'app', event: 'started', payload: { port: 8080 } });
  });
});

describe('the context tree', () => {
  it('creates missing ancestors and returns the same object on every call', () => {
    const abc = getLogContext('a.b.c');
    expect(getLogContext('a.b.c')).toBe(abc);
    expect(abc.parent).toBe(getLogContext('a.b'));
    expect(getLogContext('a').parent).toBe(getRootLogContext());
    expect(getLogContext('')).toBe(getRootLogContext());
    expect(getLogContextNamespaces()).toEqual(['', 'a', 'a.b', 'a.b.c']);
    expect(hasLogContext('a.b')).toBe(true);
    expect(hasLogContext('a.x')).toBe(false);
    expect(getLogContextNamespaces()).not.toContain('a.x');
  });

  it('validates namespaces: digits and hyphens allowed, empty segments and other characters rejected', () => {
    expect(getLogContext('v2.db-pool').namespace).toBe('v2.db-pool');
    expect(getLogContext('  svc.http ').namespace).toBe('svc.http');
    for (const bad of ['a..b', '.a', 'a.', 'a b', 'a.-b', 'a/b', 'ü']) {
      expect(() => getLogContext(bad)).toThrow(MvxConfigError);
    }
    expect(() => getLogContext(42 as unknown as string)).toThrow(MvxConfigError);
    expect(() => configureLogContext('a..b', {})).toThrow(MvxConfigError);
  });
});

describe('configureLogContext', () => {
  it('creates the chain, applies settings only to the leaf, and children inherit them', () => {
    const sink = new MemorySink();
    const ctx = configureLogContext('app.db', { sink, minLevel: 'DEBUG' });
    expect(ctx).toBe(getLogContext('app.db'));
    expect(getLogContext('app').localSettings()).toEqual({});
    getLogContext('app.db.pool').debug('acquired', { id: 1 });
    expect(sink.find({ namespace: 'app.db.pool', name: 'acquired' })).toHaveLength(1);
    expect(sink.events[0]!.payload).toEqual({ id: 1 });
  });

  it('changes only the given settings on an existing context', () => {
    const sink = new MemorySink();
    configureLogContext('app', { sink, minLevel: 'WARNING' });
    const policy = new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['noisy'] }] });
    configureLogContext('app', { policy });
    const app = getLogContext('app');
    expect(app.sink).toBe(sink);
    expect(app.minLevel).toBe(LogLevel.WARNING);
    expect(app.policy).toBe(policy);
    app.warning('noisy');
    app.warning('useful');
    app.info('too low');
    expect(sink.names()).toEqual(['useful']);
  });

  it('a policy set on a parent applies to contexts created later under it', () => {
    const sink = new MemorySink();
    configureLogContext('lib', { sink, policy: PatternLogEventPolicy.fromConfig({ defaultEnabled: false, rules: [{ action: 'allow', events: ['lib.core.*'] }] }) });
    getLogContext('lib.core').info('kept');
    getLogContext('lib.other').info('dropped');
    expect(sink.keys()).toEqual(['lib.core.kept']);
  });

  it('rejects an invalid or unknown setting and changes nothing', () => {
    expect(() => configureLogContext('app', { minLevel: 'LOUD' })).toThrow(expect.objectContaining({ option: 'minLevel' }));
    expect(() => configureLogContext('app', { sink: new MemorySink(), errorHandling: 'loud' as 'raise' })).toThrow(
      expect.objectContaining({ option: 'errorHandling' }),
    );
    expect(getLogContext('app').localSettings()).toEqual({});
    expect(() => configureLogContext('app', { level: 10 } as never)).toThrow(expect.objectContaining({ option: 'level' }));
  });

  it('settings with a throwing getter or Proxy trap: MvxConfigError naming the setting, never a plain Error', () => {
    const boom = (): never => {
      throw new Error('hostile');
    };
    const cases: [unknown, string][] = [
      [Object.defineProperty({}, 'sink', { enumerable: true, get: boom }), 'sink'],
      [new Proxy({}, { ownKeys: boom }), 'settings'],
    ];
    for (const [settings, option] of cases) {
      expect(() => configureLogContext('app', settings as never)).toThrow(expect.objectContaining({ option }));
    }
    expect(getLogContext('app').localSettings()).toEqual({});
  });

  it("configures the root with ''", () => {
    const sink = new MemorySink();
    configureLogContext('', { sink });
    getLogContext('x').info('y');
    expect(sink.keys()).toEqual(['x.y']);
  });
});

describe('registered sinks and resets', () => {
  it('getRegisteredLogSinks lists each locally set sink once, root first', () => {
    const a = new MemorySink();
    const b = new MemorySink();
    configureLogContext('a', { sink: a });
    configureLogContext('a.b', { sink: b });
    configureLogContext('c', { sink: a });
    const sinks = getRegisteredLogSinks();
    expect(sinks[0]).toBe(getRootLogContext().sink);
    expect(sinks).toHaveLength(3);
    expect(new Set(sinks)).toEqual(new Set([getRootLogContext().sink, a, b]));
  });

  it('resetLogContexts drops every non-root context and keeps the root settings', () => {
    const sink = new MemorySink();
    configureLogContext('', { sink });
    const old = getLogContext('a.b');
    resetLogContexts();
    expect(getLogContextNamespaces()).toEqual(['']);
    expect(getRootLogContext().sink).toBe(sink);
    expect(getLogContext('a.b')).not.toBe(old);
    // A context handed out before the reset is detached but still works.
    old.info('still');
    expect(sink.keys()).toEqual(['a.b.still']);
  });

  it('resetLogContexts({ root: true }) restores the bootstrap root', () => {
    const bootSink = getRootLogContext().sink;
    configureLogContext('', { sink: new MemorySink(), minLevel: 'DEBUG', errorHandling: 'ignore' });
    getRootLogContext().setPolicy(new PatternLogEventPolicy());
    resetLogContexts({ root: true });
    const root = getRootLogContext();
    expect(root.sink).toBe(bootSink);
    expect(root.minLevel).toBe(LogLevel.INFO);
    expect(root.errorHandling).toBe('print-stderr');
    expect(root.policy).toBeUndefined();
  });
});
