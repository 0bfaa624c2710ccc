/**
 * The demo service: a small document store over HTTP (create, read, delete), instrumented only
 * through mvx-common.
 *
 * - `logInvocation` (wrapper form: Node runs this file without a compiler) on the application
 *   handlers and on every storage method: `invoke` / `success` / `failed` / `cancelled` events
 *   with arguments, results, errors and durations, policy-gated.
 * - Metric events, one per request and one per stored or read payload: the metrics decide what
 *   to count (requests by route and outcome, latency, payload sizes).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { LogLevel, logInvocation } from 'mvx-common';
import type { LogContext, MetricsRecorder } from 'mvx-common';
import { DocumentStorage, StorageTimeoutError } from './storage.ts';
import type { StoredDocument } from './storage.ts';

/** How a request ended, as the metrics see it. */
export type RequestOutcome = 'success' | 'client_error' | 'not_found' | 'server_error' | 'timeout' | 'aborted';

/** The demo's metric events: facts, not counters. */
export type DemoMetricEvent =
  | {
      readonly type: 'http.request';
      readonly route: string;
      readonly method: string;
      readonly status: number;
      readonly outcome: RequestOutcome;
      /** Seconds. */
      readonly durationS: number;
      /** Bytes. */
      readonly requestBytes: number;
      readonly responseBytes: number;
    }
  | { readonly type: 'document_storage.payload'; readonly operation: 'put' | 'get'; readonly bytes: number }
  | { readonly type: 'document_storage.attempt'; readonly operation: string; readonly outcome: 'success' | 'failure' | 'timeout' | 'cancelled' };

/** An invalid request body: a 400, expected, logged without an error payload. */
export class ValidationError extends Error {
  readonly code = 'VALIDATION';
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** A missing document: a 404, expected. */
export class NotFoundError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(id: string) {
    super(`document ${id} not found`);
    this.name = 'NotFoundError';
  }
}

const MAX_CONTENT_BYTES = 64 * 1024;

/** Expected failures are logged as suppressed (no error payload, DEBUG), the rest in full. */
const EXPECTED_ERRORS = [
  { error: ValidationError, log: 'suppressed' as const },
  { error: NotFoundError, log: 'suppressed' as const },
];

/**
 * The storage, instrumented: each method is wrapped by `logInvocation`. The entity id comes from
 * `this.entityId`, the context from `this.logContext`.
 */
export class InstrumentedStorage {
  readonly entityId: string;
  readonly logContext: LogContext;
  readonly #inner: DocumentStorage;
  readonly #metrics: MetricsRecorder<DemoMetricEvent> | undefined;

  constructor(inner: DocumentStorage, logContext: LogContext, metrics?: MetricsRecorder<DemoMetricEvent>) {
    this.#inner = inner;
    this.entityId = inner.entityId;
    this.logContext = logContext;
    this.#metrics = metrics;
  }

  /** Emits the attempt fact for a storage call; the metric decides what to count. */
  async #attempt<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      const value = await run();
      this.#metrics?.emit({ type: 'document_storage.attempt', operation, outcome: 'success' });
      return value;
    } catch (err) {
      const outcome = err instanceof StorageTimeoutError ? 'timeout' : (err as Error)?.name === 'AbortError' ? 'cancelled' : 'failure';
      this.#metrics?.emit({ type: 'document_storage.attempt', operation, outcome });
      throw err;
    }
  }

  put = logInvocation<InstrumentedStorage>({
    event: 'storage.put',
    params: ['title', 'content', 'signal'],
    args: ['title', 'size=content.len()'],
    result: ['id'],
  })(async function put(this: InstrumentedStorage, title: string, content: string, signal?: AbortSignal): Promise<StoredDocument> {
    const doc = await this.#attempt('put', () => this.#inner.put(title, content, signal));
    this.#metrics?.emit({ type: 'document_storage.payload', operation: 'put', bytes: Buffer.byteLength(content) });
    return doc;
  });

  get = logInvocation<InstrumentedStorage>({
    event: 'storage.get',
    params: ['id', 'signal'],
    args: ['id'],
  })(async function get(this: InstrumentedStorage, id: string, signal?: AbortSignal): Promise<StoredDocument | undefined> {
    const doc = await this.#attempt('get', () => this.#inner.get(id, signal));
    if (doc) this.#metrics?.emit({ type: 'document_storage.payload', operation: 'get', bytes: Buffer.byteLength(doc.content) });
    return doc;
  });

  delete = logInvocation<InstrumentedStorage>({
    event: 'storage.delete',
    params: ['id', 'signal'],
    args: ['id'],
    result: true,
  })(async function remove(this: InstrumentedStorage, id: string, signal?: AbortSignal): Promise<boolean> {
    return this.#attempt('delete', () => this.#inner.delete(id, signal));
  });
}

/** The application handlers: HTTP-free, instrumented, throwing typed errors. */
export class DocumentHandlers {
  readonly logContext: LogContext;
  readonly #storage: InstrumentedStorage;

  constructor(storage: InstrumentedStorage, logContext: LogContext) {
    this.#storage = storage;
    this.logContext = logContext;
  }

  /**
   * Creates a document from a request body (JSON text). The body is untrusted until it is
   * validated, so the invoke event logs only what any body has (its size; the whole body at
   * `MAXIMUM` verbosity) and the title comes with the result: a field spec such as
   * `title=body.title` would claim a shape that invalid requests do not have.
   */
  create = logInvocation<DocumentHandlers>({
    event: 'documents.create',
    params: ['body', 'signal'],
    args: ['size=body.len()', 'MAXIMUM:body'],
    result: ['id', 'title'],
    errors: EXPECTED_ERRORS,
    levels: { success: LogLevel.INFO },
  })(async function create(this: DocumentHandlers, body: string, signal: AbortSignal): Promise<{ id: string; title: string }> {
    const { title, content } = parseNewDocument(body);
    const doc = await this.#storage.put(title, content, signal);
    return { id: doc.id, title: doc.title };
  });

  read = logInvocation<DocumentHandlers>({
    event: 'documents.read',
    params: ['id', 'signal'],
    args: ['id'],
    result: ['id', 'title'],
    errors: EXPECTED_ERRORS,
  })(async function read(this: DocumentHandlers, id: string, signal: AbortSignal): Promise<StoredDocument> {
    const doc = await this.#storage.get(id, signal);
    if (!doc) throw new NotFoundError(id);
    return doc;
  });

  remove = logInvocation<DocumentHandlers>({
    event: 'documents.delete',
    params: ['id', 'signal'],
    args: ['id'],
    errors: EXPECTED_ERRORS,
    levels: { success: LogLevel.INFO },
  })(async function remove(this: DocumentHandlers, id: string, signal: AbortSignal): Promise<void> {
    if (!(await this.#storage.delete(id, signal))) throw new NotFoundError(id);
  });
}

/** Validates a create request's body: a JSON object with a non-empty `title` and a string `content`. */
export function parseNewDocument(text: string): { title: string; content: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError('body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null) throw new ValidationError('body must be a JSON object');
  const { title, content } = body as { title?: unknown; content?: unknown };
  if (typeof title !== 'string' || title.trim() === '') throw new ValidationError('title is required');
  if (typeof content !== 'string') throw new ValidationError('content must be a string');
  if (Buffer.byteLength(content) > MAX_CONTENT_BYTES) throw new ValidationError(`content exceeds ${MAX_CONTENT_BYTES} bytes`);
  return { title, content };
}

/** Reads a request body up to `limit` bytes (a larger body is a `ValidationError`). */
export async function readBody(req: IncomingMessage, limit: number): Promise<{ text: string; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) throw new ValidationError(`request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes };
}

/** The HTTP status and request outcome of a failed request. */
export function statusOf(err: unknown): { status: number; outcome: RequestOutcome } {
  if (err instanceof ValidationError) return { status: 400, outcome: 'client_error' };
  if (err instanceof NotFoundError) return { status: 404, outcome: 'not_found' };
  if (err instanceof StorageTimeoutError) return { status: 504, outcome: 'timeout' };
  if ((err as Error)?.name === 'AbortError') return { status: 499, outcome: 'aborted' }; // nginx's "client closed request"
  return { status: 500, outcome: 'server_error' };
}

/** Options of {@link createDemoServer}. */
export interface DemoServerOptions {
  readonly log: LogContext;
  readonly metrics?: MetricsRecorder<DemoMetricEvent>;
  readonly storage?: DocumentStorage;
}

/** The HTTP server of the demo (not listening yet). */
export function createDemoServer(options: DemoServerOptions): { server: Server; storage: DocumentStorage } {
  const storage = options.storage ?? new DocumentStorage();
  const handlers = new DocumentHandlers(new InstrumentedStorage(storage, options.log.child('storage'), options.metrics), options.log.child('http'));
  const metrics = options.metrics;
  // One invocation per request around the whole handling: its span (with tracing on) is the parent
  // of the handler's and storage's spans, and it is active when the request's metric event is
  // emitted, so the latency histogram keeps exemplars pointing at request traces.
  const serve = logInvocation({
    event: 'request',
    context: options.log.child('http'),
    params: ['method', 'path', 'handle'],
    args: ['method', 'path'],
    levels: { invoke: LogLevel.DEBUG, success: LogLevel.DEBUG },
  })((_method: string, _path: string, handle: () => Promise<void>): Promise<void> => handle());

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const controller = new AbortController();
    // A client that goes away before the response is complete aborts the work it asked for.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new DOMException('client closed the request', 'AbortError'));
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let route = 'unknown';
    let requestBytes = 0;

    const finish = (status: number, outcome: RequestOutcome, body?: unknown): void => {
      const text = body === undefined ? '' : JSON.stringify(body);
      if (!res.destroyed && !res.headersSent) {
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
        res.end(text);
      }
      metrics?.emit({
        type: 'http.request',
        route,
        method,
        status,
        outcome,
        durationS: (performance.now() - started) / 1000,
        requestBytes,
        responseBytes: Buffer.byteLength(text),
      });
    };

    const run = async (): Promise<void> => {
      const match = /^\/documents\/([^/]+)$/.exec(url.pathname);
      if (url.pathname === '/health' && method === 'GET') {
        route = '/health';
        finish(200, 'success', { status: 'ok', documents: storage.size });
      } else if (url.pathname === '/documents' && method === 'POST') {
        route = '/documents';
        const { text, bytes } = await readBody(req, MAX_CONTENT_BYTES * 2);
        requestBytes = bytes;
        finish(201, 'success', await handlers.create(text, controller.signal));
      } else if (match && method === 'GET') {
        route = '/documents/:id';
        const doc = await handlers.read(decodeURIComponent(match[1]!), controller.signal);
        finish(200, 'success', doc);
      } else if (match && method === 'DELETE') {
        route = '/documents/:id';
        await handlers.remove(decodeURIComponent(match[1]!), controller.signal);
        finish(204, 'success');
      } else {
        finish(404, 'not_found', { error: 'no such route' });
      }
    };

    void serve(method, url.pathname, () =>
      run().catch((err: unknown) => {
        const { status, outcome } = statusOf(err);
        finish(status, outcome, { error: (err as Error)?.message ?? String(err) });
      }),
    );
  });
  return { server, storage };
}
