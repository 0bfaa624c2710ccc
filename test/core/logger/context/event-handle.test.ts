/**
 * Event handles (`ctx.event(name)`): they log what the context's helpers log, their denied levels
 * are replaced by no-ops, and every configuration change (policy, sampling rules, minimum level, a
 * versioned policy's version) is followed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogEventHandle } from '../../../../src/core/logger/context/event-handle.ts';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import { MvxConfigError } from '../../../../src/core/errors.ts';
import type { LogEventMeta } from '../../../../src/core/logger/event.ts';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import type { LogEventPolicy } from '../../../../src/core/logger/policy/log-event-policy.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { captureDiagnostics } from '../../../support/diagnostics.ts';
import { testClock } from '../policy/sampling-support.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

function makeRoot(options: ConstructorParameters<typeof LogContext>[0] = {}) {
  const sink = new MemorySink();
  const root = new LogContext({ sink, payloadProcessor: new LogPayloadProcessor(), minLevel: 'DEBUG', ...options });
  return { root, sink };
}

const proto = LogEventHandle.prototype;
const replaced = (h: LogEventHandle, level: 'debug' | 'info' | 'warning' | 'error' | 'critical'): boolean => h[level] !== proto[level];

describe('LogContext.event', () => {
  it('logs the same events as the context helpers, with the name bound once', () => {
    const { root, sink } = makeRoot({ namespace: 'app' });
    const created = root.child('users').event('user.created');
    created.info({ id: 'u-1' });
    created.warning({ id: 'u-2' }, { entityId: 'u-2', outcome: 'success' });
    created.debug(() => ({ lazy: true }));
    created.error();
    created.critical(new Map([['k', 1]]));
    root.child('users').info('user.created', { id: 'u-1' });
    const e = sink.events;
    expect(e.map((x) => [x.meta.namespace, x.meta.name, x.level])).toEqual([
      ['app.users', 'user.created', LogLevel.INFO],
      ['app.users', 'user.created', LogLevel.WARNING],
      ['app.users', 'user.created', LogLevel.DEBUG],
      ['app.users', 'user.created', LogLevel.ERROR],
      ['app.users', 'user.created', LogLevel.CRITICAL],
      ['app.users', 'user.created', LogLevel.INFO],
    ]);
    expect(e[0]!.payload).toEqual(e[5]!.payload);
    expect(e[1]!.meta.entityId).toBe('u-2');
    expect(e[1]!.outcome).toBe('success');
    expect(e[2]!.payload).toEqual({ lazy: true });
    expect(e[4]!.payload).toEqual({ k: 1 });
  });

  it('redacts and normalises payloads as the context does', () => {
    const { root, sink } = makeRoot();
    root.event('login').info({ user: 'ann', password: 'hunter2', when: new Date(0) });
    expect(sink.events[0]!.payload).toEqual({ user: 'ann', password: '[REDACTED]', when: '1970-01-01T00:00:00.000Z' });
  });

  it('rejects a name that is not a non-empty string', () => {
    const { root } = makeRoot();
    expect(() => root.event('')).toThrow(MvxConfigError);
    expect(() => root.event(42 as unknown as string)).toThrow(/name/);
  });

  it('replaces a level denied to its name by a no-op that never builds the payload, and follows a new policy', () => {
    const { root, sink } = makeRoot();
    root.setPolicy(new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['noisy'], maxLevel: 'INFO' }] }));
    const noisy = root.event('noisy');
    const other = root.event('other');
    const payload = vi.fn(() => ({ a: 1 }));
    for (let i = 0; i < 3; i++) {
      noisy.debug(payload);
      noisy.info(payload);
      other.debug({ i });
    }
    noisy.warning({ w: 1 });
    expect(payload).not.toHaveBeenCalled();
    expect(sink.names()).toEqual(['other', 'other', 'other', 'noisy']);
    expect([replaced(noisy, 'debug'), replaced(noisy, 'info'), replaced(noisy, 'warning')]).toEqual([true, true, false]);
    expect(replaced(other, 'debug')).toBe(false);

    root.setPolicy(new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['other'] }] }));
    expect(replaced(noisy, 'debug')).toBe(false); // put back by the configuration change
    noisy.debug(payload);
    other.debug({ i: 9 });
    expect(payload).toHaveBeenCalledTimes(1);
    expect(sink.names().slice(4)).toEqual(['noisy']);
    expect(replaced(other, 'debug')).toBe(true);
  });

  it('a denied handle called with options takes the full path (the options may change the decision)', () => {
    const { root, sink } = makeRoot();
    root.setPolicy(new PatternLogEventPolicy({ rules: [{ action: 'allow', entityIds: ['vip'] }, { action: 'deny', names: ['q'] }] }));
    const q = root.event('q');
    q.info({ n: 1 });
    q.info({ n: 2 });
    q.info({ n: 3 }, { entityId: 'vip' });
    expect(sink.events.map((e) => e.payload['n'])).toEqual([3]);
  });

  it('follows the minimum level, set on an ancestor and reset', () => {
    const { root, sink } = makeRoot({ minLevel: 'INFO' });
    const h = root.child('a').child('b').event('tick');
    h.debug({ i: 1 });
    h.debug({ i: 2 });
    expect(replaced(h, 'debug')).toBe(true);
    root.child('a').setMinLevel('DEBUG');
    h.debug({ i: 3 });
    root.child('a').resetMinLevel();
    h.debug({ i: 4 });
    h.info({ i: 5 });
    expect(sink.events.map((e) => e.payload['i'])).toEqual([3, 5]);
  });

  it('follows a versioned policy whose version moves without a configuration change', () => {
    class Switch implements LogEventPolicy {
      version = 0;
      on = false;
      isEnabled(meta: LogEventMeta): boolean {
        return meta.name !== 'sw' || this.on;
      }
    }
    const policy = new Switch();
    const { root, sink } = makeRoot({ policy });
    const sw = root.event('sw');
    sw.info({ i: 1 });
    sw.info({ i: 2 });
    policy.on = true;
    policy.version++;
    sw.info({ i: 3 });
    policy.on = false;
    policy.version++;
    sw.info({ i: 4 });
    expect(sink.events.map((e) => e.payload['i'])).toEqual([3]);
    expect(replaced(sw, 'info')).toBe(false); // a versioned policy's denial keeps its check
  });

  it('sampling rules still thin a handle, and new sampling rules (withConfig) apply at once', async () => {
    await testClock();
    const policy = PatternLogEventPolicy.fromConfig({ sampling: [{ name: 'r', names: ['retry'], burst: { first: 2, thereafter: 0, intervalMs: 60_000 } }] });
    const { root, sink } = makeRoot({ policy });
    const retry = root.event('retry');
    for (let i = 1; i <= 5; i++) retry.warning({ i });
    expect(sink.events.map((e) => e.payload['i'])).toEqual([1, 2]);
    expect(root.stats().sampledOut).toBe(3);
    root.setPolicy(policy.withConfig({ rules: [{ action: 'deny', names: ['retry'], maxLevel: 'WARNING' }] }));
    retry.warning({ i: 6 });
    expect(replaced(retry, 'warning')).toBe(true);
    root.setPolicy(policy.withConfig({}));
    for (let i = 7; i <= 8; i++) retry.warning({ i });
    // (the dropped rule's summary of what it sampled out is an event of its own)
    expect(sink.events.filter((e) => e.meta.name === 'retry').map((e) => e.payload['i'])).toEqual([1, 2, 7, 8]);
  });

  it('a policy that throws is counted on every call, never silenced', () => {
    const diagnostics = captureDiagnostics();
    try {
      const policy: LogEventPolicy = {
        isEnabled: () => {
          throw new Error('broken policy');
        },
      };
      const { root, sink } = makeRoot({ policy });
      const h = root.event('x');
      for (let i = 0; i < 4; i++) h.info({ i });
      expect(sink.events).toHaveLength(0);
      expect(replaced(h, 'info')).toBe(false);
      expect(root.stats().policyFailures).toBeGreaterThanOrEqual(4);
      expect(diagnostics.withCode('policy.failed').length).toBeGreaterThanOrEqual(4);
    } finally {
      diagnostics.stop();
    }
  });

  it('isEnabled answers for the bound name', () => {
    const { root } = makeRoot({ policy: new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['x'] }] }) });
    expect(root.event('x').isEnabled()).toBe(false);
    expect(root.event('y').isEnabled(LogLevel.DEBUG)).toBe(true);
  });
});
