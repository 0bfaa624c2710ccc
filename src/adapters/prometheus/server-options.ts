/**
 * Options, counters and the handle of the metrics server.
 */
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { DeliveryStats, LifecycleOptions, LifecycleReport } from '../../adapter-kit/index.ts';

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
  /** Gzip the body for clients that accept it (`Accept-Encoding: gzip`). @default true */
  gzip?: boolean;
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
