/**
 * The bounded load client of `npm run bench:service` (closed loop, as autocannon: `connections`
 * workers on keep-alive sockets, each sending its next request when the last one answered), the
 * once-a-second scraper, and the local OTLP/HTTP receiver. Node's http only, so every variant
 * meets exactly the same client.
 */
import { Agent, createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one load phase saw. */
export interface LoadResult {
  /** Responses received, by status code. */
  byStatus: Record<string, number>;
  completed: number;
  networkErrors: number;
  /** Latency of each response, ms (only when recording). */
  latencies: number[];
}

function send(agent: Agent, port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const CONTENT = 'lorem ipsum dolor sit amet '.repeat(10);

/**
 * Drives the service for `durationMs` with `connections` workers. Each worker repeats one cycle of
 * five requests: create a document, read it twice, delete it, read it again (404, an expected
 * failure). So every request is one handler call and one storage call, and the store stays small.
 * Latencies are recorded when `record` is set.
 */
export async function runLoad(port: number, connections: number, durationMs: number, record: boolean): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const result: LoadResult = { byStatus: {}, completed: 0, networkErrors: 0, latencies: [] };
  const end = performance.now() + durationMs;
  const one = async (method: string, path: string, body?: string): Promise<string> => {
    const t0 = performance.now();
    try {
      const { status, text } = await send(agent, port, method, path, body);
      if (record) result.latencies.push(performance.now() - t0);
      result.completed++;
      result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
      return text;
    } catch {
      result.networkErrors++;
      return '';
    }
  };
  const worker = async (w: number): Promise<void> => {
    let n = 0;
    while (performance.now() < end) {
      const created = await one('POST', '/documents', JSON.stringify({ title: `doc ${w}.${n++}`, content: CONTENT }));
      const id = (JSON.parse(created || '{}') as { id?: string }).id ?? 'none';
      const path = `/documents/${encodeURIComponent(id)}`;
      if (performance.now() >= end) break;
      await one('GET', path);
      if (performance.now() >= end) break;
      await one('GET', path);
      if (performance.now() >= end) break;
      await one('DELETE', path);
      if (performance.now() >= end) break;
      await one('GET', path);
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  agent.destroy();
  return result;
}

/** Scrapes `http://127.0.0.1:<port>/metrics` once a second until stopped; counts good scrapes. */
export function scrapeEverySecond(port: number): { stop(): Promise<{ ok: number; failed: number }> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const counts = { ok: 0, failed: 0 };
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = send(agent, port, 'GET', '/metrics').then(
      (r) => void (r.status === 200 && r.text.includes('# TYPE') ? counts.ok++ : counts.failed++),
      () => void counts.failed++,
    );
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      agent.destroy();
      return counts;
    },
  };
}

/** A local OTLP/HTTP receiver: accepts every POST, counts requests and bytes per path, answers `{}`. */
export async function startReceiver(): Promise<{ url: string; counts: Record<string, { requests: number; bytes: number }>; server: Server }> {
  const counts: Record<string, { requests: number; bytes: number }> = {};
  const server = createServer((req, res) => {
    const c = (counts[req.url ?? ''] ??= { requests: 0, bytes: 0 });
    c.requests++;
    req.on('data', (chunk: Buffer) => (c.bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts, server };
}

/** The p-th percentile (0..100) of `values` (sorted in place), nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))]!;
}
