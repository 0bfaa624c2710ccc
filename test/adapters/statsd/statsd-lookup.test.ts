/**
 * createStatsdLookup: one resolution per name shared by every caller, answers cached for ttlMs,
 * failures for failureTtlMs, waiting callers answered within timeoutMs, and close() failing
 * waiters and cancelling the resolver. Resolvers are injected (functions, or a c-ares Resolver
 * asking a DNS server on 127.0.0.1): nothing here queries a real DNS resolver.
 */
import dgram from 'node:dgram';
import { Resolver } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { createStatsdLookup, type StatsdLookup, type StatsdResolveFunction } from '../../../src/adapters/statsd/index.ts';
import { MvxConfigError } from '../../../src/core/errors.ts';

type Answer = { err: NodeJS.ErrnoException | null; address?: unknown; family?: number };

function ask(lookup: StatsdLookup, host: string, options: unknown = 4): Promise<Answer> {
  const call = lookup as unknown as (h: string, o: unknown, cb: (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void) => void;
  return new Promise((resolve) => call(host, options, (err, address, family) => resolve({ err, address, family })));
}

/** A resolver the test answers by hand. */
function manualResolver(): StatsdResolveFunction & { calls: string[]; answer(address: string): void; fail(code: string): void; signals: AbortSignal[] } {
  const pending: Array<{ ok: (a: { address: string; family: 4 }) => void; fail: (e: Error) => void }> = [];
  const r = ((hostname: string, { signal }: { signal: AbortSignal }) => {
    r.calls.push(hostname);
    r.signals.push(signal);
    return new Promise((ok, fail) => pending.push({ ok, fail }));
  }) as unknown as ReturnType<typeof manualResolver>;
  r.calls = [];
  r.signals = [];
  r.answer = (address) => pending.shift()!.ok({ address, family: 4 });
  r.fail = (code) => pending.shift()!.fail(Object.assign(new Error(code), { code }));
  return r;
}

describe('createStatsdLookup', () => {
  it('answers IP addresses without resolving (dgram binds through the lookup with 0.0.0.0)', async () => {
    const resolver = manualResolver();
    const lookup = createStatsdLookup({ resolver });
    expect(await ask(lookup, '0.0.0.0')).toEqual({ err: null, address: '0.0.0.0', family: 4 });
    expect(await ask(lookup, '::1', { family: 6, all: true })).toEqual({ err: null, address: [{ address: '::1', family: 6 }], family: undefined });
    expect(resolver.calls).toEqual([]);
  });

  it('shares one resolution among waiting callers and reuses the answer for ttlMs', async () => {
    const resolver = manualResolver();
    const lookup = createStatsdLookup({ resolver, ttlMs: 60_000 });
    const waiting = Promise.all(Array.from({ length: 50 }, () => ask(lookup, 'statsd.example')));
    resolver.answer('10.0.0.7');
    for (const a of await waiting) expect(a).toEqual({ err: null, address: '10.0.0.7', family: 4 });
    expect(await ask(lookup, 'statsd.example')).toMatchObject({ address: '10.0.0.7' });
    expect(resolver.calls).toEqual(['statsd.example']);
    expect(lookup.stats()).toEqual({ accepted: 51, delivered: 51, dropped: 0, failed: 0, pending: 0, resolutions: 1, failures: 0, timeouts: 0, cancelled: 0 });
  });

  it('answers a failure to every waiting caller, then again for failureTtlMs without resolving, then resolves again', async () => {
    const resolver = manualResolver();
    const lookup = createStatsdLookup({ resolver, failureTtlMs: 100 });
    const waiting = Promise.all([ask(lookup, 'statsd.example'), ask(lookup, 'statsd.example')]);
    resolver.fail('ENOTFOUND');
    for (const a of await waiting) expect(a.err?.code).toBe('ENOTFOUND');
    expect((await ask(lookup, 'statsd.example')).err?.code).toBe('ENOTFOUND');
    expect(resolver.calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 150));
    const again = ask(lookup, 'statsd.example');
    resolver.answer('10.0.0.8');
    expect(await again).toMatchObject({ err: null, address: '10.0.0.8' });
    expect(lookup.stats()).toMatchObject({ resolutions: 2, failures: 1 });
  });

  it('answers callers with ETIMEOUT after timeoutMs, and starts no second resolution while the first still runs', async () => {
    const resolver = manualResolver();
    const lookup = createStatsdLookup({ resolver, timeoutMs: 50, failureTtlMs: 0 });
    expect((await ask(lookup, 'statsd.example')).err?.code).toBe('ETIMEOUT');
    const second = ask(lookup, 'statsd.example');
    resolver.answer('10.0.0.9'); // the first resolution, late
    expect(await second).toMatchObject({ err: null, address: '10.0.0.9' });
    expect(resolver.calls).toHaveLength(1);
    expect(lookup.stats()).toMatchObject({ resolutions: 1, timeouts: 1 });
  });

  it('shutdown() cancels waiting callers and reports the calls: accepted = delivered + dropped + failed + pending', async () => {
    const resolver = manualResolver();
    const lookup = createStatsdLookup({ resolver });
    const waiting = Promise.all([ask(lookup, 'statsd.example'), ask(lookup, 'statsd.example')]);
    expect(lookup.stats()).toMatchObject({ accepted: 2, pending: 2 });
    const first = lookup.shutdown();
    expect(lookup.shutdown()).toBe(first);
    for (const a of await waiting) expect(a.err?.code).toBe('ECANCELLED');
    expect(await first).toMatchObject({ accepted: 2, delivered: 0, dropped: 2, failed: 0, pending: 0, cancelled: 2, timedOut: false });
  });

  it('close() (the deprecated name of shutdown) answers waiting and later callers with ECANCELLED and aborts the resolver', async () => {
    const resolver = manualResolver();
    const lookup = createStatsdLookup({ resolver });
    const waiting = Promise.all([ask(lookup, 'statsd.example'), ask(lookup, 'statsd.example', { family: 0 })]);
    lookup.close();
    lookup.close();
    for (const a of await waiting) expect(a.err?.code).toBe('ECANCELLED');
    expect(resolver.signals.every((s) => s.aborted)).toBe(true);
    expect((await ask(lookup, 'statsd.example')).err?.code).toBe('ECANCELLED');
    expect(lookup.stats()).toMatchObject({ cancelled: 3 });
  });

  it('with a c-ares Resolver: close() cancels the query in flight (DNS server on 127.0.0.1 that never answers); localhost needs no query', async () => {
    const server = dgram.createSocket('udp4');
    let queries = 0;
    server.on('message', () => queries++);
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    try {
      const resolver = new Resolver({ timeout: 30_000, tries: 1 });
      resolver.setServers([`127.0.0.1:${server.address().port}`]);
      const lookup = createStatsdLookup({ resolver });
      expect(await ask(lookup, 'localhost')).toEqual({ err: null, address: '127.0.0.1', family: 4 });
      const waiting = ask(lookup, 'statsd.example');
      while (queries === 0) await new Promise((r) => setTimeout(r, 5));
      lookup.close();
      expect((await waiting).err?.code).toBe('ECANCELLED');
    } finally {
      server.close();
    }
  });

  it('validates its options', () => {
    expect(() => createStatsdLookup({ resolver: 'dns' as never })).toThrow(MvxConfigError);
    expect(() => createStatsdLookup({ ttlMs: -1 })).toThrow(/ttlMs/);
    expect(() => createStatsdLookup({ timeoutMs: 1.5 })).toThrow(/timeoutMs/);
  });
});
