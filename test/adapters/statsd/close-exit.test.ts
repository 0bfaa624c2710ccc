/**
 * Issue 13: StatsD with a host name that does not resolve. After `shutdown()` (formerly `close()`) resolves, nothing keeps
 * the process alive, and every failed send is counted. Real child processes (the property is the
 * process ending by itself); the host never reaches a real DNS resolver: the child resolves it
 * with an injected resolver that holds the event loop as getaddrinfo does, or with a c-ares
 * Resolver asking a DNS server on 127.0.0.1 that never answers.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, 'fixtures', 'close-child.ts');
/** Generous: the child needs a few hundred ms to start; the resolvers would hold it 60 s. */
const EXIT_DEADLINE_MS = 8_000;

interface Outcome {
  counts: { stats: { linesSent: number; sendErrors: number; timeouts: number }; lookup: { resolutions: number; cancelled: number; failures: number } };
  /** ms from the line printed after close() resolved to the process exit. */
  exitAfterCloseMs: number;
  code: number | null;
}

function run(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let closedAt = 0;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (closedAt === 0 && out.includes('\n')) closedAt = Date.now();
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const killer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(killer);
      if (closedAt === 0) return reject(new Error(`child ended (${code}) without closing: ${err}`));
      resolve({ counts: JSON.parse(out.split('\n')[0]!) as Outcome['counts'], exitAfterCloseMs: Date.now() - closedAt, code });
    });
  });
}

let dns: dgram.Socket;
let queries = 0;
beforeAll(async () => {
  // A DNS server that never answers.
  dns = dgram.createSocket('udp4');
  dns.on('message', () => queries++);
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', () => r()));
});
afterAll(() => new Promise<void>((r) => dns.close(() => r())));

describe('StatsdExporter.close() with a host that does not resolve (issue 13)', () => {
  it('a resolution that would hang for a minute: close() cancels it, counts every send, and the process ends by itself', async () => {
    const o = await run(['hang']);
    expect(o.code).toBe(0);
    expect(o.exitAfterCloseMs).toBeLessThan(EXIT_DEADLINE_MS);
    expect(o.counts.stats.linesSent).toBe(3);
    // Every line was one datagram waiting for the name: each failed and was counted.
    expect(o.counts.stats.sendErrors).toBe(3);
    // One resolution, shared by the three sends, cancelled at close() (the close bound was reached).
    expect(o.counts.lookup).toMatchObject({ resolutions: 1, cancelled: 3 });
    expect(o.counts.stats.timeouts).toBe(1);
  });

  it('a resolution that fails while close() waits: every send counted, close() within its bound, the process ends by itself', async () => {
    const o = await run(['fail']);
    expect(o.code).toBe(0);
    expect(o.exitAfterCloseMs).toBeLessThan(EXIT_DEADLINE_MS);
    expect(o.counts.stats).toMatchObject({ linesSent: 3, sendErrors: 3 });
    expect(o.counts.lookup).toMatchObject({ resolutions: 1, failures: 1, cancelled: 0 });
  });

  it('a real c-ares Resolver whose DNS server never answers: cancelled by close(), the process ends by itself', async () => {
    const before = queries;
    const o = await run(['resolver', String((dns.address()).port)]);
    expect(o.code).toBe(0);
    expect(o.exitAfterCloseMs).toBeLessThan(EXIT_DEADLINE_MS);
    expect(queries).toBeGreaterThan(before); // the query did go to our server
    expect(o.counts.stats).toMatchObject({ linesSent: 3, sendErrors: 3 });
    expect(o.counts.lookup).toMatchObject({ resolutions: 1, cancelled: 3 });
  });
});
