import { afterEach, describe, expect, it } from 'vitest';
import { configureLogContext, getLogContext, getRootLogContext, resetLogContexts } from '../../../../src/core/logger/context/facade.ts';
import {
  closeLogSink,
  configureLogSink,
  getConfiguredLogSinkNames,
  getLogSink,
  replaceLogSink,
  resetLogger,
} from '../../../../src/core/logger/context/named-sinks.ts';
import { shutdownAll } from '../../../../src/core/logger/sinks/exit-handlers.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import type { LogSink } from '../../../../src/core/logger/sinks/log-sink.ts';
import { MvxConfigError, MvxStateError } from '../../../../src/core/errors.ts';
import { useDiagnosticsCapture } from '../../../support/diagnostics.ts';

const diagnostics = useDiagnosticsCapture();

/** A sink whose shutdown is recorded in a shared log, and may fail. */
const closed: string[] = [];
class RecordingSink implements LogSink {
  readonly events: LogEvent[] = [];
  readonly options: { id: string; fail?: boolean; tags?: string[] };
  constructor(options: { id: string; fail?: boolean; tags?: string[] }) {
    this.options = options;
  }
  log(event: LogEvent): void {
    this.events.push(event);
  }
  shutdown(): Promise<{ id: string }> {
    closed.push(this.options.id);
    if (this.options.fail === true) return Promise.reject(new Error(`cannot close ${this.options.id}`));
    return Promise.resolve({ id: this.options.id });
  }
}

afterEach(async () => {
  await resetLogger({ timeoutMs: 500 });
  closed.length = 0;
});

describe('configureLogSink', () => {
  it('builds the sink once and returns the same sink for an equal descriptor (idempotent)', () => {
    const a = configureLogSink({ name: 'audit', type: RecordingSink, options: { id: 'a', tags: ['x', 'y'] } });
    const b = configureLogSink({ name: 'audit', type: RecordingSink, options: { id: 'a', tags: ['x', 'y'] } });
    expect(b).toBe(a);
    expect(a).toBeInstanceOf(RecordingSink);
    expect(getLogSink('audit')).toBe(a);
    expect(getConfiguredLogSinkNames()).toEqual(['audit']);
  });

  it('refuses the same name with another descriptor, naming both', () => {
    configureLogSink({ name: 'audit', type: RecordingSink, options: { id: 'a' } });
    const err = (() => {
      try {
        configureLogSink({ name: 'audit', type: RecordingSink, options: { id: 'b' } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(MvxConfigError);
    expect((err as MvxConfigError).message).toContain('RecordingSink {"id":"a"}');
    expect((err as MvxConfigError).message).toContain('RecordingSink {"id":"b"}');
    expect((err as MvxConfigError).details).toMatchObject({ name: 'audit', existing: 'RecordingSink {"id":"a"}', requested: 'RecordingSink {"id":"b"}' });
    // Another class with equal options is another descriptor too.
    expect(() => configureLogSink({ name: 'audit', type: MemorySink, options: {} })).toThrow(/MemorySink \{\}/);
  });

  it('validates the name and the class', () => {
    expect(() => configureLogSink({ name: '1abc', type: MemorySink })).toThrow(MvxConfigError);
    expect(() => configureLogSink({ name: 'a.b', type: MemorySink })).toThrow(/not a valid sink name/);
    expect(() => configureLogSink({ name: 'ok', type: 'memory' as unknown as typeof MemorySink })).toThrow(/option 'type'/);
    expect(getConfiguredLogSinkNames()).toEqual([]);
  });

  it('keeps registration order', () => {
    for (const id of ['c', 'a', 'b']) configureLogSink({ name: id, type: RecordingSink, options: { id } });
    expect(getConfiguredLogSinkNames()).toEqual(['c', 'a', 'b']);
    expect(getLogSink('missing')).toBeUndefined();
  });
});

describe('closeLogSink', () => {
  it('refuses while a facade context holds the sink as its own; inherited use does not count', async () => {
    const sink = configureLogSink({ name: 'audit', type: RecordingSink, options: { id: 'a' } });
    configureLogContext('orders', { sink });
    getLogContext('orders.api'); // inherits it: not a holder
    expect(() => closeLogSink('audit')).toThrow(MvxStateError);
    expect(() => closeLogSink('audit')).toThrow(/in use by the context\(s\) orders;/);
    getRootLogContext().setSink(sink);
    expect(() => closeLogSink('audit')).toThrow(/orders, <root>|<root>, orders/);
    expect(getConfiguredLogSinkNames()).toEqual(['audit']);
    expect(closed).toEqual([]);
    resetLogContexts({ root: true });
    await expect(closeLogSink('audit')).resolves.toEqual({ name: 'audit', status: 'done', report: { id: 'a' } });
    expect(closed).toEqual(['a']);
    expect(getLogSink('audit')).toBeUndefined();
  });

  it('unknown names resolve undefined', async () => {
    await expect(closeLogSink('nope')).resolves.toBeUndefined();
  });

  it('removes the sink even when its terminator fails, and reports the failure', async () => {
    configureLogSink({ name: 'bad', type: RecordingSink, options: { id: 'bad', fail: true } });
    const result = await closeLogSink('bad');
    expect(result?.status).toBe('failed');
    expect((result?.error as Error).message).toBe('cannot close bad');
    expect(getConfiguredLogSinkNames()).toEqual([]);
    expect(diagnostics().keys()).toEqual(['named-sinks:sink.close_failed']);
    // The name is free again.
    expect(configureLogSink({ name: 'bad', type: MemorySink })).toBeInstanceOf(MemorySink);
  });

  it('bounds a terminator that never settles', async () => {
    configureLogSink({ name: 'stuck', type: MemorySink, terminate: () => new Promise(() => {}) });
    await expect(closeLogSink('stuck', { timeoutMs: 20 })).resolves.toEqual({ name: 'stuck', status: 'timeout' });
    expect(diagnostics().keys()).toEqual(['named-sinks:sink.close_timeout']);
  });

  it('runs a custom terminator with the sink', async () => {
    const seen: unknown[] = [];
    const sink = configureLogSink({ name: 'custom', type: MemorySink, terminate: (s, o) => seen.push(s, o) });
    await closeLogSink('custom', { timeoutMs: 100 });
    expect(seen).toEqual([sink, { timeoutMs: 100 }]);
  });
});

describe('replaceLogSink', () => {
  it('swaps the sink under the name and in every context holding it, synchronously; the old one closes when asked', async () => {
    const old = configureLogSink({ name: 'audit', type: RecordingSink, options: { id: 'old' } });
    configureLogContext('orders', { sink: old });
    configureLogContext('billing', { sink: old });
    getLogContext('orders').info('before');
    const r = replaceLogSink({ name: 'audit', type: RecordingSink, options: { id: 'new' } });
    getLogContext('orders').info('after');
    getLogContext('orders.api').info('inherited');
    expect(r.previous).toBe(old);
    expect(r.contexts).toEqual(['billing', 'orders']);
    expect(getLogSink('audit')).toBe(r.sink);
    expect((old as RecordingSink).events.map((e) => e.meta.name)).toEqual(['before']);
    expect((r.sink as RecordingSink).events.map((e) => e.meta.name)).toEqual(['after', 'inherited']);
    expect(closed).toEqual([]);
    expect(await r.closePrevious()).toEqual({ name: 'audit', status: 'done', report: { id: 'old' } });
    expect(closed).toEqual(['old']);
  });

  it('an equal descriptor replaces nothing; a bad one changes nothing', () => {
    const a = configureLogSink({ name: 'audit', type: RecordingSink, options: { id: 'a' } });
    expect(replaceLogSink({ name: 'audit', type: RecordingSink, options: { id: 'a' } })).toMatchObject({ sink: a, previous: undefined });
    expect(() => replaceLogSink({ name: 'audit', type: 'x' as unknown as typeof MemorySink })).toThrow(MvxConfigError);
    expect(getLogSink('audit')).toBe(a);
    expect(replaceLogSink({ name: 'fresh', type: MemorySink }).previous).toBeUndefined();
  });
});

describe('resetLogger', () => {
  it('restores the root first, then closes every sink in reverse registration order, reporting failures', async () => {
    const first = configureLogSink({ name: 'first', type: RecordingSink, options: { id: 'first' } });
    configureLogSink({ name: 'second', type: RecordingSink, options: { id: 'second', fail: true } });
    configureLogSink({ name: 'third', type: RecordingSink, options: { id: 'third' } });
    const bootstrapSink = getRootLogContext().sink;
    getRootLogContext().setSink(first);
    configureLogContext('orders', { sink: getLogSink('third')! });
    const results = await resetLogger();
    expect(closed).toEqual(['third', 'second', 'first']);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['third', 'done'],
      ['second', 'failed'],
      ['first', 'done'],
    ]);
    expect(getConfiguredLogSinkNames()).toEqual([]);
    expect(getRootLogContext().sink).toBe(bootstrapSink);
    expect(diagnostics().keys()).toEqual(['named-sinks:sink.close_failed']);
  });
});

describe('exit handling', () => {
  it('shutdownAll also shuts down named sinks no context holds', async () => {
    configureLogSink({ name: 'spare', type: RecordingSink, options: { id: 'spare' } });
    await shutdownAll(200);
    expect(closed).toEqual(['spare']);
  });
});
