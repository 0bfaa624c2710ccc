/**
 * A small HTTP server for the metrics endpoint.
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkInteger,
  checkMilliseconds,
  checkString,
  lifecycleReport,
  Once,
  reportDiagnostic,
  waitBounded,
  type LifecycleOptions,
  type LifecycleReport,
} from '../../adapter-kit/index.ts';
import { MvxError, MvxErrorCode } from '../../index.ts';
import { createMetricsHandler } from './metrics-handler.ts';
import type { MetricsServer, MetricsServerOptions, MetricsServerStats } from './server-options.ts';
import { trackConnections } from './connections.ts';

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
    ...(options.gzip !== undefined ? { gzip: options.gzip } : {}),
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
