/**
 * Delivery accounting for the demo's OTLP exporters: a wrapper that counts what each export
 * carried and how it ended, and one summary line per exporter. The SDK's batch processors and
 * readers lose failed exports without a trace (unless self-observability metrics are on); these
 * counts let the summary say what was delivered, what failed and why.
 * (For logs, mvx-common ships the same idea as `CountingLogRecordExporter`.)
 */

/** `ExportResult` of `@opentelemetry/core`: `code` 0 = SUCCESS, 1 = FAILED. */
interface ExportResultLike {
  code: number;
  error?: Error;
}

interface ExporterLike<I> {
  export(items: I, resultCallback: (result: ExportResultLike) => void): void;
}

/** Counts of one counted exporter. */
export interface ExportTally {
  /** Items (spans, data points) whose export succeeded. */
  delivered: number;
  /** Items whose export failed. */
  failed: number;
  /** Items handed to the exporter whose result is not in yet. */
  inFlight: number;
  /** Export calls, and how many of them failed. */
  exports: number;
  failedExports: number;
  /** Why the last failed export failed. */
  lastError: string | undefined;
}

/** The reason of a failed export, in one short line (the error's message and its cause's code). */
export function reasonOf(error: unknown): string {
  if (error === undefined || error === null) return 'no reason given';
  const e = error as { message?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  const code = e.cause?.code ?? e.code;
  const text = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  return text.split('\n')[0]!.slice(0, 160);
}

/**
 * Wraps `inner` so that every export is counted, `sizeOf(items)` items at a time. Everything else
 * (shutdown, forceFlush, the metric exporter's temporality and aggregation selectors) is
 * forwarded to the wrapped exporter unchanged.
 */
export function countExports<E extends ExporterLike<I>, I>(inner: E, sizeOf: (items: I) => number): { exporter: E; tally: ExportTally } {
  const tally: ExportTally = { delivered: 0, failed: 0, inFlight: 0, exports: 0, failedExports: 0, lastError: undefined };
  const exportCounted = (items: I, resultCallback: (result: ExportResultLike) => void): void => {
    const n = sizeOf(items);
    tally.exports++;
    tally.inFlight += n;
    let done = false;
    const finish = (result: ExportResultLike): void => {
      if (done) return;
      done = true;
      tally.inFlight -= n;
      if (result.code === 0) {
        tally.delivered += n;
      } else {
        tally.failed += n;
        tally.failedExports++;
        tally.lastError = reasonOf(result.error);
      }
      resultCallback(result);
    };
    try {
      inner.export(items, finish);
    } catch (error) {
      finish({ code: 1, error: error as Error });
    }
  };
  const exporter = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'export') return exportCounted;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { exporter, tally };
}

/** One delivery path's line of the summary. */
export interface DeliveryReport {
  /** e.g. `otlp logs`. */
  readonly name: string;
  readonly text: string;
  /** Everything handed to this path was delivered (or, for UDP, sent without an error). */
  readonly complete: boolean;
  /** What was not delivered and why, for the summary's problems line. */
  readonly problem?: string;
}

/**
 * The line of a path whose input is counted upstream (`produced`, e.g. records emitted, spans
 * ended) and whose exports are counted by a tally: what the batch processor dropped is the rest.
 */
export function exportReport(name: string, produced: { what: string; count: number } | undefined, unit: string, tally: ExportTally): DeliveryReport {
  const dropped = produced === undefined ? 0 : Math.max(0, produced.count - tally.delivered - tally.failed - tally.inFlight);
  const parts = [`${tally.delivered} delivered`, `${tally.failed} failed`];
  if (tally.inFlight > 0) parts.push(`${tally.inFlight} still in flight at exit`);
  if (produced !== undefined) parts.push(`${dropped} dropped by the batch processor`);
  const why = tally.lastError === undefined ? '' : ` (last error: ${tally.lastError})`;
  const handed = tally.delivered + tally.failed + tally.inFlight;
  const head = produced === undefined ? `${handed} ${unit} in ${tally.exports} exports:` : `${produced.count} ${produced.what}:`;
  const lost = tally.failed + tally.inFlight + dropped;
  return {
    name,
    text: `${head} ${parts.join(', ')}${why}`,
    complete: lost === 0,
    ...(lost === 0 ? {} : { problem: `${name}: ${lost} ${unit} not delivered${why}` }),
  };
}
