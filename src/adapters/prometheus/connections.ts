/**
 * The metrics server's connection cap with eviction, and its request and connection counters.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { reportDiagnostic } from '../../adapter-kit/index.ts';
import type { MetricsServerStats } from './server-options.ts';

/** Per-connection state: whether a request is in progress on it. */
interface ConnectionState {
  requests: number;
}

/**
 * The connection cap with eviction. Node's own `server.maxConnections` refuses new connections
 * once the cap is reached, so 300 clients trickling header bytes kept every scrape out until the
 * header time-out cut them off. Here a connection over the cap closes the oldest connection that
 * has no request in progress (one still sending its headers, or idle between keep-alive
 * requests); a real scrape sends its headers at once and is then safe. Connections are kept in a
 * Map, whose insertion order is their age.
 */
function report(code: string, message: string): void {
  reportDiagnostic({ component: 'PrometheusMetricsServer', code, message });
}

export function trackConnections(server: Server, max: number): { stats(): MetricsServerStats } {
  const open = new Map<Socket, ConnectionState>();
  let evicted = 0;
  let refused = 0;
  const requests = { accepted: 0, delivered: 0, dropped: 0, failed: 0 };
  server.on('connection', (socket: Socket) => {
    const state: ConnectionState = { requests: 0 };
    open.set(socket, state);
    socket.once('close', () => open.delete(socket));
    if (open.size <= max) return;
    for (const [other, s] of open) {
      if (other === socket) break;
      if (s.requests === 0) {
        evicted++;
        open.delete(other);
        other.destroy();
        report('server.connection_evicted', `connection cap (${max}) reached: closed the oldest connection without a request in progress`);
        return;
      }
    }
    refused++;
    open.delete(socket);
    socket.destroy();
    report('server.connection_refused', `connection cap (${max}) reached with a request in progress on every connection: refused a new one`);
  });
  server.on('request', (req, res) => {
    requests.accepted++;
    const state = open.get(req.socket);
    if (state !== undefined) state.requests++;
    res.once('close', () => {
      if (state !== undefined) state.requests--;
      if (!res.writableFinished || res.statusCode >= 500) requests.failed++;
      else if (res.statusCode >= 400) requests.dropped++;
      else requests.delivered++;
    });
  });
  return {
    stats: () => {
      const { accepted, delivered, dropped, failed } = requests;
      const pending = accepted - delivered - dropped - failed;
      return { accepted, delivered, dropped, failed, pending, openConnections: open.size, evictedConnections: evicted, refusedConnections: refused };
    },
  };
}
