/**
 * Issue 13: an OTLP endpoint that hangs or refuses. `OtelLogSink.shutdown()` resolves at its bound;
 * afterwards the process must end by itself within the OTLP exporter's `timeoutMillis` (the export
 * in flight, the SDK's), not after every queued batch has waited its own time-out, and the counts
 * must be exact: emitted = exported + failed + dropped, nothing in flight at exit. Real child
 * processes, real OTLP/HTTP exporter, servers on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, 'fixtures', 'shutdown-child.ts');
/**
 * The documented bound after shutdown() resolves: the exporter's timeoutMillis (3 s in the child),
 * plus a generous margin for a loaded machine. Without abandoning, the SDK runs the ten batches one
 * export time-out after another: about 29 s against the hanging endpoint, 24 s against the refusing
 * one (retries within each export's 3 s).
 */
const EXIT_DEADLINE_MS = 3_000 + 4_000;

interface Outcome {
  exitAfterShutdownMs: number;
  counts: {
    sink: { emitted: number };
    exporter: { exported: number; failed: number; inFlight: number };
    dropped: number;
  };
}

function run(url: string, mode: 'abandon' | 'keep'): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, url, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let shutdownAt = 0;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (shutdownAt === 0 && out.includes('shutdown resolved\n')) shutdownAt = Date.now();
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const killer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || shutdownAt === 0 || line === undefined) return reject(new Error(`child exited with ${code}: ${out}\n${err}`));
      resolve({ exitAfterShutdownMs: Date.now() - shutdownAt, counts: JSON.parse(line) as Outcome['counts'] });
    });
  });
}

let hanging: Server;
let hangingUrl = '';
let refusingUrl = '';
beforeAll(async () => {
  // Reads the request, never answers.
  hanging = createServer((req) => req.resume());
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as net.AddressInfo).port}`;
  // A port nobody listens on: connections are refused.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  refusingUrl = `http://127.0.0.1:${(probe.address() as net.AddressInfo).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  hanging.closeAllConnections();
  await new Promise<void>((r) => hanging.close(() => r()));
});

describe('OtelLogSink.shutdown() against an OTLP endpoint that hangs or refuses (issue 13)', () => {
  for (const endpoint of ['hanging', 'refusing'] as const) {
    it(`${endpoint}: the process ends within the exporter's timeoutMillis after shutdown() resolves, with exact counts`, async () => {
      const o = await run(endpoint === 'hanging' ? hangingUrl : refusingUrl, 'abandon');
      expect(o.exitAfterShutdownMs).toBeLessThan(EXIT_DEADLINE_MS);
      const { sink, exporter, dropped } = o.counts;
      expect(sink.emitted).toBe(1000);
      expect(exporter.inFlight).toBe(0);
      expect(exporter.exported).toBe(0);
      expect(sink.emitted).toBe(exporter.exported + exporter.failed + dropped);
      expect(dropped).toBe(0);
    }, 90_000);
  }
});
