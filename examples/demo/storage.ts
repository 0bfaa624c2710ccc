/**
 * The demo's document storage: an in-memory map behind simulated latency, occasional slow calls
 * and a time-out, cancellable with an AbortSignal. It stands in for a database or a blob store.
 */

/** A stored document. */
export interface StoredDocument {
  readonly id: string;
  readonly title: string;
  readonly content: string;
  readonly createdAt: string;
}

/** Thrown when the storage does not answer within its time-out. */
export class StorageTimeoutError extends Error {
  readonly code = 'STORAGE_TIMEOUT';
  constructor(operation: string, timeoutMs: number) {
    super(`storage ${operation} timed out after ${timeoutMs} ms`);
    this.name = 'StorageTimeoutError';
  }
}

/** Latency model of the simulated storage. */
export interface StorageLatency {
  /** Typical latency range, ms. */
  readonly minMs: number;
  readonly maxMs: number;
  /** Share of calls that are slow (0..1) and how slow, ms. */
  readonly slowRatio: number;
  readonly slowMs: number;
  /** Calls taking longer than this fail with StorageTimeoutError, ms. */
  readonly timeoutMs: number;
}

export const DEFAULT_LATENCY: StorageLatency = { minMs: 1, maxMs: 15, slowRatio: 0.02, slowMs: 400, timeoutMs: 250 };

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class DocumentStorage {
  readonly entityId: string;
  readonly #docs = new Map<string, StoredDocument>();
  readonly #latency: StorageLatency;
  readonly #random: () => number;
  #nextId = 1;

  constructor(options: { name?: string; latency?: StorageLatency; random?: () => number } = {}) {
    this.entityId = options.name ?? 'documents';
    this.#latency = options.latency ?? DEFAULT_LATENCY;
    this.#random = options.random ?? Math.random;
  }

  /** Number of stored documents. */
  get size(): number {
    return this.#docs.size;
  }

  async #simulate(operation: string, signal?: AbortSignal): Promise<void> {
    const l = this.#latency;
    const slow = this.#random() < l.slowRatio;
    const ms = slow ? l.slowMs : l.minMs + this.#random() * (l.maxMs - l.minMs);
    if (ms > l.timeoutMs) {
      await delay(l.timeoutMs, signal);
      throw new StorageTimeoutError(operation, l.timeoutMs);
    }
    await delay(ms, signal);
  }

  async put(title: string, content: string, signal?: AbortSignal): Promise<StoredDocument> {
    await this.#simulate('put', signal);
    const doc: StoredDocument = { id: `doc-${this.#nextId++}`, title, content, createdAt: new Date().toISOString() };
    this.#docs.set(doc.id, doc);
    return doc;
  }

  async get(id: string, signal?: AbortSignal): Promise<StoredDocument | undefined> {
    await this.#simulate('get', signal);
    return this.#docs.get(id);
  }

  async delete(id: string, signal?: AbortSignal): Promise<boolean> {
    await this.#simulate('delete', signal);
    return this.#docs.delete(id);
  }

  /** Some stored ids (for the load client to read and delete). */
  sampleIds(n: number): string[] {
    const out: string[] = [];
    for (const id of this.#docs.keys()) {
      if (out.length >= n) break;
      out.push(id);
    }
    return out;
  }
}
