/**
 * Issue 10, StatsD part: a host that does not resolve, a closed UDP port, a refused TCP connection
 * and a throwing user errorHandler are reported through diagnostics and stats, never thrown and
 * never an unhandled 'error' event (vitest fails the run on either).
 *
 * No real DNS resolver is asked (issue 13): the host that does not resolve fails in an injected
 * lookup, the socket's (`udpSocketOptions.lookup`, what dgram calls for every datagram) or, with
 * `cacheDns`, `dns.lookup` itself (what hot-shots calls then).
 */
import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { StatsD } from 'hot-shots';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { StatsdExporter } from '../../../src/adapters/statsd/index.ts';
import { FakeMetricsSource, numberSnapshot } from '../contract/fixtures/metric-source.ts';
import { useDiagnosticsCapture } from '../../support/diagnostics.ts';

const diagnostics = useDiagnosticsCapture();

function sourceWithValues(): FakeMetricsSource {
  const source = new FakeMetricsSource([], { flush: false });
  source.set([numberSnapshot('jobs', 'counter', [{ value: 5 }]), numberSnapshot('depth', 'gauge', [{ value: 1 }])]);
  return source;
}

const UNRESOLVABLE = 'statsd.unresolvable.test';

/** A lookup for dgram sockets: IP addresses as they are (dgram binds with 0.0.0.0), names fail. */
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
function failingLookup(hostname: string, _options: unknown, callback: LookupCallback): void {
  const ip = net.isIP(hostname);
  if (ip !== 0) return void process.nextTick(callback, null, hostname, ip);
  setImmediate(() => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 0));
}

/** A local lookup: localhost is 127.0.0.1, without the system resolver. */
function localLookup(hostname: string, _options: unknown, callback: LookupCallback): void {
  process.nextTick(callback, null, hostname === 'localhost' ? '127.0.0.1' : hostname, 4);
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

async function closedUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function closedTcpPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('StatsD faults', () => {
  for (const variant of [
    { name: 'unbuffered', options: { udpSocketOptions: { type: 'udp4' as const, lookup: failingLookup } } },
    { name: 'buffered', options: { maxBufferSize: 1432, udpSocketOptions: { type: 'udp4' as const, lookup: failingLookup } } },
    { name: 'buffered with cacheDns', options: { maxBufferSize: 1432, cacheDns: true } },
  ]) {
    it(`reports a host that does not resolve (${variant.name}, no user errorHandler)`, async () => {
      // With cacheDns, hot-shots resolves with dns.lookup itself (not through the socket).
      const spy = vi.spyOn(dns, 'lookup').mockImplementation(((hostname: string, ...rest: unknown[]) => {
        failingLookup(hostname, undefined, rest.at(-1) as Parameters<typeof failingLookup>[2]);
      }) as never);
      onTestFinished(() => spy.mockRestore());
      const client = new StatsD({ host: UNRESOLVABLE, port: 8125, ...variant.options });
      const exporter = new StatsdExporter({ client, source: sourceWithValues(), timeoutMs: 10_000 });
      await exporter.flush();
      await until(() => exporter.stats().sendErrors > 0);
      expect(exporter.stats().sendErrors).toBeGreaterThan(0);
      expect(exporter.stats().linesSent).toBe(2);
      const failures = diagnostics().list.filter((d) => d.code === 'statsd.send_failed');
      expect(failures.length).toBeGreaterThan(0);
      expect(String((failures[0]!.details as { code?: unknown }).code)).toBe('ENOTFOUND');
      // The exporter goes on: another push is accepted and reported the same way.
      await exporter.flush();
      await exporter.close();
    });
  }

  it('says once, at construction, when the client would look the host name up on every datagram', async () => {
    const udpSocketOptions = { type: 'udp4' as const, lookup: localLookup };
    const plain = new StatsdExporter({ client: new StatsD({ host: 'localhost', port: 8125, udpSocketOptions }), source: sourceWithValues() });
    const spy = vi.spyOn(dns, 'lookup').mockImplementation(((hostname: string, ...rest: unknown[]) => {
      localLookup(hostname, undefined, rest.at(-1) as Parameters<typeof localLookup>[2]);
    }) as never);
    onTestFinished(() => spy.mockRestore());
    const cached = new StatsdExporter({ client: new StatsD({ host: 'localhost', port: 8125, cacheDns: true }), source: sourceWithValues() });
    const ip = new StatsdExporter({ client: new StatsD({ host: '127.0.0.1', port: 8125 }), source: sourceWithValues() });
    const notes = diagnostics().list.filter((d) => d.code === 'statsd.dns_per_send');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.details).toEqual({ host: 'localhost' });
    await Promise.all([plain.close(), cached.close(), ip.close()]);
  });

  it("passes errors on to the user's own errorHandler, and survives it throwing", async () => {
    const seen: Error[] = [];
    const client = new StatsD({
      host: UNRESOLVABLE,
      udpSocketOptions: { type: 'udp4', lookup: failingLookup },
      errorHandler: (err) => {
        seen.push(err);
        throw new Error('handler bug');
      },
    });
    const exporter = new StatsdExporter({ client, source: sourceWithValues(), timeoutMs: 10_000 });
    await exporter.flush();
    await until(() => seen.length > 0 && diagnostics().list.some((d) => d.code === 'statsd.error_handler_threw'));
    expect(seen.length).toBeGreaterThan(0);
    expect(diagnostics().list.some((d) => d.code === 'statsd.error_handler_threw')).toBe(true);
    await exporter.close();
  });

  it('keeps going when a UDP port refuses (ICMP port unreachable is not reported on unconnected UDP)', async () => {
    const port = await closedUdpPort();
    const client = new StatsD({ host: '127.0.0.1', port });
    const exporter = new StatsdExporter({ client, source: sourceWithValues() });
    for (let i = 0; i < 5; i++) await exporter.flush();
    // Settle: any error the kernel did report would arrive within a few turns.
    await new Promise((r) => setTimeout(r, 100));
    const s = exporter.stats();
    expect(s.linesSent).toBe(1 + 5); // the counter once (it never changes again), the gauge every push
    expect(s.callErrors).toBe(0);
    await exporter.close();
  });

  it('reports a refused TCP connection', async () => {
    const port = await closedTcpPort();
    const client = new StatsD({ host: '127.0.0.1', port, protocol: 'tcp' });
    const exporter = new StatsdExporter({ client, source: sourceWithValues(), timeoutMs: 3000 });
    await exporter.flush();
    await until(() => exporter.stats().sendErrors > 0);
    expect(exporter.stats().sendErrors).toBeGreaterThan(0);
    expect(diagnostics().list.some((d) => d.code === 'statsd.send_failed')).toBe(true);
    // hot-shots 17.1.1 never calls close(cb) back once its TCP socket failed (it waits for a
    // 'close' event that already fired); the exporter's bound ends the wait.
    await exporter.close({ timeoutMs: 300 });
    expect(exporter.stats().timeouts).toBeLessThanOrEqual(1);
  });

  it('bounds flush() and close() when the client never calls back, and counts the time-out', async () => {
    const client = new StatsD({ host: '127.0.0.1', port: await closedUdpPort() });
    // A client whose flush never completes (as a stuck transport would).
    (client as unknown as { flush: (cb: () => void) => void }).flush = () => {};
    const exporter = new StatsdExporter({ client, source: sourceWithValues(), timeoutMs: 50 });
    await exporter.flush();
    expect(exporter.stats().timeouts).toBe(1);
    expect(diagnostics().list.some((d) => d.code === 'statsd.timeout')).toBe(true);
    await exporter.close({ timeoutMs: 50 });
    expect(exporter.stats().timeouts).toBe(2);
  });
});
