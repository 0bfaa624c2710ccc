/**
 * The part of hot-shots' `StatsD` client the exporter uses, written structurally so that the
 * package does not load hot-shots (an optional peer dependency) and any compatible client fits.
 */

/** Tags as hot-shots takes them. */
export type StatsdTags = Record<string, string> | string[];

/**
 * The per-call options object of hot-shots (≥ 13). The exporter always passes `sampleRate: 1`, so
 * a client-wide `sampleRate` below 1 does not randomly drop its pre-aggregated values.
 */
export interface StatsdCallOptions {
  sampleRate?: number;
  tags?: StatsdTags;
}

/** A hot-shots `StatsD` client (17.x), or anything with the same methods. */
export interface StatsdClientLike {
  increment(stat: string, value: number, options?: StatsdCallOptions): void;
  gauge(stat: string, value: number, options?: StatsdCallOptions): void;
  timing(stat: string, value: number, options?: StatsdCallOptions): void;
  histogram?(stat: string, value: number, options?: StatsdCallOptions): void;
  distribution?(stat: string, value: number, options?: StatsdCallOptions): void;
  /** hot-shots ≥ 17: sends the buffer now; `cb` once it is handed to the transport. */
  flush?(callback?: (error?: Error) => void): void;
  /** Flushes, waits for in-flight sends (bounded by hot-shots) and closes the socket. */
  close?(callback?: (error?: Error) => void): void;
  /**
   * hot-shots reads this property when a send fails (buffered flushes, DNS errors, closed
   * sockets); the exporter wraps it to count and report failures, then calls the original.
   */
  errorHandler?: ((error: Error) => void) | undefined;
  /** The transport; the exporter listens for its `error` events while it runs. */
  socket?: unknown;
}
