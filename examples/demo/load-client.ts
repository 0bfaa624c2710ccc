/**
 * A bounded load client: drives the demo service with real HTTP requests (create, read, delete,
 * invalid input, missing documents, and clients that abort), at a target rate with a fixed
 * concurrency, for a fixed duration. It stops by itself, or earlier when its `signal` aborts
 * (requests in flight then finish normally).
 */
import { sleep } from './lifecycle.ts';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** How long to send requests, ms. */
  readonly durationMs: number;
  /** Target request rate, requests per second (all workers together). */
  readonly rate: number;
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** Share of requests the client aborts after `abortAfterMs` (0..1). */
  readonly abortRatio: number;
  readonly abortAfterMs: number;
  /** Called about once per second with the running tally. */
  readonly onProgress?: (tally: LoadTally, elapsedMs: number) => void;
  readonly random?: () => number;
  /** Stops sending new requests (Ctrl-C); the ones in flight finish. */
  readonly signal?: AbortSignal;
}

/** What the client saw, by kind of result. */
export interface LoadTally {
  sent: number;
  byStatus: Record<string, number>;
  aborted: number;
  networkErrors: number;
}

type Plan = { method: string; path: string; body?: string };

function pick(random: () => number, ids: string[]): string | undefined {
  return ids.length ? ids[Math.floor(random() * ids.length)] : undefined;
}

function planRequest(random: () => number, ids: string[]): Plan {
  const r = random();
  if (r < 0.35) {
    const size = Math.floor(200 + random() * 4000);
    return { method: 'POST', path: '/documents', body: JSON.stringify({ title: `doc ${size}`, content: 'x'.repeat(size) }) };
  }
  if (r < 0.4) return { method: 'POST', path: '/documents', body: JSON.stringify({ content: 'no title' }) }; // 400
  if (r < 0.42) return { method: 'POST', path: '/documents', body: '{not json' }; // 400
  if (r < 0.75) return { method: 'GET', path: `/documents/${pick(random, ids) ?? 'doc-0'}` };
  if (r < 0.8) return { method: 'GET', path: '/documents/doc-missing' }; // 404
  if (r < 0.92) return { method: 'DELETE', path: `/documents/${pick(random, ids) ?? 'doc-0'}` };
  return { method: 'GET', path: '/health' };
}

/** Runs the load; resolves with the tally when the duration is over and in-flight requests ended. */
export async function runLoad(options: LoadOptions): Promise<LoadTally> {
  const random = options.random ?? Math.random;
  const tally: LoadTally = { sent: 0, byStatus: {}, aborted: 0, networkErrors: 0 };
  const ids: string[] = [];
  const started = Date.now();
  const deadline = started + options.durationMs;
  const intervalMs = 1000 / Math.max(1, options.rate);
  let nextSendAt = started;
  let lastProgress = started;

  const one = async (): Promise<void> => {
    const plan = planRequest(random, ids);
    const controller = new AbortController();
    const abort = random() < options.abortRatio;
    const timer = abort ? setTimeout(() => controller.abort(), options.abortAfterMs) : undefined;
    tally.sent++;
    try {
      const res = await fetch(options.baseUrl + plan.path, {
        method: plan.method,
        body: plan.body,
        headers: plan.body ? { 'content-type': 'application/json' } : undefined,
        signal: controller.signal,
      });
      const text = await res.text();
      tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
      if (plan.method === 'POST' && res.status === 201) {
        const id = (JSON.parse(text) as { id: string }).id;
        ids.push(id);
        if (ids.length > 500) ids.splice(0, ids.length - 500);
      }
      if (plan.method === 'DELETE' && res.status === 204) {
        const i = ids.indexOf(plan.path.slice('/documents/'.length));
        if (i >= 0) ids.splice(i, 1);
      }
    } catch (err) {
      if ((err as Error).name === 'AbortError') tally.aborted++;
      else tally.networkErrors++;
    } finally {
      if (timer) clearTimeout(timer);
    }
  };

  const worker = async (): Promise<void> => {
    while (Date.now() < deadline && !options.signal?.aborted) {
      // Pace all workers together to the target rate.
      const now = Date.now();
      const wait = nextSendAt - now;
      nextSendAt = Math.max(nextSendAt, now) + intervalMs;
      if (wait > 0) await sleep(wait, options.signal);
      if (Date.now() >= deadline || options.signal?.aborted) break;
      await one();
      if (options.onProgress && Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        options.onProgress(tally, lastProgress - started);
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return tally;
}
