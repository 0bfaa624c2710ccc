/**
 * The demo's document service (examples/demo/service.ts) written the way users instrument a
 * service by hand today: the same routes, storage, validation and status codes, with the
 * instrumentation behind a {@link Hooks} object. With {@link NO_HOOKS} it is the uninstrumented
 * service (each hook is a direct call, a few ns); `hooks-pino.ts` and `hooks-otel.ts` log, count
 * and trace the same information as the demo's `logInvocation` wrappers and metric events.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { NotFoundError, ValidationError, parseNewDocument, readBody, statusOf } from '../../examples/demo/service.ts';
import type { RequestOutcome } from '../../examples/demo/service.ts';
import { StorageTimeoutError } from '../../examples/demo/storage.ts';
import type { DocumentStorage, StoredDocument } from '../../examples/demo/storage.ts';

/** One instrumented call, as the demo's logInvocation options describe it. */
export interface CallSpec {
  /** Event name, e.g. `documents.create`. */
  readonly event: string;
  /** `http` or `storage` (the demo's child namespaces). */
  readonly namespace: 'http' | 'storage';
  readonly functionName: string;
  readonly entityId?: string;
  /** Level of a success: 'debug' or 'info' (the demo's `levels.success`). */
  readonly successLevel: 'debug' | 'info';
}

/** What the instrumentation sees. */
export interface Hooks {
  /** Runs `fn` as one instrumented call: invoke event with `args`, then success (with `result(value)`) or failed. */
  call<T>(spec: CallSpec, args: Record<string, unknown>, fn: () => Promise<T>, result?: (value: T) => Record<string, unknown> | undefined): Promise<T>;
  /** One finished HTTP request (the demo's `http.request` metric event). */
  request(route: string, method: string, status: number, outcome: RequestOutcome, durationS: number, requestBytes: number, responseBytes: number): void;
  /** One storage attempt and its outcome (`document_storage.attempt`). */
  attempt(operation: string, outcome: 'success' | 'failure' | 'timeout' | 'cancelled'): void;
  /** A payload stored or read (`document_storage.payload`), bytes. */
  payload(operation: 'put' | 'get', bytes: number): void;
}

/** The uninstrumented service's hooks: direct calls. */
export const NO_HOOKS: Hooks = {
  call: (_spec, _args, fn) => fn(),
  request: () => {},
  attempt: () => {},
  payload: () => {},
};

/** Expected failures (the demo logs them suppressed, without the error). */
export function isExpected(err: unknown): boolean {
  return err instanceof ValidationError || err instanceof NotFoundError;
}

const MAX_CONTENT_BYTES = 64 * 1024;
const spec = (event: string, namespace: 'http' | 'storage', functionName: string, successLevel: 'debug' | 'info' = 'debug', entityId?: string): CallSpec =>
  entityId === undefined ? { event, namespace, functionName, successLevel } : { event, namespace, functionName, successLevel, entityId };

function attemptOutcome(err: unknown): 'failure' | 'timeout' | 'cancelled' {
  return err instanceof StorageTimeoutError ? 'timeout' : (err as Error)?.name === 'AbortError' ? 'cancelled' : 'failure';
}

/** The demo service's HTTP server with `hooks` as its instrumentation (not listening yet). */
export function createHandService(storage: DocumentStorage, hooks: Hooks): Server {
  const entity = storage.entityId;
  const S = {
    put: spec('storage.put', 'storage', 'put', 'debug', entity),
    get: spec('storage.get', 'storage', 'get', 'debug', entity),
    del: spec('storage.delete', 'storage', 'remove', 'debug', entity),
    create: spec('documents.create', 'http', 'create', 'info'),
    read: spec('documents.read', 'http', 'read'),
    remove: spec('documents.delete', 'http', 'remove', 'info'),
    // The demo's one invocation per request around the whole handling (its span is the parent).
    request: spec('request', 'http', 'serve'),
  };
  async function attempt<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      const value = await run();
      hooks.attempt(operation, 'success');
      return value;
    } catch (err) {
      hooks.attempt(operation, attemptOutcome(err));
      throw err;
    }
  }
  const put = (title: string, content: string, signal: AbortSignal): Promise<StoredDocument> =>
    hooks.call(S.put, { title, size: content.length }, async () => {
      const doc = await attempt('put', () => storage.put(title, content, signal));
      hooks.payload('put', Buffer.byteLength(content));
      return doc;
    }, (doc) => ({ id: doc.id }));
  const get = (id: string, signal: AbortSignal): Promise<StoredDocument | undefined> =>
    hooks.call(S.get, { id }, async () => {
      const doc = await attempt('get', () => storage.get(id, signal));
      if (doc) hooks.payload('get', Buffer.byteLength(doc.content));
      return doc;
    });
  const del = (id: string, signal: AbortSignal): Promise<boolean> =>
    hooks.call(S.del, { id }, () => attempt('delete', () => storage.delete(id, signal)), (ok) => ({ result: ok }));

  const create = (body: string, signal: AbortSignal): Promise<{ id: string; title: string }> =>
    hooks.call(S.create, { size: body.length }, async () => {
      const { title, content } = parseNewDocument(body);
      const doc = await put(title, content, signal);
      return { id: doc.id, title: doc.title };
    }, (r) => ({ id: r.id, title: r.title }));
  const read = (id: string, signal: AbortSignal): Promise<StoredDocument> =>
    hooks.call(S.read, { id }, async () => {
      const doc = await get(id, signal);
      if (!doc) throw new NotFoundError(id);
      return doc;
    }, (d) => ({ id: d.id, title: d.title }));
  const remove = (id: string, signal: AbortSignal): Promise<void> =>
    hooks.call(S.remove, { id }, async () => {
      if (!(await del(id, signal))) throw new NotFoundError(id);
    });

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const controller = new AbortController();
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
      hooks.request(route, method, status, outcome, (performance.now() - started) / 1000, requestBytes, Buffer.byteLength(text));
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
        finish(201, 'success', await create(text, controller.signal));
      } else if (match && method === 'GET') {
        route = '/documents/:id';
        finish(200, 'success', await read(decodeURIComponent(match[1]!), controller.signal));
      } else if (match && method === 'DELETE') {
        route = '/documents/:id';
        await remove(decodeURIComponent(match[1]!), controller.signal);
        finish(204, 'success');
      } else {
        finish(404, 'not_found', { error: 'no such route' });
      }
    };
    void hooks.call(S.request, { method, path: url.pathname }, () =>
      run().catch((err: unknown) => {
        const { status, outcome } = statusOf(err);
        finish(status, outcome, { error: (err as Error)?.message ?? String(err) });
      }),
    );
  });
}
