/**
 * A small HTTP server for the metrics endpoint.
 * @module
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Registry } from 'prom-client';
import {
  checkInteger,
  checkMilliseconds,
  checkString,
  lifecycleReport,
  Once,
  reportDiagnostic,
  waitBounded,
  type DeliveryStats,
  type LifecycleOptions,
  type LifecycleReport,
} from '../../adapter-kit/index.ts';
import { MvxError, MvxErrorCode } from '../../index.ts';
import { createMetricsHandler } from './metrics-handler.ts';

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** Interface to listen on. Loopback by default: expose it deliberately. @default '127.0.0.1' */
  host?: string;
  /** TCP port; `0` picks a free one (read it from the result). @default 9464 (the port OpenTelemetry's Prometheus exporter uses) */
  port?: number;
  /** Path served. @default '/metrics' */
  path?: string;
  /** Registry served. @default prom-client's default `register` */
  registry?: Registry<any>;
  /** Serve OpenMetrics to clients that prefer it. @default true */
  openMetrics?: boolean;
  /** Time a client has to send the request headers, in ms (Node `server.headersTimeout`). @default 10000 */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request, in ms (Node `server.requestTimeout`). @default 30000 */
  requestTimeoutMs?: number;
  /** Idle time after which a keep-alive connection is closed, in ms. @default 5000 */
  keepAliveTimeoutMs?: number;
  /**
   * Most simultaneous connections. A connection over the cap makes room by closing the oldest
   * connection that has no request in progress (a client still sending its headers, or an idle
   * keep-alive connection), so slow clients cannot lock scrapes out; when every connection has a
   * request in progress, the new one is refused. Both are counted in {@link MetricsServer.stats}.
   * @default 256
   */
  maxConnections?: number;
  /** How long `close()` lets requests in progress finish before it closes their connections, in ms. @default 2000 */
  closeTimeoutMs?: number;
}

/**
 * Counters of a {@link MetricsServer}: requests (`accepted = delivered + dropped + failed +
 * pending`) and connections.
 */
export interface MetricsServerStats extends DeliveryStats {
  /** Requests received. */
  readonly accepted: number;
  /** Requests answered with a 2xx or 3xx status (scrapes served). */
  readonly delivered: number;
  /** Requests refused with a 4xx status (another path, another method). */
  readonly dropped: number;
  /** Requests answered 5xx (a failing scrape), or whose response was cut (the client went away, the server closed). */
  readonly failed: number;
  /** Requests in progress. */
  readonly pending: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** Connections closed to make room under `maxConnections` (no request was in progress on them). */
  readonly evictedConnections: number;
  /** Connections refused because every connection under `maxConnections` had a request in progress. */
  readonly refusedConnections: number;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The scrape URL, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  readonly host: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** Request and connection counters since the start. */
  stats(): MetricsServerStats;
  /** Nothing to deliver (scrapes are answered as they come): resolves at once with the counters. */
  flush(options?: LifecycleOptions): Promise<MetricsServerStats & LifecycleReport>;
  /**
   * Stops accepting connections, closes idle ones, lets requests in progress finish for at most
   * `timeoutMs` (default: `closeTimeoutMs`), then closes the rest (`timedOut: true`). Idempotent:
   * the same promise on every call (the first call's bound applies); never rejects.
   */
  shutdown(options?: LifecycleOptions): Promise<MetricsServerStats & LifecycleReport>;
  /** @deprecated Use `shutdown()` (same effect, kept for one release). */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server answering with {@link createMetricsHandler} (404 elsewhere, 405 for other
 * methods). Timeouts are set so slow or stalled clients cannot hold it (`headersTimeout`,
 * `requestTimeout`, keep-alive and idle socket timeouts), and the connection cap makes room for a
 * new connection by closing the oldest one without a request in progress, so a scrape gets through
 * while slow clients fill the cap (slowloris); oversized headers are refused by Node (431) before
 * the handler runs.
 *
 * @returns once the server listens.
 * @throws MvxConfigError for an invalid option; MvxError `MVX_STARTUP` naming `host:port` when it
 *   cannot listen (for example `EADDRINUSE`: the port is taken), with the system error as `cause`.
 * @example
 * ```ts
 * const server = await startMetricsServer({ registry: register });
 * console.log(`metrics at ${server.url}`);
 * process.on('SIGTERM', () => void server.close());
 * ```
 */
export async function startMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const host = checkString('host', options.host, { default: '127.0.0.1', nonEmpty: true });
  const port = checkInteger('port', options.port, { min: 0, max: 65_535, default: 9464 });
  const headersTimeout = checkMilliseconds('headersTimeoutMs', options.headersTimeoutMs, { default: 10_000 });
  const requestTimeout = checkMilliseconds('requestTimeoutMs', options.requestTimeoutMs, { default: 30_000 });
  const keepAliveTimeout = checkMilliseconds('keepAliveTimeoutMs', options.keepAliveTimeoutMs, { default: 5_000 });
  const closeTimeout = checkMilliseconds('closeTimeoutMs', options.closeTimeoutMs, { default: 2_000 });
  const maxConnections = checkInteger('maxConnections', options.maxConnections, { min: 1, default: 256 });

  const handler = createMetricsHandler({
    ...(options.registry !== undefined ? { registry: options.registry } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.openMetrics !== undefined ? { openMetrics: options.openMetrics } : {}),
  });
  const server = createServer(
    {
      // Node checks headers/request time-outs on this period; a short one enforces them closely.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(Math.min(headersTimeout || 1_000, requestTimeout || 1_000) / 2))),
      headersTimeout: headersTimeout === 0 ? 0 : Math.min(headersTimeout, requestTimeout || headersTimeout),
      requestTimeout,
      keepAliveTimeout,
    },
    handler,
  );
  const connections = trackConnections(server, maxConnections);
  // A socket with no traffic at all for this long is dropped (a stalled client after its request).
  server.setTimeout(Math.max(requestTimeout, headersTimeout, keepAliveTimeout) || 60_000);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Malformed requests, header overflows, time-outs: answer if possible, never crash.
    if (socket.writable && !socket.destroyed) {
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const why = error.code === 'EADDRINUSE' ? 'the address is already in use (another process listens on this port)' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new MvxError(MvxErrorCode.STARTUP, `cannot start the metrics server on ${host}:${port}: ${why}`, { cause: error, details: { host, port, code: error.code } }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  server.on('error', (error) => {
    reportDiagnostic({ component: 'PrometheusMetricsServer', code: 'server.error', message: 'the metrics server reported an error', error });
  });

  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const closed = new Promise<void>((resolve) => server.once('close', resolve));
  const shutdown = new Once(async (timeoutMs: number): Promise<MetricsServerStats & LifecycleReport> => {
    server.close();
    server.closeIdleConnections();
    const inTime = await waitBounded(closed, { timeoutMs });
    if (inTime.status === 'timeout') {
      // Requests still in progress at the bound: their connections are closed.
      server.closeAllConnections();
      await closed;
    }
    return lifecycleReport(connections.stats(), inTime.status === 'timeout');
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${bound}${options.path ?? '/metrics'}`,
    host,
    port: bound,
    server,
    stats: () => connections.stats(),
    flush: () => Promise.resolve(lifecycleReport(connections.stats(), false)),
    shutdown: (o: LifecycleOptions = {}) => shutdown.call(o.timeoutMs ?? closeTimeout),
    close: () => (closing ??= shutdown.call(closeTimeout).then(() => undefined)),
  };
}

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
function trackConnections(server: Server, max: number): { stats(): MetricsServerStats } {
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

function report(code: string, message: string): void {
  reportDiagnostic({ component: 'PrometheusMetricsServer', code, message });
}
