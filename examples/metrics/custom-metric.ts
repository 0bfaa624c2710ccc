/**
 * Writing a custom multi-dimension metric: the seeds' attempts metric with `total`,
 * `success_total`, `failure_total` and timeouts by reason. `SeriesStore` gives the per-reason
 * series their limit and overflow series. Run: `npm run example -- metrics/custom-metric`.
 */
import { SyncMetricsRecorder } from 'mvx-common';
import { SeriesStore } from 'mvx-common/adapter-kit';
import type { Metric, MetricSnapshot, NumberDimension } from 'mvx-common';

type ReadEvent =
  | { readonly type: 'transport.read.attempt'; readonly outcome: 'success' | 'failure' }
  | { readonly type: 'transport.read.timeout'; readonly reason: string };

class ReadAttemptsMetric implements Metric<ReadEvent> {
  readonly name = 'transport.read.attempts';
  readonly eventTypes = ['transport.read.attempt', 'transport.read.timeout'];
  private readonly startTimeMs = Date.now();
  private total = 0;
  private success = 0;
  private failure = 0;
  // At most 10 series: 9 reasons, then the overflow series (`otel.metric.overflow: true`).
  private readonly timeouts = new SeriesStore(() => ({ value: 0 }), 10);

  handle(event: ReadEvent): boolean {
    switch (event.type) {
      case 'transport.read.attempt':
        this.total++;
        if (event.outcome === 'success') this.success++;
        else this.failure++;
        return true;
      case 'transport.read.timeout':
        this.total++;
        this.timeouts.get({ reason: event.reason }).value++;
        return true;
      default:
        return false;
    }
  }

  snapshot(): MetricSnapshot {
    const single = (name: string, value: number): NumberDimension => ({ name, kind: 'counter', series: [{ attributes: {}, value }] });
    return {
      name: this.name,
      unit: '1',
      startTimeMs: this.startTimeMs,
      timeMs: Date.now(),
      dimensions: [
        single('total', this.total),
        single('success_total', this.success),
        single('failure_total', this.failure),
        { name: 'timeout_total', kind: 'counter', series: this.timeouts.toArray((s) => ({ attributes: s.attributes, value: s.state.value })) },
      ],
    };
  }
}

const recorder = new SyncMetricsRecorder<ReadEvent>();
recorder.registerMetric(new ReadAttemptsMetric());
recorder.emit({ type: 'transport.read.attempt', outcome: 'success' });
recorder.emit({ type: 'transport.read.attempt', outcome: 'failure' });
recorder.emit({ type: 'transport.read.timeout', reason: 'idle' });
recorder.emit({ type: 'transport.read.timeout', reason: 'idle' });
recorder.emit({ type: 'transport.read.timeout', reason: 'tls_handshake' });
for (const d of recorder.snapshots()[0]!.dimensions as NumberDimension[]) {
  for (const s of d.series) {
    const attrs = Object.entries(s.attributes).map(([k, v]) => `${k}=${String(v)}`).join(',');
    console.log(`transport.read.attempts.${d.name}${attrs ? `{${attrs}}` : ''} ${s.value}`);
  }
}
