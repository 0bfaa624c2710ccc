/**
 * A `node:http` request handler serving a prom-client registry.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzip } from 'node:zlib';
import promClient from 'prom-client';
import type { Registry } from 'prom-client';
import { checkBoolean, checkObjectWith, checkString, reportDiagnostic } from '../../adapter-kit/index.ts';
import { negotiateFormat, OPENMETRICS_TEXT, PROMETHEUS_TEXT, renderRegistry } from './exposition.ts';
import type { ExpositionFormat } from './exposition.ts';
import { bridgesOf } from './prometheus-bridge.ts';

const COMPONENT = 'PrometheusMetricsHandler';

/** Options of {@link createMetricsHandler}. */
export interface MetricsHandlerOptions {
  /** The registry to serve. @default prom-client's default `register` */
  registry?: Registry<any>;
  /** The path served; any query string is ignored. Other paths get 404. @default '/metrics' */
  path?: string;
  /**
   * Whether to serve OpenMetrics text to clients that prefer it in `Accept` (Prometheus does).
   * With `false`, the registry's own format is always served.
   * @default true
   */
  openMetrics?: boolean;
  /**
   * Whether to compress the body with gzip for clients that accept it (`Accept-Encoding: gzip`,
   * as Prometheus sends): `Content-Encoding: gzip`, the same exposition once decoded. @default true
   */
  gzip?: boolean;
}

/** A handler for `http.createServer` and frameworks that accept `(req, res)`. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Makes a handler serving `registry`:
 * - `GET` / `HEAD` on `path`: 200 with the exposition, in the Prometheus text format 0.0.4
 *   (`text/plain; version=0.0.4`) or, when the `Accept` header prefers it, OpenMetrics 1.0.0
 *   (`application/openmetrics-text; version=1.0.0`), by quality value; ties go to the registry's
 *   own content type. OpenMetrics carries exemplars, `# UNIT` and `_created` of the bridged metrics
 *   (see `renderRegistry`). Gzip-compressed when `Accept-Encoding` allows it (option `gzip`).
 *   `Vary: Accept, Accept-Encoding`, `Cache-Control: no-store`.
 * - other paths: 404; other methods on `path`: 405 with `Allow: GET, HEAD`.
 * - a failing scrape (a `collect()` or a metrics source throwing): 500 with a short text body;
 *   the error goes to the diagnostic channel, never into the response.
 *
 * Before each scrape the bridges registered in `registry` take their snapshot, so metrics a
 * source gained since the last scrape are in this one. Scrapes that arrive while one of the same
 * format is being rendered share its result, so a burst of requests costs one rendering.
 * The handler never throws.
 *
 * @throws MvxConfigError for an invalid option.
 * @example
 * ```ts
 * http.createServer(createMetricsHandler({ registry: register })).listen(9464, '127.0.0.1');
 * ```
 */
export function createMetricsHandler(options: MetricsHandlerOptions = {}): MetricsHandler {
  const registry = checkObjectWith<Registry<any>>('registry', options.registry ?? promClient.register, ['metrics'], 'a prom-client Registry');
  const path = checkString('path', options.path, { default: '/metrics', pattern: { regex: /^\/[^?#\s]*$/, text: "an absolute URL path such as '/metrics'" } });
  const negotiate = checkBoolean('openMetrics', options.openMetrics, true);
  const compress = checkBoolean('gzip', options.gzip, true);

  const inFlight = new Map<ExpositionFormat, Promise<string>>();

  const render = (format: ExpositionFormat, native: ExpositionFormat): Promise<string> => {
    let p = inFlight.get(format);
    if (p !== undefined) return p;
    p = (async () => {
      const bridges = bridgesOf(registry);
      try {
        await Promise.all(bridges.map((b) => b.prepareScrape()));
        return format === native ? await registry.metrics() : await renderRegistry(registry, format);
      } finally {
        for (const b of bridges) b.discardPrepared();
      }
    })();
    inFlight.set(format, p);
    const clear = (): void => {
      if (inFlight.get(format) === p) inFlight.delete(format);
    };
    p.then(clear, clear);
    return p;
  };

  return (req, res) => {
    try {
      // The body of a scrape request is never read; let it flow so the socket can be reused.
      req.resume();
      const reqPath = pathOf(req.url ?? '/');
      if (reqPath !== path) {
        send(res, 404, 'Not Found\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
        return;
      }
      const native: ExpositionFormat = registry.contentType === OPENMETRICS_TEXT ? 'openmetrics' : 'prometheus';
      const format = negotiate ? negotiateFormat(req.headers.accept, native) : native;
      render(format, native).then(
        (body) => {
          const headers = {
            'Content-Type': format === 'openmetrics' ? OPENMETRICS_TEXT : PROMETHEUS_TEXT,
            'Cache-Control': 'no-store',
            Vary: 'Accept, Accept-Encoding',
          };
          if (!compress || req.method === 'HEAD' || !acceptsGzip(req.headers['accept-encoding'])) {
            send(res, 200, req.method === 'HEAD' ? undefined : body, headers, Buffer.byteLength(body));
            return;
          }
          // zlib's thread pool: the event loop is not blocked by a large exposition.
          gzip(body, (error, zipped) => {
            if (error === null) send(res, 200, zipped, { ...headers, 'Content-Encoding': 'gzip' }, zipped.length);
            else {
              reportDiagnostic({ component: COMPONENT, code: 'gzip.failed', message: 'compressing a scrape failed; sent uncompressed', error });
              send(res, 200, body, headers, Buffer.byteLength(body));
            }
          });
        },
        (error: unknown) => {
          reportDiagnostic({ component: COMPONENT, code: 'scrape.failed', message: 'collecting metrics for a scrape failed; answered 500', error });
          send(res, 500, 'Internal Server Error: collecting metrics failed\n');
        },
      );
    } catch (error) {
      reportDiagnostic({ component: COMPONENT, code: 'request.failed', message: 'handling a metrics request failed', error });
      send(res, 500, 'Internal Server Error\n');
    }
  };
}

/**
 * Whether an `Accept-Encoding` header allows gzip (RFC 9110 §12.5.3): `gzip`, `x-gzip` or `*` with
 * a quality above 0, unless `gzip` itself is refused with `q=0`.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || header === '') return false;
  let gzipQ = -1;
  let anyQ = -1;
  for (const part of header.slice(0, 1024).split(',')) {
    const [rawCoding = '', ...params] = part.split(';');
    const coding = rawCoding.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const [k = '', v = ''] = param.split('=');
      if (k.trim().toLowerCase() === 'q') {
        const n = Number(v.trim());
        q = Number.isFinite(n) ? n : 0;
      }
    }
    if (coding === 'gzip' || coding === 'x-gzip') gzipQ = Math.max(gzipQ, q);
    else if (coding === '*') anyQ = Math.max(anyQ, q);
  }
  return gzipQ >= 0 ? gzipQ > 0 : anyQ > 0;
}

/** The path of a request target: origin form (`/metrics?x`) or absolute form (`http://h/metrics`). */
function pathOf(url: string): string | undefined {
  if (url.startsWith('/')) {
    const q = url.indexOf('?');
    return q < 0 ? url : url.slice(0, q);
  }
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer | undefined,
  headers: Record<string, string> = {},
  length: number = body === undefined ? 0 : Buffer.byteLength(body),
): void {
  try {
    if (res.headersSent || res.destroyed || res.writableEnded) return;
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      ...headers,
      'Content-Length': String(length),
    });
    res.end(body);
  } catch (error) {
    reportDiagnostic({ component: COMPONENT, code: 'response.failed', message: 'writing a metrics response failed', error });
  }
}
