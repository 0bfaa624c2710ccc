/**
 * The summary the demo prints at the end, read at a glance: requests by outcome (from the metric,
 * checked against what the client saw and what the Prometheus endpoint served), latency
 * percentiles from the histogram, and per delivery path what was delivered, what failed and why.
 */
import type { AsyncMetricsRecorder, FileSink, FilteringSink, HistogramDimension, MetricSnapshot, NumberDimension } from 'mvx-common';
import type { DeliveryReport } from './export-accounting.ts';
import type { LoadTally } from './load-client.ts';
import { mergeSeries, quantile } from './percentiles.ts';
import { slowestBucket } from './slowest-bucket.ts';
import type { DemoMetricEvent } from './service.ts';

function find(snapshots: readonly MetricSnapshot[], name: string): MetricSnapshot | undefined {
  return snapshots.find((s) => s.name === name);
}

function ms(seconds: number | undefined): string {
  return seconds === undefined ? '-' : `${(seconds * 1000).toFixed(1)} ms`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

/** Sum of `http_server_requests_total` samples in a Prometheus text exposition. */
export function scrapedRequestTotal(scrape: string): number {
  let total = 0;
  for (const line of scrape.split('\n')) {
    if (line.startsWith('http_server_requests_total{') || line.startsWith('http_server_requests_total ')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** One request to the Prometheus endpoint by someone other than the demo itself. */
export interface ExternalScrape {
  /** When it was answered, ms since the epoch. */
  readonly at: number;
  readonly userAgent: string;
}

/** What the Prometheus endpoint served once the load was over. */
export interface EndpointCheck {
  readonly url: string;
  /** The endpoint's body fetched over HTTP after the recorder's final flush, as any scraper gets it. */
  readonly finalScrape: string;
  /** When the final totals were in place (ms since the epoch). */
  readonly finalSince: number;
  /** How long the endpoint stayed up after that, seconds, and whether a signal cut it short. */
  readonly lingeredS: number;
  readonly lingerCut: boolean;
  readonly external: readonly ExternalScrape[];
}

export interface SummaryInput {
  readonly tally: LoadTally;
  readonly metrics: AsyncMetricsRecorder<DemoMetricEvent>;
  readonly endpoint: EndpointCheck;
  readonly consoleSink: FilteringSink;
  readonly policyFile: string;
  readonly fileSink: FileSink;
  readonly delivery: readonly DeliveryReport[];
  /** Set when Ctrl-C or SIGTERM ended the load early. */
  readonly interrupted?: { signal: string; afterS: number };
}

function requestLines(input: SummaryInput, snapshots: readonly MetricSnapshot[], problems: string[]): string[] {
  const { tally, endpoint } = input;
  const out: string[] = [];
  const requests = find(snapshots, 'http.server.requests')?.dimensions[0] as NumberDimension | undefined;
  const byOutcome = new Map<string, number>();
  let served = 0;
  for (const s of requests?.series ?? []) {
    const key = String(s.attributes.outcome ?? 'unknown');
    byOutcome.set(key, (byOutcome.get(key) ?? 0) + s.value);
    served += s.value;
  }
  out.push(`requests: the client sent ${tally.sent}, the server counted ${served} (metric http.server.requests)`);
  out.push(`  by outcome: ${[...byOutcome].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`);
  const serverAborted = byOutcome.get('aborted') ?? 0;
  if (tally.aborted > 0 || serverAborted > 0) {
    const unseen = tally.sent - served;
    const rest = tally.aborted - serverAborted;
    out.push(
      `  the client gave up on ${tally.aborted} requests after 4 ms; the server saw ${serverAborted} of them end early` +
        ` (outcome aborted, status 499 "client closed request")` +
        (rest > 0 ? `; the other ${rest} had been answered already${unseen > 0 ? ' or never reached the server' : ''}` : ''),
    );
  }
  if (tally.networkErrors > 0) out.push(`  network errors seen by the client: ${tally.networkErrors}`);

  // What a scraper of the endpoint sees once the load is over: fetched over HTTP after the flush.
  const scraped = scrapedRequestTotal(endpoint.finalScrape);
  const same = scraped === served;
  out.push(`  Prometheus endpoint ${endpoint.url} serves http_server_requests_total = ${scraped} (${same ? 'matches' : 'DIFFERS from'} the recorder)`);
  if (!same) problems.push(`the Prometheus endpoint serves ${scraped} requests, the recorder counted ${served}`);
  const late = endpoint.external.filter((s) => s.at >= endpoint.finalSince);
  const last = late.at(-1);
  const linger = `kept up ${endpoint.lingeredS.toFixed(1)} s after the load${endpoint.lingerCut ? ' (cut short by the signal)' : ''}`;
  out.push(
    last === undefined
      ? `  ${linger}; no other scraper fetched the final totals (${endpoint.external.length} scrapes during the run)`
      : `  ${linger}; ${late.length} scrapes by others served the final totals, the last by ${last.userAgent || 'an unnamed client'}` +
          ` ${((last.at - endpoint.finalSince) / 1000).toFixed(1)} s after the load`,
  );
  return out;
}

function measurementLines(snapshots: readonly MetricSnapshot[]): string[] {
  const out: string[] = [];
  const duration = find(snapshots, 'http.server.duration')?.dimensions[0] as HistogramDimension | undefined;
  const all = duration ? mergeSeries(duration.series) : undefined;
  if (duration && all) {
    const q = (p: number): string => ms(quantile(duration.bounds, all, p));
    out.push(`latency (http.server.duration, from its ${duration.bounds.length + 1} buckets): p50 ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${ms(all.max)}`);
    const slowest = slowestBucket(duration);
    if (slowest !== undefined) {
      const range = slowest.upper === Infinity ? `over ${ms(slowest.lower)}` : slowest.lower === -Infinity ? `up to ${ms(slowest.upper)}` : `${ms(slowest.lower)} to ${ms(slowest.upper)}`;
      const example = slowest.exemplar
        ? `e.g. trace ${slowest.exemplar.traceId} (span ${slowest.exemplar.spanId}, ${ms(slowest.exemplar.value)})`
        : 'no example trace (exemplars need tracing: set OTEL_EXPORTER_OTLP_ENDPOINT)';
      out.push(`  slowest bucket (${range}): ${slowest.count} request${slowest.count === 1 ? '' : 's'}, ${example}`);
    }
  }
  const payload = find(snapshots, 'document_storage.payload.size')?.dimensions[0] as HistogramDimension | undefined;
  if (payload) {
    const of = (operation: string): { count: number; sum: number } =>
      payload.series.filter((s) => s.attributes.operation === operation).reduce((a, s) => ({ count: a.count + s.count, sum: a.sum + s.sum }), { count: 0, sum: 0 });
    const put = of('put');
    const get = of('get');
    out.push(`document contents (document_storage.payload.size): ${put.count} written (${kib(put.sum)}), ${get.count} read (${kib(get.sum)})`);
  }
  const attempts = find(snapshots, 'document_storage.attempts');
  if (attempts) {
    const dims = attempts.dimensions.map((d) => `${d.name.replace(/_total$/, '')} ${(d as NumberDimension).series.reduce((a, s) => a + s.value, 0)}`);
    out.push(`storage calls (document_storage.attempts): ${dims.join(', ')}`);
  }
  return out;
}

/** Prints the summary to stdout; `ok` is false when a count does not add up or something was not delivered. */
export async function printSummary(input: SummaryInput): Promise<{ ok: boolean; problems: string[] }> {
  const { metrics, consoleSink, fileSink } = input;
  await fileSink.flush({ timeoutMs: 5000 });
  const snapshots = metrics.snapshots();
  const problems: string[] = [];
  const out: string[] = ['', '=== mvx-common demo: summary ==='];
  if (input.interrupted) {
    out.push(`interrupted by ${input.interrupted.signal} after ${input.interrupted.afterS.toFixed(1)} s of load: the figures cover what happened until then`);
  }
  out.push(...requestLines(input, snapshots, problems), ...measurementLines(snapshots));

  out.push('delivery:');
  const c = consoleSink.stats();
  const col = (name: string): string => `  ${name.padEnd(14)}`;
  out.push(`${col('console')}forwarded ${c.forwarded}, filtered out by ${input.policyFile.split(/[\\/]/).at(-1)} ${c.filtered}`);
  const f = fileSink.stats();
  out.push(
    `${col('file')}accepted ${f.accepted}, delivered ${f.delivered}, dropped ${f.dropped}, failed ${f.failed}, pending ${f.pending}` +
      ` (${kib(f.bytesWritten)}, ${f.rotations} rotations)`,
  );
  if (f.accepted !== f.delivered + f.dropped + f.failed + f.pending) problems.push('file sink accounting does not add up');
  else if (f.delivered !== f.accepted) problems.push(`file: ${f.accepted - f.delivered} events not written`);
  for (const d of input.delivery) {
    out.push(`${col(d.name)}${d.text}`);
    if (!d.complete) problems.push(d.problem ?? `${d.name}: not everything was delivered`);
  }
  const r = metrics.stats();
  out.push(`${col('recorder')}metric events accepted ${r.accepted}, aggregated ${r.dispatched}, dropped ${r.dropped.total}, pending ${r.pending}`);
  if (r.dropped.total > 0) problems.push(`the metrics recorder dropped ${r.dropped.total} events`);

  out.push('', problems.length === 0 ? 'result: every request counted, everything delivered' : `problems: ${problems.join('; ')}`, '');
  process.stdout.write(out.join('\n') + '\n');
  return { ok: problems.length === 0, problems };
}
