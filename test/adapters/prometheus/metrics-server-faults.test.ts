/**
 * Issue 10, Prometheus endpoint faults: thousands of malformed, slow or oversized requests leave
 * the metrics server serving correct scrapes. Raw sockets, so the requests can be as broken as a
 * real client can make them.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import promClient, { Registry } from 'prom-client';
import { createPrometheusBridge, startMetricsServer } from '../../../src/adapters/prometheus/index.ts';
import type { MetricsServer } from '../../../src/adapters/prometheus/index.ts';
import { configureDiagnostics } from '../../../src/core/diagnostics.ts';
import { CounterMetric } from '../../../src/core/metrics/instruments/counter-metric.ts';
import { AsyncMetricsRecorder } from '../../../src/core/metrics/recorder/async-metrics-recorder.ts';

configureDiagnostics({ stderr: 'off' });

interface RawReply {
  /** Status code of the first response, 0 if none. */
  status: number;
  text: string;
  /** Whether the server ended the connection (rather than our safety cap). */
  closedByServer: boolean;
}

const SAFETY_CAP_MS = 15_000;

/** Sends `chunks` over a fresh connection, optionally stalling after them, and reads until close. */
function raw(port: number, chunks: Array<string | Buffer>, endAfterWrite: boolean): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(cap);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text, closedByServer });
    };
    const cap = setTimeout(() => finish(false), SAFETY_CAP_MS);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      if (text.length < 1_000_000) text += d;
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (endAfterWrite) socket.end();
    });
  });
}

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;

type Kind = 'scrape' | 'badMethod' | 'badPath' | 'garbageLine' | 'binary' | 'slowHeaders' | 'oversizedHeaders' | 'shortBody' | 'badContentLength' | 'hugeUrl';
const KINDS: Kind[] = ['scrape', 'badMethod', 'badPath', 'garbageLine', 'binary', 'slowHeaders', 'oversizedHeaders', 'shortBody', 'badContentLength', 'hugeUrl'];

function requestFor(kind: Kind, i: number): { chunks: Array<string | Buffer>; end: boolean } {
  switch (kind) {
    case 'scrape':
      return { chunks: [get('/metrics', i % 2 ? 'Accept: application/openmetrics-text\r\n' : '')], end: false };
    case 'badMethod':
      return { chunks: [`${['DELETE', 'PUT', 'POST', 'PATCH', 'OPTIONS'][i % 5]} /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`], end: false };
    case 'badPath':
      return { chunks: [get(['/', '/metricsx', '/../etc/passwd', '/%00', '/metrics/'][i % 5]!)], end: false };
    case 'garbageLine':
      return { chunks: [['GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET /metrics HTTP/9.9\r\n\r\n', '\r\n\r\n\r\n', 'G E T / H T T P\r\n\r\n'][i % 5]!], end: true };
    case 'binary': {
      const b = Buffer.alloc(64 + (i % 200));
      for (let j = 0; j < b.length; j++) b[j] = (i * 31 + j * 17) & 0xff;
      return { chunks: [b], end: true };
    }
    case 'slowHeaders':
      // Slowloris: a request line and part of the headers, then nothing.
      return { chunks: ['GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '], end: false };
    case 'oversizedHeaders':
      return { chunks: [get('/metrics', `X-Big: ${'a'.repeat(20_000 + (i % 1000))}\r\n`)], end: false };
    case 'shortBody':
      // Announces a body it never finishes sending.
      return { chunks: ['POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nonly-this'], end: false };
    case 'badContentLength':
      return { chunks: ['GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'], end: false };
    case 'hugeUrl':
      return { chunks: [get(`/metrics?${'q'.repeat(30_000)}`)], end: false };
  }
}

describe('metrics server under malformed, slow and oversized requests', () => {
  const registry = new Registry();
  const recorder = new AsyncMetricsRecorder<{ type: string; route: string }>();
  let server: MetricsServer;

  beforeAll(async () => {
    recorder.registerMetric(new CounterMetric({ name: 'api.calls', eventTypes: 'call', attributes: ['route'] }));
    for (let i = 0; i < 30; i++) recorder.emit({ type: 'call', route: `/r${i % 3}` });
    new promClient.Counter({ name: 'legacy_total', help: 'hand-written', registers: [registry] }).inc(5);
    createPrometheusBridge(recorder, { registry });
    server = await startMetricsServer({ port: 0, registry, headersTimeoutMs: 500, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 500, maxConnections: 512 });
  });

  afterAll(async () => {
    await server?.shutdown();
    registry.clear();
  });

  it('answers 2,000 bad requests as it should and still serves correct scrapes afterwards', async () => {
    const TOTAL = 2_000;
    const CONCURRENCY = 64;
    const results = new Map<Kind, Array<RawReply & { blankLinesOnly: boolean }>>(KINDS.map((k) => [k, []]));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const i = next++;
        const kind = KINDS[i % KINDS.length]!;
        const { chunks, end } = requestFor(kind, i);
        const blankLinesOnly = chunks.every((c) => typeof c === 'string' && /^(\r\n)+$/.test(c));
        results.get(kind)!.push({ ...(await raw(server.port, chunks, end)), blankLinesOnly });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const statuses = (k: Kind): number[] => [...new Set(results.get(k)!.map((r) => r.status))].sort();
    expect(results.get('scrape')!.length).toBe(TOTAL / KINDS.length);
    // Scrapes interleaved with the abuse were all answered, with the right values.
    for (const r of results.get('scrape')!) {
      expect(r.status).toBe(200);
      expect(r.text).toContain('api_calls_total{route="/r0"} 10');
      expect(r.text).toContain('legacy_total 5');
    }
    expect(statuses('badMethod')).toEqual([405]);
    expect(statuses('badPath')).toEqual([404]);
    expect(statuses('oversizedHeaders')).toEqual([431]);
    expect(statuses('hugeUrl')).toEqual([431]);
    expect(statuses('badContentLength')).toEqual([400]);
    // Garbage gets a 400 or a closed connection, never a hang or a 200. Blank lines alone are not
    // garbage but a request not begun yet (RFC 9112 §2.2: a server ignores empty lines before the
    // request line): when the header time-out passes before the server has read the client's
    // half-close (a loaded machine), 408 is the right answer (RFC 9110 §15.5.9), as for a stalled
    // client. That case once flaked here with 408 under full-suite load.
    for (const k of ['garbageLine', 'binary'] as const) {
      for (const r of results.get(k)!) {
        expect(r.closedByServer).toBe(true);
        expect(r.blankLinesOnly ? [0, 400, 408] : [0, 400]).toContain(r.status);
      }
    }
    // Stalled clients are cut off by the server (header and request time-outs), not by our cap.
    for (const k of ['slowHeaders', 'shortBody'] as const) {
      for (const r of results.get(k)!) expect(r.closedByServer).toBe(true);
    }

    // Afterwards: a clean scrape, identical to the registry's own rendering.
    const after = await raw(server.port, [get('/metrics')], false);
    expect(after.status).toBe(200);
    const body = after.text.slice(after.text.indexOf('\r\n\r\n') + 4);
    expect(body).toBe(await registry.metrics());
    // And no connection is left behind (bounded wait for the last sockets to close).
    let open = -1;
    for (let tries = 0; tries < 100; tries++) {
      open = await new Promise<number>((r) => server.server.getConnections((_e, n) => r(n)));
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(open).toBe(0);
  }, 120_000);
});
