/**
 * A minimal OTLP/HTTP receiver for tests: a real `node:http` server on 127.0.0.1 that collects
 * the JSON bodies POSTed to `/v1/logs`, `/v1/metrics` and `/v1/traces`, and can be told to answer
 * with an error status, to hang, or to answer late (fault tests).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type OtlpSignal = 'logs' | 'metrics' | 'traces';

/** How the receiver answers. */
export type ReceiverMode =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'slow'; delayMs: number };

export interface OtlpReceiver {
  readonly url: string;
  readonly port: number;
  /** Decoded JSON bodies accepted (answered 200), per signal. */
  readonly bodies: Record<OtlpSignal, unknown[]>;
  /** Requests seen, whatever the answer. */
  readonly requests: Record<OtlpSignal, number>;
  mode: ReceiverMode;
  /** Resolves when `predicate` holds, polling every 10 ms, or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Stops listening and destroys open connections (hanging ones included). */
  close(): Promise<void>;
}

/** Starts a receiver on `port` (0 = any free port) of 127.0.0.1. */
export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const bodies: Record<OtlpSignal, unknown[]> = { logs: [], metrics: [], traces: [] };
  const requests: Record<OtlpSignal, number> = { logs: 0, metrics: 0, traces: 0 };
  const hanging = new Set<ServerResponse>();
  const receiver = { mode: { kind: 'ok' } as ReceiverMode };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const signal = signalOf(req.url);
    if (req.method !== 'POST' || signal === undefined) {
      res.writeHead(404).end();
      return;
    }
    requests[signal]++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const mode = receiver.mode;
      if (mode.kind === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (mode.kind === 'status') {
        res.writeHead(mode.status, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const answer = (): void => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          bodies[signal].push(JSON.parse(text));
        } catch {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      };
      if (mode.kind === 'slow') setTimeout(answer, mode.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    bodies,
    requests,
    get mode() {
      return receiver.mode;
    },
    set mode(m: ReceiverMode) {
      receiver.mode = m;
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function signalOf(url: string | undefined): OtlpSignal | undefined {
  if (url === '/v1/logs') return 'logs';
  if (url === '/v1/metrics') return 'metrics';
  if (url === '/v1/traces') return 'traces';
  return undefined;
}
