/**
 * The summary the demo prints at the end, read at a glance: requests by outcome (from the metric,
 * checked against what the client saw and what Prometheus serves), latency percentiles from the
 * histogram, and each sink's accepted / delivered / dropped counts.
 */
import type { AsyncMetricsRecorder, FileSink, FilteringSink, HistogramDimension, MetricSnapshot, NumberDimension } from 'mvx-common';
import type { LoadTally } from './load-client.ts';
import { mergeSeries, quantile } from './percentiles.ts';
import type { DemoMetricEvent } from './service.ts';
import type { OptionalExports } from './optional-exports.ts';

function find(snapshots: readonly MetricSnapshot[], name: string): MetricSnapshot | undefined {
  return snapshots.find((s) => s.name === name);
}

function ms(seconds: number | undefined): string {
  return seconds === undefined ? '-' : `${(seconds * 1000).toFixed(1)} ms`;
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

export interface SummaryInput {
  readonly tally: LoadTally;
  readonly metrics: AsyncMetricsRecorder<DemoMetricEvent>;
  readonly scrape: string;
  readonly consoleSink: FilteringSink;
  readonly fileSink: FileSink;
  readonly extra: OptionalExports;
}

/** Prints the summary to stdout; `ok` is false when an accounting check fails. */
export async function printSummary(input: SummaryInput): Promise<{ ok: boolean }> {
  const { tally, metrics, scrape, consoleSink, fileSink } = input;
  await fileSink.flush({ timeoutMs: 5000 });
  const snapshots = metrics.snapshots();
  const problems: string[] = [];
  const out: string[] = [];
  out.push('', '=== mvx-common demo: summary ===');

  // Requests by outcome, from the counter's series.
  const requests = find(snapshots, 'http.server.requests')?.dimensions[0] as NumberDimension | undefined;
  const byOutcome = new Map<string, number>();
  let served = 0;
  for (const s of requests?.series ?? []) {
    const key = String(s.attributes.outcome ?? 'unknown');
    byOutcome.set(key, (byOutcome.get(key) ?? 0) + s.value);
    served += s.value;
  }
  out.push(
    `requests: client sent ${tally.sent} (${tally.aborted} aborted by the client), server counted ${served}`,
    `  by outcome: ${[...byOutcome].map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`,
  );
  const scraped = scrapedRequestTotal(scrape);
  out.push(`  Prometheus endpoint serves http_server_requests_total = ${scraped} (${scraped === served ? 'matches' : 'DIFFERS'})`);
  if (scraped !== served) problems.push('the Prometheus scrape differs from the recorder snapshot');

  // Latency percentiles from the histogram.
  const duration = find(snapshots, 'http.server.duration')?.dimensions[0] as HistogramDimension | undefined;
  const all = duration ? mergeSeries(duration.series) : undefined;
  if (duration && all) {
    out.push(
      `latency (http.server.duration, from the histogram): p50 ${ms(quantile(duration.bounds, all, 0.5))}, ` +
        `p90 ${ms(quantile(duration.bounds, all, 0.9))}, p99 ${ms(quantile(duration.bounds, all, 0.99))}, max ${ms(all.max)}`,
    );
  }
  const payload = find(snapshots, 'document_storage.payload.size')?.dimensions[0] as HistogramDimension | undefined;
  const bytes = payload ? mergeSeries(payload.series) : undefined;
  if (bytes) out.push(`payloads (document_storage.payload.size): ${bytes.count} documents, ${(bytes.sum / 1024).toFixed(0)} KiB in all`);
  const attempts = find(snapshots, 'document_storage.attempts');
  if (attempts) {
    const dims = attempts.dimensions
      .map((d) => `${d.name.replace(/_total$/, '')} ${(d as NumberDimension).series.reduce((a, s) => a + s.value, 0)}`)
      .join(', ');
    out.push(`storage attempts (document_storage.attempts): ${dims}`);
  }

  // Sinks and recorder accounting.
  out.push('delivery:');
  const c = consoleSink.stats();
  out.push(`  console  forwarded ${c.forwarded}, filtered out by console-policy.json ${c.filtered}`);
  const f = fileSink.stats();
  out.push(
    `  file     accepted ${f.accepted}, delivered ${f.delivered}, dropped ${f.dropped}, failed ${f.failed}, pending ${f.pending}` +
      ` (${(f.bytesWritten / 1024).toFixed(0)} KiB, ${f.rotations} rotations)`,
  );
  if (f.accepted !== f.delivered + f.dropped + f.failed + f.pending) problems.push('file sink accounting does not add up');
  for (const line of input.extra.describeDelivery()) out.push(`  ${line}`);
  const r = metrics.stats();
  out.push(`  metrics  accepted ${r.accepted}, aggregated ${r.dispatched}, dropped ${r.dropped.total}, pending ${r.pending}`);
  if (problems.length) out.push('', `problems: ${problems.join('; ')}`);
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
  return { ok: problems.length === 0 };
}
